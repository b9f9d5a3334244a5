// The natural logarithm rounded correctly to the nearest double, by evaluating it in double-double
// arithmetic (about 104 bits). V8's Math.log (fdlibm) is within 1 ulp but rounds some arguments the
// other way from glibc's log, which rank_bm25 (through CPython's math.log) uses; the correctly
// rounded value is what glibc returns for all but vanishingly rare arguments, so BM25 idf values,
// and with them the scores, come out bit for bit equal to rank_bm25's.

type DoubleDouble = [hi: number, lo: number];

const SPLITTER = 134217729; // 2^27 + 1, Dekker's split constant
const LN2: DoubleDouble = [Math.LN2, 2.3190468138462996e-17];

function twoSum(a: number, b: number): DoubleDouble {
  const sum = a + b;
  const bVirtual = sum - a;
  return [sum, a - (sum - bVirtual) + (b - bVirtual)];
}

function quickTwoSum(a: number, b: number): DoubleDouble {
  const sum = a + b;
  return [sum, b - (sum - a)];
}

function twoProduct(a: number, b: number): DoubleDouble {
  const product = a * b;
  let scaled = SPLITTER * a;
  const aHigh = scaled - (scaled - a);
  const aLow = a - aHigh;
  scaled = SPLITTER * b;
  const bHigh = scaled - (scaled - b);
  const bLow = b - bHigh;
  return [product, aHigh * bHigh - product + aHigh * bLow + aLow * bHigh + aLow * bLow];
}

function add(a: DoubleDouble, b: DoubleDouble): DoubleDouble {
  const [sum, error] = twoSum(a[0], b[0]);
  return quickTwoSum(sum, error + a[1] + b[1]);
}

function multiply(a: DoubleDouble, b: DoubleDouble): DoubleDouble {
  const [product, error] = twoProduct(a[0], b[0]);
  return quickTwoSum(product, error + a[0] * b[1] + a[1] * b[0]);
}

function divide(a: DoubleDouble, b: DoubleDouble): DoubleDouble {
  const first = a[0] / b[0];
  let remainder = add(a, negate(multiply([first, 0], b)));
  const second = remainder[0] / b[0];
  remainder = add(remainder, negate(multiply([second, 0], b)));
  const third = remainder[0] / b[0];
  return add(quickTwoSum(first, second), [third, 0]);
}

function negate(a: DoubleDouble): DoubleDouble {
  return [-a[0], -a[1]];
}

// 1 / (2k + 1) for the atanh series, k = 0..TERMS.
const TERMS = 22;
const RECIPROCALS: DoubleDouble[] = Array.from({ length: TERMS + 1 }, (_, k) => divide([1, 0], [2 * k + 1, 0]));

/** ln(x) for a finite x > 0, correctly rounded (barring arguments within ~1e-31 of a rounding tie). */
export function preciseLog(x: number): number {
  if (!(x > 0) || !Number.isFinite(x)) return Math.log(x);
  // x = m · 2^e with m in [√½, √2), where ln m = 2·atanh(t) and t = (m − 1)/(m + 1), |t| ≤ 0.172.
  let exponent = Math.floor(Math.log2(x));
  let mantissa = x / 2 ** exponent; // exact: a power-of-two scaling
  if (mantissa >= Math.SQRT2) {
    mantissa /= 2;
    exponent += 1;
  } else if (mantissa < Math.SQRT1_2) {
    mantissa *= 2;
    exponent -= 1;
  }
  // mantissa − 1 is exact (Sterbenz), mantissa + 1 is kept exact as a double-double.
  const t = divide([mantissa - 1, 0], twoSum(mantissa, 1));
  const tSquared = multiply(t, t);
  let series = RECIPROCALS[TERMS]!;
  for (let k = TERMS - 1; k >= 0; k--) series = add(multiply(series, tSquared), RECIPROCALS[k]!);
  const logMantissa = multiply([2 * t[0], 2 * t[1]], series);
  const result = add(multiply(LN2, [exponent, 0]), logMantissa);
  return result[0] + result[1];
}

// BM25's idf only ever takes logarithms of k + 0.5 for integer k in [0, N] (documents without and
// with a term), so they are computed once per k and kept; the table grows with the largest corpus.
let halfIntegerLogs = new Float64Array(0);

/** `preciseLog(k + 0.5)` for an integer k ≥ 0, memoized. */
export function logOfHalfInteger(k: number): number {
  if (k >= halfIntegerLogs.length) {
    const grown = new Float64Array(Math.max(1024, 2 ** Math.ceil(Math.log2(k + 1))));
    grown.fill(Number.NaN);
    grown.set(halfIntegerLogs);
    halfIntegerLogs = grown;
  }
  let value = halfIntegerLogs[k]!;
  if (Number.isNaN(value)) {
    value = preciseLog(k + 0.5);
    halfIntegerLogs[k] = value;
  }
  return value;
}

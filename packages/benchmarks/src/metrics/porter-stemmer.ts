/**
 * NLTK's PorterStemmer in its default NLTK_EXTENSIONS mode (checked against nltk 3.10.3), the stemmer
 * Google's `rouge_score` uses with `use_stemmer=True`. ROUGE figures only match the original when
 * every extension matches too: the irregular-forms pool, words of one or two characters left alone,
 * "ies"/"ied" on four-letter words, the y→i rule of step 1c, "alli" tried first in step 2, the
 * "fulli" and "logi" rules, and the two-letter *o condition.
 *
 * Exact for what ROUGE feeds it (lowercase ASCII letters and digits); other text is lowercased and
 * stemmed by UTF-16 code unit, as the original does by code point.
 */

type Condition = ((stem: string) => boolean) | null;

/** A suffix rule: replace `suffix` by `replacement` when `condition` holds for what precedes it. */
interface Rule {
  readonly suffix: string;
  readonly replacement: string;
  readonly condition: Condition;
}

// Step 1b's "*d" rule is not a literal suffix: it matches any double consonant.
const DOUBLE_CONSONANT = "*d";

const IRREGULAR_FORMS: Readonly<Record<string, readonly string[]>> = {
  sky: ["sky", "skies"],
  die: ["dying"],
  lie: ["lying"],
  tie: ["tying"],
  news: ["news"],
  inning: ["innings", "inning"],
  outing: ["outings", "outing"],
  canning: ["cannings", "canning"],
  howe: ["howe"],
  proceed: ["proceed"],
  exceed: ["exceed"],
  succeed: ["succeed"],
};

const POOL: ReadonlyMap<string, string> = new Map(
  Object.entries(IRREGULAR_FORMS).flatMap(([stem, forms]) => forms.map((form) => [form, stem] as const)),
);

const VOWELS = new Set(["a", "e", "i", "o", "u"]);

/** Stems one word as `nltk.stem.PorterStemmer().stem(word)` does. */
export function porterStem(word: string): string {
  let stem = word.toLowerCase();
  const pooled = POOL.get(stem);
  if (pooled !== undefined) return pooled;
  // NLTK measures the length of the word as given, before lowercasing.
  if (Array.from(word).length <= 2) return stem;
  stem = step1a(stem);
  stem = step1b(stem);
  stem = step1c(stem);
  stem = step2(stem);
  stem = step3(stem);
  stem = step4(stem);
  stem = step5a(stem);
  stem = step5b(stem);
  return stem;
}

/** A consonant is a letter other than a, e, i, o, u, and other than a y preceded by a consonant. */
function consonantFlags(word: string): boolean[] {
  const flags: boolean[] = [];
  for (let i = 0; i < word.length; i += 1) {
    const ch = word[i]!;
    if (VOWELS.has(ch)) flags.push(false);
    else if (ch === "y") flags.push(i === 0 ? true : !flags[i - 1]!);
    else flags.push(true);
  }
  return flags;
}

function isConsonant(word: string, i: number): boolean {
  return consonantFlags(word.slice(0, i + 1))[i]!;
}

/** Porter's m: the number of vowel-consonant transitions in [C](VC){m}[V]. */
function measure(stem: string): number {
  const flags = consonantFlags(stem);
  let count = 0;
  for (let i = 1; i < flags.length; i += 1) if (!flags[i - 1]! && flags[i]!) count += 1;
  return count;
}

const hasPositiveMeasure = (stem: string): boolean => measure(stem) > 0;
const measureAboveOne = (stem: string): boolean => measure(stem) > 1;

function containsVowel(stem: string): boolean {
  return consonantFlags(stem).some((consonant) => !consonant);
}

/** Condition *d: the word ends with a double consonant. */
function endsDoubleConsonant(word: string): boolean {
  return word.length >= 2 && word[word.length - 1] === word[word.length - 2] && isConsonant(word, word.length - 1);
}

/** Condition *o: ends consonant-vowel-consonant, the last not w, x or y; NLTK adds a two-letter vowel-consonant word. */
function endsCvc(word: string): boolean {
  const n = word.length;
  if (
    n >= 3 &&
    isConsonant(word, n - 3) &&
    !isConsonant(word, n - 2) &&
    isConsonant(word, n - 1) &&
    !"wxy".includes(word[n - 1]!)
  ) {
    return true;
  }
  return n === 2 && !isConsonant(word, 0) && isConsonant(word, 1);
}

function rule(suffix: string, replacement: string, condition: Condition): Rule {
  return { suffix, replacement, condition };
}

/** Applies the first rule whose suffix matches; if its condition fails, no later rule is tried. */
function applyRuleList(word: string, rules: readonly Rule[]): string {
  for (const { suffix, replacement, condition } of rules) {
    if (suffix === DOUBLE_CONSONANT && endsDoubleConsonant(word)) {
      const stem = word.slice(0, -2);
      return condition === null || condition(stem) ? stem + replacement : word;
    }
    if (word.endsWith(suffix)) {
      const stem = suffix === "" ? word : word.slice(0, -suffix.length);
      return condition === null || condition(stem) ? stem + replacement : word;
    }
  }
  return word;
}

// Built once: the stemmer runs on every token ROUGE scores.
const STEP_1A_RULES: readonly Rule[] = [
  rule("sses", "ss", null),
  rule("ies", "i", null),
  rule("ss", "ss", null),
  rule("s", "", null),
];

function step1a(word: string): string {
  // NLTK: "ties" → "tie" (not "ti"), while "ponies" → "poni".
  if (word.endsWith("ies") && word.length === 4) return `${word.slice(0, -3)}ie`;
  return applyRuleList(word, STEP_1A_RULES);
}

function step1b(word: string): string {
  // NLTK: "died" → "die", "spied" → "spi".
  if (word.endsWith("ied")) return word.slice(0, -3) + (word.length === 4 ? "ie" : "i");
  if (word.endsWith("eed")) {
    const stem = word.slice(0, -3);
    return measure(stem) > 0 ? `${stem}ee` : word;
  }
  let intermediate: string | null = null;
  for (const suffix of ["ed", "ing"]) {
    if (word.endsWith(suffix)) {
      const candidate = word.slice(0, -suffix.length);
      if (containsVowel(candidate)) {
        intermediate = candidate;
        break;
      }
    }
  }
  if (intermediate === null) return word;
  const last = intermediate[intermediate.length - 1]!;
  return applyRuleList(intermediate, [
    rule("at", "ate", null),
    rule("bl", "ble", null),
    rule("iz", "ize", null),
    rule(DOUBLE_CONSONANT, last, () => !"lsz".includes(last)),
    rule("", "e", (stem) => measure(stem) === 1 && endsCvc(stem)),
  ]);
}

const STEP_1C_RULES: readonly Rule[] = [
  rule("y", "i", (stem) => stem.length > 1 && isConsonant(stem, stem.length - 1)),
];

function step1c(word: string): string {
  // NLTK: y → i only after a consonant that is not the whole stem ("happy" → "happi", "enjoy" and "by" stay).
  return applyRuleList(word, STEP_1C_RULES);
}

const STEP_2_RULES: readonly Rule[] = [
  rule("ational", "ate", hasPositiveMeasure),
  rule("tional", "tion", hasPositiveMeasure),
  rule("enci", "ence", hasPositiveMeasure),
  rule("anci", "ance", hasPositiveMeasure),
  rule("izer", "ize", hasPositiveMeasure),
  rule("bli", "ble", hasPositiveMeasure),
  rule("alli", "al", hasPositiveMeasure),
  rule("entli", "ent", hasPositiveMeasure),
  rule("eli", "e", hasPositiveMeasure),
  rule("ousli", "ous", hasPositiveMeasure),
  rule("ization", "ize", hasPositiveMeasure),
  rule("ation", "ate", hasPositiveMeasure),
  rule("ator", "ate", hasPositiveMeasure),
  rule("alism", "al", hasPositiveMeasure),
  rule("iveness", "ive", hasPositiveMeasure),
  rule("fulness", "ful", hasPositiveMeasure),
  rule("ousness", "ous", hasPositiveMeasure),
  rule("aliti", "al", hasPositiveMeasure),
  rule("iviti", "ive", hasPositiveMeasure),
  rule("biliti", "ble", hasPositiveMeasure),
  rule("fulli", "ful", hasPositiveMeasure),
  // The "l" of "logi" stays with the stem, so "geologi" measures "geo" + "l".
  rule("logi", "log", (stem) => hasPositiveMeasure(`${stem}l`)),
];

function step2(word: string): string {
  // NLTK tries "alli" → "al" first and, when it applies, runs step 2 again on the result.
  if (word.endsWith("alli") && hasPositiveMeasure(word.slice(0, -4))) return step2(`${word.slice(0, -4)}al`);
  return applyRuleList(word, STEP_2_RULES);
}

const STEP_3_RULES: readonly Rule[] = [
  rule("icate", "ic", hasPositiveMeasure),
  rule("ative", "", hasPositiveMeasure),
  rule("alize", "al", hasPositiveMeasure),
  rule("iciti", "ic", hasPositiveMeasure),
  rule("ical", "ic", hasPositiveMeasure),
  rule("ful", "", hasPositiveMeasure),
  rule("ness", "", hasPositiveMeasure),
];

function step3(word: string): string {
  return applyRuleList(word, STEP_3_RULES);
}

const STEP_4_RULES: readonly Rule[] = [
  rule("al", "", measureAboveOne),
  rule("ance", "", measureAboveOne),
  rule("ence", "", measureAboveOne),
  rule("er", "", measureAboveOne),
  rule("ic", "", measureAboveOne),
  rule("able", "", measureAboveOne),
  rule("ible", "", measureAboveOne),
  rule("ant", "", measureAboveOne),
  rule("ement", "", measureAboveOne),
  rule("ment", "", measureAboveOne),
  rule("ent", "", measureAboveOne),
  rule("ion", "", (stem) => measure(stem) > 1 && (stem.endsWith("s") || stem.endsWith("t"))),
  rule("ou", "", measureAboveOne),
  rule("ism", "", measureAboveOne),
  rule("ate", "", measureAboveOne),
  rule("iti", "", measureAboveOne),
  rule("ous", "", measureAboveOne),
  rule("ive", "", measureAboveOne),
  rule("ize", "", measureAboveOne),
];

function step4(word: string): string {
  return applyRuleList(word, STEP_4_RULES);
}

function step5a(word: string): string {
  // Both conditions are tried here (unlike the rule lists above, where the first matching suffix decides).
  if (!word.endsWith("e")) return word;
  const stem = word.slice(0, -1);
  if (measure(stem) > 1) return stem;
  if (measure(stem) === 1 && !endsCvc(stem)) return stem;
  return word;
}

function step5b(word: string): string {
  // The measure is taken on the word less one "l", as NLTK does.
  return applyRuleList(word, [rule("ll", "l", () => measure(word.slice(0, -1)) > 1)]);
}

// How launches are sized. WebGPU caps each dimension of a dispatch at
// maxComputeWorkgroupsPerDimension (65,535 by default), and a storage binding at
// maxStorageBufferBindingSize (128 MiB on lavapipe): a kernel over more elements than that spreads its
// workgroups over x, y and z (each shader rebuilds the linear workgroup index), and a kernel over a
// buffer larger than a binding runs in chunks that each bind a window of the buffer.

/** Threads per workgroup of the one-dimensional kernels (the WebGPU default limit, fine on every GPU). */
export const WORKGROUP_SIZE = 256;

/** The default `maxComputeWorkgroupsPerDimension`. */
export const MAX_WORKGROUPS_PER_DIMENSION = 65_535;

/**
 * A dispatch of at least `count` workgroups with each dimension ≤ `maxPerDimension`: x fills first,
 * then y, then z. Shaders compute `(z·ny + y)·nx + x` and return when it is ≥ count (the last row of the
 * grid is partly beyond it). Zero workgroups gives [0, 1, 1] (callers skip the dispatch).
 */
export function splitWorkgroups(
  count: number,
  maxPerDimension = MAX_WORKGROUPS_PER_DIMENSION,
): [number, number, number] {
  if (!Number.isInteger(count) || count < 0)
    throw new RangeError(`workgroup count must be a non-negative integer, got ${count}`);
  if (count <= maxPerDimension) return [count, 1, 1];
  const x = maxPerDimension;
  const rows = Math.ceil(count / x);
  if (rows <= maxPerDimension) return [x, rows, 1];
  const y = maxPerDimension;
  const z = Math.ceil(rows / y);
  if (z > maxPerDimension) throw new RangeError(`${count} workgroups do not fit in one dispatch`);
  return [x, y, z];
}

/** WGSL: the linear workgroup index of a grid made by {@link splitWorkgroups}. */
export const LINEAR_WORKGROUP_WGSL = /* wgsl */ `
fn linearWorkgroup(wid: vec3<u32>, nwg: vec3<u32>) -> u32 {
  return (wid.z * nwg.y + wid.y) * nwg.x + wid.x;
}
`;

/** One chunk of a kernel over `units` rows: [first unit, unit count]. */
export type Chunk = readonly [start: number, count: number];

/**
 * Splits `units` rows into chunks so that, for each bound buffer that holds `floatsPerUnit[j]` floats
 * per row, a chunk's window fits `maxBindingBytes` and starts at a multiple of `offsetAlignment` bytes
 * (WebGPU's minStorageBufferOffsetAlignment). Returns one chunk when everything fits, and throws a
 * RangeError when not even one aligned group of rows fits.
 */
export function planChunks(
  units: number,
  floatsPerUnit: readonly number[],
  maxBindingBytes: number,
  offsetAlignment: number,
): Chunk[] {
  const widest = Math.max(1, ...floatsPerUnit);
  if (units * widest * 4 <= maxBindingBytes) return [[0, units]];
  // Chunk starts are multiples of the fewest rows whose byte size every buffer's alignment divides.
  let unitAlign = 1;
  for (const floats of floatsPerUnit) {
    if (floats > 0) unitAlign = lcm(unitAlign, offsetAlignment / gcd(offsetAlignment, floats * 4));
  }
  const perChunk = Math.floor(maxBindingBytes / (widest * 4) / unitAlign) * unitAlign;
  if (perChunk === 0) throw new RangeError(`${unitAlign} rows of ${widest} floats exceed ${maxBindingBytes} bytes`);
  const chunks: Chunk[] = [];
  for (let start = 0; start < units; start += perChunk) chunks.push([start, Math.min(perChunk, units - start)]);
  return chunks;
}

function gcd(a: number, b: number): number {
  while (b !== 0) [a, b] = [b, a % b];
  return a;
}

function lcm(a: number, b: number): number {
  return (a / gcd(a, b)) * b;
}

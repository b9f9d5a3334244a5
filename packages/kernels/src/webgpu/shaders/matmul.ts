// Matrix multiply, tiled: a workgroup of 16×16 threads computes a 64×64 block of out, each thread a
// 4×4 register block (rows lid.y + 16r, columns lid.x + 16c, so that neighbouring threads write
// neighbouring columns). The k axis is walked 16 at a time through two workgroup tiles (8 KiB), which
// every thread fills with 4 loads each; elements outside m, k or n load as 0, so any shape works. The
// transposes are compiled in (one pipeline per combination) rather than branched on per load.
import { LINEAR_WORKGROUP_WGSL } from "../dispatch.js";
import { elementwiseMain } from "./common.js";

/** Output rows and columns per workgroup. */
export const MATMUL_TILE = 64;

/** The uniforms and bindings both matmul variants share. */
const MATMUL_BINDINGS = `struct Params { m: u32, k: u32, n: u32, tilesN: u32, tiles: u32 }
@group(0) @binding(0) var<uniform> p: Params;
@group(0) @binding(1) var<storage, read> a: array<f32>;
@group(0) @binding(2) var<storage, read> b: array<f32>;
@group(0) @binding(3) var<storage, read_write> out: array<f32>;`;

/**
 * Uniforms: m, k, n, tilesN (⌈n/64⌉), tiles (⌈m/64⌉·tilesN). Bindings: a, b, out. Products are
 * accumulated with fma in increasing k, each rounding once, as the reference sums in increasing k.
 */
export function matmulShader(transposeA: boolean, transposeB: boolean): string {
  const aIndex = transposeA ? "col * p.m + row" : "row * p.k + col";
  const bIndex = transposeB ? "col * p.k + row" : "row * p.n + col";
  return /* wgsl */ `
${MATMUL_BINDINGS}

// tileA[kk * 64 + row] and tileB[kk * 64 + col]: both k-major, so the inner loop reads one row of
// each and the 16 threads of a row of the workgroup read the same tileA element (a broadcast).
var<workgroup> tileA: array<f32, 1024>;
var<workgroup> tileB: array<f32, 1024>;

// Element (row, col) of op(A), an m×k matrix, or 0 outside it.
fn loadA(row: u32, col: u32) -> f32 {
  if (row >= p.m || col >= p.k) { return 0.0; }
  return a[${aIndex}];
}
// Element (row, col) of op(B), a k×n matrix, or 0 outside it.
fn loadB(row: u32, col: u32) -> f32 {
  if (row >= p.k || col >= p.n) { return 0.0; }
  return b[${bIndex}];
}
${LINEAR_WORKGROUP_WGSL}
@compute @workgroup_size(16, 16)
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>,
        @builtin(local_invocation_id) lid: vec3<u32>) {
  let tile = linearWorkgroup(wid, nwg);
  // The whole workgroup leaves together (tile is uniform), so the barriers below stay uniform.
  if (tile >= p.tiles) { return; }
  let row0 = (tile / p.tilesN) * 64u;
  let col0 = (tile % p.tilesN) * 64u;
  let t = lid.y * 16u + lid.x;
  var acc: array<f32, 16>;
  for (var k0 = 0u; k0 < p.k; k0 += 16u) {
    for (var j = 0u; j < 4u; j++) {
      let e = t + j * 256u;
      let kk = e / 64u;
      let rc = e % 64u;
      tileA[e] = loadA(row0 + rc, k0 + kk);
      tileB[e] = loadB(k0 + kk, col0 + rc);
    }
    workgroupBarrier();
    for (var kk = 0u; kk < 16u; kk++) {
      var bv: array<f32, 4>;
      for (var c = 0u; c < 4u; c++) { bv[c] = tileB[kk * 64u + lid.x + c * 16u]; }
      for (var r = 0u; r < 4u; r++) {
        let av = tileA[kk * 64u + lid.y + r * 16u];
        for (var c = 0u; c < 4u; c++) { acc[r * 4u + c] = fma(av, bv[c], acc[r * 4u + c]); }
      }
    }
    workgroupBarrier();
  }
  for (var r = 0u; r < 4u; r++) {
    let row = row0 + lid.y + r * 16u;
    if (row >= p.m) { break; }
    for (var c = 0u; c < 4u; c++) {
      let col = col0 + lid.x + c * 16u;
      if (col < p.n) { out[row * p.n + col] = acc[r * 4u + c]; }
    }
  }
}
`;
}

/**
 * The thin-matrix variant: one thread per output element, reading A and B straight from memory. When
 * m or n is below a few rows, most of a 64×64 tile would be padding (a 2^20×3 by 3×2 product would run
 * 32 idle threads for each useful one). It sums in the same order with the same fma, so both variants
 * give identical results. Uniforms and bindings as {@link matmulShader} (tilesN and tiles unused).
 */
export function matmulThinShader(transposeA: boolean, transposeB: boolean): string {
  const aIndex = transposeA ? "q * p.m + row" : "row * p.k + q";
  const bIndex = transposeB ? "col * p.k + q" : "q * p.n + col";
  return /* wgsl */ `
${MATMUL_BINDINGS}
${elementwiseMain(
  "p.m * p.n",
  `  let row = i / p.n;
  let col = i % p.n;
  var acc = 0.0;
  for (var q = 0u; q < p.k; q++) { acc = fma(a[${aIndex}], b[${bIndex}], acc); }
  out[i] = acc;`,
)}`;
}

// Row kernels: gatherRows (one thread per output element) and scatterAddRows (one thread per
// (table row, column) of out, summing the source rows the host-built inverse map lists for its table
// row, in increasing r; see scatter-plan.ts for why there are no atomics).
import { elementwiseMain } from "./common.js";

/** Uniforms: total (= rows·width), width. Bindings: table, indices (i32), out. */
export function gatherRowsShader(): string {
  return /* wgsl */ `
struct Params { total: u32, width: u32 }
@group(0) @binding(0) var<uniform> p: Params;
@group(0) @binding(1) var<storage, read> table: array<f32>;
@group(0) @binding(2) var<storage, read> indices: array<i32>;
@group(0) @binding(3) var<storage, read_write> out: array<f32>;
${elementwiseMain("p.total", "  out[i] = table[u32(indices[i / p.width]) * p.width + i % p.width];")}`;
}

/** Uniforms: total (= tableRows·width), width. Bindings: source, plan (u32, from buildScatterPlan), out. */
export function scatterAddRowsShader(): string {
  return /* wgsl */ `
struct Params { total: u32, width: u32 }
@group(0) @binding(0) var<uniform> p: Params;
@group(0) @binding(1) var<storage, read> source: array<f32>;
@group(0) @binding(2) var<storage, read> plan: array<u32>;
@group(0) @binding(3) var<storage, read_write> out: array<f32>;
${elementwiseMain(
  "p.total",
  `  let row = i / p.width;
  let column = i % p.width;
  let end = plan[row + 1u];
  var sum = out[i];
  for (var j = plan[row]; j < end; j++) {
    sum += source[plan[j] * p.width + column];
  }
  out[i] = sum;`,
)}`;
}

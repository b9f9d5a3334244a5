// Softmax and log-softmax over segments [offsets[s], offsets[s + 1]), and their gradients. Two
// layouts: one thread per segment (many short segments, e.g. candidate sets of 1–3 items) and one
// 256-thread workgroup per segment with tree reductions in workgroup memory (long segments, e.g. a
// vocabulary row), chosen by the backend from the host copy of the offsets. Both subtract the segment
// maximum before exp, and both are deterministic (fixed reduction order). An empty segment writes
// nothing.
import { LINEAR_WORKGROUP_WGSL } from "../dispatch.js";
import { elementwiseMain } from "./common.js";

/** Threads per segment of the workgroup layout. */
export const SEGMENT_WORKGROUP_SIZE = 256;

/** The largest finite f32: the starting maximum (a segment of -∞ only is not a case worth a bitcast). */
const LOWEST = "-3.4028234663852886e38";

function bindings(grad: boolean): string {
  return grad
    ? `@group(0) @binding(1) var<storage, read> ys: array<f32>;
@group(0) @binding(2) var<storage, read> dys: array<f32>;
@group(0) @binding(3) var<storage, read> offsets: array<i32>;
@group(0) @binding(4) var<storage, read_write> dxs: array<f32>;`
    : `@group(0) @binding(1) var<storage, read> xs: array<f32>;
@group(0) @binding(2) var<storage, read> offsets: array<i32>;
@group(0) @binding(3) var<storage, read_write> out: array<f32>;`;
}

/** Uniforms: segments. Bindings: x, offsets, out (one thread per segment). */
export function segmentSoftmaxThreadShader(log: boolean): string {
  const write = log ? "out[j] = xs[j] - mx - logSum;" : "out[j] = exp(xs[j] - mx) / sum;";
  return /* wgsl */ `
struct Params { segments: u32 }
@group(0) @binding(0) var<uniform> p: Params;
${bindings(false)}
${elementwiseMain(
  "p.segments",
  `  let start = offsets[i];
  let end = offsets[i + 1u];
  if (end <= start) { return; }
  let first = u32(start);
  let last = u32(end);
  var mx = ${LOWEST};
  for (var j = first; j < last; j++) { let v = xs[j]; mx = select(mx, v, v > mx); }
  var sum = 0.0;
  for (var j = first; j < last; j++) { sum += exp(xs[j] - mx); }
  let logSum = log(sum);
  for (var j = first; j < last; j++) { ${write} }`,
)}`;
}

/** Uniforms: segments. Bindings: y, dy, offsets, dx (one thread per segment). */
export function segmentSoftmaxGradThreadShader(log: boolean): string {
  const term = log ? "dys[j]" : "dys[j] * ys[j]";
  const write = log ? "dxs[j] = dys[j] - exp(ys[j]) * sum;" : "dxs[j] = ys[j] * (dys[j] - sum);";
  return /* wgsl */ `
struct Params { segments: u32 }
@group(0) @binding(0) var<uniform> p: Params;
${bindings(true)}
${elementwiseMain(
  "p.segments",
  `  let first = u32(offsets[i]);
  let last = u32(max(offsets[i + 1u], offsets[i]));
  var sum = 0.0;
  for (var j = first; j < last; j++) { sum += ${term}; }
  for (var j = first; j < last; j++) { ${write} }`,
)}`;
}

/** A tree reduction of `value` over the workgroup into `result` (every thread gets it). */
function treeReduce(result: string, value: string, combine: (a: string, b: string) => string): string {
  return `  scratch[lid] = ${value};
  workgroupBarrier();
  for (var stride = ${SEGMENT_WORKGROUP_SIZE / 2}u; stride > 0u; stride >>= 1u) {
    if (lid < stride) { let a = scratch[lid]; let b = scratch[lid + stride]; scratch[lid] = ${combine("a", "b")}; }
    workgroupBarrier();
  }
  let ${result} = scratch[0];
  // Every thread has read scratch[0] before anyone overwrites scratch for the next reduction.
  workgroupBarrier();`;
}

function workgroupMain(body: string): string {
  return /* wgsl */ `
var<workgroup> scratch: array<f32, ${SEGMENT_WORKGROUP_SIZE}>;
${LINEAR_WORKGROUP_WGSL}
@compute @workgroup_size(${SEGMENT_WORKGROUP_SIZE})
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>,
        @builtin(local_invocation_index) lid: u32) {
  // s, first and last are the same in the whole workgroup (uniform buffer, read-only storage at a
  // uniform index), so the early returns and the barriers below stay in uniform control flow.
  let s = linearWorkgroup(wid, nwg);
  if (s >= p.segments) { return; }
  let start = offsets[s];
  let end = offsets[s + 1u];
  if (end <= start) { return; }
  let first = u32(start);
  let last = u32(end);
${body}
}
`;
}

/** Uniforms: segments. Bindings: x, offsets, out (one workgroup per segment). */
export function segmentSoftmaxWorkgroupShader(log: boolean): string {
  const write = log ? "out[j] = xs[j] - mx - logSum;" : "out[j] = exp(xs[j] - mx) / sum;";
  return /* wgsl */ `
struct Params { segments: u32 }
@group(0) @binding(0) var<uniform> p: Params;
${bindings(false)}
${workgroupMain(`  var localMax = ${LOWEST};
  for (var j = first + lid; j < last; j += ${SEGMENT_WORKGROUP_SIZE}u) { let v = xs[j]; localMax = select(localMax, v, v > localMax); }
${treeReduce("mx", "localMax", (a, b) => `select(${a}, ${b}, ${b} > ${a})`)}
  var localSum = 0.0;
  for (var j = first + lid; j < last; j += ${SEGMENT_WORKGROUP_SIZE}u) { localSum += exp(xs[j] - mx); }
${treeReduce("sum", "localSum", (a, b) => `${a} + ${b}`)}
  let logSum = log(sum);
  for (var j = first + lid; j < last; j += ${SEGMENT_WORKGROUP_SIZE}u) { ${write} }`)}`;
}

/** Uniforms: segments. Bindings: y, dy, offsets, dx (one workgroup per segment). */
export function segmentSoftmaxGradWorkgroupShader(log: boolean): string {
  const term = log ? "dys[j]" : "dys[j] * ys[j]";
  const write = log ? "dxs[j] = dys[j] - exp(ys[j]) * sum;" : "dxs[j] = ys[j] * (dys[j] - sum);";
  return /* wgsl */ `
struct Params { segments: u32 }
@group(0) @binding(0) var<uniform> p: Params;
${bindings(true)}
${workgroupMain(`  var localSum = 0.0;
  for (var j = first + lid; j < last; j += ${SEGMENT_WORKGROUP_SIZE}u) { localSum += ${term}; }
${treeReduce("sum", "localSum", (a, b) => `${a} + ${b}`)}
  for (var j = first + lid; j < last; j += ${SEGMENT_WORKGROUP_SIZE}u) { ${write} }`)}`;
}

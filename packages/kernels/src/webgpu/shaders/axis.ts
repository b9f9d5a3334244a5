// Kernels over a [outer, axis, inner] view: reduce (one thread per output, summing its axis in
// increasing order like the reference), its reverse broadcast, and copyAxis (one thread per copied
// element). The backend may run reduce and broadcast in chunks of `outer` with windowed bindings, so
// the shaders index from the start of their window.
import { elementwiseMain } from "./common.js";

/** Uniforms: total (= outer·inner of this chunk), axis, inner. Bindings: x, out. */
export function reduceShader(mean: boolean): string {
  return /* wgsl */ `
struct Params { total: u32, axis: u32, inner: u32 }
@group(0) @binding(0) var<uniform> p: Params;
@group(0) @binding(1) var<storage, read> xs: array<f32>;
@group(0) @binding(2) var<storage, read_write> out: array<f32>;
${elementwiseMain(
  "p.total",
  `  let o = i / p.inner;
  let inner = i % p.inner;
  var sum = 0.0;
  var at = o * p.axis * p.inner + inner;
  for (var a = 0u; a < p.axis; a++) {
    sum += xs[at];
    at += p.inner;
  }
  out[i] = ${mean ? "sum / f32(p.axis)" : "sum"};`,
)}`;
}

/** Uniforms: total (= outer·axis·inner of this chunk), axis, inner, scale. Bindings: x, out. */
export function broadcastShader(): string {
  return /* wgsl */ `
struct Params { total: u32, axis: u32, inner: u32, scale: f32 }
@group(0) @binding(0) var<uniform> p: Params;
@group(0) @binding(1) var<storage, read> xs: array<f32>;
@group(0) @binding(2) var<storage, read_write> out: array<f32>;
${elementwiseMain("p.total", "  out[i] = xs[(i / (p.axis * p.inner)) * p.inner + i % p.inner] * p.scale;")}`;
}

/** Uniforms: total (= outer·count·inner), inner, count, srcAxis, srcStart, dstAxis, dstStart. Bindings: src, dst. */
export function copyAxisShader(): string {
  return /* wgsl */ `
struct Params { total: u32, inner: u32, count: u32, srcAxis: u32, srcStart: u32, dstAxis: u32, dstStart: u32 }
@group(0) @binding(0) var<uniform> p: Params;
@group(0) @binding(1) var<storage, read> src: array<f32>;
@group(0) @binding(2) var<storage, read_write> dst: array<f32>;
${elementwiseMain(
  "p.total",
  `  let inner = i % p.inner;
  let rest = i / p.inner;
  let a = rest % p.count;
  let o = rest / p.count;
  dst[(o * p.dstAxis + p.dstStart + a) * p.inner + inner] = src[(o * p.srcAxis + p.srcStart + a) * p.inner + inner];`,
)}`;
}

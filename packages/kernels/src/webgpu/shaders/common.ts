// WGSL shared by the shader families. Every pipeline binds its uniforms at binding 0 and its storage
// buffers from binding 1 in the order the backend passes them.
import { LINEAR_WORKGROUP_WGSL, WORKGROUP_SIZE } from "../dispatch.js";

/**
 * In-place kernels: input variable → the output variable it is the same buffer as. Dawn rejects a
 * buffer bound twice in one dispatch when one binding is writable, so an aliased input gets no binding
 * of its own and the shader reads the output variable instead (see {@link applyAliases}).
 */
export type Aliases = Readonly<Record<string, string>>;

/**
 * Rewrites a kernel's WGSL for in-place use: drops each aliased input's declaration and renames its
 * uses to the output variable. Input variables have names used for nothing else in their shader, so
 * a whole-word rename is exact. Each kernel reads an element before writing it from the same thread,
 * so reading the output in place gives the same result.
 */
export function applyAliases(wgsl: string, aliases: Aliases): string {
  let out = wgsl;
  for (const [input, output] of Object.entries(aliases)) {
    out = out.replace(new RegExp(`^@group\\(0\\) @binding\\(\\d+\\) var<storage, read> ${input}: [^;]*;$`, "m"), "");
    out = out.replace(new RegExp(`\\b${input}\\b`, "g"), output);
  }
  return out;
}

/** The entry point of a one-dimensional kernel: `i` is the global thread index, checked against `bound`. */
export function elementwiseMain(bound: string, body: string): string {
  return /* wgsl */ `
${LINEAR_WORKGROUP_WGSL}
@compute @workgroup_size(${WORKGROUP_SIZE})
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>,
        @builtin(local_invocation_index) lid: u32) {
  let i = linearWorkgroup(wid, nwg) * ${WORKGROUP_SIZE}u + lid;
  if (i >= ${bound}) { return; }
${body}
}
`;
}

/**
 * tanh and the logistic function from exp(−|x|), which never overflows: some drivers compute tanh as
 * (e^2x − 1)/(e^2x + 1), which is NaN beyond |x| ≈ 44. gelu uses 1 + tanh(u) = 2·sigmoid(2u), which
 * avoids the cancellation of 1 + tanh(u) for large negative u.
 */
export const ACTIVATIONS_WGSL = /* wgsl */ `
fn tanhStable(x: f32) -> f32 {
  let t = exp(-2.0 * abs(x));
  let r = (1.0 - t) / (1.0 + t);
  return select(r, -r, x < 0.0);
}
fn sigmoidStable(x: f32) -> f32 {
  let e = exp(-abs(x));
  return select(e / (1.0 + e), 1.0 / (1.0 + e), x >= 0.0);
}
const GELU_C: f32 = 0.7978845608028654;
fn geluInner(x: f32) -> f32 {
  return GELU_C * (x + 0.044715 * x * x * x);
}
`;

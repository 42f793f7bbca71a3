/**
 * gemv on the GPU: y = W·x, W rows×cols row-major (rows = output channels).
 *
 * One workgroup of 256 invocations per row: the invocations read the row in a coalesced
 * sweep (vec4 loads when cols and the offsets are multiples of 4, four of them in flight per
 * invocation), multiply by x (which stays in cache across rows) and tree-reduce in workgroup
 * memory. Memory-bound: every
 * weight is read once, so time ≈ 4·rows·cols bytes / bandwidth.
 *
 * The gated variant is vmmsp's (CHESS §4): out_i = (x·W[i,:])·s_i, and a row whose gate s_i
 * is 0 returns before reading its weights (the branch is uniform across the workgroup).
 */
import type { GpuCall, GpuRef } from '../gpu-context.js';
import type { GpuProgram } from '../program.js';
import { treeReduce } from './snippets.js';

const WG = 256;

/** The program for a variant: `vec4` loads, and the `gated` (vmmsp) form. */
export function gemvProgram(vec4: boolean, gated: boolean): GpuProgram {
  // vec4: four independent loads in flight per invocation (unrolled), then the remainder.
  const loop = vec4
    ? `  let base = (P.WOff + r * P.cols) / 4u;
  let x0 = P.xOff / 4u;
  let n4 = P.cols / 4u;
  var a1 = 0.0;
  var a2 = 0.0;
  var a3 = 0.0;
  var c = lid;
  for (; c + ${3 * WG}u < n4; c = c + ${4 * WG}u) {
    acc = acc + dot(W[base + c], x[x0 + c]);
    a1 = a1 + dot(W[base + c + ${WG}u], x[x0 + c + ${WG}u]);
    a2 = a2 + dot(W[base + c + ${2 * WG}u], x[x0 + c + ${2 * WG}u]);
    a3 = a3 + dot(W[base + c + ${3 * WG}u], x[x0 + c + ${3 * WG}u]);
  }
  for (; c < n4; c = c + ${WG}u) { acc = acc + dot(W[base + c], x[x0 + c]); }
  acc = (acc + a1) + (a2 + a3);`
    : `  let base = P.WOff + r * P.cols;
  for (var c = lid; c < P.cols; c = c + ${WG}u) { acc = acc + W[base + c] * x[P.xOff + c]; }`;
  const t = vec4 ? 'vec4<f32>' : 'f32';
  return {
    cacheKey: `gemv:${vec4 ? 'vec4' : 'f32'}:${gated ? 'gated' : 'dense'}`,
    workgroupSize: [WG, 1],
    uniforms: [{ name: 'rows', type: 'u32' }, { name: 'cols', type: 'u32' }],
    bindings: [
      { name: 'W', type: t, access: 'read' },
      { name: 'x', type: t, access: 'read' },
      ...(gated ? [{ name: 's', type: 'f32' as const, access: 'read' as const }] : []),
      { name: 'y', type: 'f32', access: 'read_write' },
    ],
    prelude: `var<workgroup> red: array<f32, ${WG}>;`,
    body: `
  let r = wid;
  ${gated ? `let gate = s[P.sOff + r];
  if (gate == 0.0) {
    if (lid == 0u) { y[P.yOff + r] = 0.0; }
    return;
  }` : ''}
  var acc = 0.0;
${loop}
  red[lid] = acc;
${treeReduce('red', WG, '+')}
  if (lid == 0u) { y[P.yOff + r] = red[0]${gated ? ' * gate' : ''}; }`,
  };
}

const PROGRAMS = new Map<string, GpuProgram>();

function cached(vec4: boolean, gated: boolean): GpuProgram {
  const key = `${vec4}:${gated}`;
  let p = PROGRAMS.get(key);
  if (!p) PROGRAMS.set(key, (p = gemvProgram(vec4, gated)));
  return p;
}

/** vec4 loads need 16-byte alignment of every row start and of x. */
export function vec4Aligned(cols: number, ...refs: GpuRef[]): boolean {
  return cols % 4 === 0 && refs.every((r) => r.offset % 4 === 0);
}

/** Encode y = W·x (rows ≥ 1, cols ≥ 1); with `s`, the gated vmmsp form. */
export function encodeGemv(call: GpuCall, W: GpuRef, x: GpuRef, y: GpuRef, rows: number, cols: number, s?: GpuRef): void {
  const vec4 = vec4Aligned(cols, W, x);
  const refs = s ? [W, x, s, y] : [W, x, y];
  call.dispatch(cached(vec4, s !== undefined), { rows, cols }, refs, rows);
}

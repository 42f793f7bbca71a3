/**
 * dot on the GPU: Σ x[i]·y[i] over n elements — sum's streaming reduction over two arrays
 * (attention scores q·k in a decode step are the typical use).
 *
 * Pass 1: G ≤ 4096 workgroups of 256 invocations; each invocation strides over the arrays
 * (coalesced; 16-byte loads when n and both offsets are multiples of 4) and the workgroup
 * tree-reduces its products into partial[wid]. Pass 2 is sum's: one workgroup adds the G
 * partials into the result slot. float32 accumulation, so the result is within the
 * suite's 1e-5·Σ|x_i·y_i| + 1e-6 of the float64 reference.
 */
import type { GpuCall, GpuRef } from '../gpu-context.js';
import type { GpuProgram } from '../program.js';
import { treeReduce } from './snippets.js';
import { encodeSum } from './sum.js';

const WG = 256;

function program(vec4: boolean): GpuProgram {
  const loop = vec4
    ? `  var acc4 = vec4<f32>(0.0);
  let x0 = P.xOff / 4u;
  let y0 = P.yOff / 4u;
  for (var i = gid; i < P.n / 4u; i = i + stride) { acc4 = acc4 + x[x0 + i] * y[y0 + i]; }
  let acc = (acc4.x + acc4.y) + (acc4.z + acc4.w);`
    : `  var acc = 0.0;
  for (var i = gid; i < P.n; i = i + stride) { acc = acc + x[P.xOff + i] * y[P.yOff + i]; }`;
  const t = vec4 ? 'vec4<f32>' : 'f32';
  return {
    cacheKey: `dot:${vec4 ? 'vec4' : 'f32'}`,
    workgroupSize: [WG, 1],
    uniforms: [{ name: 'n', type: 'u32' }],
    bindings: [
      { name: 'x', type: t, access: 'read' },
      { name: 'y', type: t, access: 'read' },
      { name: 'out', type: 'f32', access: 'read_write' },
    ],
    prelude: `var<workgroup> red: array<f32, ${WG}>;`,
    body: `
  let stride = P.groups * ${WG}u;
${loop}
  red[lid] = acc;
${treeReduce('red', WG, '+')}
  if (lid == 0u) { out[P.outOff + wid] = red[0]; }`,
  };
}

const SCALAR = program(false);
const VEC4 = program(true);

/** Encode Σ x[i]·y[i] over i < n into the f32 at `out` (n ≥ 1). */
export function encodeDot(call: GpuCall, x: GpuRef, y: GpuRef, out: GpuRef, n: number): void {
  const p = n % 4 === 0 && x.offset % 4 === 0 && y.offset % 4 === 0 ? VEC4 : SCALAR;
  const groups = Math.min(4096, Math.ceil(n / (WG * 16)));
  if (groups === 1) {
    call.dispatch(p, { n }, [x, y, out], 1);
    return;
  }
  const partial = { buffer: call.scratch(groups * 4), offset: 0 };
  call.dispatch(p, { n }, [x, y, partial], groups);
  encodeSum(call, partial, out, groups);
}

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
import { encodeGridReduce, gridReduceProgram } from './sum.js';

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
  return gridReduceProgram(`dot:${vec4 ? 'vec4' : 'f32'}`, loop, [
    { name: 'x', type: t, access: 'read' },
    { name: 'y', type: t, access: 'read' },
  ]);
}

const SCALAR = program(false);
const VEC4 = program(true);

/** Encode Σ x[i]·y[i] over i < n into the f32 at `out` (n ≥ 1). */
export function encodeDot(call: GpuCall, x: GpuRef, y: GpuRef, out: GpuRef, n: number): void {
  encodeGridReduce(call, n % 4 === 0 && x.offset % 4 === 0 && y.offset % 4 === 0 ? VEC4 : SCALAR, [x, y], out, n);
}

/**
 * axpy on the GPU: y[i] += a·x[i] for i < n, y updated in place (a device array `y` is
 * read and written where it lies; no copy).
 *
 * One invocation per element, or per 4 elements with 16-byte loads and stores when n and
 * both offsets are multiples of 4. Memory-bound: 12 bytes per element. `a` is passed as a
 * float32 uniform (the CPU kernels round it the same way before the float32 store).
 */
import type { GpuCall, GpuRef } from '../gpu-context.js';
import type { GpuProgram } from '../program.js';

const WG = 256;

function program(vec4: boolean): GpuProgram {
  const t = vec4 ? 'vec4<f32>' : 'f32';
  const v = vec4 ? 4 : 1;
  return {
    cacheKey: `axpy:${vec4 ? 'vec4' : 'f32'}`,
    workgroupSize: [WG, 1],
    uniforms: [{ name: 'n', type: 'u32' }, { name: 'a', type: 'f32' }],
    bindings: [
      { name: 'x', type: t, access: 'read' },
      { name: 'y', type: t, access: 'read_write' },
    ],
    body: `
  let i = gid;
  if (i >= P.n / ${v}u) { return; }
  let yi = P.yOff / ${v}u + i;
  y[yi] = y[yi] + P.a * x[P.xOff / ${v}u + i];`,
  };
}

const SCALAR = program(false);
const VEC4 = program(true);

/** Encode y += a·x over n ≥ 1 elements (`y` bound read-write). */
export function encodeAxpy(call: GpuCall, a: number, x: GpuRef, y: GpuRef, n: number): void {
  const vec4 = n % 4 === 0 && x.offset % 4 === 0 && y.offset % 4 === 0;
  call.dispatch(vec4 ? VEC4 : SCALAR, { n, a }, [x, y], Math.ceil(n / (vec4 ? 4 * WG : WG)));
}

/**
 * Number of nonzero entries of x[0..n), added atomically into a u32 scalar slot: the
 * return value of spvmm (nonzero inputs) and vmmsp (nonzero gates). Integer counts are
 * exact, so the order of the atomic additions does not matter.
 */
import type { GpuCall, GpuRef } from '../gpu-context.js';
import type { GpuProgram } from '../program.js';

const WG = 256;

export const countNonzeroProgram: GpuProgram = {
  cacheKey: 'countNonzero',
  workgroupSize: [WG, 1],
  uniforms: [{ name: 'n', type: 'u32' }],
  bindings: [
    { name: 'x', type: 'f32', access: 'read' },
    { name: 'count', type: 'atomic<u32>', access: 'read_write' },
  ],
  prelude: 'var<workgroup> wgCount: atomic<u32>;',
  body: `
  if (lid == 0u) { atomicStore(&wgCount, 0u); }
  workgroupBarrier();
  var c = 0u;
  let stride = P.groups * ${WG}u;
  for (var i = gid; i < P.n; i = i + stride) { if (x[P.xOff + i] != 0.0) { c = c + 1u; } }
  if (c > 0u) { atomicAdd(&wgCount, c); }
  workgroupBarrier();
  if (lid == 0u) { atomicAdd(&count[P.countOff], atomicLoad(&wgCount)); }`,
};

/** Encode count += #{i < n : x[i] ≠ 0} into the u32 slot at `count` (initialised to 0 by the caller). */
export function encodeCountNonzero(call: GpuCall, x: GpuRef, count: GpuRef, n: number): void {
  call.dispatch(countNonzeroProgram, { n }, [x, count], Math.max(1, Math.min(256, Math.ceil(n / (WG * 8)))));
}

/**
 * siluThreshold on the GPU (CATS/CHESS gate sparsification, CHESS §2): gate[i] ← SiLU(gate[i])
 * where |SiLU(gate[i])| ≥ t[i], else 0, in place (a device array is read and written where it
 * lies), and the number kept, added atomically into a u32 scalar slot.
 *
 * One invocation per channel. SiLU is float32 here (the reference evaluates it in float64) and
 * WGSL's exp may be a few ULP off, so a channel whose |SiLU| lies within rounding of its
 * threshold may be decided the other way; kept values agree to float32 rounding.
 */
import type { GpuCall, GpuRef, ScalarSlots } from '../gpu-context.js';
import type { GpuProgram } from '../program.js';
import { CLEAR_COUNT, COUNT_PRELUDE, FLUSH_COUNT, SILU_WGSL, WG } from './threshold.js';

export const siluThresholdProgram: GpuProgram = {
  cacheKey: 'siluThreshold',
  workgroupSize: [WG, 1],
  uniforms: [{ name: 'n', type: 'u32' }],
  bindings: [
    { name: 'gate', type: 'f32', access: 'read_write' },
    { name: 't', type: 'f32', access: 'read' },
    { name: 'count', type: 'atomic<u32>', access: 'read_write' },
  ],
  prelude: `${COUNT_PRELUDE}\n${SILU_WGSL}`,
  body: `
${CLEAR_COUNT}
  if (gid < P.n) {
    let g = silu(gate[P.gateOff + gid]);
    if (abs(g) >= t[P.tOff + gid]) {
      gate[P.gateOff + gid] = g;
      atomicAdd(&wgCount, 1u);
    } else {
      gate[P.gateOff + gid] = 0.0;
    }
  }
${FLUSH_COUNT}`,
};

/** Encode gate ← s(SiLU(gate); t) over n ≥ 1 channels; the kept count is `slots.u32(0)` after completion. */
export function encodeSiluThreshold(call: GpuCall, gate: GpuRef, t: GpuRef, n: number): ScalarSlots {
  const slots = call.scalars([0]);
  call.dispatch(siluThresholdProgram, { n }, [gate, t, slots.ref], Math.ceil(n / WG));
  return slots;
}

/**
 * siluMulThreshold on the GPU (SwiGLU's product, then TEAL's threshold of the down projection's
 * input): h = SiLU(gate[i])·up[i]; gate[i] ← h; up[i] ← h where |h| ≥ t and h ≠ 0, else 0; the
 * number of zeros written to up is added atomically into a u32 scalar slot. Both arrays are
 * read and written in place.
 *
 * One invocation per element. SiLU and the product are float32 here (the reference rounds once,
 * from float64), so h agrees to a few float32 ULP; the threshold itself compares float32 h with
 * t↑ (threshold.ts), exactly as the reference compares its float32 h with t.
 */
import type { GpuCall, GpuRef, ScalarSlots } from '../gpu-context.js';
import type { GpuProgram } from '../program.js';
import { CLEAR_COUNT, COUNT_PRELUDE, FLUSH_COUNT, SILU_WGSL, WG, f32AtLeast } from './threshold.js';

export const siluMulThresholdProgram: GpuProgram = {
  cacheKey: 'siluMulThreshold',
  workgroupSize: [WG, 1],
  uniforms: [{ name: 'n', type: 'u32' }, { name: 't', type: 'f32' }],
  bindings: [
    { name: 'gate', type: 'f32', access: 'read_write' },
    { name: 'up', type: 'f32', access: 'read_write' },
    { name: 'count', type: 'atomic<u32>', access: 'read_write' },
  ],
  prelude: `${COUNT_PRELUDE}\n${SILU_WGSL}`,
  body: `
${CLEAR_COUNT}
  if (gid < P.n) {
    let h = silu(gate[P.gateOff + gid]) * up[P.upOff + gid];
    gate[P.gateOff + gid] = h;
    if (abs(h) >= P.t && h != 0.0) {
      up[P.upOff + gid] = h;
    } else {
      up[P.upOff + gid] = 0.0;
      atomicAdd(&wgCount, 1u);
    }
  }
${FLUSH_COUNT}`,
};

/** Encode the product and its threshold over n ≥ 1 elements; the zero count is `slots.u32(0)` after completion. */
export function encodeSiluMulThreshold(call: GpuCall, gate: GpuRef, up: GpuRef, t: number, n: number): ScalarSlots {
  const slots = call.scalars([0]);
  call.dispatch(siluMulThresholdProgram, { n, t: f32AtLeast(t) }, [gate, up, slots.ref], Math.ceil(n / WG));
  return slots;
}

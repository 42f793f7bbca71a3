/**
 * spvmm on the GPU (CHESS §4): y = x·W for a sparse x, W rows×cols input-major. The gemvT
 * program already skips rows with x_r = 0 without reading them, so spvmm is that program
 * plus the count of nonzero inputs it returns. No index compaction: at the sparsities that
 * matter (k ≈ 0.3–0.7) a skipped row costs one cached read of x_r, and the fixed row order
 * keeps the result deterministic.
 */
import type { GpuCall, GpuRef, ScalarSlots } from '../gpu-context.js';
import { encodeGemvT } from './gemv-t.js';
import { encodeCountNonzero } from './count-nonzero.js';

/** Encode y = x·W and the nonzero count of x; the count is `slots.u32(0)` after completion. */
export function encodeSpvmm(call: GpuCall, x: GpuRef, W: GpuRef, y: GpuRef, rows: number, cols: number): ScalarSlots {
  const slots = call.scalars([0]);
  encodeCountNonzero(call, x, slots.ref, rows);
  encodeGemvT(call, W, x, y, rows, cols);
  return slots;
}

/**
 * vmmsp on the GPU (CHESS §4): out_i = (x·W[i,:])·s_i for the rows with s_i ≠ 0, out_i = 0
 * elsewhere without reading W[i,:]. It is gemv's gated variant (one workgroup per row; a
 * gated-off workgroup writes 0 and returns before touching its weights), plus the number of
 * rows computed, which it returns.
 */
import type { GpuCall, GpuRef, ScalarSlots } from '../gpu-context.js';
import { encodeGemv } from './gemv.js';
import { encodeCountNonzero } from './count-nonzero.js';

/** Encode out = gated W·x and the nonzero count of s; the count is `slots.u32(0)` after completion. */
export function encodeVmmsp(call: GpuCall, x: GpuRef, W: GpuRef, s: GpuRef, out: GpuRef, rows: number,
  cols: number): ScalarSlots {
  const slots = call.scalars([0]);
  encodeCountNonzero(call, s, slots.ref, rows);
  encodeGemv(call, W, x, out, rows, cols, s);
  return slots;
}

/**
 * selectiveAttention on the GPU (A²ATS §3–4): exact attention of one query head over the
 * selected tokens idx[0..count) of a K/V store with row stride `stride`:
 * s_c = scale·q·K[idx_c], out = Σ_c softmax(s)_c V[idx_c], returning log Σ_c exp(s_c).
 *
 * It is the batched attention of selective-attention-heads.ts with one head (scores, softmax,
 * weighted partial sums over chunks of tokens, reduce — 4 dispatches). Attending with many
 * heads over one token list? Use selectiveAttentionHeads: the same 4 dispatches cover them all.
 */
import type { GpuCall, GpuRef, ScalarSlots } from '../gpu-context.js';
import { encodeSelectiveAttentionHeads } from './selective-attention-heads.js';

/**
 * Encode the attention; after completion `slots.f32(0)` is log Σ exp(s) and `slots.u32(1)`
 * the first bad position of idx (0xFFFFFFFF: none). count ≥ 1, d ≥ 1.
 */
export function encodeSelectiveAttention(call: GpuCall, q: GpuRef, K: GpuRef, V: GpuRef, idx: GpuRef, count: number,
  rows: number, d: number, stride: number, scale: number, out: GpuRef): ScalarSlots {
  const slots = call.scalars([0, 0xFFFFFFFF]);
  const bad = { buffer: slots.ref.buffer, offset: slots.ref.offset + 1 };
  encodeSelectiveAttentionHeads(call, q, K, V, idx, count, rows, d, stride, 1, 1, scale, out, slots.ref, bad);
  return slots;
}

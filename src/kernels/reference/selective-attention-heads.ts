/**
 * selectiveAttention for every query head of a decode step (GQA: query head h reads KV head
 * g = ⌊h / group⌋ at column offset g·d of each K/V row). Oracle: the reference
 * selectiveAttention, head by head; lse[h] is its return value rounded to float32.
 * q, out: nHeads*d; K, V: rows of `stride` floats; idx: count; lse: nHeads.
 * @example selectiveAttentionHeads(q, K, V, idx, len, len, 64, 256, 8, 2, 0.125, out, lse); // 8 heads, 4 KV heads
 */
import { selectiveAttention } from './selective-attention.js';

export function selectiveAttentionHeads(q: Float32Array, K: Float32Array, V: Float32Array, idx: Int32Array,
  count: number, rows: number, d: number, stride: number, nHeads: number, group: number, scale: number,
  out: Float32Array, lse: Float32Array): void {
  for (let h = 0; h < nHeads; h++) {
    const g = Math.floor(h / group);
    lse[h] = selectiveAttention(q.subarray(h * d, (h + 1) * d), K.subarray(g * d), V.subarray(g * d), idx, count,
      rows, d, stride, scale, out.subarray(h * d, (h + 1) * d));
  }
}

/**
 * selectiveAttention for every query head of a decode step (GQA: query head h reads KV head
 * g = ⌊h / group⌋ at column offset g·d of each K/V row). Oracle: the reference
 * selectiveAttention, head by head; lse[h] is its return value rounded to float32.
 * q, out: nHeads*d; K, V: rows of `stride` floats; idx: count; lse: nHeads.
 * @example selectiveAttentionHeads(q, K, V, idx, len, len, 64, 256, 8, 2, 0.125, out, lse); // 8 heads, 4 KV heads
 */
import { selectiveAttention } from './selective-attention.js';
import { defineKernel, f32, i32, size, int, num, MAX_SIZE, checkRows } from '../define-kernel.js';

/**
 * selectiveAttention for nHeads query heads over the same token list in one call (a decode
 * step's attention, GQA included): head h uses KV head g = ⌊h / group⌋, whose row t is
 * K[t*stride + g*d .. t*stride + g*d + d) (likewise V), and out[h*d .. (h+1)*d) and lse[h]
 * are exactly what selectiveAttention(q head h, K.subarray(g*d), V.subarray(g*d), idx, count,
 * rows, d, stride, scale, out head h) writes and returns (lse rounded to float32).
 * q, out: nHeads*d; K, V: (rows−1)*stride + nKv*d with nKv = ⌈nHeads/group⌉ (stride ≥ nKv*d);
 * idx: count rows in [0, rows); lse: nHeads. One call lets a GPU cover every head in the
 * dispatches of one (Ainslie et al., "GQA", EMNLP 2023; A²ATS §3–4).
 * @example selectiveAttentionHeads(q, K, V, idx, len, len, 64, kvDim, 12, 1, 0.125, out, lse);
 */
export function selectiveAttentionHeads(q: Float32Array, K: Float32Array, V: Float32Array, idx: Int32Array,
  count: number, rows: number, d: number, stride: number, nHeads: number, group: number, scale: number,
  out: Float32Array, lse: Float32Array): void {
  for (let h = 0; h < nHeads; h++) {
    const g = Math.floor(h / group);
    lse[h] = selectiveAttention(q.subarray(h * d, (h + 1) * d), K.subarray(g * d), V.subarray(g * d), idx, count,
      rows, d, stride, scale, out.subarray(h * d, (h + 1) * d));
  }
}

/** KV heads read: 0..⌈nHeads/group⌉−1, at column offsets g·d. */
const kvWidth = (d: number, nHeads: number, group: number) => Math.max(1, Math.ceil(nHeads / group)) * d;
/** K/V elements read: rows of `stride`, the last one kvWidth long. */
const span = (rows: number, d: number, stride: number, nHeads: number, group: number) =>
  (rows === 0 || nHeads === 0 ? 0 : (rows - 1) * stride + kvWidth(d, nHeads, group));

/** selectiveAttentionHeads: selectiveAttention for every query head (GQA). */
export const selectiveAttentionHeadsKernel = defineKernel('selectiveAttentionHeads', selectiveAttentionHeads, {
  args: [
    f32('q', 'nHeads*d', ([, , , , , , d, , nHeads]) => nHeads * d),
    f32('K', '(rows-1)*stride+nKv*d', ([, , , , , rows, d, stride, nHeads, group]) => span(rows, d, stride, nHeads, group)),
    f32('V', '(rows-1)*stride+nKv*d', ([, , , , , rows, d, stride, nHeads, group]) => span(rows, d, stride, nHeads, group)),
    i32('idx', 'count', ([, , , , count]) => count),
    size('count'), size('rows'), size('d', 1),
    int('stride', ([, , , , , , d, , nHeads, group]) => kvWidth(d, nHeads, group), MAX_SIZE),
    size('nHeads'), size('group', 1), num('scale'),
    f32('out', 'nHeads*d', ([, , , , , , d, , nHeads]) => nHeads * d, { role: 'out' }),
    f32('lse', 'nHeads', ([, , , , , , , , nHeads]) => nHeads, { role: 'out' }),
  ],
  split: 'whole',
  work: ([, , , , count, , d, , nHeads]) => count * d * nHeads,
  verify: ([, , , idx, count, rows]) => checkRows(idx, count, rows),
});

import { defineKernel, f32, i32, size, int, num, MAX_SIZE, checkRows } from '../define-kernel.js';

/**
 * Exact attention of one query head over the listed tokens of a K/V store (A²ATS §3–4):
 * s_c = scale·q·K_{idx[c]}, out = Σ_c softmax(s)_c·V_{idx[c]}; returns log Σ_c exp(s_c) so
 * partial attentions over disjoint sets merge exactly. q: d; K, V: rows*stride (row t of the
 * head = K[t*stride .. t*stride+d); pass a subarray at the head's offset); idx: count indices
 * in [0, rows) (duplicates count twice); out: d. count = 0 → out = 0, returns −Infinity.
 *
 * Reference: Exact attention of one query head over the tokens idx[0..count) of a K/V store, in float64:
 * s_c = scale·q·K[idx_c], out = Σ_c softmax(s)_c V[idx_c]; returns log Σ_c exp(s_c).
 * Row t (< rows) of the head lives at K[t*stride .. t*stride + d) (likewise V). count = 0 gives
 * out = 0 and −Infinity.
 */
export function selectiveAttention(q: Float32Array, K: Float32Array, V: Float32Array, idx: Int32Array,
  count: number, _rows: number, d: number, stride: number, scale: number, out: Float32Array): number {
  const s = new Float64Array(count);
  let max = -Infinity;
  for (let c = 0; c < count; c++) {
    const base = idx[c] * stride;
    let acc = 0;
    for (let t = 0; t < d; t++) acc += q[t] * K[base + t];
    s[c] = acc * scale;
    if (s[c] > max) max = s[c];
  }
  const o = new Float64Array(d);
  let sum = 0;
  for (let c = 0; c < count; c++) {
    const p = Math.exp(s[c] - max);
    sum += p;
    const base = idx[c] * stride;
    for (let t = 0; t < d; t++) o[t] += p * V[base + t];
  }
  for (let t = 0; t < d; t++) out[t] = count > 0 ? o[t] / sum : 0;
  return count > 0 ? max + Math.log(sum) : -Infinity;
}

/** K/V elements a selectiveAttention call reads: rows of `stride`, the last one d long. */
const span = (rows: number, d: number, stride: number) => (rows === 0 ? 0 : (rows - 1) * stride + d);

/** selectiveAttention: exact attention of one head over listed tokens. */
export const selectiveAttentionKernel = defineKernel('selectiveAttention', selectiveAttention, {
  args: [
    f32('q', 'd', ([, , , , , , d]) => d),
    f32('K', '(rows-1)*stride+d', ([, , , , , rows, d, stride]) => span(rows, d, stride)),
    f32('V', '(rows-1)*stride+d', ([, , , , , rows, d, stride]) => span(rows, d, stride)),
    i32('idx', 'count', ([, , , , count]) => count),
    size('count'), size('rows'), size('d', 1), int('stride', ([, , , , , , d]) => d, MAX_SIZE), num('scale'),
    f32('out', 'd', ([, , , , , , d]) => d, { role: 'out' }),
  ],
  split: 'whole',
  work: ([, , , , count, , d]) => count * d,
  verify: ([, , , idx, count, rows]) => checkRows(idx, count, rows),
});

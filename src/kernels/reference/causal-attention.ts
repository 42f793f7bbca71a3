/**
 * Causal attention of n consecutive query rows (a prefill block), in float64: row i, at position
 * pos0+i, attends to K/V rows 0..pos0+i, and query head h reads KV head g = ⌊h/group⌋:
 *   out[i,h] = Σ_{t ≤ pos0+i} softmax_t(scale · Q[i,h]·K[t,g]) V[t,g].
 * Q, out: n·nHeads·d (row i holds its query heads side by side); K, V: token-major rows of
 * `stride` floats (KV head g at g·d). scratch: the wasm kernel's working space, unused here.
 * Each (row, head) is selectiveAttention over the tokens 0..pos0+i.
 * @example causalAttention(Q, K, V, 96, 32, 64, 192, 9, 3, 0.125, out, scratch); // 32 rows after 96 cached
 */
import { badArgument } from '../../core/errors.js';
import { causalAttentionScratchLength } from '../causal-attention-scratch.js';
import { defineKernel, f32, int, num, size, MAX_SIZE } from '../define-kernel.js';

/**
 * Causal attention of n consecutive query rows (a prefill block): row i, at position pos0+i,
 * attends to K/V rows 0..pos0+i; query head h reads KV head g = ⌊h/group⌋ (GQA):
 *   out[i,h] = Σ_{t ≤ pos0+i} softmax_t(scale · Q[i,h]·K[t,g]) V[t,g].
 * Q, out: n·nHeads·d (row i = its query heads side by side, head h at (i·nHeads + h)·d);
 * K, V: ≥ (pos0+n−1)·stride + nKv·d, token-major (KV head g of row t at t·stride + g·d);
 * scratch: causalAttentionScratchLength(n, nHeads) floats, overwritten. Each (row, head) equals
 * selectiveAttention over tokens 0..pos0+i within float rounding (wasm sums in another order:
 * tiles of keys with an online softmax, so each key and value is read once per block).
 */
export function causalAttention(Q: Float32Array, K: Float32Array, V: Float32Array, pos0: number, n: number, d: number,
  stride: number, nHeads: number, group: number, scale: number, out: Float32Array, _scratch: Float32Array): void {
  const s = new Float64Array(pos0 + n);
  const o = new Float64Array(d);
  for (let i = 0; i < n; i++) {
    const len = pos0 + i + 1;
    for (let h = 0; h < nHeads; h++) {
      const q = (i * nHeads + h) * d;
      const kv = Math.floor(h / group) * d;
      let max = -Infinity;
      for (let t = 0; t < len; t++) {
        let acc = 0;
        for (let e = 0; e < d; e++) acc += Q[q + e] * K[t * stride + kv + e];
        s[t] = acc * scale;
        if (s[t] > max) max = s[t];
      }
      o.fill(0);
      let sum = 0;
      for (let t = 0; t < len; t++) {
        const p = Math.exp(s[t] - max);
        sum += p;
        for (let e = 0; e < d; e++) o[e] += p * V[t * stride + kv + e];
      }
      for (let e = 0; e < d; e++) out[q + e] = o[e] / sum;
    }
  }
}

/** K/V elements read: rows 0..pos0+n−1 of `stride`, the last one nKv·d long. */
export const span = (pos0: number, n: number, d: number, stride: number, nHeads: number, group: number) =>
  (pos0 + n - 1) * stride + Math.max(1, Math.floor(nHeads / group)) * d;

/** causalAttention: a block of query rows against a causal K/V cache (GQA). */
export const causalAttentionKernel = defineKernel('causalAttention', causalAttention, {
  args: [
    f32('Q', 'n*nHeads*d', ([, , , , n, d, , nHeads]) => n * nHeads * d),
    f32('K', '(pos0+n-1)*stride+nKv*d', ([, , , pos0, n, d, stride, nHeads, group]) => span(pos0, n, d, stride, nHeads, group)),
    f32('V', '(pos0+n-1)*stride+nKv*d', ([, , , pos0, n, d, stride, nHeads, group]) => span(pos0, n, d, stride, nHeads, group)),
    size('pos0'), size('n', 1), size('d', 1),
    int('stride', ([, , , , , d, , nHeads, group]) => Math.max(1, Math.floor(nHeads / group)) * d, MAX_SIZE),
    size('nHeads', 1), size('group', 1), num('scale'),
    f32('out', 'n*nHeads*d', ([, , , , n, d, , nHeads]) => n * nHeads * d, { role: 'out' }),
    f32('scratch', 'causalAttentionScratchLength(n, nHeads)', ([, , , , n, , , nHeads]) => causalAttentionScratchLength(n, nHeads),
      { role: 'out' }),
  ],
  split: 'whole',
  work: ([, , , pos0, n, d, , nHeads]) => n * nHeads * d * (pos0 + n),
  verify: ([, , , pos0, n, , , nHeads, group]) => {
    if (nHeads % group !== 0) throw badArgument(`group must divide nHeads, got group ${group} and nHeads ${nHeads}`);
    if (pos0 + n > MAX_SIZE) throw badArgument(`pos0 + n must be at most ${MAX_SIZE}, got ${pos0 + n}`);
  },
});

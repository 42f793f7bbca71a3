/**
 * causalAttention over a KV cache stored as binary16 (llama.cpp's default KV type): the same
 * attention, in float64, with each cached key and value read as the binary16 value it holds
 * (exactly representable in float32). Row i of the n query rows, at position pos0+i, attends to
 * K/V rows 0..pos0+i; query head h reads KV head g = ⌊h/group⌋:
 *   out[i,h] = Σ_{t ≤ pos0+i} softmax_t(scale · Q[i,h]·K[t,g]) V[t,g].
 * A decode step is n = 1, pos0 = pos.
 * Q, out: n·nHeads·d floats; K, V: binary16 values packed two per word (packF16: value j in half
 * j&1 of word j>>1), token-major rows of `stride` values (KV head g at g·d); scratch: the wasm
 * kernel's working space (causalAttentionF16ScratchLength), unused here.
 * @example causalAttentionF16(q, K16, V16, pos, 1, 64, 192, 9, 3, 0.125, out, scratch); // a decode step
 */
import { badArgument } from '../../core/errors.js';
import { f16Bits } from '../../core/f16-bits.js';
import { causalAttentionF16ScratchLength } from '../causal-attention-scratch.js';
import { defineKernel, f32, i32, int, num, size, MAX_SIZE } from '../define-kernel.js';
import { span } from './causal-attention.js'; // values of K/V read (two per word here)

/**
 * causalAttention over a KV cache stored as binary16 (llama.cpp's default KV type; half the
 * bytes of float32): K and V hold binary16 values packed two per word (`packF16`), token-major
 * rows of `stride` values, KV head g at g·d; each is read as the binary16 value it holds. A
 * decode step is n = 1, pos0 = pos. Q, out: n·nHeads·d; scratch:
 * causalAttentionF16ScratchLength(n, nHeads, d) floats, overwritten. Equal to the reference
 * (float64, token by token) within float rounding.
 * @example causalAttentionF16(q, K16, V16, pos, 1, 64, 192, 9, 3, 0.125, out, scratch);
 */
export function causalAttentionF16(Q: Float32Array, K: Int32Array, V: Int32Array, pos0: number, n: number, d: number,
  stride: number, nHeads: number, group: number, scale: number, out: Float32Array, _scratch: Float32Array): void {
  const half = (a: Int32Array, j: number) => f16Bits((a[j >> 1] >>> (16 * (j & 1))) & 0xffff);
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
        for (let e = 0; e < d; e++) acc += Q[q + e] * half(K, t * stride + kv + e);
        s[t] = acc * scale;
        if (s[t] > max) max = s[t];
      }
      o.fill(0);
      let sum = 0;
      for (let t = 0; t < len; t++) {
        const p = Math.exp(s[t] - max);
        sum += p;
        for (let e = 0; e < d; e++) o[e] += p * half(V, t * stride + kv + e);
      }
      for (let e = 0; e < d; e++) out[q + e] = o[e] / sum;
    }
  }
}


/** causalAttentionF16: causalAttention over a binary16 KV cache (GQA). */
export const causalAttentionF16Kernel = defineKernel('causalAttentionF16', causalAttentionF16, {
  args: [
    f32('Q', 'n*nHeads*d', ([, , , , n, d, , nHeads]) => n * nHeads * d),
    i32('K', '((pos0+n-1)*stride+nKv*d)/2 words', ([, , , pos0, n, d, stride, nHeads, group]) => Math.ceil(span(pos0, n, d, stride, nHeads, group) / 2)),
    i32('V', '((pos0+n-1)*stride+nKv*d)/2 words', ([, , , pos0, n, d, stride, nHeads, group]) => Math.ceil(span(pos0, n, d, stride, nHeads, group) / 2)),
    size('pos0'), size('n', 1), size('d', 1),
    int('stride', ([, , , , , d, , nHeads, group]) => Math.max(1, Math.floor(nHeads / group)) * d, MAX_SIZE),
    size('nHeads', 1), size('group', 1), num('scale'),
    f32('out', 'n*nHeads*d', ([, , , , n, d, , nHeads]) => n * nHeads * d, { role: 'out' }),
    f32('scratch', 'causalAttentionF16ScratchLength(n, nHeads, d)', ([, , , , n, d, , nHeads]) => causalAttentionF16ScratchLength(n, nHeads, d),
      { role: 'out' }),
  ],
  split: 'whole',
  work: ([, , , pos0, n, d, , nHeads]) => n * nHeads * d * (pos0 + n),
  verify: ([, , , pos0, n, , , nHeads, group]) => {
    if (nHeads % group !== 0) throw badArgument(`group must divide nHeads, got group ${group} and nHeads ${nHeads}`);
    if (pos0 + n > MAX_SIZE) throw badArgument(`pos0 + n must be at most ${MAX_SIZE}, got ${pos0 + n}`);
  },
});

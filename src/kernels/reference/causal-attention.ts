/**
 * Causal attention of n consecutive query rows (a prefill block), in float64: row i, at position
 * pos0+i, attends to K/V rows 0..pos0+i, and query head h reads KV head g = ⌊h/group⌋:
 *   out[i,h] = Σ_{t ≤ pos0+i} softmax_t(scale · Q[i,h]·K[t,g]) V[t,g].
 * Q, out: n·nHeads·d (row i holds its query heads side by side); K, V: token-major rows of
 * `stride` floats (KV head g at g·d). scratch: the wasm kernel's working space, unused here.
 * Each (row, head) is selectiveAttention over the tokens 0..pos0+i.
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

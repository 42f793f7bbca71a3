/**
 * The dense components against independent float64 oracles: DenseKvCache attends exactly over
 * what was appended (GQA head mapping, rewinds), DenseFfn computes W2(silu(W1 x) ⊙ W3 x).
 */
import { describe, expect, it } from 'vitest';
import { Rng } from '../../src/core/rng.js';
import { toAsyncKernels } from '../../src/kernels/async-kernels.js';
import { referenceKernels } from '../../src/backends/cpu-backends.js';
import { DenseKvCache } from '../../src/llama/dense-kv-cache.js';
import { DenseFfn } from '../../src/llama/dense-ffn.js';
import { makeConfig } from '../../src/llama/config.js';
import type { ModelWeights } from '../../src/llama/components.js';
import { expectError } from './helpers.js';

const shape = makeConfig({ dim: 16, hiddenDim: 24, nLayers: 2, nHeads: 4, nKvHeads: 2, vocabSize: 10, seqLen: 8 });
const randoms = (rng: Rng, n: number) => Float32Array.from({ length: n }, () => rng.normal());

/** Exact GQA attention in float64 over rows 0..len−1 of token-major keys and values. */
function oracleAttention(q: Float32Array, keys: Float32Array[], values: Float32Array[], len: number): Float64Array {
  const { nHeads, nKvHeads, headDim: d } = shape;
  const out = new Float64Array(nHeads * d);
  for (let h = 0; h < nHeads; h++) {
    const g = Math.floor(h / (nHeads / nKvHeads));
    const s = Array.from({ length: len }, (_, t) => {
      let dot = 0;
      for (let i = 0; i < d; i++) dot += q[h * d + i] * keys[t][g * d + i];
      return dot / Math.sqrt(d);
    });
    const m = Math.max(...s);
    const w = s.map((x) => Math.exp(x - m));
    const z = w.reduce((a, b) => a + b, 0);
    for (let t = 0; t < len; t++) for (let i = 0; i < d; i++) out[h * d + i] += (w[t] / z) * values[t][g * d + i];
  }
  return out;
}

describe('DenseKvCache', () => {
  it('attends exactly over the appended rows of each layer, and a rewind replaces later rows', async () => {
    const k = toAsyncKernels(referenceKernels());
    const kv = new DenseKvCache({ keepPreRope: true });
    kv.bind(shape, k);
    const rng = new Rng(3);
    const rows: { pre: Float32Array; post: Float32Array; v: Float32Array }[][] = [[], []];
    const step = async (pos: number) => {
      for (let l = 0; l < shape.nLayers; l++) {
        const r = { pre: randoms(rng, shape.kvDim), post: randoms(rng, shape.kvDim), v: randoms(rng, shape.kvDim) };
        rows[l][pos] = r;
        await kv.append(l, pos, r.pre, r.post, r.v);
        const q = randoms(rng, shape.dim);
        const out = new Float32Array(shape.dim);
        await kv.attend(l, pos, q, q, out);
        const want = oracleAttention(q, rows[l].map((x) => x.post), rows[l].map((x) => x.v), pos + 1);
        for (let i = 0; i < out.length; i++) expect(Math.abs(out[i] - want[i])).toBeLessThan(1e-5);
      }
    };
    for (let pos = 0; pos < 5; pos++) await step(pos);
    expect(kv.length).toBe(5);
    rows[0].length = rows[1].length = 2;
    await step(2); // rewind: rows 3, 4 are dropped
    expect(kv.length).toBe(3);
    const pre = kv.layer(1).keysPreRope!;
    expect(Array.from((await pre.read()).subarray(2 * shape.kvDim, 3 * shape.kvDim))).toEqual(Array.from(rows[1][2].pre));
    expect(kv.stats().attendCalls).toBe(12);
    kv.dispose();
  });

  it('rejects positions past the stored tokens, layers out of range and use before bind', async () => {
    const kv = new DenseKvCache();
    const row = new Float32Array(shape.kvDim);
    expectError(() => kv.append(0, 0, row, row, row), 'BAD_ARGUMENT', 'not bound');
    kv.bind(shape, toAsyncKernels(referenceKernels()));
    expectError(() => kv.append(0, 1, row, row, row), 'BAD_ARGUMENT', 'pos');
    expectError(() => kv.append(2, 0, row, row, row), 'BAD_ARGUMENT', 'layer');
    expectError(() => kv.append(0, 0, row, new Float32Array(3), row), 'BAD_ARGUMENT', 'keyPostRope');
    expectError(() => kv.attend(0, 0, new Float32Array(shape.dim), new Float32Array(shape.dim), new Float32Array(shape.dim)), 'BAD_ARGUMENT', 'pos');
    expectError(() => new DenseKvCache({ keepPreRope: 1 as unknown as boolean }), 'BAD_ARGUMENT', 'keepPreRope');
    kv.dispose();
  });
});

describe('DenseFfn', () => {
  it('computes W2 (silu(W1 x) ⊙ W3 x) with the model weights', async () => {
    const k = toAsyncKernels(referenceKernels());
    const rng = new Rng(5);
    const { dim, hiddenDim } = shape;
    const w = { w1: randoms(rng, hiddenDim * dim), w2: randoms(rng, dim * hiddenDim), w3: randoms(rng, hiddenDim * dim) };
    const weights: ModelWeights = {
      quantized: false,
      layer: () => { throw new Error('unused'); },
      matvec: (_l, m, x, out) => k.gemv(w[m as 'w1'], x, out, m === 'w2' ? dim : hiddenDim, m === 'w2' ? hiddenDim : dim),
    };
    const ffn = new DenseFfn();
    ffn.bind(shape, k, weights);
    const x = randoms(rng, dim);
    const out = new Float32Array(dim);
    await ffn.forward(1, x, out);
    const h = Array.from({ length: hiddenDim }, (_, j) => {
      let g = 0, u = 0;
      for (let i = 0; i < dim; i++) { g += w.w1[j * dim + i] * x[i]; u += w.w3[j * dim + i] * x[i]; }
      return (g / (1 + Math.exp(-g))) * u;
    });
    for (let i = 0; i < dim; i++) {
      let want = 0, scale = 0;
      for (let j = 0; j < hiddenDim; j++) { want += w.w2[i * hiddenDim + j] * h[j]; scale += Math.abs(w.w2[i * hiddenDim + j] * h[j]); }
      expect(Math.abs(out[i] - want)).toBeLessThan(1e-5 * scale + 1e-6);
    }
    ffn.dispose();
    await expect(ffn.forward(0, x, out)).rejects.toThrow(/not bound/);
  });
});

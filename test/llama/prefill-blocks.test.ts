/**
 * prefill in blocks of PREFILL_BLOCK tokens (gemm kernels, one causalAttention call per layer)
 * against token-by-token forward steps: float models on every backend, across block boundaries
 * and from a cached prefix; the cache left by an abort. The matrix products give gemv's bits
 * (gemm uses gemv's dot product on rows of ≤ 2048 floats); attention sums in another order on
 * wasm (tiles of keys, online softmax), so logits and later layers' K/V agree within float
 * rounding, and the reference backend (float64 attention either way) bit for bit.
 */
import { expect, it } from 'vitest';
import { describeEachCpuBackend } from '../_harness/each-backend.js';
import { PREFILL_BLOCK } from '../../src/llama/model.js';
import { maxAbsDiff, modelLogits, tinyModel } from './helpers.js';

/** Within float rounding of the attention sums: |a − b| ≤ 1e-5·(1 + max |b|). */
function expectClose(a: ArrayLike<number>, b: ArrayLike<number>, n = b.length, what = ''): void {
  let scale = 0;
  for (let i = 0; i < n; i++) scale = Math.max(scale, Math.abs(b[i]));
  expect(maxAbsDiff(a, b, n), what).toBeLessThanOrEqual(1e-5 * (1 + scale));
}

const N = 2 * PREFILL_BLOCK + 7;
const tokens = Array.from({ length: N }, (_, i) => (i * 7 + 3) % 50);

describeEachCpuBackend('llama prefill in blocks', (kernels) => {
  it(`gives the logits and KV cache of ${N} forward steps (three blocks), also from a cached prefix`, async () => {
    const model = tinyModel(kernels, { seqLen: N + 8 });
    const steps = await modelLogits(model, tokens);
    const keys = model.kvCache(1).keys.slice(0, N * model.config.kvDim);
    const values = model.kvCache(1).values.slice(0, N * model.config.kvDim);
    const pre = model.kvCache(1).keysPreRope.slice(0, N * model.config.kvDim);
    model.reset();
    const fractions: number[] = [];
    const last = (await model.prefill(tokens, 0, { onProgress: (f) => fractions.push(f) })).slice();
    expect(fractions).toEqual([PREFILL_BLOCK / N, (2 * PREFILL_BLOCK) / N, 1]);
    expectClose(last, steps[N - 1]);
    expectClose(model.kvCache(1).keys, keys);
    expectClose(model.kvCache(1).values, values);
    expectClose(model.kvCache(1).keysPreRope, pre);
    expect(model.cachedTokens).toBe(N);
    model.reset();
    await model.prefill(tokens.slice(0, 40));
    expectClose((await model.prefill(tokens.slice(40), 40)), steps[N - 1]);
    model.dispose();
  });

  it('an abort between blocks keeps the blocks already done, and the model continues from there', async () => {
    const model = tinyModel(kernels, { seqLen: N + 8 });
    const want = (await modelLogits(model, tokens))[N - 1];
    model.reset();
    const ac = new AbortController();
    await expect(model.prefill(tokens, 0, { signal: ac.signal, onProgress: () => ac.abort() })).rejects.toThrow(/aborted/);
    expect(model.cachedTokens).toBe(PREFILL_BLOCK);
    expectClose((await model.prefill(tokens.slice(PREFILL_BLOCK), PREFILL_BLOCK)), want);
    model.dispose();
  });
});

describeEachCpuBackend('llama prefill with onLogits', (kernels) => {
  it('hands over every position\'s logits, equal to forward steps (block and token-by-token paths)', async () => {
    const model = tinyModel(kernels, { seqLen: N + 8 });
    const steps = await modelLogits(model, tokens);
    for (const blocks of [true, false]) {
      model.reset();
      // A capture forces the token-by-token path.
      model.setCapture(blocks ? undefined : () => {});
      const got: [number, Float32Array][] = [];
      const last = (await model.prefill(tokens, 0, { onLogits: (pos, l) => got.push([pos, l.slice()]) })).slice();
      expect(got.map(([p]) => p)).toEqual(tokens.map((_, i) => i));
      for (const [pos, l] of got) expectClose(l, steps[pos], l.length, `pos ${pos}`);
      expectClose(last, steps[N - 1]);
      model.reset();
      const viaAsync: number[] = [];
      await model.prefill(tokens, 0, { onLogits: (pos, l) => { viaAsync.push(pos); expectClose(l, steps[pos]); } });
      expect(viaAsync.length).toBe(N);
    }
    model.setCapture(undefined);
    await expect(model.prefill(tokens, 0, { onLogits: 3 as never })).rejects.toThrow(/onLogits must be a function/);
    model.dispose();
  });
});

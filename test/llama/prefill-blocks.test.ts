/**
 * prefill in blocks of PREFILL_BLOCK tokens with gemm kernels against token-by-token forward
 * steps: float models on every backend (bit for bit: gemm uses gemv's dot product on rows of
 * ≤ 2048 floats), across block boundaries and from a cached prefix; the cache left by an abort.
 */
import { expect, it } from 'vitest';
import { describeEachBackend } from '../_harness/each-backend.js';
import { PREFILL_BLOCK } from '../../src/llama/model.js';
import { maxAbsDiff, modelLogits, tinyModel } from './helpers.js';

const N = 2 * PREFILL_BLOCK + 7;
const tokens = Array.from({ length: N }, (_, i) => (i * 7 + 3) % 50);

describeEachBackend('llama prefill in blocks', (kernels) => {
  it(`gives the logits and KV cache of ${N} forward steps (three blocks), also from a cached prefix`, () => {
    const model = tinyModel(kernels, { seqLen: N + 8 });
    const steps = modelLogits(model, tokens);
    const keys = model.kvCache(1).keys.slice(0, N * model.config.kvDim);
    const values = model.kvCache(1).values.slice(0, N * model.config.kvDim);
    const pre = model.kvCache(1).keysPreRope.slice(0, N * model.config.kvDim);
    model.reset();
    const fractions: number[] = [];
    const last = model.prefill(tokens, 0, { onProgress: (f) => fractions.push(f) }).slice();
    expect(fractions).toEqual([PREFILL_BLOCK / N, (2 * PREFILL_BLOCK) / N, 1]);
    expect(maxAbsDiff(last, steps[N - 1])).toBe(0);
    expect(maxAbsDiff(model.kvCache(1).keys, keys, keys.length)).toBe(0);
    expect(maxAbsDiff(model.kvCache(1).values, values, values.length)).toBe(0);
    expect(maxAbsDiff(model.kvCache(1).keysPreRope, pre, pre.length)).toBe(0);
    expect(model.cachedTokens).toBe(N);
    model.reset();
    model.prefill(tokens.slice(0, 40));
    expect(maxAbsDiff(model.prefill(tokens.slice(40), 40), steps[N - 1])).toBe(0);
    model.dispose();
  });

  it('an abort between blocks keeps the blocks already done, and the model continues from there', () => {
    const model = tinyModel(kernels, { seqLen: N + 8 });
    const want = modelLogits(model, tokens)[N - 1];
    model.reset();
    const ac = new AbortController();
    expect(() => model.prefill(tokens, 0, { signal: ac.signal, onProgress: () => ac.abort() })).toThrow(/aborted/);
    expect(model.cachedTokens).toBe(PREFILL_BLOCK);
    expect(maxAbsDiff(model.prefill(tokens.slice(PREFILL_BLOCK), PREFILL_BLOCK), want)).toBe(0);
    model.dispose();
  });
});

describeEachBackend('llama prefill with onLogits', (kernels) => {
  it('hands over every position\'s logits, equal to forward steps (block and token-by-token paths)', async () => {
    const model = tinyModel(kernels, { seqLen: N + 8 });
    const steps = modelLogits(model, tokens);
    for (const blocks of [true, false]) {
      model.reset();
      // A capture forces the token-by-token path.
      model.setCapture(blocks ? undefined : () => {});
      const got: [number, Float32Array][] = [];
      const last = model.prefill(tokens, 0, { onLogits: (pos, l) => got.push([pos, l.slice()]) }).slice();
      expect(got.map(([p]) => p)).toEqual(tokens.map((_, i) => i));
      for (const [pos, l] of got) expect(maxAbsDiff(l, steps[pos]), `pos ${pos}`).toBe(0);
      expect(maxAbsDiff(last, steps[N - 1])).toBe(0);
      model.reset();
      const viaAsync: number[] = [];
      await model.prefillAsync(tokens, 0, { onLogits: (pos, l) => { viaAsync.push(pos); expect(maxAbsDiff(l, steps[pos])).toBe(0); } });
      expect(viaAsync.length).toBe(N);
    }
    model.setCapture(undefined);
    expect(() => model.prefill(tokens, 0, { onLogits: 3 as never })).toThrow(/onLogits must be a function/);
    model.dispose();
  });
});

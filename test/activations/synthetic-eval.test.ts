/**
 * The synthetic SwiGLU block of the spec (512×1408; separate calibration and test sets):
 * the accuracy ordering oracle ≤ CHESS < CATS at k = 0.5 (spec pilot: 0.035 / 0.066 / 0.103),
 * achieved sparsity ≈ k on held-out tokens, weights streamed = (1 + 2ρ)/3, and determinism.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { createKernels } from '../../src/backends/create-kernels.js';
import { evaluateSyntheticSwiGlu, type SyntheticRow } from '../../src/activations/evaluate-synthetic.js';

describe('synthetic SwiGLU block (512×1408)', () => {
  let kernels: Awaited<ReturnType<typeof createKernels>>;
  let result: Awaited<ReturnType<typeof evaluateSyntheticSwiGlu>>;
  beforeAll(async () => {
    kernels = await createKernels({ backend: 'wasm' });
    result = await evaluateSyntheticSwiGlu(kernels, { sparsities: [0.5], calibrationTokens: 512, testTokens: 256 });
  });
  const row = (m: SyntheticRow['method']) => result.rows.find((r) => r.method === m)!;

  it('at k = 0.5: oracle ≤ CHESS (sq and abs) < CATS in relative output error and objective', () => {
    expect(result.dim).toBe(512);
    expect(result.hidden).toBe(1408);
    expect(row('oracle').relativeError).toBeLessThan(row('chess-sq').relativeError);
    expect(row('chess-sq').relativeError).toBeLessThan(row('cats').relativeError);
    expect(row('chess-abs').relativeError).toBeLessThan(row('cats').relativeError);
    expect(row('oracle').objective).toBeLessThan(row('chess-sq').objective);
    expect(row('chess-sq').objective).toBeLessThan(row('cats').objective);
    // The mean per-token error (the pilot's measure) orders the methods as the Frobenius error does.
    expect(row('oracle').meanTokenError).toBeLessThan(row('chess-sq').meanTokenError);
    expect(row('chess-sq').meanTokenError).toBeLessThan(row('cats').meanTokenError);
    // Regression band at the spec's generator setting (gateScale 1): the full run (2048/1024 tokens)
    // measures CATS 0.156 and CHESS 0.091 (Frobenius); not the pilot's 0.103 / 0.066, and not tuned to it.
    expect(row('cats').relativeError).toBeGreaterThan(0.12);
    expect(row('cats').relativeError).toBeLessThan(0.2);
    expect(row('chess-sq').relativeError).toBeGreaterThan(0.07);
    expect(row('chess-sq').relativeError).toBeLessThan(0.12);
  });

  it('held-out sparsity is close to k; gate methods stream (1 + 2ρ)/3 of the weights', () => {
    for (const r of result.rows) {
      expect(Math.abs(r.sparsity - 0.5)).toBeLessThan(0.02);
      expect(r.channelSparsityMin).toBeLessThanOrEqual(r.sparsity);
      expect(r.channelSparsityMax).toBeGreaterThanOrEqual(r.sparsity);
      if (r.method !== 'teal') expect(r.weightsStreamed).toBeCloseTo((1 + 2 * (1 - r.sparsity)) / 3, 6);
    }
    // CATS spreads sparsity evenly-ish over channels; CHESS skips low-E[a_up²] channels almost always.
    expect(row('chess-sq').channelSparsityMax).toBeGreaterThan(row('cats').channelSparsityMax);
    // The oracle zeroes exactly ⌈kH⌉ channels per token.
    expect(row('oracle').sparsity).toBe(704 / 1408);
  });

  it('k = 0 is exact for every method', async () => {
    const r = await evaluateSyntheticSwiGlu(kernels, { sparsities: [0], calibrationTokens: 16, testTokens: 8, block: { dim: 37, hidden: 61 } });
    for (const x of r.rows) {
      expect(x.objective).toBeLessThan(1e-12);
      expect(x.relativeError).toBeLessThan(1e-6);
      expect(x.weightsStreamed).toBe(1);
    }
  });

  it('is deterministic and rejects bad options', async () => {
    const opts = { sparsities: [0.3], calibrationTokens: 32, testTokens: 8, block: { dim: 20, hidden: 30 } };
    const a = await evaluateSyntheticSwiGlu(kernels, opts), b = await evaluateSyntheticSwiGlu(kernels, opts);
    expect(a).toEqual(b);
    await expect(evaluateSyntheticSwiGlu(kernels, { sparsities: [1] })).rejects.toThrow(/sparsities\[0\]/);
    await expect(evaluateSyntheticSwiGlu(kernels, { testTokens: 0 })).rejects.toThrow(/testTokens/);
    await expect(evaluateSyntheticSwiGlu(kernels, { block: { upScaleSigma: -1 } })).rejects.toThrow(/upScaleSigma/);
    const ac = new AbortController(); ac.abort();
    await expect(evaluateSyntheticSwiGlu(kernels, { ...opts, signal: ac.signal })).rejects.toMatchObject({ code: 'ABORTED' });
  });
});

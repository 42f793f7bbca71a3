/**
 * The binary16 KV cache (kvType 'f16') on every backend, on a tiny random model (GQA):
 * - layer 0's cached keys and values are exactly the float32 model's rounded to binary16 (layer 0's
 *   K/V depend on the tokens only, not on attention), after steps and after a block prefill;
 * - logits stay within binary16 rounding of the float32 cache's, and of the float64 oracle;
 * - block prefill and step-by-step decode agree (the same rounded cache, sums in another order);
 * - rewinding overwrites rows; memory: half the float32 cache per position;
 * - what needs a float32 cache in place is refused (attention strategies, asynchronous kernels),
 *   bad kvType values are BAD_ARGUMENT.
 */
import { expect, it } from 'vitest';
import { describeEachCpuBackend } from '../_harness/each-backend.js';
import { expectBadArgument } from '../_harness/bad-input.js';
import { randomLlama } from '../../src/llama/random-llama.js';
import { DenseKvCache } from '../../src/llama/dense-kv-cache.js';
import { roundToF16 } from '../../src/kernels/reference/round-to-f16.js';
import { SparseInferenceError } from '../../src/core/errors.js';
import type { Kernels } from '../../src/kernels/kernels.js';
import type { LlamaShape } from '../../src/llama/config.js';
import { maxAbsDiff, modelLogits, oracleLogits } from './helpers.js';

const SHAPE: LlamaShape = { dim: 32, hiddenDim: 40, nLayers: 2, nHeads: 4, nKvHeads: 2, vocabSize: 50, seqLen: 48 };
const TOKENS = [1, 7, 33, 2, 49, 0, 12, 12, 5, 40, 3, 8, 17, 21, 30, 44, 6, 9, 11, 27];
const model = (k: Kernels, kvType: 'f32' | 'f16') => randomLlama(SHAPE, { kernels: k, seed: 7, scale: 1.5, kvType });

describeEachCpuBackend('llama model with a binary16 KV cache', (kernels) => {
  it("layer 0's cache is the float32 cache rounded to binary16, bit for bit (steps and block prefill)", async () => {
    const a = model(kernels, 'f32'), b = model(kernels, 'f16');
    expect(b.kvType).toBe('f16');
    for (const run of [(m: typeof a) => modelLogits(m, TOKENS), async (m: typeof a) => { m.reset(); await m.prefill(TOKENS); }]) {
      await run(a); await run(b);
      const want = a.kvCache(0), got = b.kvCache(0);
      const n = TOKENS.length * a.config.kvDim;
      expect(got.length).toBe(TOKENS.length);
      for (const key of ['keys', 'values'] as const) {
        const w = Float32Array.from(want[key].subarray(0, n), roundToF16);
        expect(got[key]).toEqual(w);
      }
    }
    a.dispose(); b.dispose();
  });

  it('logits stay within binary16 rounding of the float32 cache and of the float64 oracle', async () => {
    const a = model(kernels, 'f32'), b = model(kernels, 'f16');
    const want = await modelLogits(a, TOKENS), got = await modelLogits(b, TOKENS), exact = oracleLogits(a, TOKENS);
    let moved = 0;
    for (let p = 0; p < TOKENS.length; p++) {
      const scale = Math.max(...Array.from(exact[p], Math.abs));
      // binary16 keeps 11 significant bits: relative rounding 2^-12 per key and value.
      expect(maxAbsDiff(got[p], want[p]), `pos ${p}`).toBeLessThan(4e-3 * scale);
      expect(maxAbsDiff(got[p], exact[p]), `pos ${p}`).toBeLessThan(4e-3 * scale);
      moved = Math.max(moved, maxAbsDiff(got[p], want[p]));
    }
    expect(moved).toBeGreaterThan(0); // the cache really is rounded
    a.dispose(); b.dispose();
  });

  it('block prefill equals step-by-step decode; rewinding overwrites rows', async () => {
    const m = model(kernels, 'f16');
    const steps = await modelLogits(m, TOKENS);
    const cacheSteps = m.kvCache(1);
    m.reset();
    const last = (await m.prefill(TOKENS)).slice();
    expect(maxAbsDiff(last, steps[TOKENS.length - 1])).toBeLessThan(1e-4);
    const cacheBlock = m.kvCache(1);
    // Layer 1's rows come through layer 0's attention, summed in another order: a binary16 ulp at most.
    expect(maxAbsDiff(cacheBlock.keys, cacheSteps.keys)).toBeLessThan(2e-3);
    m.reset();
    await m.prefill(TOKENS.slice(0, 6));
    await m.forward(9, 3); // overwrite position 3
    const b = (await m.forward(4, 4)).slice();
    const fresh = await modelLogits(m, [...TOKENS.slice(0, 3), 9, 4]);
    expect(maxAbsDiff(b, fresh[4])).toBeLessThan(1e-5);
    m.dispose();
  });

  it('holds half the float32 cache per position', () => {
    const a = model(kernels, 'f32'), b = model(kernels, 'f16');
    const c = a.config;
    const cacheF32 = 2 * c.nLayers * c.seqLen * c.kvDim * 4;
    // Resident bytes differ by half the float32 cache, less the binary16 path's scratch (the
    // model's float32 rows for one prefill block, and a decoded tile of keys and values for the
    // cache's decode step and one for the model's block prefill).
    const saved = a.residentBytes - b.residentBytes;
    expect(saved).toBeGreaterThan(cacheF32 / 2 - 4 * (2 * 32 * c.kvDim + 2 * (2 * 64 * c.headDim) + 512));
    expect(saved).toBeLessThanOrEqual(cacheF32 / 2);
    a.dispose(); b.dispose();
  });

  it('refuses what reads a float32 cache in place; bad kvType values are BAD_ARGUMENT', () => {
    const m = model(kernels, 'f16');
    let err: unknown;
    try { m.keepPreRopeKeys(); } catch (e) { err = e; }
    expect(err).toBeInstanceOf(SparseInferenceError);
    expect((err as SparseInferenceError).code).toBe('UNAVAILABLE');
    expect((err as Error).message).toMatch(/kvType: 'f32'/);
    m.dispose();
    expectBadArgument(() => randomLlama(SHAPE, { kernels, kvType: 'f8' as never }), 'kvType');
  });

  it('a binary16 DenseKvCache hosted through use() is the f16 model (its prompt runs step by step)', async () => {
    const m = model(kernels, 'f32'), ref = model(kernels, 'f16');
    await m.use({ kv: new DenseKvCache({ kvType: 'f16' }) });
    expect((m.components.kv as DenseKvCache).kvType).toBe('f16');
    const got = await modelLogits(m, TOKENS), want = await modelLogits(ref, TOKENS);
    for (let p = 0; p < TOKENS.length; p++) expect(got[p]).toEqual(want[p]); // same kernels, same order
    m.reset(); ref.reset();
    // ref prefills in blocks, m token by token: the same rounded cache, sums in another order.
    expect(maxAbsDiff(await m.prefill(TOKENS), await ref.prefill(TOKENS))).toBeLessThan(1e-4);
    expect(maxAbsDiff(m.kvCache(1).keys, ref.kvCache(1).keys)).toBeLessThan(2e-3);
    expect(m.kvCache(0).keys).toEqual(ref.kvCache(0).keys); // layer 0 does not depend on attention
    expect(() => m.keepPreRopeKeys()).toThrow(/kvType: 'f32'/);
    m.dispose(); ref.dispose();
    expectBadArgument(() => new DenseKvCache({ kvType: 'bf16' as never }), 'kvType');
    expectBadArgument(() => new DenseKvCache({ kvType: 'f16', keepPreRope: true }), 'keepPreRope');
  });
});

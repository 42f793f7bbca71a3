/**
 * The dense-prefill + retrieval-decode protocol (evaluateDecode) on a tiny random llama, checked
 * against what a bug would break: full attention through the retrieval cache scores the same NLL
 * as the dense model decoding token by token; A²ATS at ρ = 1 equals full exactly; in layer 0
 * (whose queries do not depend on the method) the oracle's recall is at least every
 * matched-budget method's; realized budgets stay within the per-head rule's bounds. Also
 * restoreKv against an uninterrupted run, document calibration, and the tie rule.
 */
import { describe, expect, it } from 'vitest';
import { createKernels } from '../../src/backends/create-kernels.js';
import type { CpuKernels } from '../../src/kernels/kernels.js';
import { randomLlama } from '../../src/llama/random-llama.js';
import { DenseKvCache } from '../../src/llama/dense-kv-cache.js';
import { tokenNll } from '../../src/llama/evaluate-nll.js';
import { Rng } from '../../src/core/rng.js';
import { calibrateOnDocuments } from '../../src/kvcache/eval/calibrate-documents.js';
import { evaluateDecode, densePrefill } from '../../src/kvcache/eval/decode-eval.js';
import { readCodebookFile, writeCodebookFile } from '../../src/kvcache/codebook-file.js';
import { Retrieval } from '../../src/kvcache/retrieval.js';
import type { RetrievalMethod } from '../../src/kvcache/retrieval-method.js';

const kernels = (await createKernels({ backend: 'wasm' })) as CpuKernels;
const SHAPE = { dim: 48, hiddenDim: 96, nLayers: 2, nHeads: 6, nKvHeads: 2, vocabSize: 61, seqLen: 160, ropePairing: 'adjacent' as const };
const model = randomLlama(SHAPE, { kernels, seed: 3 });
const c = model.config;
const tokens = (seed: number, n: number) => { const r = new Rng(seed); return Array.from({ length: n }, () => r.int(c.vocabSize)); };
const wrope = { window: 8, distance: 32, base: c.ropeBase, pairing: c.ropePairing };

describe('evaluateDecode (tiny random llama)', () => {
  it('restoreKv into a fresh cache continues exactly as the uninterrupted run', async () => {
    const ids = tokens(1, 40);
    model.reset();
    await model.prefill(ids.slice(0, 39));
    const want = Float32Array.from(await model.forward(ids[39], 39));
    const snapshot = await densePrefill(model, ids.slice(0, 39));
    await model.use({ kv: new DenseKvCache() });
    await model.restoreKv(snapshot, 39);
    expect(model.cachedTokens).toBe(39);
    expect(Array.from(await model.forward(ids[39], 39))).toEqual(Array.from(want));
    await expect(model.restoreKv(snapshot.slice(1), 39)).rejects.toThrow(/layers must be an array of 2/);
    await expect(model.restoreKv(snapshot, 40)).rejects.toThrow(/layers\[0\]\.keys/);
  });

  it('document calibration trains one codebook per (layer, KV head) and records k-means in the file', async () => {
    const { sets, tokens: n, queryPositions } = await calibrateOnDocuments(kernels, model, [tokens(5, 120), tokens(6, 100)], wrope,
      { size: 12, iterations: 3, kinds: ['query-aware', 'plain'], queryTokens: 20 });
    expect(n).toBe(220);
    expect(queryPositions).toBe(40);
    const qa = sets.queryAware!;
    expect(qa.info.calibrationTokens).toBe(220);
    expect(qa.info.calibrationQueries).toBe(40 * (c.nHeads / c.nKvHeads));
    expect(qa.info.kmeans!.maxIterations).toBe(3);
    expect(qa.info.kmeans!.iterationsMax).toBeLessThanOrEqual(3);
    expect(readCodebookFile(writeCodebookFile(qa)).info.kmeans).toEqual(qa.info.kmeans);
    expect(sets.plain!.get(c.nLayers - 1, c.nKvHeads - 1).size).toBe(12);
    await expect(calibrateOnDocuments(kernels, model, [tokens(5, 200)], wrope, { size: 4, iterations: 1, kinds: ['plain'] }))
      .rejects.toThrow(/more than the model's seqLen/);
  });

  it('full equals the dense model, A²ATS at ρ = 1 equals full, the oracle has the best layer-0 recall', async () => {
    const { sets } = await calibrateOnDocuments(kernels, model, [tokens(7, 150), tokens(8, 150)], wrope, { size: 16, iterations: 4, kinds: ['query-aware', 'plain'] });
    const docs = [{ id: 'a', ids: tokens(11, 150) }, { id: 'b', ids: tokens(12, 140) }];
    const context = 110, scored = 12;
    const r = await evaluateDecode(kernels, model, docs, {
      context, scored, budgets: [1, 0.1], window: 8, sinks: 2, distance: 32, codebooks: sets, questPageSize: 4, tiesBudget: 0.1,
    });
    const cell = (m: string, b: number, ties = 'oldest') => r.cells.find((x) => x.method === m && x.budget === b && x.ties === ties)!;
    // Dense oracle: the model's own cache, token by token over the same positions.
    for (let i = 0; i < docs.length; i++) {
      const ids = docs[i].ids;
      await model.use({ kv: new DenseKvCache() });
      model.reset();
      await model.prefill(ids.slice(0, context - 1));
      let nll = 0;
      for (let p = context - 1; p < context - 1 + scored; p++) nll += tokenNll(await model.forward(ids[p], p), c.vocabSize, ids[p + 1]);
      expect(Math.abs(cell('full', 1).nll[i] - nll / scored)).toBeLessThan(1e-4 * Math.abs(nll / scored));
      expect(cell('a2ats', 1).nll[i]).toBe(cell('full', 1).nll[i]);
    }
    expect(cell('full', 1).realized.selected).toBe(1);
    const a = cell('a2ats', 0.1);
    expect(a.realized.unionFactor).toBeGreaterThanOrEqual(1);
    expect(a.realized.unionFactor).toBeLessThanOrEqual(c.nHeads / c.nKvHeads);
    const oracle0 = cell('oracle', 0.1).layers[0].recall;
    for (const m of ['vq-wrope', 'quest', 'pqcache']) {
      const x = cell(m, 0.1);
      expect(x.mode).toBe('total');
      // Matched to A²ATS's realized far fraction, rounded down per step.
      for (let i = 0; i < docs.length; i++) expect(x.farFraction[i]).toBeLessThanOrEqual(a.farFraction[i] + 1e-12);
      expect(oracle0).toBeGreaterThanOrEqual(x.layers[0].recall - 1e-9);
    }
    expect(a.pooled.quantError).toBeGreaterThan(0);
    expect(Number.isNaN(cell('quest', 0.1).pooled.quantError)).toBe(true);
    expect(cell('a2ats', 0.1, 'recent').nll).toHaveLength(2);
    await expect(evaluateDecode(kernels, model, docs, { context: 140, scored: 12 })).rejects.toThrow(/fewer than context \+ scored/);
    await expect(evaluateDecode(kernels, model, docs, { context: 100, scored: 12, methods: ['nope' as 'full'] })).rejects.toThrow(/methods\[\]/);
  }, 60_000);
});

describe('Retrieval ties', () => {
  it("'oldest' keeps the first of equal scores, 'recent' the last", async () => {
    const g = 2, d = 4, n = 40;
    const flat: RetrievalMethod = {
      name: 'flat', scoring: 'perHead', estimatesScores: false, reset() {}, async observe() {}, indexBytes: () => 0, dispose() {},
      async score(_h, _k, _q, farStart, farEnd, out) { out.host().fill(0.5, 0, g * (farEnd - farStart)); out.push(); return []; },
    };
    const keys = { keysPre: new Float32Array(n * d), keysPost: new Float32Array(n * d), values: new Float32Array(n * d), length: n };
    const query = { pre: new Float32Array(g * d), post: new Float32Array(g * d), pos: n - 1 };
    const pick = async (ties: 'oldest' | 'recent') => {
      const r = new Retrieval(kernels, flat, { window: 4, sinks: 2, groupSize: g, headDim: d, budget: { mode: 'perHead', count: 3 }, ties });
      const s = await r.select(0, keys, query);
      return Array.from(s.indices.subarray(0, s.count));
    };
    expect(await pick('oldest')).toEqual([0, 1, 2, 3, 4, 36, 37, 38, 39]);
    expect(await pick('recent')).toEqual([0, 1, 33, 34, 35, 36, 37, 38, 39]);
    expect(() => new Retrieval(kernels, flat, { window: 4, sinks: 2, groupSize: g, headDim: d, budget: { mode: 'perHead', count: 3 }, ties: 'newest' as 'recent' })).toThrow(/ties/);
  });
});

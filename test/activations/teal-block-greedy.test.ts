/**
 * TEAL's block-wise greedy search as the authors run it (teal-block.ts, teal-block-greedy.ts) on
 * the real stories260K checkpoint: the dense blocks chained reproduce the model's logits (the
 * oracle for the block forward), staged re-evaluation equals evaluation from scratch, and the
 * greedy's choices and allocations obey its definition.
 */
import { expect, it } from 'vitest';
import { readFile } from 'node:fs/promises';
import { describeWithShared } from '../_harness/shared-data.js';
import { createKernels } from '../../src/backends/create-kernels.js';
import type { CpuKernels } from '../../src/kernels/kernels.js';
import { readLlamaModel, readTokenizer } from '../../src/llama/node-files.js';
import { calibrateModel } from '../../src/activations/calibrate-model.js';
import { splitCalibrationText } from '../../src/activations/evaluate-model.js';
import { DENSE_CUTS, PROJECTION_STAGE, TealBlockRun, type ProjectionCuts } from '../../src/activations/teal-block.js';
import { blockOutputError, tealBlockGreedyAllocation } from '../../src/activations/teal-block-greedy.js';
import { projectionWeights } from '../../src/activations/teal-greedy.js';
import { PROJECTION_INPUT_TENSOR } from '../../src/activations/teal-thresholds.js';
import { PROJECTION_INPUTS } from '../../src/activations/thresholds.js';
import { SparseInferenceError } from '../../src/core/errors.js';

it('blockOutputError is the mean over channels of the L2 norm over tokens', () => {
  // 4 rows × 2 channels: channel 0 off by 1 everywhere (norm 2), channel 1 off by 3 in one row (norm 3).
  const ref = new Float32Array(8), out = new Float32Array(8);
  for (let t = 0; t < 4; t++) out[t * 2] = 1;
  out[2 * 2 + 1] = -3;
  expect(blockOutputError(out, ref, 4, 2)).toBeCloseTo((2 + 3) / 2, 6);
  expect(blockOutputError(ref, ref, 4, 2)).toBe(0);
});

describeWithShared('TEAL block greedy on stories260K', ['models/stories260K.bin', 'models/tok512.bin', 'data/tinystories_sample.txt'],
  ([modelPath, tokPath, textPath]) => {
    const setup = (async () => {
      const kernels = await createKernels({ backend: 'wasm' }) as CpuKernels;
      const model = await readLlamaModel(modelPath, { kernels });
      const tokenizer = await readTokenizer(tokPath, model.config.vocabSize);
      const split = splitCalibrationText(await readFile(textPath, 'utf8'));
      const stats = await calibrateModel(model, tokenizer, split.calibration, { maxTokens: 1024 });
      const ids = [1, ...tokenizer.encode(split.evaluation.slice(0, 400))].slice(0, 48);
      return { kernels, model, stats, ids };
    })();

    it('the dense blocks chained give the model\'s logits at every position', async () => {
      const { kernels, model, ids } = await setup;
      const c = model.config, n = ids.length;
      let x = new Float32Array(n * c.dim);
      const emb = model.globalWeights().tokEmb;
      ids.forEach((id, i) => x.set(emb.subarray(id * c.dim, (id + 1) * c.dim), i * c.dim));
      for (let l = 0; l < c.nLayers; l++) x = new TealBlockRun(kernels, c, () => model.layerWeights(l), x, n, 0).evaluate(DENSE_CUTS).slice();
      const g = model.globalWeights(), normed = new Float32Array(c.dim), logits = new Float32Array(c.vocabSize);
      model.reset();
      let worst = 0;
      for (let i = 0; i < n; i++) {
        const want = await model.forward(ids[i], i);
        kernels.rmsnorm(x.subarray(i * c.dim, (i + 1) * c.dim), g.rmsFinal, normed, c.dim, c.normEps);
        kernels.gemv(g.wcls, normed, logits, c.vocabSize, c.dim);
        for (let v = 0; v < c.vocabSize; v++) worst = Math.max(worst, Math.abs(logits[v] - want[v]) / (1 + Math.abs(want[v])));
      }
      expect(worst).toBeLessThan(1e-4);
    });

    it('a staged evaluation equals one from scratch, and commit leaves later trials unaffected', async () => {
      const { kernels, model, stats, ids } = await setup;
      const c = model.config, n = ids.length, l = 2;
      const x = new Float32Array(n * c.dim).map((_, i) => Math.sin(i * 0.37));
      const cutAt = (level: number) => Object.fromEntries(PROJECTION_INPUTS.map((p) => [p, stats.magnitudeThreshold(l, PROJECTION_INPUT_TENSOR[p], level)])) as ProjectionCuts;
      const base = cutAt(0.2);
      const staged = new TealBlockRun(kernels, c, () => model.layerWeights(l), x, n, 36);
      staged.commit(base);
      for (const p of PROJECTION_INPUTS) {
        const trial = { ...base, [p]: stats.magnitudeThreshold(l, PROJECTION_INPUT_TENSOR[p], 0.6) };
        const got = staged.evaluate(trial, PROJECTION_STAGE[p]).slice();
        const fresh = new TealBlockRun(kernels, c, () => model.layerWeights(l), x, n, 36).evaluate(trial);
        expect(got.length).toBe((n - 36) * c.dim);
        for (let i = 0; i < got.length; i++) expect(Math.abs(got[i] - fresh[i])).toBeLessThanOrEqual(1e-6 * (1 + Math.abs(fresh[i])));
        // A cut that changes the output at all (the trial differs from the committed state).
        const committed = new TealBlockRun(kernels, c, () => model.layerWeights(l), x, n, 36).evaluate(base);
        expect(blockOutputError(got, committed, n - 36, c.dim)).toBeGreaterThan(0);
      }
    });

    it('each greedy step takes the candidate of least block-output error, and allocations reach their targets', async () => {
      const { kernels, model, stats, ids } = await setup;
      const c = model.config, targets = [0.2, 0.4];
      const seqs = [ids.slice(0, 40), ids.slice(8, 48)];
      const g = await tealBlockGreedyAllocation(kernels, model, seqs, stats, { targets, baseStep: 0.1 });
      const w = projectionWeights(c), wSum = PROJECTION_INPUTS.reduce((s, p) => s + w[p], 0);
      targets.forEach((t, i) => g.sparsities[i].forEach((s) => {
        const f = PROJECTION_INPUTS.reduce((acc, p) => acc + w[p] * s[p], 0) / wSum;
        expect(f).toBeGreaterThanOrEqual(t - 1e-9);
        expect(f).toBeLessThan(t + 0.1 / wSum + 1e-9); // every step adds baseStep / Σw to f
        for (const p of PROJECTION_INPUTS) expect(s[p]).toBeLessThan(1);
      }));
      // Layer 0's first step, recomputed from scratch for every candidate: the chosen one has the least error.
      const emb = model.globalWeights().tokEmb;
      const errors = PROJECTION_INPUTS.map((p) => {
        const cuts = { ...DENSE_CUTS, [p]: stats.magnitudeThreshold(0, PROJECTION_INPUT_TENSOR[p], 0.1 / w[p]) };
        return seqs.reduce((sum, ids) => {
          const n = ids.length, x = new Float32Array(n * c.dim);
          ids.forEach((id, i) => x.set(emb.subarray(id * c.dim, (id + 1) * c.dim), i * c.dim));
          const from = Math.floor(n * 0.75);
          const ref = new TealBlockRun(kernels, c, () => model.layerWeights(0), x, n, from).evaluate(DENSE_CUTS).slice();
          const out = new TealBlockRun(kernels, c, () => model.layerWeights(0), x, n, from).evaluate(cuts);
          return sum + blockOutputError(out, ref, n - from, c.dim);
        }, 0) / seqs.length;
      });
      const first = g.trace[0][0];
      expect(first.error).toBeCloseTo(Math.min(...errors), 5);
      expect(first.projection).toBe(PROJECTION_INPUTS[errors.indexOf(Math.min(...errors))]);
      // Every step moves f by exactly baseStep / Σw.
      for (let s = 1; s < g.trace[0].length; s++) expect(g.trace[0][s].f - g.trace[0][s - 1].f).toBeCloseTo(0.1 / wSum, 9);
    });

    it('rejects bad arguments with the library error naming them', async () => {
      const { kernels, model, stats, ids } = await setup;
      const run = (seqs: number[][], o: object) => tealBlockGreedyAllocation(kernels, model, seqs, stats, o as never);
      await expect(run([ids], { targets: [] })).rejects.toThrow(/targets/);
      await expect(run([ids], { targets: [1] })).rejects.toThrow(SparseInferenceError);
      await expect(run([ids], { targets: [0.5], baseStep: 0 })).rejects.toThrow(/baseStep/);
      await expect(run([ids], { targets: [0.5], lastFraction: 1.5 })).rejects.toThrow(/lastFraction/);
      await expect(run([[1]], { targets: [0.5] })).rejects.toThrow(/sequences\[0\]/);
      await expect(run([[1, 99999]], { targets: [0.5] })).rejects.toThrow(/sequences\[0\]\[1\]/);
      expect(() => new TealBlockRun(kernels, model.config, () => model.layerWeights(0), new Float32Array(4), 8, 0)).toThrow(/x must hold/);
    });
  });

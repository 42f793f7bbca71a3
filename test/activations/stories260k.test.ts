/**
 * The real checkpoint (stories260K on TinyStories, ../shared): calibrate on the second half of
 * the stories, evaluate NLL on the first half (non-overlapping). Checks the acceptance claim —
 * at k = 0.5 CHESS w/o raises the NLL less than CATS — that sparsity ≈ k holds on held-out
 * tokens, that sketch-mode calibration agrees with exact, and TEAL's greedy allocation.
 */
import { expect, it } from 'vitest';
import { readFile } from 'node:fs/promises';
import { describeWithShared } from '../_harness/shared-data.js';
import { createKernels } from '../../src/backends/create-kernels.js';
import { readLlamaModel, readTokenizer } from '../../src/llama/node-files.js';
import { evaluateNll } from '../../src/llama/evaluate-nll.js';
import { calibrateModel } from '../../src/activations/calibrate-model.js';
import { splitCalibrationText } from '../../src/activations/evaluate-model.js';
import { catsThresholds } from '../../src/activations/cats-thresholds.js';
import { chessThresholds } from '../../src/activations/chess-thresholds.js';
import { tealThresholds } from '../../src/activations/teal-thresholds.js';
import { projectionWeights, tealGreedyAllocation } from '../../src/activations/teal-greedy.js';
import { installActivationSparsity } from '../../src/activations/install-sparsity.js';
import { PROJECTION_INPUTS } from '../../src/activations/thresholds.js';
import { DenseFfn } from '../../src/llama/dense-ffn.js';

describeWithShared('activation sparsity on stories260K', ['models/stories260K.bin', 'models/tok512.bin', 'data/tinystories_sample.txt'],
  ([modelPath, tokPath, textPath]) => {
    const setup = (async () => {
      const kernels = await createKernels({ backend: 'wasm' });
      const model = await readLlamaModel(modelPath, { kernels });
      const tokenizer = await readTokenizer(tokPath, model.config.vocabSize);
      const split = splitCalibrationText(await readFile(textPath, 'utf8'));
      const stats = await calibrateModel(model, tokenizer, split.calibration, { maxTokens: 2048 });
      return { model, tokenizer, split, stats };
    })();
    const EVAL = 1000;

    it('splits the stories into non-overlapping halves', async () => {
      const { split } = await setup;
      expect(split.stories).toBe(2317); // 2316 stories and the cut-off last one
      expect(split.evaluation.length + split.calibration.length).toBeGreaterThan(2_000_000);
      expect(split.calibration).not.toContain(split.evaluation.slice(0, 200));
    });

    it('at k = 0.5 CHESS w/o raises the NLL less than CATS; held-out sparsity ≈ k', async () => {
      const { model, tokenizer, split, stats } = await setup;
      const dense = await evaluateNll(model, tokenizer, split.evaluation, { maxTokens: EVAL });
      const run = async (th: Parameters<typeof installActivationSparsity>[1], attention = false) => {
        const inst = await installActivationSparsity(model, th, { attention });
        try {
          const r = await evaluateNll(model, tokenizer, split.evaluation, { maxTokens: EVAL });
          return { increase: r.meanNll - dense.meanNll, summary: inst.counters.summary() };
        } finally { await inst.dispose(); }
      };
      const cats = await run(catsThresholds(stats, 0.5));
      const chess = await run(chessThresholds(stats, 0.5));
      const chessW = await run(chessThresholds(stats, 0.5), true);
      expect(chess.increase).toBeGreaterThan(0);
      expect(chess.increase).toBeLessThan(cats.increase);
      expect(chessW.increase).toBeGreaterThan(chess.increase); // sparser attention inputs cost more
      for (const r of [cats, chess, chessW]) expect(Math.abs(r.summary.gateSparsity - 0.5)).toBeLessThan(0.03);
      expect(Math.abs(chessW.summary.inputSparsity.q! - 0.5)).toBeLessThan(0.05);
      expect(chess.summary.channelSparsityMax - chess.summary.channelSparsityMin).toBeGreaterThan(0.5);
      // Dense is restored afterwards.
      const again = await evaluateNll(model, tokenizer, split.evaluation, { maxTokens: 200 });
      const denseShort = await evaluateNll(model, tokenizer, split.evaluation, { maxTokens: 200 });
      expect(again.meanNll).toBe(denseShort.meanNll);
    });

    it('sketch-mode calibration (two passes) agrees with exact within its accuracy', async () => {
      const { model, tokenizer, split, stats } = await setup;
      const sketch = await calibrateModel(model, tokenizer, split.calibration, { maxTokens: 2048, quantile: 'sketch' });
      expect(sketch.tokens).toBe(stats.tokens);
      expect(sketch.bytes).toBeLessThan(stats.bytes / 4);
      for (let l = 0; l < 5; l++) {
        const e = chessThresholds(stats, 0.5).layers[l], s = chessThresholds(sketch, 0.5).layers[l];
        for (let i = 0; i < e.aGate!.length; i++) expect(Math.abs(s.aGate![i] - e.aGate![i])).toBeLessThanOrEqual(0.005 * e.aGate![i]);
        expect(Math.abs(s.inputs!.q! - e.inputs!.q!)).toBeLessThanOrEqual(0.005 * e.inputs!.q! * 1.0000001);
      }
    });

    it('TEAL greedy allocation reaches each target with parameter-weighted sparsity', async () => {
      const { model, tokenizer, split, stats } = await setup;
      const g = await tealGreedyAllocation(model, tokenizer, split.calibration, stats, { targets: [0.2, 0.35], maxTokens: 12, baseStep: 0.15 });
      const w = projectionWeights(model.config);
      const wSum = PROJECTION_INPUTS.reduce((s, p) => s + w[p], 0);
      g.targets.forEach((target, i) => {
        for (const s of g.sparsities[i]) {
          const f = PROJECTION_INPUTS.reduce((acc, p) => acc + w[p] * s[p], 0) / wSum;
          expect(f).toBeGreaterThanOrEqual(target - 1e-9);
          expect(f).toBeLessThan(target + 0.15 / wSum + 1e-9); // overshoot by at most one step
        }
      });
      // Paths are nested: the 0.35 allocation extends the 0.2 one.
      for (let l = 0; l < 5; l++) for (const p of PROJECTION_INPUTS) expect(g.sparsities[1][l][p]).toBeGreaterThanOrEqual(g.sparsities[0][l][p]);
      const th = tealThresholds(stats, 0.35, { sparsities: g.sparsities[1] });
      expect(th.metadata.greedy).toBe(true);
      for (let l = 0; l < 5; l++) for (const p of PROJECTION_INPUTS) expect(th.layers[l].inputs![p]).toBeGreaterThanOrEqual(0);
      expect(model.components.ffn).toBeInstanceOf(DenseFfn); // the dense FFN is hosted again
      expect(model.components.projections).toBeNull();
    });
  });

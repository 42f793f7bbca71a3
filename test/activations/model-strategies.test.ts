/**
 * installActivationSparsity inside the llama runtime, on a small random model and every backend:
 * threshold 0 reproduces the dense logits for CATS, CHESS w/, CHESS w/o and TEAL; with
 * thresholds, the sparse FFN the model hosts equals the dense FFN on the thresholded gate
 * (checked through the capture of a dense run); the model's weights are never written and
 * dispose hosts the dense FFN again (the dense logits bit for bit); the weight-bytes report and
 * the whole-layer counts; bad input.
 */
import { expect, it } from 'vitest';
import { describeEachCpuBackend } from '../_harness/each-backend.js';
import { expectBadArgumentAsync } from '../_harness/bad-input.js';
import { DenseFfn } from '../../src/llama/dense-ffn.js';
import { randomLlama } from '../../src/llama/random-llama.js';
import type { LlamaModel } from '../../src/llama/model.js';
import type { CpuKernels } from '../../src/kernels/kernels.js';
import { ActivationCollector } from '../../src/activations/activation-collector.js';
import { catsThresholds } from '../../src/activations/cats-thresholds.js';
import { chessThresholds } from '../../src/activations/chess-thresholds.js';
import { tealThresholds } from '../../src/activations/teal-thresholds.js';
import { installActivationSparsity } from '../../src/activations/install-sparsity.js';
import { ChessFfn } from '../../src/activations/gated-ffn.js';
import type { ActivationThresholds } from '../../src/activations/thresholds.js';

const SHAPE = { dim: 36, hiddenDim: 70, nLayers: 2, nHeads: 6, nKvHeads: 3, vocabSize: 40, seqLen: 32 };
const TOKENS = [1, 5, 9, 3, 22, 7, 7, 30, 2, 11, 19, 4];

function model(k: CpuKernels): LlamaModel {
  return randomLlama(SHAPE, { kernels: k, seed: 3, scale: 1.5 });
}

async function runLogits(m: LlamaModel): Promise<Float32Array[]> {
  m.reset();
  const out: Float32Array[] = [];
  for (let i = 0; i < TOKENS.length; i++) out.push((await m.forward(TOKENS[i], i)).slice());
  return out;
}

async function calibrate(m: LlamaModel) {
  const c = new ActivationCollector({ nLayers: SHAPE.nLayers, dim: SHAPE.dim, hiddenDim: SHAPE.hiddenDim });
  m.setCapture(c.capture);
  await runLogits(m);
  m.setCapture(undefined);
  return c.finish();
}

function snapshot(m: LlamaModel): Float32Array[] {
  const out: Float32Array[] = [];
  for (let l = 0; l < SHAPE.nLayers; l++) for (const w of Object.values(m.layerWeights(l))) out.push(w.slice());
  return out;
}

describeEachCpuBackend('activation sparsity in the llama runtime', (k) => {
  it('threshold 0 reproduces the dense logits (every strategy)', async () => {
    const m = model(k);
    const dense = await runLogits(m);
    const stats = await calibrate(m);
    const cases: [ActivationThresholds, boolean][] = [
      [catsThresholds(stats, 0), false], [chessThresholds(stats, 0), false], [chessThresholds(stats, 0), true],
      [chessThresholds(stats, 0, { variant: 'abs' }), true], [tealThresholds(stats, 0), false],
    ];
    for (const [th, attention] of cases) {
      const inst = await installActivationSparsity(m, th, { attention });
      const sparse = await runLogits(m);
      await inst.dispose();
      for (let t = 0; t < TOKENS.length; t++) {
        for (let v = 0; v < SHAPE.vocabSize; v++) {
          if (Math.abs(sparse[t][v] - dense[t][v]) > 1e-4 * (1 + Math.abs(dense[t][v]))) {
            throw new Error(`${inst.name} token ${t} logit ${v}: ${sparse[t][v]} vs dense ${dense[t][v]}`);
          }
        }
      }
      expect(inst.counters.summary().weightsStreamed).toBe(1);
    }
    m.dispose();
  });

  it('the sparse FFN output equals W_down·(s(a_gate) ⊙ a_up) of the dense run (layer 1, CHESS at k = 0.6)', async () => {
    const m = model(k);
    const th = chessThresholds(await calibrate(m), 0.6);
    // Dense captures of layer 1 at token 4: the FFN input and a_gate, a_up.
    const seen: Record<string, Float32Array> = {};
    m.setCapture((l, kind, data, pos) => { if (l === 1 && pos === 4) seen[kind] = data.slice(); });
    await runLogits(m);
    m.setCapture(undefined);
    const t = th.layers[1].aGate!;
    const { dim, hiddenDim } = SHAPE;
    const h = seen.aGate.map((g, i) => (Math.abs(g) >= t[i] ? g * seen.aUp[i] : 0));
    const w2 = m.layerWeights(1).w2;
    const expected = new Float64Array(dim);
    for (let c = 0; c < dim; c++) for (let i = 0; i < hiddenDim; i++) expected[c] += w2[c * hiddenDim + i] * h[i];
    const inst = await installActivationSparsity(m, th, { layers: [1] });
    const out = new Float32Array(dim);
    await m.components.ffn.forward(1, seen.ffnInput, out);
    await inst.dispose();
    expect(h.filter((v) => v === 0).length).toBeGreaterThan(hiddenDim * 0.3);
    for (let c = 0; c < dim; c++) expect(Math.abs(out[c] - expected[c])).toBeLessThan(1e-4);
    m.dispose();
  });

  it('never writes the weights; dispose hosts the dense FFN again; weight bytes and whole-layer counts', async () => {
    const m = model(k);
    const before = snapshot(m);
    const dense = await runLogits(m);
    const stats = await calibrate(m);
    const { dim, hiddenDim } = SHAPE, kvDim = 18;
    const layer = 2 * dim * dim + 2 * kvDim * dim + 3 * dim * hiddenDim;
    const teal = await installActivationSparsity(m, tealThresholds(stats, 0.5));
    expect(snapshot(m)).toEqual(before);
    const bytes = teal.weightBytesPerLayer(0);
    expect(bytes.dense).toBe(4 * layer);
    expect(bytes.extra).toBe(4 * layer); // input-major copies of all seven matrices
    expect(bytes.held).toBe(bytes.dense + bytes.extra);
    await teal.dispose();
    await teal.dispose(); // idempotent
    expect(m.components.ffn).toBeInstanceOf(DenseFfn);
    expect(m.components.projections).toBeNull();
    const chess = await installActivationSparsity(m, chessThresholds(stats, 0.5), { attention: true });
    // Copies: W_down (dim·hidden) + wq, wo (dim² each).
    expect(chess.weightBytesPerLayer(1).extra).toBe(4 * (dim * hiddenDim + 2 * dim * dim));
    await runLogits(m);
    const sum = chess.counters.summary();
    expect(sum.gateSparsity).toBeGreaterThan(0.3);
    // Weights skipped per token: 2·dim (W_up row + W_down column) per zeroed channel, dim per zeroed q/o input.
    const skipped = 2 * dim * hiddenDim * sum.gateSparsity + dim * dim * (sum.inputSparsity.q! + sum.inputSparsity.o!);
    expect(sum.weightsStreamed).toBeCloseTo(1 - skipped / layer, 10);
    for (let l = 0; l < SHAPE.nLayers; l++) expect(chess.counters.layers[l].weightsDense).toBe(TOKENS.length * layer);
    await chess.dispose();
    expect(snapshot(m)).toEqual(before);
    expect(await runLogits(m)).toEqual(dense);
    m.dispose();
  });

  it('rejects mismatched, doubled and incomplete installs', async () => {
    const m = model(k);
    const stats = await calibrate(m);
    const th = chessThresholds(stats, 0.5);
    await expectBadArgumentAsync(() => installActivationSparsity(m, { ...th, metadata: { ...th.metadata, dim: 8 } }), 'thresholds');
    await expectBadArgumentAsync(() => installActivationSparsity(m, th, { layout: 'copy' } as never), 'layout');
    await expectBadArgumentAsync(() => installActivationSparsity(m, th, { layers: [5] }), 'layers');
    await expectBadArgumentAsync(() => installActivationSparsity(m, tealThresholds(stats, 0.5), { attention: true }), 'attention');
    const noAttn = structuredClone(th);
    delete noAttn.layers[0].inputs;
    await expectBadArgumentAsync(() => installActivationSparsity(m, noAttn, { attention: true }), 'attention');
    const inst = await installActivationSparsity(m, th);
    await expectBadArgumentAsync(() => installActivationSparsity(m, th), 'dispose()');
    await inst.dispose();
    await m.use({ ffn: new ChessFfn(th) });
    await expectBadArgumentAsync(() => installActivationSparsity(m, th), 'model');
    m.dispose();
  });
});

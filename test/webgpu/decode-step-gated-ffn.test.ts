/**
 * The CHESS FFN inside the WebGPU decode step's one submission (decode/gated-ffn.ts), and CHESS
 * w/'s thresholded q/o inputs (masked inputs of the q/k/v and o programs): a model on webgpu
 * hosting a ChessFfn (and SparseProjection) runs them there (the components are never called:
 * their counters stay empty) and gives the logits and greedy tokens of the same model and thresholds on wasm
 * (the CPU path: gemv → siluThreshold in float64 → vmmsp → spvmm).
 *
 * Tolerance on logits: max |gpu − wasm| ≤ 1e-4 · max |wasm logit| per step (as the call-by-call
 * GPU components are held to; float32 SiLU and sums in another order). A channel whose |SiLU|
 * lies within float32 rounding of its threshold could flip and exceed it; the thresholds are
 * calibrated on other tokens than those checked, so no activation sits on one. Greedy tokens must
 * be identical.
 */
import { readFileSync } from 'node:fs';
import { expect, it } from 'vitest';
import { webgpuMissing } from '../../src/backends/webgpu/device.js';
import { createKernels } from '../../src/backends/create-kernels.js';
import { randomLlama } from '../../src/llama/random-llama.js';
import { loadLlama2c } from '../../src/llama/load-llama2c.js';
import { loadTokenizer } from '../../src/llama/tokenizer.js';
import { generate } from '../../src/llama/generate.js';
import type { LlamaModel } from '../../src/llama/model.js';
import { ActivationCollector } from '../../src/activations/activation-collector.js';
import { chessThresholds } from '../../src/activations/chess-thresholds.js';
import { ChessFfn } from '../../src/activations/gated-ffn.js';
import { sparsityComponents } from '../../src/activations/sparsity-components.js';
import type { ActivationThresholds } from '../../src/activations/thresholds.js';
import { describeWithRuntime } from '../runtimes/harness.js';
import { describeWithShared } from '../_harness/shared-data.js';

const missing = await webgpuMissing();

/**
 * hidden 600: the compaction's 256 invocations scan runs of 3 channels; dim 96: one 256-column
 * block of the down projection, of whose invocations' 4 columns only the first 2 or 1 exist.
 */
const SHAPE = { dim: 96, hiddenDim: 600, nLayers: 2, nHeads: 4, nKvHeads: 2, vocabSize: 80, seqLen: 40, ropePairing: 'half' as const };

/** CHESS thresholds at sparsity k from the model's activations on `tokens`. */
async function calibrate(m: LlamaModel, tokens: readonly number[], k: number): Promise<ActivationThresholds> {
  const c = new ActivationCollector({ nLayers: m.config.nLayers, dim: m.config.dim, hiddenDim: m.config.hiddenDim });
  m.setCapture(c.capture);
  m.reset();
  for (let i = 0; i < tokens.length; i++) await m.forward(tokens[i], i);
  m.setCapture(undefined);
  m.reset();
  return chessThresholds(c.finish(), k);
}

function maxRelDiff(got: Float32Array, want: Float32Array): number {
  let scale = 0, diff = 0;
  for (let i = 0; i < want.length; i++) { scale = Math.max(scale, Math.abs(want[i])); diff = Math.max(diff, Math.abs(got[i] - want[i])); }
  return diff / Math.max(scale, 1e-30);
}

describeWithRuntime('webgpu decode step: the CHESS FFN inside the submission', missing, () => {
  it('gives the wasm model\'s CHESS logits and greedy tokens; the component\'s forward never runs', async () => {
    const cpu = randomLlama(SHAPE, { kernels: await createKernels({ backend: 'wasm' }), seed: 5, scale: 1.5 });
    const gpu = randomLlama(SHAPE, { kernels: await createKernels({ backend: 'webgpu', cpuThreshold: 0 }), seed: 5, scale: 1.5 });
    const th = await calibrate(cpu, Array.from({ length: 30 }, (_, i) => (i * 7 + 3) % SHAPE.vocabSize), 0.5);
    const onCpu = new ChessFfn(th), onGpu = new ChessFfn(th);
    await cpu.use({ ffn: onCpu });
    await gpu.use({ ffn: onGpu });
    const tokens = Array.from({ length: 24 }, (_, i) => (i * 13 + 1) % SHAPE.vocabSize);
    const before = gpu.residentBytes;
    for (let pos = 0; pos < tokens.length; pos++) {
      const want = await cpu.forward(tokens[pos], pos);
      expect(maxRelDiff(await gpu.forward(tokens[pos], pos), want)).toBeLessThan(1e-4);
    }
    // The step's own memory is counted once built: at least its RoPE table, logits, and the FFN's
    // gate, index, product and (at least 16) down-projection slices.
    const headDim = SHAPE.dim / SHAPE.nHeads;
    expect(gpu.residentBytes - before).toBeGreaterThanOrEqual(4 * (SHAPE.seqLen * headDim + SHAPE.vocabSize + 3 * SHAPE.hiddenDim + 16 * SHAPE.dim));
    // The thresholds kept about half the channels on the CPU (the GPU path runs the same rule).
    const s = onCpu.counters.summary();
    expect(s.gateSparsity).toBeGreaterThan(0.3);
    expect(s.gateSparsity).toBeLessThan(0.7);
    let a = tokens[tokens.length - 1], b = a;
    const gotTokens: number[] = [], wantTokens: number[] = [];
    for (let pos = tokens.length; pos < SHAPE.seqLen; pos++) {
      a = await gpu.forwardGreedy(a, pos); gotTokens.push(a);
      b = await cpu.forwardGreedy(b, pos); wantTokens.push(b);
    }
    expect(gotTokens).toEqual(wantTokens);
    expect(onGpu.counters.layers.map((L) => L.ffnTokens)).toEqual([0, 0]);
    expect(onCpu.counters.layers[0].ffnTokens).toBe(SHAPE.seqLen);
    cpu.dispose(); gpu.dispose();
  }, 300_000);

  it('CHESS w/ (q and o inputs thresholded too): the wasm model\'s logits, no component call', async () => {
    const cpu = randomLlama(SHAPE, { kernels: await createKernels({ backend: 'wasm' }), seed: 6, scale: 1.5 });
    const gpu = randomLlama(SHAPE, { kernels: await createKernels({ backend: 'webgpu', cpuThreshold: 0 }), seed: 6, scale: 1.5 });
    const th = await calibrate(cpu, Array.from({ length: 30 }, (_, i) => (i * 11 + 2) % SHAPE.vocabSize), 0.5);
    expect(th.layers[0].inputs?.q).toBeGreaterThan(0);
    const onCpu = sparsityComponents(th, { attention: true }), onGpu = sparsityComponents(th, { attention: true });
    await cpu.use({ ffn: onCpu.ffn, projections: onCpu.projections });
    await gpu.use({ ffn: onGpu.ffn, projections: onGpu.projections });
    for (let pos = 0; pos < 20; pos++) {
      const t = (pos * 17 + 4) % SHAPE.vocabSize;
      expect(maxRelDiff(await gpu.forward(t, pos), await cpu.forward(t, pos))).toBeLessThan(1e-4);
    }
    // The CPU components zeroed about half of each thresholded input; the GPU's saw no call.
    const s = onCpu.counters.summary();
    expect(s.inputSparsity.q).toBeGreaterThan(0.3);
    expect(s.inputSparsity.o).toBeGreaterThan(0.3);
    expect(onGpu.counters.summary().inputSparsity.q ?? NaN).toBeNaN();
    expect(onGpu.counters.layers[0].ffnTokens).toBe(0);
    cpu.dispose(); gpu.dispose();
  }, 300_000);

  it('a layer left dense runs the dense FFN inside the same step', async () => {
    const cpu = randomLlama(SHAPE, { kernels: await createKernels({ backend: 'wasm' }), seed: 8 });
    const gpu = randomLlama(SHAPE, { kernels: await createKernels({ backend: 'webgpu', cpuThreshold: 0 }), seed: 8 });
    const th = await calibrate(cpu, [3, 1, 4, 1, 5, 9, 2, 6, 5, 3, 5, 8, 9, 7], 0.7);
    const onGpu = new ChessFfn(th, { layers: [1] });
    await cpu.use({ ffn: new ChessFfn(th, { layers: [1] }) });
    await gpu.use({ ffn: onGpu });
    for (const [pos, t] of [10, 20, 30, 40, 50, 60].entries()) {
      expect(maxRelDiff(await gpu.forward(t, pos), await cpu.forward(t, pos))).toBeLessThan(1e-4);
    }
    expect(onGpu.counters.layers[1].ffnTokens).toBe(0);
    cpu.dispose(); gpu.dispose();
  }, 300_000);

  describeWithShared('stories260K', ['models/stories260K.bin', 'models/tok512.bin'], ([model, tok]) => {
    it('stories260K with CHESS w/ at k = 0.5 (as --ffn chess): 48 greedy tokens identical to wasm', async () => {
      const bytes = new Uint8Array(readFileSync(model));
      const tokenizer = loadTokenizer(new Uint8Array(readFileSync(tok)), { vocabSize: 512 });
      const cpu = loadLlama2c(bytes, { kernels: await createKernels({ backend: 'wasm' }) });
      const gpu = loadLlama2c(bytes, { kernels: await createKernels({ backend: 'webgpu', cpuThreshold: 0 }) });
      const calibration = tokenizer.encode('The cat sat on a big red box. She was happy and played with her ball all day.', { bos: true });
      const th = await calibrate(cpu, calibration, 0.5);
      const onCpu = sparsityComponents(th, { attention: true }), onGpu = sparsityComponents(th, { attention: true });
      await cpu.use({ ffn: onCpu.ffn, projections: onCpu.projections });
      await gpu.use({ ffn: onGpu.ffn, projections: onGpu.projections });
      const got = await generate(gpu, tokenizer, { temperature: 0, maxTokens: 48 });
      const want = await generate(cpu, tokenizer, { temperature: 0, maxTokens: 48 });
      expect(got.generated).toEqual(want.generated);
      expect(got.generated.length).toBe(48);
      expect(onGpu.counters.layers[0].ffnTokens).toBe(0);
      expect(onCpu.counters.layers[0].ffnTokens).toBe(48);
      cpu.dispose(); gpu.dispose();
    }, 600_000);
  });
});

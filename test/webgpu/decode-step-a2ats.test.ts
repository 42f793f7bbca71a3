/**
 * A²ATS inside the WebGPU decode step's one submission (decode/a2ats.ts): a model on webgpu
 * hosting a RetrievalKvCache ('a2ats', query-aware codebooks; 'vq-wrope', plain ones) runs the
 * coding, lookup-table scores, per-head top-k, GQA union and attention over the selection on the
 * GPU — the cache itself is never called (its counters stay empty) — and gives the logits and
 * greedy tokens of the same model and cache on wasm (the CPU path: argminL2 codes, gemv +
 * lutGather scores, topKSelectRows, selectiveAttention).
 *
 * Tolerance on logits: max |gpu − wasm| ≤ 1e-4 · max |wasm logit| per step (float32 sums in
 * another order, as the dense step is held to). A selection could differ only where two table
 * entries or two centroid distances agree to float32 rounding; random centroids put them far
 * apart at these sizes. Greedy tokens must be identical.
 */
import { expect, it } from 'vitest';
import { webgpuMissing } from '../../src/backends/webgpu/device.js';
import { createKernels } from '../../src/backends/create-kernels.js';
import { randomLlama } from '../../src/llama/random-llama.js';
import type { LlamaModel } from '../../src/llama/model.js';
import { Rng } from '../../src/core/rng.js';
import { Codebook } from '../../src/kvcache/codebook.js';
import { CodebookSet } from '../../src/kvcache/codebook-set.js';
import { RetrievalKvCache, type RetrievalKvCacheOptions } from '../../src/kvcache/retrieval-kv-cache.js';
import type { Budget } from '../../src/kvcache/budget.js';
import { describeWithRuntime } from '../runtimes/harness.js';

const missing = await webgpuMissing();

function maxRelDiff(got: Float32Array, want: Float32Array): number {
  let scale = 0, diff = 0;
  for (let i = 0; i < want.length; i++) { scale = Math.max(scale, Math.abs(want[i])); diff = Math.max(diff, Math.abs(got[i] - want[i])); }
  return diff / Math.max(scale, 1e-30);
}

/** Random codebooks for every (layer, KV head): normal centroids; query-aware ones get a random Cholesky factor. */
function codebooks(m: LlamaModel, size: number, queryAware: boolean, seed: number): CodebookSet {
  const c = m.config, d = c.headDim, rng = new Rng(seed);
  const books = Array.from({ length: c.nLayers * c.nKvHeads }, () => {
    let factor: Float32Array | null = null;
    if (queryAware) {
      factor = new Float32Array(d * d);
      for (let i = 0; i < d; i++) for (let j = 0; j <= i; j++) factor[i * d + j] = i === j ? 0.5 + rng.uniform() : 0.3 * rng.normal();
    }
    return new Codebook(d, size, Float32Array.from({ length: size * d }, () => 0.5 * rng.normal()), factor);
  });
  return new CodebookSet({ nLayers: c.nLayers, nKvHeads: c.nKvHeads, headDim: d, size, kind: queryAware ? 'query-aware' : 'plain',
    wrope: { window: 4, distance: 20, base: c.ropeBase, pairing: c.ropePairing }, calibrationTokens: 0, calibrationQueries: 0 }, books);
}

/**
 * Feed `prompt` and then decode greedily to seqLen on both models, each hosting its own cache of
 * `options`; logits compared at every prompt position, tokens over the rest.
 */
async function compare(cpu: LlamaModel, gpu: LlamaModel, options: () => RetrievalKvCacheOptions, prompt: number): Promise<void> {
  const onCpu = new RetrievalKvCache(options()), onGpu = new RetrievalKvCache(options());
  await cpu.use({ kv: onCpu });
  await gpu.use({ kv: onGpu });
  const V = cpu.config.vocabSize;
  for (let pos = 0; pos < prompt; pos++) {
    const t = (pos * 13 + 1) % V;
    const want = await cpu.forward(t, pos);
    expect(maxRelDiff(await gpu.forward(t, pos), want), `pos ${pos}`).toBeLessThan(1e-4);
  }
  let a = (prompt * 13 + 1) % V, b = a;
  const got: number[] = [], want: number[] = [];
  for (let pos = prompt; pos < cpu.config.seqLen; pos++) {
    a = await gpu.forwardGreedy(a, pos); got.push(a);
    b = await cpu.forwardGreedy(b, pos); want.push(b);
  }
  expect(got).toEqual(want);
  // The GPU ran the selection itself; the CPU cache attended every step, keeping its budget.
  expect(onGpu.stats().attendCalls).toBe(0);
  const s = onCpu.stats();
  expect(s.attendCalls).toBe(cpu.config.seqLen * cpu.config.nLayers * cpu.config.nKvHeads);
  expect(s.realizedBudget).toBeLessThan(0.8);
}

describeWithRuntime('webgpu decode step: A²ATS retrieval inside the submission', missing, () => {
  const SHAPE = { dim: 96, hiddenDim: 160, nLayers: 2, nHeads: 4, nKvHeads: 2, vocabSize: 80, seqLen: 48, ropePairing: 'half' as const };
  const base = (set: CodebookSet, budget: Budget): RetrievalKvCacheOptions => ({ method: 'a2ats', codebooks: { queryAware: set }, window: 4, sinks: 2, budget });

  for (const budget of [{ mode: 'perHead', fraction: 0.2 }, { mode: 'total', fraction: 0.3 }] as const) {
    it(`query-aware codebooks, budget ${budget.mode}: the wasm model's logits and greedy tokens`, async () => {
      const cpu = randomLlama(SHAPE, { kernels: await createKernels({ backend: 'wasm' }), seed: 3, scale: 1.5 });
      const gpu = randomLlama(SHAPE, { kernels: await createKernels({ backend: 'webgpu', cpuThreshold: 0 }), seed: 3, scale: 1.5 });
      const set = codebooks(cpu, 40, true, 7);
      await compare(cpu, gpu, () => base(set, budget), 30);
      cpu.dispose(); gpu.dispose();
    }, 300_000);
  }

  it('plain VQ + WRoPE, 300 centroids (two rank blocks), 300 tokens (two mark blocks), adjacent pairs', async () => {
    const shape = { dim: 32, hiddenDim: 48, nLayers: 1, nHeads: 4, nKvHeads: 1, vocabSize: 40, seqLen: 300, ropePairing: 'adjacent' as const };
    const cpu = randomLlama(shape, { kernels: await createKernels({ backend: 'wasm' }), seed: 4, scale: 1.5 });
    const gpu = randomLlama(shape, { kernels: await createKernels({ backend: 'webgpu', cpuThreshold: 0 }), seed: 4, scale: 1.5 });
    const set = codebooks(cpu, 300, false, 9);
    await compare(cpu, gpu, () => ({ method: 'vq-wrope', codebooks: { plain: set }, window: 8, sinks: 3, budget: { mode: 'total', fraction: 0.1 } }), 280);
    cpu.dispose(); gpu.dispose();
  }, 600_000);

  it('a rewind re-codes from the rewound position (the same logits as a fresh run)', async () => {
    const gpu = randomLlama(SHAPE, { kernels: await createKernels({ backend: 'webgpu', cpuThreshold: 0 }), seed: 5 });
    const cpu = randomLlama(SHAPE, { kernels: await createKernels({ backend: 'wasm' }), seed: 5 });
    const set = codebooks(cpu, 16, true, 11);
    await gpu.use({ kv: new RetrievalKvCache(base(set, { mode: 'perHead', fraction: 0.25 })) });
    await cpu.use({ kv: new RetrievalKvCache(base(set, { mode: 'perHead', fraction: 0.25 })) });
    const tokens = Array.from({ length: 24 }, (_, i) => (i * 7 + 2) % SHAPE.vocabSize);
    for (let pos = 0; pos < 24; pos++) await gpu.forward(tokens[pos], pos);
    // Rewind to 12 on the GPU with other tokens, then compare with a CPU run of the same sequence.
    const other = tokens.map((t, i) => (i < 12 ? t : (t + 5) % SHAPE.vocabSize));
    for (let pos = 12; pos < 24; pos++) await gpu.forward(other[pos], pos);
    for (let pos = 0; pos < 24; pos++) {
      const want = await cpu.forward(other[pos], pos);
      if (pos === 23) expect(maxRelDiff(await gpu.forward(other[pos], pos), want)).toBeLessThan(1e-4);
    }
    cpu.dispose(); gpu.dispose();
  }, 300_000);
});

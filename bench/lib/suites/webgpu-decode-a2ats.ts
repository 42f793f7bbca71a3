/**
 * A²ATS inside the one-submission decode step (part of the webgpu suite): greedy decode steps of
 * a one-layer float32 model with the kvcache suite's attention shape (32 query / 8 KV heads,
 * d = 128, so dim 4096; hidden 32 and vocabulary 64, so the step is mostly attention) at n
 * tokens of context, whose KV cache is a RetrievalKvCache ('a2ats': 1024 random query-aware
 * centroids, per-head ρ = 0.03 with GQA union, w = 64, s = 8), next to in the same run:
 * - the same model with the dense cache at n (dense GPU attention inside the same submission);
 * - the dense model at 16 tokens of context: the step's non-attention part (Wq/Wk/Wv/Wo, 0.17 GB);
 * - wasm's A²ATS step at the same shape and n: TwoTierKvCache.attend on the kvcache suite's data
 *   (decodeStepSetup: the selection and attention of one layer, no projections).
 * The ratio to wasm divides wasm's attention-only step by the GPU's whole token (projections
 * included), so it understates the GPU's attention speedup; the attention-part ratio subtracts
 * the 16-token step from both GPU steps.
 *
 * Sizes: n = 32768 on a hardware GPU, 8192 with `quick`; on a software adapter 4 / 2 heads of
 * 32, 64 centroids, n = 256 (correctness in a real WebGPU stack, not speed).
 */
import type { CpuKernels, Kernels } from '../../../src/kernels/kernels.js';
import type { LlamaShape } from '../../../src/llama/config.js';
import type { LlamaModel } from '../../../src/llama/model.js';
import { randomLlama } from '../../../src/llama/random-llama.js';
import { Rng } from '../../../src/core/rng.js';
import { Codebook } from '../../../src/kvcache/codebook.js';
import { CodebookSet } from '../../../src/kvcache/codebook-set.js';
import { RetrievalKvCache } from '../../../src/kvcache/retrieval-kv-cache.js';
import { TwoTierKvCache } from '../../../src/kvcache/two-tier/two-tier-cache.js';
import { sink, type BenchTask, type RatioSpec } from '../harness.js';
import { fill, stepAt } from './webgpu-decode.js';
import { decodeStepSetup } from './kvcache.js';

const SHORT = 16;

export interface GpuDecodeA2atsBench { tasks: BenchTask[]; ratios: RatioSpec[]; notes: string[]; dispose(): Promise<void> }

/** Random query-aware codebooks (identity factor) for every KV head of every layer. */
function randomCodebooks(shape: LlamaShape, size: number, window: number, seed: number): CodebookSet {
  const d = shape.dim / shape.nHeads, rng = new Rng(seed), nKv = shape.nKvHeads ?? shape.nHeads;
  const eye = new Float32Array(d * d);
  for (let i = 0; i < d; i++) eye[i * d + i] = 1;
  const books = Array.from({ length: shape.nLayers * nKv }, () => new Codebook(d, size, Float32Array.from({ length: size * d }, () => 0.1 * rng.normal()), eye));
  return new CodebookSet({ nLayers: shape.nLayers, nKvHeads: nKv, headDim: d, size, kind: 'query-aware',
    wrope: { window, distance: 2048, base: shape.ropeBase ?? 10000, pairing: shape.ropePairing ?? 'half' }, calibrationTokens: 0, calibrationQueries: 0 }, books);
}

export async function gpuDecodeA2atsBench(gpu: Kernels, wasm: CpuKernels, mode: 'full' | 'quick' | 'software', wasmLabel: string,
  name: (kernel: string, backend: string, shape: string) => string): Promise<GpuDecodeA2atsBench> {
  const software = mode === 'software';
  const n = software ? 256 : mode === 'quick' ? 8192 : 32768;
  const size = software ? 64 : 1024;
  const setup = decodeStepSetup(n, size);
  const heads = software ? { nHeads: 4, nKvHeads: 2, dim: 128 } : { nHeads: setup.nH, nKvHeads: setup.nKv, dim: setup.nH * setup.d };
  const shape: LlamaShape = { ...heads, hiddenDim: 32, nLayers: 1, vocabSize: 64, seqLen: n + 1, ropePairing: 'half' };
  const { rho, window, sinks } = setup;
  const label = `${heads.nHeads}x${heads.nKvHeads}x${heads.dim / heads.nHeads}_L1`;
  const models: LlamaModel[] = [];
  let cpuCache: TwoTierKvCache | null = null;
  const dispose = async () => { for (const m of models) m.dispose(); await cpuCache?.dispose(); };
  try {
    const keep = (m: LlamaModel) => { models.push(m); return m; };
    const dense = keep(randomLlama(shape, { kernels: gpu, seed: 18 }));
    const a2ats = keep(randomLlama(shape, { kernels: gpu, seed: 18 }));
    const short = keep(randomLlama(shape, { kernels: gpu, seed: 18 })); // a step moves the context: one model per position
    const set = randomCodebooks(shape, size, window, 2502);
    const kv = new RetrievalKvCache({ method: 'a2ats', codebooks: { queryAware: set }, window, sinks, budget: { mode: 'perHead', fraction: rho } });
    await a2ats.use({ kv });
    const t0 = performance.now();
    await fill(a2ats, n);
    await fill(dense, n);
    await fill(short, SHORT);
    const fillS = (performance.now() - t0) / 1000;
    // The greedy tokens at n differ from the dense model's only through the selection; the cache itself must never be called.
    const notes = [
      `A²ATS decode step ${label} n=${n}: prefill of ${n} tokens on both GPU models took ${fillS.toFixed(1)} s`,
      `${kv.stats().attendCalls === 0 ? 'PASS' : 'FAIL'} A²ATS decode step: the selection ran inside the submission (RetrievalKvCache attend calls: ${kv.stats().attendCalls})`,
    ];
    // wasm's A²ATS step at the kvcache suite's shape and this n (selection + attention of one layer).
    if (!software) {
      cpuCache = await TwoTierKvCache.create(wasm, setup.options);
      const w = setup.nKv * setup.d, B = 1024, kB = new Float32Array(B * w), vB = new Float32Array(B * w);
      for (let a = 0; a < n; a += B) {
        const m = Math.min(B, n - a);
        for (let t = 0; t < m; t++) setup.token(a + t, kB.subarray(t * w, (t + 1) * w), vB.subarray(t * w, (t + 1) * w));
        await cpuCache.appendMany(kB.subarray(0, m * w), vB.subarray(0, m * w), m);
      }
    }
    const tasks: BenchTask[] = [];
    const a = name('llama-decode-greedy-a2ats', 'webgpu', `${label}_n${n}_rho${rho}`);
    const dn = name('llama-decode-greedy-dense-attn', 'webgpu', `${label}_n${n}`);
    const ds = name('llama-decode-greedy-dense-attn', 'webgpu', `${label}_n${SHORT}`);
    const wa = name('a2ats-decode-step', wasmLabel, `${setup.nH}x${setup.nKv}x${setup.d}_n${n}_rho${rho}`);
    tasks.push({ name: a, fn: stepAt(a2ats, n, true), note: `forwardGreedy at position ${n}: A²ATS selection and attention in the one submission` });
    tasks.push({ name: dn, fn: stepAt(dense, n, true), note: `forwardGreedy at position ${n}: dense attention in the one submission` });
    tasks.push({ name: ds, fn: stepAt(short, SHORT, true), note: `forwardGreedy at position ${SHORT}: the step without (much) attention` });
    const out = new Float32Array(setup.nH * setup.d);
    if (cpuCache) {
      const c = cpuCache;
      tasks.push({ name: wa, fn: async () => { sink((await c.attend(setup.qPre, out)).pos); }, note: 'TwoTierKvCache.attend (selection + attention, one layer)' });
    }
    const r = (x: string, y: string) => (t: (k: string) => { medianMs: number }) => t(x).medianMs / t(y).medianMs;
    const ratios: RatioSpec[] = [
      { name: `decode step ${label} n=${n}: A²ATS vs dense attention, whole step (webgpu)`, unit: 'x', value: r(dn, a) },
      { name: `decode step ${label} n=${n}: A²ATS vs dense attention, attention part ((dense − n${SHORT}) / (a2ats − n${SHORT}), webgpu)`, unit: 'x',
        value: (t) => (t(dn).medianMs - t(ds).medianMs) / (t(a).medianMs - t(ds).medianMs) },
    ];
    if (cpuCache) {
      ratios.push({ name: `A²ATS decode step n=${n}: webgpu whole token (in the submission) vs wasm attention step`, unit: 'x', value: r(wa, a),
        target: mode === 'full' ? 3 : undefined, note: 'GPU time includes the layer\'s projections' });
    }
    return { tasks, ratios, notes, dispose };
  } catch (e) {
    await dispose();
    throw e;
  }
}

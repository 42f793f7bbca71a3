/**
 * The CHESS FFN inside the one-submission decode step (part of the webgpu suite): greedy decode
 * steps of float32 models whose FFN is a ChessFfn at k = 0.5, next to the same models with the
 * dense FFN, measured in the same run:
 * - an FFN-dominated model with Llama-3-8B's layer shape (dim 4096, hidden 14336, 32/8 heads;
 *   2 layers, vocab 256; hidden 7168 with quick), where the FFN is 81% of the weights read;
 * - the same model with hidden 32 (an FFN that costs ~nothing): subtracting its step time from
 *   both gives the FFN's own time, so the ratio (dense − none) / (chess − none) is the FFN's
 *   speedup inside the submission (target ≥ 1.3x; bandwidth bound 3/(1 + 2ρ) = 1.5x at ρ = 0.5);
 * - stories110M's shapes (full runs only): the whole-token effect on a small real-shaped model.
 * On a software adapter the shapes are small (correctness, not speed).
 *
 * Thresholds: randomLlama's W1 rows are uniform in ±1/√dim and the normed FFN input has Σn² = dim,
 * so every gate pre-activation a_i has variance 1/3 whatever the token; one threshold t with
 * P(|SiLU(a)| ≥ t) = 1/2 for a ~ N(0, 1/3), given to every channel (a CHESS file whose channels
 * agree), keeps about half. The kept fraction is checked on the GPU component (its counters).
 */
import type { CpuKernels, Kernels } from '../../../src/kernels/kernels.js';
import type { LlamaShape } from '../../../src/llama/config.js';
import type { LlamaModel } from '../../../src/llama/model.js';
import { randomLlama } from '../../../src/llama/random-llama.js';
import { ChessFfn } from '../../../src/activations/gated-ffn.js';
import { silu } from '../../../src/activations/sparse-swiglu.js';
import type { ActivationThresholds } from '../../../src/activations/thresholds.js';
import { Rng } from '../../../src/core/rng.js';
import type { BenchTask, RatioSpec } from '../harness.js';
import { fill, stepAt } from './webgpu-decode.js';
import { STORIES_110M } from './llama.js';

const K = 0.5;
const CONTEXT = 16;

/** Llama-3-8B's layer (2 of them), a small vocabulary: the step is mostly FFN. */
const FFN_8B: LlamaShape = { dim: 4096, hiddenDim: 14336, nLayers: 2, nHeads: 32, nKvHeads: 8, vocabSize: 256, seqLen: 64, ropePairing: 'half' };
const SMALL: LlamaShape = { dim: 128, hiddenDim: 384, nLayers: 2, nHeads: 4, nKvHeads: 2, vocabSize: 64, seqLen: 32, ropePairing: 'half' };

/** t with P(|SiLU(a)| ≥ t) = 1 − k for a ~ N(0, σ²), by 2¹⁸ seeded samples. */
export function siluMagnitudeQuantile(sigma: number, k: number): number {
  const rng = new Rng(2409);
  const v = Float64Array.from({ length: 1 << 18 }, () => Math.abs(silu(sigma * rng.normal())));
  v.sort();
  return v[Math.floor(k * v.length)];
}

/** A CHESS thresholds record giving every channel of every layer the threshold t. */
function uniformChess(shape: LlamaShape, t: number): ActivationThresholds {
  return {
    metadata: { model: 'randomLlama', method: 'chess-sq', sparsity: K, tokens: 0, quantile: 'exact',
      nLayers: shape.nLayers, dim: shape.dim, hiddenDim: shape.hiddenDim },
    layers: Array.from({ length: shape.nLayers }, () => ({ aGate: new Float64Array(shape.hiddenDim).fill(t), inputs: {} })),
  };
}

export interface GpuDecodeChessBench { tasks: BenchTask[]; ratios: RatioSpec[]; notes: string[]; dispose(): void }

export async function gpuDecodeChessBench(gpu: Kernels, _wasm: CpuKernels, mode: 'full' | 'quick' | 'software',
  name: (kernel: string, backend: string, shape: string) => string): Promise<GpuDecodeChessBench> {
  const models: LlamaModel[] = [];
  const keep = (m: LlamaModel) => { models.push(m); return m; };
  const tasks: BenchTask[] = [], ratios: RatioSpec[] = [], notes: string[] = [];
  const t = siluMagnitudeQuantile(1 / Math.sqrt(3), K);
  try {
    const main = mode === 'software' ? SMALL : mode === 'quick' ? { ...FFN_8B, hiddenDim: 7168 } : FFN_8B;
    const mainLabel = `${mode === 'software' ? 'small' : 'llama3-8B-layers'}-${main.hiddenDim}x${main.dim}-L${main.nLayers}`;
    const shapes: [LlamaShape, string, boolean][] = [[main, mainLabel, true]];
    if (mode === 'full') shapes.push([STORIES_110M, '110M-shapes', false]);
    for (const [shape, label, withNoFfn] of shapes) {
      const dense = keep(randomLlama(shape, { kernels: gpu, seed: 18 }));
      const chess = keep(randomLlama(shape, { kernels: gpu, seed: 18 }));
      const ffn = new ChessFfn(uniformChess(shape, t));
      await chess.use({ ffn });
      // The kept fraction of one N(0, 1) input through the component's own call (its counters).
      {
        const x = gpu.allocF32(shape.dim), out = gpu.allocF32(shape.dim);
        const rng = new Rng(7);
        x.write(Float32Array.from({ length: shape.dim }, () => rng.normal()));
        await ffn.forward(0, x, out);
        const c = ffn.counters.layers[0];
        const kept = (c.weightsRead - shape.dim * shape.hiddenDim) / (2 * shape.dim);
        ffn.counters.reset();
        x.dispose(); out.dispose();
        const frac = kept / shape.hiddenDim;
        notes.push(`${Math.abs(frac - (1 - K)) < 0.05 ? 'PASS' : 'FAIL'} CHESS decode ${label}: threshold ${t.toPrecision(4)} keeps ${(100 * frac).toFixed(1)}% of layer 0's channels for an N(0,1) input (want ${100 * (1 - K)}% ± 5)`);
      }
      const d = name('llama-decode-greedy-dense-ffn', 'webgpu', `${label}-ctx${CONTEXT}`);
      const c = name('llama-decode-greedy-chess-ffn', 'webgpu', `${label}-ctx${CONTEXT}_k${K}`);
      const ffnBytes = 3 * shape.dim * shape.hiddenDim * shape.nLayers * 4;
      const denseBytes = dense.weightBytesPerToken;
      tasks.push({ name: d, bytes: denseBytes, fn: stepAt(dense, CONTEXT, true), setup: () => fill(dense, CONTEXT), note: 'forwardGreedy, dense FFN, one submission' });
      tasks.push({ name: c, bytes: denseBytes - ffnBytes * (1 - (1 + 2 * (1 - K)) / 3), fn: stepAt(chess, CONTEXT, true), setup: () => fill(chess, CONTEXT),
        note: `forwardGreedy, CHESS FFN at k = ${K} in the same submission (bytes: at the nominal kept fraction)` });
      ratios.push({ name: `decode step ${label}: CHESS FFN k=${K} vs dense FFN, whole step (webgpu)`, unit: 'x', value: (r) => r(d).medianMs / r(c).medianMs });
      if (!withNoFfn) continue;
      const none = keep(randomLlama({ ...shape, hiddenDim: 32 }, { kernels: gpu, seed: 18 }));
      const n = name('llama-decode-greedy-hidden32', 'webgpu', `${label}-ctx${CONTEXT}`);
      tasks.push({ name: n, fn: stepAt(none, CONTEXT, true), setup: () => fill(none, CONTEXT), note: 'the same step with a 32-wide FFN: the non-FFN part' });
      ratios.push({ name: `decode step ${label}: CHESS FFN k=${K} vs dense FFN, FFN part only ((dense − hidden32) / (chess − hidden32), webgpu)`, unit: 'x',
        value: (r) => (r(d).medianMs - r(n).medianMs) / (r(c).medianMs - r(n).medianMs), target: mode === 'full' ? 1.3 : undefined, note: 'bandwidth bound 1.5x' });
    }
    return { tasks, ratios, notes, dispose: () => { for (const m of models) m.dispose(); } };
  } catch (e) {
    for (const m of models) m.dispose();
    throw e;
  }
}

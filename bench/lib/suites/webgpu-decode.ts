/**
 * The one-submission decode step on the GPU (part of the webgpu suite), beside wasm and the
 * same-run streaming-read roofline:
 * - greedy decoding of the 110M-shaped float32 model (forwardGreedy: the argmax on the GPU, 4 bytes
 *   read back instead of the logits);
 * - a SmolLM2-135M-shaped model in GGUF's formats (Q4_1 layer matrices, Q8_0 embedding tied to the
 *   classifier) at 128 and 4096 tokens of context: every step attends over that many cached rows.
 *
 * The quantized model's weights are random blocks of the real model's shape and formats, built
 * where the benchmark runs: the real GGUF (98 MB) is over what a device run carries (64 MiB), and
 * decode speed depends only on shapes and formats. wasm runs its default int8 activations (its
 * fast path); the check compares GPU logits with wasm's float32-activation model (same weights).
 */
import type { CpuKernels, Kernels } from '../../../src/kernels/kernels.js';
import { randomLlama } from '../../../src/llama/random-llama.js';
import { LlamaModel } from '../../../src/llama/model.js';
import { WeightLayout, type WeightFormats } from '../../../src/llama/weight-layout.js';
import { makeConfig, type LlamaShape } from '../../../src/llama/config.js';
import { lcg, randomQuantizedRows } from '../../../test/_harness/quantized-rows.js';
import type { BenchTask, RatioSpec } from '../harness.js';
import { STORIES_110M } from './llama.js';

/** SmolLM2-135M's shape (its GGUF: 30 layers, 9 query / 3 KV heads of 64, vocab 49152). */
export const SMOLLM2_135M: LlamaShape = { dim: 576, hiddenDim: 1536, nLayers: 30, nHeads: 9, nKvHeads: 3, vocabSize: 49152,
  seqLen: 4096 + 64, ropePairing: 'adjacent', ropeBase: 100000, sharedClassifier: true };
/** SmolLM2's GGUF formats (Q4_1 file). */
export const SMOLLM2_FORMATS: WeightFormats = { tokEmb: 'Q8_0', wq: 'Q4_1', wk: 'Q4_1', wv: 'Q4_1', wo: 'Q4_1', w1: 'Q4_1', w2: 'Q4_1', w3: 'Q4_1' };
const SMALL_Q: LlamaShape = { dim: 64, hiddenDim: 128, nLayers: 2, nHeads: 4, nKvHeads: 2, vocabSize: 256, seqLen: 160,
  ropePairing: 'adjacent', sharedClassifier: true };

let sinkValue = 0;
function sink(v: number): void { sinkValue = (sinkValue + v) | 0; }

/** A model of `shape` with random blocks in `formats` (finite scales), float tensors in ±0.1, norms 1. */
export function randomQuantizedLlama(shape: LlamaShape, formats: WeightFormats, kernels: Kernels, activations: 'int8' | 'f32', seed = 1): LlamaModel {
  return LlamaModel.create(makeConfig(shape), kernels, (all, layout, words) => {
    const rand = lcg(seed);
    for (let i = 0; i < all.length; i++) all[i] = (rand() - 0.5) * 0.2;
    for (const slot of [layout.tokEmb, ...layout.layers.flatMap((l) => Object.values(l))]) {
      if (slot.format) words.set(randomQuantizedRows(slot.format, slot.rows, slot.cols, lcg(seed + slot.offset), 1 / 32), slot.offset);
    }
    for (const l of layout.layers) { WeightLayout.view(all, l.rmsAtt).fill(1); WeightLayout.view(all, l.rmsFfn).fill(1); }
    WeightLayout.view(all, layout.rmsFinal).fill(1);
  }, formats, { activations });
}

/** One decode step at a fixed context: token at position `context` again and again (row `context` is rewritten). */
export function stepAt(model: LlamaModel, context: number, greedy: boolean): () => Promise<void> {
  let token = 1;
  return async () => {
    token = (token * 7 + 3) % model.config.vocabSize;
    sink(greedy ? await model.forwardGreedy(token, context) : (await model.forward(token, context))[0]);
  };
}

/** Fill the cache with `n` prompt tokens (positions 0..n−1). */
export async function fill(model: LlamaModel, n: number): Promise<void> {
  await model.prefill(Array.from({ length: n }, (_, i) => (i * 31 + 7) % model.config.vocabSize));
}

function maxRel(got: Float32Array, want: Float32Array): number {
  let scale = 0, diff = 0;
  for (let i = 0; i < want.length; i++) { scale = Math.max(scale, Math.abs(want[i])); diff = Math.max(diff, Math.abs(got[i] - want[i])); }
  return diff / Math.max(scale, 1e-30);
}

export interface GpuDecodeBench { tasks: BenchTask[]; ratios: RatioSpec[]; notes: string[]; dispose(): void }

/**
 * `mode`: 'full' (hardware GPU: 110M shapes, SmolLM2 shape at 128 and 4096), 'quick' (the same
 * without wasm at 4096), 'software' (a small quantized model; correctness, not speed).
 */
export async function gpuDecodeBench(gpu: Kernels, wasm: CpuKernels, mode: 'full' | 'quick' | 'software', wasmLabel: string,
  name: (kernel: string, backend: string, shape: string) => string, roofline: string): Promise<GpuDecodeBench> {
  const models: LlamaModel[] = [];
  const keep = (m: LlamaModel) => { models.push(m); return m; };
  const tasks: BenchTask[] = [], ratios: RatioSpec[] = [], notes: string[] = [];
  const big = mode !== 'software';
  try {
    // Greedy float32 decoding (stories110M shapes): the argmax on the GPU.
    const f32Shape = big ? STORIES_110M : { ...SMALL_Q, sharedClassifier: false };
    const f32Label = big ? '110M-shapes' : 'small-f32';
    const f32 = keep(randomLlama(f32Shape, { kernels: gpu, seed: 110 }));
    await fill(f32, 16);
    const greedyTask = name('llama-decode-greedy', 'webgpu', `${f32Label}-ctx16`);
    tasks.push({ name: greedyTask, bytes: f32.weightBytesPerToken, fn: stepAt(f32, 16, true), note: 'forwardGreedy: one submission, 4 bytes read back' });
    ratios.push({ name: `llama greedy decode ${f32Label} (webgpu): tokens/s`, unit: 'tok/s', value: (t) => 1000 / t(greedyTask).medianMs });
    ratios.push({ name: `llama greedy decode ${f32Label} (webgpu): weight bandwidth / streaming-read roofline`, unit: 'of roofline',
      value: (t) => t(greedyTask).gbPerS! / t(roofline).gbPerS! });

    // The quantized model at two contexts.
    const qShape = big ? SMOLLM2_135M : SMALL_Q;
    const qLabel = big ? 'SmolLM2-135M-Q4_1' : 'small-Q4_1';
    // One model per backend and context: the harness sets every task up before it measures any,
    // so models shared between contexts would be cut back to the shorter one (a step at position c
    // keeps c + 1 cached tokens).
    const qModel = (k: Kernels, activations: 'int8' | 'f32') => keep(randomQuantizedLlama(qShape, SMOLLM2_FORMATS, k, activations));
    const probe = qModel(gpu, 'f32'), check = randomQuantizedLlama(qShape, SMOLLM2_FORMATS, wasm, 'f32');
    try {
      const got = (await probe.prefill([5, 9, 13])).slice(), want = await check.prefill([5, 9, 13]);
      const err = maxRel(got, want);
      notes.push(`${err <= 1e-4 ? 'PASS' : 'FAIL'} ${qLabel} decode: max |gpu − wasm (f32 activations)| / max|logit| after 3 tokens: ${err.toExponential(2)} (limit 1e-4)`);
    } finally {
      check.dispose();
    }
    const bytes = probe.weightBytesPerToken;
    notes.push(`${qLabel}: ${(bytes / 1e6).toFixed(1)} MB of weights streamed per token`);
    const contexts = big ? [128, 4096] : [16, 130];
    contexts.forEach((context, i) => {
      const withWasm = !(mode === 'quick' && context > 1000);
      const shape = `${qLabel}-ctx${context}`;
      const g = name('llama-decode-greedy', 'webgpu', shape), w = name('llama-decode', wasmLabel, shape);
      // Each task fills its model's cache to its context first (setup); a step rewrites row `context` and reads rows 0..context.
      const gpuModel = i === 0 ? probe : qModel(gpu, 'f32');
      tasks.push({ name: g, bytes, fn: stepAt(gpuModel, context, true), setup: () => fill(gpuModel, context),
        note: `forwardGreedy at ${context} cached tokens` });
      ratios.push({ name: `${shape}: webgpu tokens/s`, unit: 'tok/s', value: (t) => 1000 / t(g).medianMs });
      ratios.push({ name: `${shape} (webgpu): weight bandwidth / streaming-read roofline`, unit: 'of roofline', value: (t) => t(g).gbPerS! / t(roofline).gbPerS! });
      if (!withWasm) return;
      const wasmModel = qModel(wasm, 'int8');
      tasks.push({ name: w, bytes, fn: stepAt(wasmModel, context, true), setup: () => fill(wasmModel, context), note: 'int8 activations' });
      ratios.push({ name: `${shape}: webgpu vs wasm`, unit: 'x', value: (t) => t(w).medianMs / t(g).medianMs });
    });
    return { tasks, ratios, notes, dispose: () => { for (const m of models) m.dispose(); } };
  } catch (e) {
    for (const m of models) m.dispose();
    throw e;
  }
}

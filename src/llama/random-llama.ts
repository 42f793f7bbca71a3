/**
 * A Llama model with seeded random weights, for benchmarks and tests that need a given shape
 * (e.g. stories110M: dim 768, hidden 2048, 12 layers, 12 heads, vocab 32000, seq_len 1024)
 * without a checkpoint. Matrices are uniform in ±scale/√in (so activations keep a sane scale),
 * norm weights are 1. Values are written straight into resident memory.
 *
 * @example
 * const model = randomLlama({ dim: 768, hiddenDim: 2048, nLayers: 12, nHeads: 12, nKvHeads: 12,
 *   vocabSize: 32000, seqLen: 1024 }, { kernels, seed: 1 });
 */
import { Rng } from '../core/rng.js';
import { checkInt, checkNumber } from '../core/validate.js';
import type { CpuKernels, Kernels } from '../kernels/kernels.js';
import { badArgument } from '../core/errors.js';
import { makeConfig, type LlamaShape } from './config.js';
import { LlamaModel, type KvType } from './model.js';
import { LAYER_TENSORS, WeightLayout } from './weight-layout.js';
import { checkOptions, optionKeys } from '../core/options.js';

export interface RandomLlamaOptions {
  /** The model's kernels, of any backend (CPU or WebGPU). */
  kernels: Kernels;
  seed?: number;
  /** Uniform half-width is scale/√fan_in (default 1). */
  scale?: number;
  /** How the KV cache stores its rows: 'f32' (default) or 'f16' (see KvType). */
  kvType?: KvType;
}

/** Every key of RandomLlamaOptions, for checkOptions. */
export const RANDOM_LLAMA_KEYS = optionKeys<RandomLlamaOptions>({ kernels: true, seed: true, scale: true, kvType: true });

export function randomLlama(shape: LlamaShape, opts: RandomLlamaOptions): LlamaModel {
  opts = checkOptions('randomLlama options', opts, RANDOM_LLAMA_KEYS);
  if (!opts?.kernels || typeof opts.kernels.allocF32 !== 'function') throw badArgument('opts.kernels must be a Kernels object');
  const config = makeConfig(shape);
  const rng = new Rng(checkInt('seed', opts.seed ?? 0, 0));
  const scale = checkNumber('scale', opts.scale ?? 1, 0, 1e6);
  const fillUniform = (a: Float32Array, halfWidth: number) => {
    // 32 random bits per weight: enough resolution, and 2x faster than rng.uniform().
    const k = (2 * halfWidth) / 4294967296;
    for (let i = 0; i < a.length; i++) a[i] = rng.nextU32() * k - halfWidth;
  };
  return LlamaModel.create(config, opts.kernels, (all, layout) => {
    fillUniform(WeightLayout.view(all, layout.tokEmb), scale);
    for (const slots of layout.layers) {
      for (const t of LAYER_TENSORS) {
        const s = slots[t];
        const v = WeightLayout.view(all, s);
        if (s.rows === 1) v.fill(1);
        else fillUniform(v, scale / Math.sqrt(s.cols));
      }
    }
    WeightLayout.view(all, layout.rmsFinal).fill(1);
    if (!config.sharedClassifier) fillUniform(WeightLayout.view(all, layout.wcls), scale / Math.sqrt(config.dim));
  }, {}, { kvType: opts.kvType });
}

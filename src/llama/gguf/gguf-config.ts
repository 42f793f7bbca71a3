/**
 * The Llama configuration stored in a GGUF file's `<architecture>.*` metadata keys
 * (llama.cpp's convert_hf_to_gguf.py writes them; names as in gguf-py's constants).
 *
 * RoPE pairing: llama.cpp permutes the rows of Hugging Face's q and k projections when it
 * converts a Llama checkpoint, so that its "normal" RoPE — rotating adjacent pairs (2i, 2i+1),
 * as llama2.c does — gives the same attention as HF's half-split RoPE (i, i + headDim/2).
 * Weights stored in a GGUF file therefore expect the 'adjacent' pairing.
 *
 * @example
 * const config = ggufLlamaConfig(parseGguf(bytes, 'smollm2.gguf'));
 * // { dim: 576, nLayers: 30, nHeads: 9, nKvHeads: 3, ropeBase: 100000, seqLen: 8192, … }
 */
import { badArgument, SparseInferenceError } from '../../core/errors.js';
import { describe } from '../../core/validate.js';
import { makeConfig } from '../config.js';
import type { LlamaConfig } from '../config.js';
import type { GgufFile, GgufValue } from './parse-gguf.js';

/** Architectures whose tensors and maths match the Llama runtime. */
const LLAMA_LIKE = new Set(['llama']);

/**
 * Read the model hyper-parameters. `maxSeqLen` caps the context length from the metadata
 * (a shorter KV cache uses less memory); it may not exceed it.
 */
export function ggufLlamaConfig(g: GgufFile, maxSeqLen?: number): LlamaConfig {
  if (g === null || typeof g !== 'object' || !(g.metadata instanceof Map) || !(g.tensors instanceof Map)) {
    throw badArgument(`g must be a parsed GGUF file (from parseGguf), got ${describe(g)}`);
  }
  const fail = (msg: string) => new SparseInferenceError('BAD_FILE', `${g.where}: ${msg}`);
  const arch = g.metadata.get('general.architecture');
  if (typeof arch !== 'string') throw fail('metadata has no general.architecture string');
  if (!LLAMA_LIKE.has(arch)) {
    throw fail(`unsupported architecture "${arch}" (supported: ${[...LLAMA_LIKE].join(', ')})`);
  }
  const num = (key: string, fallback?: number): number => {
    const v: GgufValue | undefined = g.metadata.get(`${arch}.${key}`);
    if (v === undefined && fallback !== undefined) return fallback;
    if (typeof v !== 'number') throw fail(`metadata ${arch}.${key} must be a number, got ${v === undefined ? 'nothing' : typeof v}`);
    return v;
  };
  const embedding = g.tensors.get('token_embd.weight');
  if (embedding === undefined) throw fail('has no token_embd.weight tensor');
  const dim = num('embedding_length');
  const nHeads = num('attention.head_count');
  const vocabSize = num('vocab_size', embedding.shape[1]);
  const contextLength = num('context_length');
  const ropeDims = num('rope.dimension_count', dim / nHeads);
  if (ropeDims !== dim / nHeads) throw fail(`partial RoPE (${arch}.rope.dimension_count = ${ropeDims}, head size ${dim / nHeads}) is not supported`);
  const scaling = g.metadata.get(`${arch}.rope.scaling.type`);
  if (scaling !== undefined && scaling !== 'none') throw fail(`RoPE scaling "${String(scaling)}" is not supported`);
  if (maxSeqLen !== undefined && (!Number.isInteger(maxSeqLen) || maxSeqLen < 1 || maxSeqLen > contextLength)) {
    throw new SparseInferenceError('BAD_ARGUMENT', `maxSeqLen must be an integer in [1, ${contextLength}] (the model's context length), got ${String(maxSeqLen)}`);
  }
  return makeConfig({
    dim,
    hiddenDim: num('feed_forward_length'),
    nLayers: num('block_count'),
    nHeads,
    nKvHeads: num('attention.head_count_kv', nHeads),
    vocabSize,
    seqLen: maxSeqLen ?? contextLength,
    ropeBase: num('rope.freq_base', 10000),
    ropePairing: 'adjacent',
    normEps: num('attention.layer_norm_rms_epsilon', 1e-5),
    sharedClassifier: !g.tensors.has('output.weight'),
  }, 'BAD_FILE', g.where);
}

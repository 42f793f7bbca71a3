/**
 * Hugging Face `config.json` ↔ LlamaConfig for LlamaForCausalLM checkpoints
 * (transformers' LlamaConfig: hidden_size, intermediate_size, num_hidden_layers,
 * num_attention_heads, num_key_value_heads, rope_theta, rms_norm_eps, vocab_size,
 * tie_word_embeddings, max_position_embeddings). Defaults are transformers' LlamaConfig
 * defaults. Features this runtime does not implement (rope_scaling, biases, a head_dim other
 * than hidden_size / heads, another activation) are rejected with BAD_FILE rather than
 * silently computed wrong.
 *
 * @example
 * const config = parseHfConfig(await readFile('config.json', 'utf8'), { maxSeqLen: 4096 });
 * config.ropePairing   // 'half'
 */
import { SparseInferenceError } from '../core/errors.js';
import { checkInt } from '../core/validate.js';
import { checkLlamaConfig, makeConfig } from './config.js';
import type { LlamaConfig } from './config.js';
import { checkOptions, optionKeys } from '../core/options.js';

export interface HfConfigOptions {
  /** Cap the context (and so the KV cache) below max_position_embeddings. */
  maxSeqLen?: number;
  /** Name used in error messages. */
  name?: string;
}

/** Every key of HfConfigOptions, for checkOptions. */
export const HF_CONFIG_KEYS = optionKeys<HfConfigOptions>({ maxSeqLen: true, name: true });

export function parseHfConfig(json: string | Record<string, unknown>, opts: HfConfigOptions = {}): LlamaConfig {
  opts = checkOptions('parseHfConfig options', opts, HF_CONFIG_KEYS);
  const name = opts.name ?? 'config.json';
  const bad = (msg: string) => new SparseInferenceError('BAD_FILE', `${name}: ${msg}`);
  let cfg: Record<string, unknown>;
  if (typeof json === 'string') {
    try { cfg = JSON.parse(json); } catch (e) { throw bad(`not valid JSON (${(e as Error).message})`); }
  } else {
    cfg = json;
  }
  if (typeof cfg !== 'object' || cfg === null || Array.isArray(cfg)) throw bad('not a JSON object');
  if (opts.maxSeqLen !== undefined) checkInt('maxSeqLen', opts.maxSeqLen, 1);
  const need = (key: string): number => {
    const v = cfg[key];
    if (typeof v !== 'number') throw bad(`${key} is ${v === undefined ? 'missing' : `not a number (${JSON.stringify(v)})`}`);
    return v;
  };
  const opt = (key: string, dflt: number): number => (cfg[key] === undefined || cfg[key] === null ? dflt : need(key));
  if (cfg.model_type !== undefined && cfg.model_type !== 'llama') {
    throw bad(`model_type '${String(cfg.model_type)}' is not supported (only 'llama')`);
  }
  if (cfg.hidden_act !== undefined && cfg.hidden_act !== 'silu') {
    throw bad(`hidden_act '${String(cfg.hidden_act)}' is not supported (only 'silu', SwiGLU)`);
  }
  if (cfg.rope_scaling !== undefined && cfg.rope_scaling !== null) {
    throw bad(`rope_scaling ${JSON.stringify(cfg.rope_scaling)} is not supported (plain RoPE only)`);
  }
  if (cfg.attention_bias === true || cfg.mlp_bias === true) throw bad('attention_bias / mlp_bias are not supported');
  const dim = need('hidden_size');
  const nHeads = need('num_attention_heads');
  if (cfg.head_dim !== undefined && cfg.head_dim !== null && cfg.head_dim !== dim / nHeads) {
    throw bad(`head_dim ${String(cfg.head_dim)} differs from hidden_size / num_attention_heads = ${dim / nHeads} (not supported)`);
  }
  const tie = cfg.tie_word_embeddings ?? false;
  if (typeof tie !== 'boolean') throw bad(`tie_word_embeddings must be true or false, got ${JSON.stringify(tie)}`);
  const maxPos = opt('max_position_embeddings', 2048);
  return makeConfig({
    dim, nHeads,
    hiddenDim: need('intermediate_size'),
    nLayers: need('num_hidden_layers'),
    nKvHeads: opt('num_key_value_heads', nHeads),
    vocabSize: need('vocab_size'),
    seqLen: opts.maxSeqLen !== undefined ? Math.min(maxPos, opts.maxSeqLen) : maxPos,
    ropeBase: opt('rope_theta', 10000),
    normEps: opt('rms_norm_eps', 1e-6),
    ropePairing: 'half',
    sharedClassifier: tie,
  }, 'BAD_FILE', name);
}

/** The config.json object for a model with this config (what a llama2.c → HF conversion writes). */
export function toHfConfig(c: LlamaConfig): Record<string, unknown> {
  checkLlamaConfig('config', c);
  return {
    architectures: ['LlamaForCausalLM'],
    model_type: 'llama',
    hidden_act: 'silu',
    hidden_size: c.dim,
    intermediate_size: c.hiddenDim,
    num_hidden_layers: c.nLayers,
    num_attention_heads: c.nHeads,
    num_key_value_heads: c.nKvHeads,
    max_position_embeddings: c.seqLen,
    rope_theta: c.ropeBase,
    rms_norm_eps: c.normEps,
    vocab_size: c.vocabSize,
    tie_word_embeddings: c.sharedClassifier,
    bos_token_id: 1,
    eos_token_id: 2,
    torch_dtype: 'float32',
  };
}

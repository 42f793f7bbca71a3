/**
 * LlamaConfig construction and validation, shared by the llama2.c and Hugging Face loaders
 * and by the random-weight builder.
 */
import { badArgument, SparseInferenceError, type ErrorCode } from '../core/errors.js';
import { describe } from '../core/validate.js';
import type { RopePairing } from '../kernels/kernels.js';

/** Model hyper-parameters, in one shape for llama2.c and Hugging Face checkpoints. */
export interface LlamaConfig {
  /** Residual stream width d. */
  dim: number;
  /** SwiGLU hidden width. */
  hiddenDim: number;
  nLayers: number;
  /** Query heads. */
  nHeads: number;
  /** Key/value heads (GQA: query head h uses KV head ⌊h / (nHeads/nKvHeads)⌋). */
  nKvHeads: number;
  vocabSize: number;
  /** Longest context (KV cache rows). */
  seqLen: number;
  /** dim / nHeads. */
  headDim: number;
  /** nKvHeads · headDim. */
  kvDim: number;
  /** RoPE θ (10000 for llama2.c; rope_theta for HF). */
  ropeBase: number;
  /** 'adjacent' for llama2.c, 'half' for HF. */
  ropePairing: RopePairing;
  /** RMSNorm ε (1e-5 for llama2.c; rms_norm_eps for HF). */
  normEps: number;
  /** Whether the classifier is the token embedding (tied weights). */
  sharedClassifier: boolean;
}

/** The independent hyper-parameters; headDim and kvDim are derived. */
export interface LlamaShape {
  dim: number; hiddenDim: number; nLayers: number; nHeads: number; nKvHeads: number;
  vocabSize: number; seqLen: number;
  ropeBase?: number; ropePairing?: 'adjacent' | 'half'; normEps?: number; sharedClassifier?: boolean;
}

/** Largest tensor we accept (elements): WASM memory is at most 4 GiB. */
const MAX_ELEMENTS = 2 ** 30;

/**
 * Build and validate a config. `code` is BAD_FILE when the numbers came from a file header and
 * BAD_ARGUMENT when a caller passed them; `where` names the source in messages.
 *
 * @example
 * const c = makeConfig({ dim: 64, hiddenDim: 172, nLayers: 5, nHeads: 8, nKvHeads: 4,
 *   vocabSize: 512, seqLen: 512 });   // headDim 8, kvDim 32, adjacent RoPE, θ = 10000
 */
export function makeConfig(s: LlamaShape, code: ErrorCode = 'BAD_ARGUMENT', where = 'config'): LlamaConfig {
  const fail = (msg: string) => new SparseInferenceError(code, `${where}: ${msg}`);
  if (s === null || typeof s !== 'object') throw fail(`the shape must be an object { dim, hiddenDim, nLayers, … }, got ${describe(s)}`);
  const int = (name: string, v: unknown, min: number) => {
    if (typeof v !== 'number' || !Number.isInteger(v) || v < min || v > MAX_ELEMENTS) {
      throw fail(`${name} must be an integer in [${min}, ${MAX_ELEMENTS}], got ${String(v)}`);
    }
    return v;
  };
  const dim = int('dim', s.dim, 2);
  const hiddenDim = int('hiddenDim', s.hiddenDim, 1);
  const nLayers = int('nLayers', s.nLayers, 1);
  const nHeads = int('nHeads', s.nHeads, 1);
  const nKvHeads = int('nKvHeads', s.nKvHeads, 1);
  const vocabSize = int('vocabSize', s.vocabSize, 1);
  const seqLen = int('seqLen', s.seqLen, 1);
  if (dim % nHeads !== 0) throw fail(`dim (${dim}) must be a multiple of nHeads (${nHeads})`);
  const headDim = dim / nHeads;
  if (headDim % 2 !== 0) throw fail(`head size dim/nHeads = ${headDim} must be even for RoPE`);
  if (nKvHeads > nHeads || nHeads % nKvHeads !== 0) {
    throw fail(`nHeads (${nHeads}) must be a multiple of nKvHeads (${nKvHeads})`);
  }
  const ropeBase = s.ropeBase ?? 10000;
  if (typeof ropeBase !== 'number' || !Number.isFinite(ropeBase) || ropeBase <= 1) {
    throw fail(`ropeBase must be a finite number > 1, got ${String(ropeBase)}`);
  }
  const normEps = s.normEps ?? 1e-5;
  if (typeof normEps !== 'number' || !Number.isFinite(normEps) || normEps < 0) {
    throw fail(`normEps must be a finite number ≥ 0, got ${String(normEps)}`);
  }
  const ropePairing = s.ropePairing ?? 'adjacent';
  if (ropePairing !== 'adjacent' && ropePairing !== 'half') {
    throw fail(`ropePairing must be 'adjacent' or 'half', got ${String(ropePairing)}`);
  }
  for (const [name, n] of [['dim*hiddenDim', dim * hiddenDim], ['vocabSize*dim', vocabSize * dim],
    ['seqLen*kvDim', seqLen * nKvHeads * headDim]] as const) {
    if (n > MAX_ELEMENTS) throw fail(`${name} = ${n} elements is too large for WASM memory`);
  }
  return {
    dim, hiddenDim, nLayers, nHeads, nKvHeads, vocabSize, seqLen,
    headDim, kvDim: nKvHeads * headDim, ropeBase, ropePairing, normEps,
    sharedClassifier: s.sharedClassifier ?? true,
  };
}

/**
 * c must be a LlamaConfig as makeConfig returns it: valid hyper-parameters (re-checked by
 * makeConfig, naming `name`) and the derived headDim and kvDim consistent with them. O(1).
 */
export function checkLlamaConfig(name: string, c: unknown): LlamaConfig {
  if (c === null || typeof c !== 'object' || Array.isArray(c)) throw badArgument(`${name} must be a LlamaConfig, got ${describe(c)}`);
  const checked = makeConfig(c as LlamaShape, 'BAD_ARGUMENT', name);
  const given = c as LlamaConfig;
  if (given.headDim !== checked.headDim || given.kvDim !== checked.kvDim) {
    throw badArgument(`${name}: headDim and kvDim must be dim/nHeads = ${checked.headDim} and nKvHeads·headDim = ${checked.kvDim}, got ${String(given.headDim)} and ${String(given.kvDim)} (build configs with makeConfig)`);
  }
  if (typeof given.sharedClassifier !== 'boolean') throw badArgument(`${name}.sharedClassifier must be true or false, got ${describe(given.sharedClassifier)}`);
  return given;
}

/** Number of weights (float32 parameters) in a model with this config. */
export function parameterCount(c: LlamaConfig): number {
  checkLlamaConfig('config', c);
  const perLayer = 2 * c.dim + 2 * c.dim * c.dim + 2 * c.kvDim * c.dim + 3 * c.dim * c.hiddenDim;
  return c.vocabSize * c.dim + c.nLayers * perLayer + c.dim + (c.sharedClassifier ? 0 : c.vocabSize * c.dim);
}

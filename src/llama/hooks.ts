/**
 * The llama runtime's extension points: per-layer strategies that replace attention, the FFN
 * or one attention projection, and a capture callback that sees every intermediate activation.
 * The kvcache family (A²ATS, arXiv 2502.12665) plugs in through AttentionStrategy; the
 * activations family (CHESS, arXiv 2409.01366) through FfnStrategy and ProjectionStrategy.
 *
 * Every array handed to a hook is a view into memory the runtime owns (WASM memory on the
 * wasm backend): valid only during the call, so copy what you keep. Writing to `out` is the
 * hook's whole job; the inputs must not be modified. Allocate resident scratch up front (in
 * the strategy's constructor): an allocation during the call may grow WASM memory, which
 * detaches the views the hook was given (writes to a detached view are silently lost). The
 * runtime itself re-derives its views after every hook returns.
 *
 * @example
 * model.setStrategies(3, { ffn: { name: 'zero', forward: ({ out }) => out.fill(0) } });
 * model.setCapture((layer, kind, data) => { if (kind === 'aUp') sums[layer] += data[0]; });
 */
import type { CpuKernels, RopePairing } from '../kernels/kernels.js';

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

/** One layer's weights, each a row-major Float32Array view (out × in, as stored). */
export interface LayerWeights {
  rmsAtt: Float32Array;
  /** dim × dim */
  wq: Float32Array;
  /** kvDim × dim */
  wk: Float32Array;
  /** kvDim × dim */
  wv: Float32Array;
  /** dim × dim */
  wo: Float32Array;
  rmsFfn: Float32Array;
  /** gate, hidden × dim */
  w1: Float32Array;
  /** down, dim × hidden */
  w2: Float32Array;
  /** up, hidden × dim */
  w3: Float32Array;
}

/** Per-layer KV cache as the default runtime keeps it (views; valid during the call). */
export interface LayerKvCache {
  /** seqLen·kvDim, post-RoPE, row t = token t. */
  keys: Float32Array;
  /**
   * seqLen·kvDim, pre-RoPE (for WRoPE/VQ retrieval). Kept only once an attention strategy is set
   * or `keepPreRopeKeys()` was called; `model.kvCache()` otherwise returns the cached rows
   * rotated back (a fresh array of length·kvDim).
   */
  keysPreRope: Float32Array;
  /** seqLen·kvDim. */
  values: Float32Array;
  /** Tokens stored, including the current one (= pos + 1 inside forward). */
  length: number;
}

export interface AttentionContext {
  layer: number;
  pos: number;
  config: LlamaConfig;
  kernels: CpuKernels;
  /** nHeads·headDim, post-RoPE at pos. */
  q: Float32Array;
  /** nHeads·headDim, before RoPE. */
  qPreRope: Float32Array;
  cache: LayerKvCache;
  /** nHeads·headDim: write the attention output (before wo). */
  out: Float32Array;
}

/** Replaces exact attention for a layer (default: exact causal attention over the cache). */
export interface AttentionStrategy {
  readonly name: string;
  attend(ctx: AttentionContext): void;
}

export interface FfnContext {
  layer: number;
  config: LlamaConfig;
  kernels: CpuKernels;
  weights: LayerWeights;
  /** dim, the RMS-normed FFN input. */
  x: Float32Array;
  /** dim: write w2(silu(w1 x) ⊙ (w3 x)). */
  out: Float32Array;
}

/** Replaces the dense SwiGLU FFN for a layer. */
export interface FfnStrategy {
  readonly name: string;
  forward(ctx: FfnContext): void;
}

export type ProjectionName = 'q' | 'k' | 'v' | 'o';

export interface ProjectionContext {
  layer: number;
  name: ProjectionName;
  config: LlamaConfig;
  kernels: CpuKernels;
  weights: LayerWeights;
  /** Input (dim). */
  x: Float32Array;
  /** Output (dim for q and o, kvDim for k and v). */
  out: Float32Array;
}

/** Replaces one attention projection (default: kernels.gemv with the stored weight). */
export interface ProjectionStrategy {
  readonly name: string;
  project(ctx: ProjectionContext): void;
}

export interface LayerStrategies {
  attention?: AttentionStrategy;
  ffn?: FfnStrategy;
  projections?: Partial<Record<ProjectionName, ProjectionStrategy>>;
}

export type ActivationKind =
  | 'attnInput'   // RMS-normed input of q/k/v projections (dim)
  | 'qPreRope' | 'kPreRope' | 'qPostRope' | 'kPostRope' | 'v'
  | 'oProjInput'  // attention output before wo (dim)
  | 'ffnInput'    // RMS-normed FFN input (dim)
  | 'aGate'       // silu(w1 x) (hiddenDim)
  | 'aUp'         // w3 x (hiddenDim)
  | 'downInput';  // aGate ⊙ aUp (hiddenDim)

/** Every ActivationKind, in the order forward emits them within a layer. */
export const ACTIVATION_KINDS: readonly ActivationKind[] = [
  'attnInput', 'qPreRope', 'kPreRope', 'v', 'qPostRope', 'kPostRope', 'oProjInput',
  'ffnInput', 'aGate', 'aUp', 'downInput',
];

/** Called during forward; `data` is only valid during the call (copy what you keep). */
export type ActivationCapture = (layer: number, kind: ActivationKind, data: Float32Array, pos: number) => void;

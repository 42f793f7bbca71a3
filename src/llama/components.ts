/**
 * The parts of a decoder step that a method may replace, as components the model hosts:
 *
 *   KvCache     owns the keys and values and answers attention for one query
 *               (dense exact attention; A²ATS two-tier, arXiv 2502.12665; Quest, arXiv 2406.10774;
 *               PQCache, arXiv 2407.12820; an oracle top-k)
 *   Ffn         the feed-forward block of a layer (dense SwiGLU; CATS, arXiv 2404.08763;
 *               CHESS, arXiv 2409.01366; TEAL, arXiv 2408.14690)
 *   Projection  some of the q/k/v/o attention projections (CHESS's and TEAL's sparse inputs)
 *
 * The model owns the weights and the residual stream and runs one forward body on every backend;
 * it hands each component the model shape and its kernels once (`bind`), then per token and
 * layer the arrays the component reads and the array it writes. Arrays are `F32Arg`: host typed
 * arrays or device arrays of the model's kernels (GPU buffers on webgpu, resident WASM memory on
 * wasm). Results are `Awaitable`: a CPU component may finish before returning, a GPU one returns
 * the Promise of its queued work; the model awaits each before using the output.
 *
 * Contract for every per-token call (append, attend, forward, project):
 * - Inputs are read-only and valid only until the call's result settles: copy what you keep.
 * - Allocate on the kernels in `bind`, never during a call: on wasm an allocation may grow
 *   memory, which detaches the views the call was given.
 * - Calls for one model arrive in order (layer by layer, token by token) and never overlap.
 * - The model awaits each result before issuing work that depends on it, unless the component
 *   declares `issuesBeforeReturn`: then every kernel call of the component is issued before the
 *   call returns (its result only reports completion), so the model goes on issuing and awaits
 *   the result with the rest of the step — on the GPU, no round trip per call.
 *
 * A component is bound to one model at a time; the model that binds it disposes it when it is
 * replaced or when the model is disposed.
 *
 * @example
 * const kv: KvCache = new DenseKvCache();          // what every model uses by default
 * await model.use({ kv, ffn: new DenseFfn() });    // the same numbers as before
 */
import type { Awaitable } from '../core/awaitable.js';
import type { F32Arg, Kernels } from '../kernels/kernels.js';
import type { LlamaConfig } from './config.js';
import type { LayerTensorName } from './weight-layout.js';
import type { DecodeRetrieval, GatedFfnLayer } from '../kernels/decode-step.js';

/** The model's hyper-parameters, as components see them (read-only). */
export type ModelShape = Readonly<LlamaConfig>;

/** What every component may declare (see the module comment). */
export interface ComponentTraits {
  /** Every kernel call of a per-token call is issued before it returns (default false). */
  readonly issuesBeforeReturn?: boolean;
}

/** Counters a component reports (e.g. the fraction of keys read, weights streamed per token). */
export type ComponentStats = Readonly<Record<string, number>>;

/** A projection of the attention block: q, k and v read the normed input; o reads the attention output. */
export type ProjectionWhich = 'q' | 'k' | 'v' | 'o';

/** The seven matrices of a layer (row-major out × in, as stored). */
export type LayerMatrixName = 'wq' | 'wk' | 'wv' | 'wo' | 'w1' | 'w2' | 'w3';

/**
 * The model's weights as components may use them. Quantized models (GGUF Q4_1/Q8_0) have no
 * float copy of their matrices: `layer` throws UNAVAILABLE for them, `matvec` works for all.
 */
export interface ModelWeights {
  /** True when some matrix is stored quantized (then only `matvec` reads it). */
  readonly quantized: boolean;
  /**
   * One layer's tensors: rmsAtt, rmsFfn (dim) and the matrices (out × in, row-major) as arrays
   * of the model's kernels. Read-only: the model and other components read them too.
   */
  layer(layer: number): { readonly [K in LayerTensorName]: F32Arg };
  /** out (rows) ← W·x with the layer's stored matrix, whatever its format: what the dense model computes. */
  matvec(layer: number, matrix: LayerMatrixName, x: F32Arg, out: F32Arg): Awaitable<void>;
}

/**
 * Keys and values of every layer, and attention over them. The dense cache stores them all and
 * attends exactly; retrieval caches (A²ATS, Quest, PQCache) keep an index and attend over the
 * tokens they select. Keys arrive before and after RoPE, because methods that quantize or
 * cluster keys work on the pre-RoPE ones (A²ATS's windowed RoPE, arXiv 2502.12665 §3.2).
 */
export interface KvCache extends ComponentTraits {
  /** Shown by the CLI and in reports, e.g. 'dense' or 'a2ats'. */
  readonly name: string;
  /**
   * Allocate storage for `shape.nLayers` layers of up to `shape.seqLen` tokens on `kernels`. Called
   * once by the model before any other call; may be awaited (e.g. to upload codebooks).
   */
  bind(shape: ModelShape, kernels: Kernels): Awaitable<void>;
  /**
   * Store token `pos` of `layer`: keyPreRope and keyPostRope (kvDim each: KV heads side by side,
   * before and after RoPE at pos) and value (kvDim). Rows after pos are dropped: pos may be at
   * most the number of tokens stored (a smaller pos rewinds, e.g. to regenerate).
   */
  append(layer: number, pos: number, keyPreRope: F32Arg, keyPostRope: F32Arg, value: F32Arg): Awaitable<void>;
  /**
   * out (nHeads·headDim, query heads side by side) ← attention of the query of token `pos`
   * (qPreRope, qPostRope: nHeads·headDim) over the layer's tokens 0..pos (grouped-query: query
   * head h reads KV head ⌊h / (nHeads/nKvHeads)⌋). Called after append of the same pos and layer.
   */
  attend(layer: number, pos: number, qPreRope: F32Arg, qPostRope: F32Arg, out: F32Arg): Awaitable<void>;
  /** Forget every token (the next append is at pos 0). */
  reset(): void;
  /** Release the storage; the cache must not be used afterwards. Idempotent. */
  dispose(): void;
  /** Counters since bind or the last reset (e.g. keys read per step). */
  stats?(): ComponentStats;
  /**
   * For a retrieval cache whose selection a backend's whole decode step can run itself (A²ATS):
   * its codebooks and budget (null: it cannot); the step then keeps the K/V on its device.
   */
  decodeStepRetrieval?(): DecodeRetrieval | null;
}

/** The feed-forward block of every layer: out ← FFN_layer(x), x the RMS-normed residual (dim). */
export interface Ffn extends ComponentTraits {
  readonly name: string;
  /**
   * Prepare for the model with these weights (e.g. transposed copies, thresholds on the device).
   * Called once by the model before any forward.
   */
  bind(shape: ModelShape, kernels: Kernels, weights: ModelWeights): Awaitable<void>;
  /** out (dim) ← the layer's FFN of x (dim): dense = W2 (silu(W1 x) ⊙ W3 x). out does not alias x. */
  forward(layer: number, x: F32Arg, out: F32Arg): Awaitable<void>;
  /**
   * For a gate-thresholded FFN (CATS/CHESS) bound to device arrays: per layer its thresholds and
   * input-major W2 (null: that layer is dense), so a backend's whole decode step
   * (kernels/decode-step.ts) runs the FFN inside its one submission. Absent or null: the model
   * calls forward.
   */
  gatedLayers?(): readonly (GatedFfnLayer | null)[] | null;
  /** Release what bind allocated. Idempotent. */
  dispose(): void;
  stats?(): ComponentStats;
}

/**
 * Replaces some of the attention projections (the others stay the model's dense matrices):
 * q, k, v read the RMS-normed layer input (dim); o reads the attention output (dim).
 */
export interface Projection extends ComponentTraits {
  readonly name: string;
  bind(shape: ModelShape, kernels: Kernels, weights: ModelWeights): Awaitable<void>;
  /**
   * Whether this component computes projection `which` of `layer`. Asked by the model once per
   * layer and projection after bind (the answer must not change while bound).
   */
  covers(layer: number, which: ProjectionWhich): boolean;
  /** out (dim for q and o, kvDim for k and v) ← the projection of x (dim). out does not alias x. */
  project(layer: number, which: ProjectionWhich, x: F32Arg, out: F32Arg): Awaitable<void>;
  /**
   * For input-thresholded projections (CHESS w/, TEAL) bound to a GPU: per layer the threshold of
   * each covered projection's input, so a backend's whole decode step masks those inputs inside
   * its one submission (it reads the dense rows). Absent or null: the model calls project.
   */
  inputThresholds?(): readonly Partial<Record<ProjectionWhich, number>>[] | null;
  dispose(): void;
  stats?(): ComponentStats;
}

/** Components for `model.use`: any left out stays as it is; `projections: null` removes the projection component. */
export interface ModelComponents {
  kv?: KvCache;
  ffn?: Ffn;
  projections?: Projection | null;
}

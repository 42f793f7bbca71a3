/**
 * The Kernels interface: every hot loop in the library goes through one of these
 * functions. Algorithms (kvcache, activations, knots, llama) call only this
 * interface; backends (reference TS, wasm SIMD, webgpu) implement it.
 *
 * Conventions (faiss-style):
 * - Flat typed arrays plus explicit sizes; outputs are caller-supplied and never
 *   allocated by the kernel. Arrays may be longer than the sizes say; only the
 *   leading elements are read or written.
 * - Matrices are row-major. Sizes are documented at each signature.
 * - Kernels check shapes in O(1) (the checked wrapper in ./checked.ts); they do
 *   not scan data for NaN — algorithms validate data at their public entry.
 * - Outputs must not alias inputs unless the signature says "may alias".
 */

/** Which backend produced a Kernels object. */
export type BackendName = 'reference' | 'wasm' | 'webgpu';

/** RoPE pairing: llama2.c rotates adjacent pairs (2t, 2t+1); Hugging Face rotates (t, t + d/2). */
export type RopePairing = 'adjacent' | 'half';

/**
 * A buffer the backend can read and write without copying (for wasm: it lives in
 * WASM linear memory). Use it for long-lived data: weights, KV caches, codebooks.
 * `view()` is cheap; call it again after any allocation on the same backend,
 * because growing WASM memory detaches earlier views.
 */
export interface ResidentArray<T extends Float32Array | Int32Array> {
  readonly length: number;
  view(): T;
  /** Release the memory; the array must not be used afterwards. */
  free(): void;
}

/** Names of every kernel in the interface (used by describeBackends and the test harness). */
export const KERNEL_NAMES = [
  'dot', 'axpy', 'gemv', 'gemvT', 'l2sqrBatch', 'argminL2', 'topK', 'softmax', 'rmsnorm', 'rope',
] as const;
export type KernelName = (typeof KERNEL_NAMES)[number];

/** The compute functions; a backend may implement a subset and inherit the rest from reference. */
export interface KernelFunctions {
  /** Σ_i x[i]·y[i] over n elements. */
  dot(x: Float32Array, y: Float32Array, n: number): number;

  /** y[i] += a·x[i] for i < n. */
  axpy(a: number, x: Float32Array, y: Float32Array, n: number): void;

  /**
   * y = W·x. W: rows*cols, row-major (rows = output channels); x: cols; y: rows.
   */
  gemv(W: Float32Array, x: Float32Array, y: Float32Array, rows: number, cols: number): void;

  /**
   * y = x·W (= Wᵀx). W: rows*cols, row-major; x: rows; y: cols.
   * Streams W row by row, so it is the dense counterpart of `spvmm`.
   */
  gemvT(W: Float32Array, x: Float32Array, y: Float32Array, rows: number, cols: number): void;

  /**
   * Squared L2 distances of n points to k centroids, via ‖x‖² − 2x·c + ‖c‖² (blocked).
   * X: n*d row-major; C: k*d row-major; out: n*k row-major (out[i*k + j] = ‖X_i − C_j‖²).
   * Results are clamped at 0 (the expansion can round slightly negative).
   */
  l2sqrBatch(X: Float32Array, C: Float32Array, out: Float32Array, n: number, k: number, d: number): void;

  /**
   * Nearest centroid per point. X: n*d; C: k*d; codes: n (Int32Array); dist: n (squared distance,
   * clamped at 0). Ties go to the lower centroid index.
   */
  argminL2(X: Float32Array, C: Float32Array, codes: Int32Array, dist: Float32Array,
    n: number, k: number, d: number): void;

  /**
   * Indices of the k largest of x[0..n), best first; equal values are ordered by lower index
   * (so the selection is unique). out: k (Int32Array). Selection, not a full sort.
   */
  topK(x: Float32Array, n: number, k: number, out: Int32Array): void;

  /** out = softmax(x[0..n)), max-subtracted. out may alias x. */
  softmax(x: Float32Array, out: Float32Array, n: number): void;

  /** out[i] = w[i]·x[i] / sqrt(mean(x²) + eps). out may alias x. */
  rmsnorm(x: Float32Array, w: Float32Array, out: Float32Array, n: number, eps: number): void;

  /**
   * Rotary position embedding, in place, on nHeads consecutive heads of size headDim (even):
   * pair t (t < headDim/2) rotates by angle pos·base^(−2t/headDim). Pairing 'adjacent' rotates
   * (2t, 2t+1); 'half' rotates (t, t + headDim/2). x: nHeads*headDim.
   * pos may be any real number (WRoPE rotates queries to a fixed distance b).
   */
  rope(x: Float32Array, nHeads: number, headDim: number, pos: number, base: number,
    pairing: RopePairing): void;
}

/** A complete kernel set: the compute functions plus memory management and provenance. */
export interface Kernels extends KernelFunctions {
  /** The backend these kernels came from. */
  readonly backend: BackendName;
  /** Build variant: 'js' for reference, 'simd' or 'scalar' for wasm, 'gpu' for webgpu. */
  readonly variant: string;
  /** Kernels this backend implements natively (the others fall back to reference). */
  readonly native: readonly KernelName[];
  /** A Float32 buffer the backend reads without copying. */
  allocF32(length: number): ResidentArray<Float32Array>;
  /** An Int32 buffer the backend reads without copying. */
  allocI32(length: number): ResidentArray<Int32Array>;
}

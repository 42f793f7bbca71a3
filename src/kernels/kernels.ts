/**
 * The Kernels interface: every hot loop in the library goes through one of these
 * functions. Algorithms (kvcache, activations, knots, llama) call only this
 * interface; every backend (reference TS, wasm SIMD, threads, webgpu) implements it.
 *
 * `KernelFunctions` below is the registry's signature of each kernel, on typed arrays, returning
 * its result at once (what the reference loops and the descriptors are typed by). From it:
 * `Kernels` (every backend: arrays may be device arrays, results `Awaitable`) and `CpuKernels`
 * (CPU backends: results at once).
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
import type { DeviceArray, F32Arg, I32Arg, ResidentArray } from './device-array.js';
import type { Awaitable } from '../core/awaitable.js';

/** Which backend produced a Kernels object. */
export type BackendName = 'reference' | 'wasm' | 'webgpu';

/** RoPE pairing: llama2.c rotates adjacent pairs (2t, 2t+1); Hugging Face rotates (t, t + d/2). */
export type RopePairing = 'adjacent' | 'half';

export type { DeviceArray, ResidentArray, F32Arg, I32Arg } from './device-array.js';

/** Shape of one Llama decoder layer (see `decoderLayer`). headDim = dim / nHeads (even). */
export interface DecoderLayerShape {
  dim: number;
  hiddenDim: number;
  nHeads: number;
  /** Divides nHeads (grouped-query attention). */
  nKvHeads: number;
  normEps: number;
  ropeBase: number;
  ropePairing: RopePairing;
}

/** A kernel's name. */
export type KernelName = keyof KernelFunctions;

/** Names of every kernel in the interface, in registry order (describeBackends, the test harness). */
export { KERNEL_NAMES } from './reference/index.js';

/** The compute functions; a backend may implement a subset and inherit the rest from reference. */
export interface KernelFunctions {
  /** Σ_i x[i]·y[i] over n elements. */
  dot(x: Float32Array, y: Float32Array, n: number): number;

  /** Σ_i x[i] over n elements: the plain streaming-read kernel (the memory roofline in benchmarks). */
  sum(x: Float32Array, n: number): number;

  /**
   * Sparse input × input-major matrix (CHESS §4): y = x·W, reading only the rows W[k,:] whose
   * x_k ≠ 0 (their indices are compacted first). Same result as gemvT. x: rows; W: rows*cols,
   * row-major, input-major (row k = input channel k, e.g. W_downᵀ hidden×dim); y: cols,
   * overwritten, must not alias x or W. Returns the number of nonzero x_k. Correct for any shape.
   */
  spvmm(x: Float32Array, W: Float32Array, y: Float32Array, rows: number, cols: number): number;

  /**
   * Dense input × output-major matrix with a sparse output gate (CHESS §4):
   * out_i = (x·W[i,:])·s_i where s_i ≠ 0, out_i = 0 (row i not read) where s_i = 0.
   * x: cols; W: rows*cols, row-major, output-major (e.g. W_up hidden×dim); s: rows;
   * out: rows, overwritten, must not alias x, W or s. Returns the number of rows computed.
   */
  vmmsp(x: Float32Array, W: Float32Array, s: Float32Array, out: Float32Array, rows: number, cols: number): number;

  /**
   * SwiGLU's elementwise step: gate[i] ← SiLU(gate[i])·up[i] for i < n, SiLU(v) = v/(1 + e^−v)
   * rounded to float32 before the product (llama2.c's order). gate is updated in place; up
   * must not alias it.
   */
  swiglu(gate: Float32Array, up: Float32Array, n: number): void;

  /**
   * SiLU in place: x[i] ← x[i]/(1 + e^−x[i]) for i < n, in float64 rounded to float32 — swiglu's
   * first half (swiglu(gate, up) = silu(gate), then gate[i]·up[i]), for code that needs SiLU(gate)
   * on its own (activation capture, CATS statistics).
   */
  silu(x: Float32Array, n: number): void;

  /**
   * CATS/CHESS gate sparsification, in place: gate[i] ← SiLU(gate[i]) where |SiLU(gate[i])| ≥ t[i],
   * else 0, for i < n. SiLU and the comparison in float64, the kept value rounded to float32 by
   * the store (a Float64Array of thresholds is compared at full precision; on a GPU thresholds
   * are float32). gate: n; t: n. Returns the number of channels the thresholds keep.
   */
  siluThreshold(gate: Float32Array, t: Float32Array | Float64Array, n: number): number;

  /**
   * TEAL input sparsification: out[i] = v[i] where |v[i]| ≥ t and v[i] ≠ 0, else 0, for i < n.
   * v: n; out: n, must not alias v. Returns the number of zeros written (exact zeros count).
   */
  threshold(v: Float32Array, t: number, out: Float32Array, n: number): number;

  /**
   * SwiGLU's product, then TEAL's threshold of it (the down projection's input), one pass:
   * h = SiLU(gate[i])·up[i] (float64, rounded once to float32 — not swiglu's order);
   * gate[i] ← h; up[i] ← h where |h| ≥ t and h ≠ 0, else 0. gate, up: n, both overwritten, must
   * not alias. Returns the number of zeros written to up. t = 0: gate gets the plain product.
   */
  siluMulThreshold(gate: Float32Array, up: Float32Array, t: number, n: number): number;

  /** y[i] += a·x[i] for i < n. */
  axpy(a: number, x: Float32Array, y: Float32Array, n: number): void;

  /**
   * y = W·x. W: rows*cols, row-major (rows = output channels); x: cols; y: rows.
   */
  gemv(W: Float32Array, x: Float32Array, y: Float32Array, rows: number, cols: number): void;

  /**
   * Pack W (rows*cols, row-major) for gemvPacked: column blocks of 256; in each block,
   * ⌈rows/16⌉ panels of 16 rows stored column by column, the 16 row-lanes of a column side by
   * side (lanes past the last row are 0) — the kind of layout MLAS and XNNPACK prepack.
   * P: packedGemvLength(rows, cols), overwritten. Pack long-lived weights once; gemvPacked then
   * reads them as one stream (docs/benchmarks.md, peers).
   */
  packGemv(W: Float32Array, P: Float32Array, rows: number, cols: number): void;

  /**
   * y = W·x with W packed by packGemv. P: packedGemvLength(rows, cols); x: cols; y: rows.
   * Same product as gemv (summation order differs: by column blocks of 256).
   */
  gemvPacked(P: Float32Array, x: Float32Array, y: Float32Array, rows: number, cols: number): void;

  /**
   * y = W·x with W in ggml Q4_1 blocks: W: rows·quantizedRowWords('Q4_1', cols) words (layout in
   * quantized-row-words.ts); x: cols; y: rows; cols a multiple of 32. Weights are decoded on the
   * fly (d·q + m), activations stay float32.
   */
  gemvQ4_1(W: Int32Array, x: Float32Array, y: Float32Array, rows: number, cols: number): void;

  /**
   * y = W·x with W in Q8_0 rows: W: rows·quantizedRowWords('Q8_0', cols) words (int8 quants,
   * then f16 block scales, per row); x: cols; y: rows; cols a multiple of 32.
   */
  gemvQ8_0(W: Int32Array, x: Float32Array, y: Float32Array, rows: number, cols: number): void;

  /**
   * Y = X·Wᵀ: gemv for n vectors in one pass over W. W: rows*cols, row-major; X: n*cols
   * (vector j at j·cols); Y: n*rows (Y[j·rows + r] = W[r]·X[j]).
   */
  gemm(W: Float32Array, X: Float32Array, Y: Float32Array, rows: number, cols: number, n: number): void;

  /** gemm with W in Q4_1 blocks (as gemvQ4_1): X: n*cols; Y: n*rows; cols a multiple of 32. */
  gemmQ4_1(W: Int32Array, X: Float32Array, Y: Float32Array, rows: number, cols: number, n: number): void;

  /** gemm with W in Q8_0 rows (as gemvQ8_0): X: n*cols; Y: n*rows; cols a multiple of 32. */
  gemmQ8_0(W: Int32Array, X: Float32Array, Y: Float32Array, rows: number, cols: number, n: number): void;

  /**
   * Quantize activations to 8-bit blocks of 32, as llama.cpp does before multiplying quantized
   * weights (ggml's quantize_row_q8_1): per block d = max|x|/127, q = round(x/d) ∈ [−127, 127],
   * d and s = d·Σq rounded to binary16. x: length floats (a multiple of 32); q:
   * q8ActivationWords(length) words (layout in q8-activation-words.ts), overwritten. A block
   * holding NaN/±Infinity gets d = s = NaN (the products that read it are NaN).
   */
  quantizeQ8_1(x: Float32Array, q: Int32Array, length: number): void;

  /**
   * y = W·x, W in Q4_1 blocks (as gemvQ4_1), x quantized by quantizeQ8_1: ggml's
   * vec_dot_q4_1_q8_1, an integer dot product per block: Σ_b (d_w·d_x)·Σq_w·q_x + m_w·s_x.
   * xq: q8ActivationWords(cols) words; y: rows; cols a multiple of 32.
   */
  gemvQ4_1Q8_1(W: Int32Array, xq: Int32Array, y: Float32Array, rows: number, cols: number): void;

  /**
   * y = W·x, W in Q8_0 rows (as gemvQ8_0), x quantized by quantizeQ8_1: ggml's
   * vec_dot_q8_0_q8_0, Σ_b (d_w·d_x)·Σq_w·q_x. xq: q8ActivationWords(cols); y: rows.
   */
  gemvQ8_0Q8_1(W: Int32Array, xq: Int32Array, y: Float32Array, rows: number, cols: number): void;

  /** gemvQ4_1Q8_1 for n vectors in one weight pass: Xq: n·q8ActivationWords(cols) (vector j at j·that); Y: n*rows. */
  gemmQ4_1Q8_1(W: Int32Array, Xq: Int32Array, Y: Float32Array, rows: number, cols: number, n: number): void;

  /** gemvQ8_0Q8_1 for n vectors in one weight pass: Xq as gemmQ4_1Q8_1; Y: n*rows. */
  gemmQ8_0Q8_1(W: Int32Array, Xq: Int32Array, Y: Float32Array, rows: number, cols: number, n: number): void;

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
   * (so the selection is unique); NaN ranks below −Infinity. out: k (Int32Array), every slot
   * written. Selection, not a full sort.
   */
  topK(x: Float32Array, n: number, k: number, out: Int32Array): void;

  /**
   * The k largest of x[0..n) as a set, in increasing index order — the same set as topK (ties
   * to the lower index) without ordering it: O(n) selection (sampled threshold + radix select)
   * for large n, e.g. k ≈ 1–10% of n = 32K retrieval scores. NaN ranks below −Infinity (as in
   * topK). out: k, every slot written.
   */
  topKSelect(x: Float32Array, n: number, k: number, out: Int32Array): void;

  /**
   * topKSelect on each of `rows` rows at once (A²ATS: the query heads of a KV group): row r of
   * out = the k largest of row r of x as a set, in increasing index order (indices within the
   * row, 0..n), ties to the lower index — exactly topKSelect(x row r, n, k, out row r).
   * x: rows*n, row-major (NaN ranks lowest); out: rows*k, row-major. One call lets a GPU select every row
   * in the same few dispatches instead of a chain per row.
   */
  topKSelectRows(x: Float32Array, rows: number, n: number, k: number, out: Int32Array): void;

  /**
   * out[j] = table[codes[j]] for j < n: approximate scores of tokens by centroid code (A²ATS §3).
   * table: tableSize; codes: n (Int32Array, each in [0, tableSize) — else BAD_ARGUMENT); out: n.
   */
  lutGather(table: Float32Array, tableSize: number, codes: Int32Array, n: number, out: Float32Array): void;

  /**
   * Exact attention of one query head over the listed tokens of a K/V store (A²ATS §3–4):
   * s_c = scale·q·K_{idx[c]}, out = Σ_c softmax(s)_c·V_{idx[c]}; returns log Σ_c exp(s_c) so
   * partial attentions over disjoint sets merge exactly. q: d; K, V: rows*stride (row t of the
   * head = K[t*stride .. t*stride+d); pass a subarray at the head's offset); idx: count indices
   * in [0, rows) (duplicates count twice); out: d. count = 0 → out = 0, returns −Infinity.
   */
  selectiveAttention(q: Float32Array, K: Float32Array, V: Float32Array, idx: Int32Array, count: number,
    rows: number, d: number, stride: number, scale: number, out: Float32Array): number;

  /**
   * selectiveAttention for nHeads query heads over the same token list in one call (a decode
   * step's attention, GQA included): head h uses KV head g = ⌊h / group⌋, whose row t is
   * K[t*stride + g*d .. t*stride + g*d + d) (likewise V), and out[h*d .. (h+1)*d) and lse[h]
   * are exactly what selectiveAttention(q head h, K.subarray(g*d), V.subarray(g*d), idx, count,
   * rows, d, stride, scale, out head h) writes and returns (lse rounded to float32).
   * q, out: nHeads*d; K, V: (rows−1)*stride + nKv*d with nKv = ⌈nHeads/group⌉ (stride ≥ nKv*d);
   * idx: count rows in [0, rows); lse: nHeads. One call lets a GPU cover every head in the
   * dispatches of one (Ainslie et al., "GQA", EMNLP 2023; A²ATS §3–4).
   * @example selectiveAttentionHeads(q, K, V, idx, len, len, 64, kvDim, 12, 1, 0.125, out, lse);
   */
  selectiveAttentionHeads(q: Float32Array, K: Float32Array, V: Float32Array, idx: Int32Array, count: number,
    rows: number, d: number, stride: number, nHeads: number, group: number, scale: number, out: Float32Array,
    lse: Float32Array): void;

  /**
   * Causal attention of n consecutive query rows (a prefill block): row i, at position pos0+i,
   * attends to K/V rows 0..pos0+i; query head h reads KV head g = ⌊h/group⌋ (GQA):
   *   out[i,h] = Σ_{t ≤ pos0+i} softmax_t(scale · Q[i,h]·K[t,g]) V[t,g].
   * Q, out: n·nHeads·d (row i = its query heads side by side, head h at (i·nHeads + h)·d);
   * K, V: ≥ (pos0+n−1)·stride + nKv·d, token-major (KV head g of row t at t·stride + g·d);
   * scratch: causalAttentionScratchLength(n, nHeads) floats, overwritten. Each (row, head) equals
   * selectiveAttention over tokens 0..pos0+i within float rounding (wasm sums in another order:
   * tiles of keys with an online softmax, so each key and value is read once per block).
   */
  causalAttention(Q: Float32Array, K: Float32Array, V: Float32Array, pos0: number, n: number, d: number, stride: number,
    nHeads: number, group: number, scale: number, out: Float32Array, scratch: Float32Array): void;

  /**
   * causalAttention over a KV cache stored as binary16 (llama.cpp's default KV type; half the
   * bytes of float32): K and V hold binary16 values packed two per word (`packF16`), token-major
   * rows of `stride` values, KV head g at g·d; each is read as the binary16 value it holds. A
   * decode step is n = 1, pos0 = pos. Q, out: n·nHeads·d; scratch:
   * causalAttentionF16ScratchLength(n, nHeads, d) floats, overwritten. Equal to the reference
   * (float64, token by token) within float rounding.
   * @example causalAttentionF16(q, K16, V16, pos, 1, 64, 192, 9, 3, 0.125, out, scratch);
   */
  causalAttentionF16(Q: Float32Array, K: Int32Array, V: Int32Array, pos0: number, n: number, d: number, stride: number,
    nHeads: number, group: number, scale: number, out: Float32Array, scratch: Float32Array): void;

  /**
   * x[0..n) rounded to binary16 (nearest, ties to even, subnormals included: ggml's FP32→FP16)
   * and packed two per word, value 2i in the low half of out[i]. n even; out: n/2 words.
   * ±Infinity past 65504; NaN → 0x7e00.
   */
  packF16(x: Float32Array, out: Int32Array, n: number): void;

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

  /**
   * One Llama decoder layer for the token at position `pos`, in place on the residual stream x
   * (Touvron et al., arXiv 2302.13971; the body of llama2.c's `forward` for one layer):
   *   h = RMSNorm(x; rmsAtt); q = Wq h; keysPre[pos] = Wk h; values[pos] = Wv h;
   *   q, keys[pos] ← RoPE(pos) of q and keysPre[pos];
   *   x += Wo · attention(q, keys[0..pos], values[0..pos])   (causal, GQA, scale 1/√headDim)
   *   h = RMSNorm(x; rmsFfn); x += W2 (SiLU(W1 h) ⊙ W3 h).
   * The same arithmetic as rmsnorm, gemv, rope, causalAttention (one row at pos, n = 1),
   * axpy and swiglu called one after another — one call instead of ~15, so a small model's
   * decode step is not dominated by per-call overhead.
   * x: dim; W: decoderLayerWeightLength(shape), the packed layer (decoder-layer-layout.ts);
   * keys, keysPre, values: ≥ (pos+1)·kvDim, token-major (row t = all KV heads of token t);
   * keysPre may be keys itself (resident): then k is written and rotated in place and no
   * pre-RoPE copy is kept; scratch: decoderLayerScratchLength(shape, pos + 1), overwritten.
   */
  decoderLayer(x: Float32Array, W: Float32Array, keys: Float32Array, keysPre: Float32Array, values: Float32Array,
    scratch: Float32Array, pos: number, shape: DecoderLayerShape): void;

  // knots: B-spline design rows and their banded Gram matrix (Float64: the sampler compares
  // log marginal likelihoods of nearly equal models, which float32 cannot resolve).
  /**
   * Sparse B-spline basis rows (Cox–de Boor). x: n; t: nt (full knot vector: boundary knots
   * repeated degree+1 times, nondecreasing, t[degree] < t[nt−degree−1]); first: n (Int32Array,
   * first nonzero column of each row); values: n*(degree+1), row-major.
   */
  bsplineBasis(x: Float64Array, n: number, t: Float64Array, nt: number, degree: number,
    first: Int32Array, values: Float64Array): void;

  /**
   * Weighted banded Gram BᵀWB and BᵀWz of sparse rows with `width` consecutive nonzeros.
   * first: n (Int32Array); values: n*width; weights: n or null (unit); z: n;
   * band: p*width, overwritten with the lower band (band[i*width + d] = (BᵀWB)[i, i−d]);
   * btz: p, overwritten. Returns −1, or the index of the first row whose columns fall outside
   * [0, p) (nothing is written for that row or later ones).
   */
  bandedGram(first: Int32Array, values: Float64Array, n: number, width: number,
    weights: Float64Array | null, z: Float64Array, p: number, band: Float64Array, btz: Float64Array): number;
}

export type { Awaitable } from '../core/awaitable.js';

/** A kernel parameter as every backend accepts it: typed arrays may also be device arrays. */
type KernelParam<P> = P extends Float32Array ? F32Arg : P extends Int32Array ? I32Arg : P;
type KernelParams<A extends unknown[]> = { [I in keyof A]: KernelParam<A[I]> };
type Issued<F> = F extends (...args: infer A) => infer R ? (...args: KernelParams<A>) => Awaitable<R> : never;
type Immediate<F> = F extends (...args: infer A) => infer R ? (...args: KernelParams<A>) => R : never;

/** Every kernel of KernelFunctions (same names, same argument order), as Kernels offers it. */
export type KernelMethods = { [K in KernelName]: Issued<KernelFunctions[K]> };
/** Every kernel returning its result at once: the CPU backends' methods. */
export type CpuKernelMethods = { [K in KernelName]: Immediate<KernelFunctions[K]> };

/** Provenance shared by every kernel set. */
interface KernelProvenance {
  /** The backend these kernels came from. */
  readonly backend: BackendName;
  /** Build variant: 'js' for reference, 'simd', 'scalar' or 'simd-shared' for wasm, 'gpu' for webgpu. */
  readonly variant: string;
  /** Kernels this backend implements natively (the others fall back to its CPU kernels). */
  readonly native: readonly KernelName[];
  /** Where the kernels run, for reports: e.g. 'wasm (simd)' or the GPU adapter's name. */
  readonly device: string;
}

/**
 * The one kernel interface, for every backend (reference, wasm, threads, webgpu). Each kernel
 * issues its work and returns `Awaitable<R>`: CPU backends do the work at once and return R;
 * webgpu queues it and returns a Promise that resolves once the outputs are written (a rejected
 * one carries the same SparseInferenceError a CPU backend would throw). Algorithms are plain
 * `async` functions that `await` each result they need (on a CPU backend that is a microtask).
 *
 * Array arguments are host typed arrays or DeviceArrays from `allocF32`/`allocI32` of the same
 * backend. A caller must not touch a host array passed to a call until the call has settled.
 * Calls issued in the same turn of the event loop go into one GPU submission on webgpu: issue
 * independent calls together (`Promise.all`) rather than awaiting each in turn.
 *
 * @example
 * const k = await createKernels({ backend: ['webgpu', 'auto'] });
 * const W = k.allocF32(rows * cols); W.write(weights);        // resident: uploaded once
 * const y = new Float32Array(rows);
 * await k.gemv(W, x, y, rows, cols);                          // y now holds W·x
 */
export interface Kernels extends KernelMethods, KernelProvenance {
  /** True for CPU kernels, whose methods return their results at once (see isCpuKernels). */
  readonly cpu: boolean;
  /** A Float32 array in the backend's memory (kernels read and write it in place). */
  allocF32(length: number): DeviceArray<Float32Array>;
  /** An Int32 array in the backend's memory. */
  allocI32(length: number): DeviceArray<Int32Array>;
}

/**
 * Kernels whose methods return their results at once, derived from the same registry: the CPU
 * backends (reference, wasm, threads). Code that is CPU-only by nature and needs synchronous
 * results in a hot loop (the knot sampler) takes CpuKernels; everything else takes Kernels.
 * Their device arrays are ResidentArrays, whose `view()` is the elements in place.
 */
export interface CpuKernels extends CpuKernelMethods, KernelProvenance {
  readonly cpu: true;
  allocF32(length: number): ResidentArray<Float32Array>;
  allocI32(length: number): ResidentArray<Int32Array>;
  /**
   * A Float64 array the backend reads without copying (the knot kernels' arguments). Optional:
   * a backend without it is given plain Float64Arrays, which it copies per call.
   */
  allocF64?(length: number): ResidentArray<Float64Array>;
}

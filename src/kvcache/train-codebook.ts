/**
 * Codebook training, A²ATS §3.2: with the query metric H = L Lᵀ, the objective
 * min_C Σ_j min_c (k̃_j − c) H (k̃_j − c)ᵀ is ordinary k-means on z = k̃L; the centroids map back
 * to key space with c = c′L⁻¹. Without a factor (H = I) this is plain k-means on the keys.
 */
import { checkAnyKernels } from '../kernels/check-kernels.js';
import type { CpuKernels } from '../kernels/kernels.js';
import type { AsyncKernels } from '../kernels/async-kernels.js';
import { inverseLower } from '../core/linalg/index.js';
import { badArgument, throwIfAborted } from '../core/errors.js';
import { yieldToEventLoop } from './cooperative.js';
import { checkFinite, checkFloat32, checkInt } from '../core/validate.js';
import { Codebook } from './codebook.js';
import { kmeans, type KMeansOptions, type KMeansResult } from './kmeans.js';
import { checkOptions, optionKeys } from '../core/options.js';

/** Codebook size, optional metric factor L, and the k-means options. */
export interface TrainCodebookOptions extends Omit<KMeansOptions, 'k'> {
  /** Centroids K_c (A²ATS: 4096). */
  size: number;
  /** Lower-triangular L of the scaled query metric (dim*dim), e.g. metricFactor(...).L; null/absent = plain VQ. */
  factor?: Float64Array | Float32Array | null;
}

/** Every key of TrainCodebookOptions, for checkOptions. */
/** Multiply-adds of whitening between pauses (a few ms). */
const WHITEN_BLOCK = 2 ** 22;

export const TRAIN_CODEBOOK_KEYS = optionKeys<TrainCodebookOptions>({ size: true, factor: true, maxIterations: true, tolerance: true, seed: true, init: true, miniBatch: true, onProgress: true, signal: true });

/** The codebook and the whitened-space k-means run that produced it. */
export interface TrainedCodebook {
  codebook: Codebook;
  /** The k-means run in the whitened space (its inertia is the query-aware objective). */
  kmeans: KMeansResult;
}

/**
 * Train a codebook on n pre-RoPE keys (n*dim).
 *
 * `kernels` may be asynchronous (e.g. the webgpu backend): the k-means assignments then run
 * there, while whitening and the map back stay on the host. Results are those of `kmeans` on
 * the same kernels — bit-identical to synchronous kernels of the same CPU backend; on webgpu,
 * codes may differ at near-ties of float32 distances (see `kmeans`).
 *
 * @example
 * const { L } = metricFactor(moment.moment(), 128);
 * const { codebook } = await trainCodebook(kernels, keys, n, 128, { size: 4096, factor: L, seed: 1 });
 * const gpu = await createAsyncKernels({ backend: 'webgpu' });
 * const onGpu = await trainCodebook(gpu, keys, n, 128, { size: 4096, factor: L, seed: 1 });
 */
export async function trainCodebook(kernels: AsyncKernels, keys: Float32Array, n: number, dim: number,
  opts: TrainCodebookOptions): Promise<TrainedCodebook> {
  checkAnyKernels('kernels', kernels);
  checkInt('n', n, 1); checkInt('dim', dim, 1, 4096);
  checkFloat32('keys', keys, n * dim); checkFinite('keys', keys, n * dim);
  if (opts === null || opts === undefined) throw badArgument('trainCodebook options must give size');
  checkOptions('trainCodebook options', opts, TRAIN_CODEBOOK_KEYS);
  const size = checkInt('size', opts.size, 1, n);
  let L32: Float32Array | null = null;
  if (opts.factor !== undefined && opts.factor !== null) {
    const f = opts.factor;
    if (!(f instanceof Float64Array || f instanceof Float32Array) || f.length !== dim * dim) {
      throw badArgument(`factor must be a ${dim}x${dim} Float64Array or Float32Array`);
    }
    L32 = Float32Array.from(f);
    for (let i = 0; i < dim; i++) for (let j = i + 1; j < dim; j++) L32[i * dim + j] = 0;
  }
  // A codebook with zero centroids only to whiten with the stored (float32) factor.
  const whitener = new Codebook(dim, 1, new Float32Array(dim), L32);
  // Whitening costs O(n·d²/2) on the host (~0.1 s at n = 16384, d = 128): done in row blocks
  // with the event loop let through in between, so an abort is seen during it too.
  const z = new Float32Array(n * dim);
  const rowsPerBlock = Math.max(1, Math.floor(WHITEN_BLOCK / (dim * dim)));
  for (let r = 0; r < n; r += rowsPerBlock) {
    throwIfAborted(opts.signal, 'codebook training');
    const rows = Math.min(rowsPerBlock, n - r);
    whitener.whiten(keys.subarray(r * dim, (r + rows) * dim), rows, z.subarray(r * dim, (r + rows) * dim));
    await yieldToEventLoop(20);
  }
  const { size: _omit, factor: _f, ...kopts } = opts;
  const km = await kmeans(kernels, z, n, dim, { ...kopts, k: size });
  let centroids = km.centroids;
  if (L32 !== null) {
    const Linv = inverseLower(Float64Array.from(L32), dim);
    centroids = new Float32Array(size * dim);
    const acc = new Float64Array(dim);
    for (let c = 0; c < size; c++) {
      acc.fill(0);
      // (c′ L⁻¹)_t = Σ_{s ≥ t} c′_s (L⁻¹)_st.
      for (let s = 0; s < dim; s++) {
        const v = km.centroids[c * dim + s];
        const row = s * dim;
        for (let t = 0; t <= s; t++) acc[t] += v * Linv[row + t];
      }
      for (let t = 0; t < dim; t++) centroids[c * dim + t] = acc[t];
    }
  }
  return { codebook: new Codebook(dim, size, centroids, L32), kmeans: km };
}

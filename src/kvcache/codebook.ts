/**
 * A vector-quantisation codebook for pre-RoPE keys of one (layer, KV head), A²ATS §3.2.
 *
 * Holds the centroids C (size × dim, key space — what the lookup table t = q̃·Cᵀ/√d needs) and,
 * for a query-aware codebook, the Cholesky factor L of the scaled query metric H = L Lᵀ.
 * A key k̃ gets the code argmin_c (k̃ − c) H (k̃ − c)ᵀ = argmin_c ‖k̃L − cL‖², so encoding runs a
 * plain nearest-centroid search (kernels.argminL2) between whitened keys k̃L and whitened
 * centroids CL. Plain VQ is L = I (`factor = null`).
 */
import { checkKernels } from '../kernels/check-kernels.js';
import type { CpuKernels, ResidentArray } from '../kernels/kernels.js';
import { badArgument } from '../core/errors.js';
import { checkFinite, checkFloat32, checkInt } from '../core/validate.js';
import { disposeSymbol } from '../core/dispose.js';

export class Codebook {
  /** Head dimension d. */
  readonly dim: number;
  /** Number of centroids K_c. */
  readonly size: number;
  /** size*dim, row-major, key space. */
  readonly centroids: Float32Array;
  /** dim*dim lower-triangular L (row-major), or null for the identity (plain VQ). */
  readonly factor: Float32Array | null;
  /** size*dim: centroids·L, the space in which codes are assigned (= centroids when L = I). */
  readonly whitened: Float32Array;

  /**
   * @param centroids - size*dim finite values.
   * @param factor - dim*dim lower-triangular with positive diagonal, or null.
   * @example
   * const cb = new Codebook(128, 4096, centroids, L);   // query-aware
   * const plain = new Codebook(128, 4096, centroids, null);
   */
  constructor(dim: number, size: number, centroids: Float32Array, factor: Float32Array | null) {
    this.dim = checkInt('dim', dim, 1, 4096);
    this.size = checkInt('size', size, 1, 1 << 24);
    checkFloat32('centroids', centroids, size * dim);
    if (centroids.length !== size * dim) throw badArgument(`centroids must have size*dim = ${size * dim} elements, got ${centroids.length}`);
    checkFinite('centroids', centroids);
    this.centroids = centroids;
    if (factor !== null) {
      checkFloat32('factor', factor, dim * dim);
      if (factor.length !== dim * dim) throw badArgument(`factor must have dim*dim = ${dim * dim} elements, got ${factor.length}`);
      checkFinite('factor', factor);
      for (let i = 0; i < dim; i++) {
        if (!(factor[i * dim + i] > 0)) throw badArgument(`factor[${i}, ${i}] must be positive (a Cholesky factor), got ${factor[i * dim + i]}`);
        for (let j = i + 1; j < dim; j++) {
          if (factor[i * dim + j] !== 0) throw badArgument(`factor must be lower triangular: factor[${i}, ${j}] = ${factor[i * dim + j]}`);
        }
      }
    }
    this.factor = factor;
    this.whitened = factor === null ? centroids : new Float32Array(size * dim);
    if (factor !== null) this.whiten(centroids, size, this.whitened);
  }

  /** True for a query-aware codebook (L ≠ I). */
  get queryAware(): boolean {
    return this.factor !== null;
  }

  /** Bits a code takes: ⌈log2 size⌉ (12 for 4096 centroids). */
  get codeBits(): number {
    return Math.max(1, Math.ceil(Math.log2(this.size)));
  }

  /**
   * out = x·L for n rows (float64 accumulation); copies when L = I. out may not alias x.
   * x: n*dim; out: n*dim.
   */
  whiten(x: Float32Array, n: number, out: Float32Array): Float32Array {
    const d = this.dim;
    checkInt('n', n, 0); checkFloat32('x', x, n * d); checkFloat32('out', out, n * d);
    const L = this.factor;
    if (L === null) { out.set(x.subarray(0, n * d)); return out; }
    const acc = new Float64Array(d);
    for (let r = 0; r < n; r++) {
      acc.fill(0);
      const o = r * d;
      // (xL)_t = Σ_{s ≥ t} x_s L_st (L lower triangular): stream row s of L.
      for (let s = 0; s < d; s++) {
        const xs = x[o + s];
        if (xs === 0) continue;
        const row = s * d;
        for (let t = 0; t <= s; t++) acc[t] += xs * L[row + t];
      }
      for (let t = 0; t < d; t++) out[o + t] = acc[t];
    }
    return out;
  }

  /**
   * Codes of n keys (pre-RoPE, n*dim) under this codebook's metric: codes[i] = nearest centroid.
   * `whitenedScratch` (n*dim, ideally resident) avoids an allocation in hot loops.
   *
   * @example
   * cb.encode(kernels, keysPre, n, codes);
   */
  encode(kernels: CpuKernels, keys: Float32Array, n: number, codes: Int32Array,
    scratch?: { whitened: Float32Array; dist: Float32Array }, resident?: ResidentCodebook): void {
    const d = this.dim;
    checkInt('n', n, 0); checkFloat32('keys', keys, n * d); checkFinite('keys', keys, n * d);
    if (!(codes instanceof Int32Array) || codes.length < n) throw badArgument(`codes must be an Int32Array of at least ${n} elements`);
    if (n === 0) return;
    const z = scratch?.whitened ?? new Float32Array(n * d);
    const dist = scratch?.dist ?? new Float32Array(n);
    this.whiten(keys, n, z);
    const C = resident ? resident.whitened.view() : this.whitened;
    kernels.argminL2(z, C, codes, dist, n, this.size, d);
  }

  /** Copies of the centroid tables in the backend's memory, for kernels without per-call copies. */
  resident(kernels: CpuKernels): ResidentCodebook {
    return new ResidentCodebook(this, kernels);
  }
}

/** Resident centroids (LUT) and whitened centroids (encoding) of a Codebook. Call dispose(). */
export class ResidentCodebook {
  readonly centroids: ResidentArray<Float32Array>;
  readonly whitened: ResidentArray<Float32Array>;

  constructor(readonly codebook: Codebook, kernels: CpuKernels) {
    checkKernels('kernels', kernels);
    const n = codebook.size * codebook.dim;
    this.centroids = kernels.allocF32(n);
    try {
      this.whitened = codebook.factor === null ? this.centroids : kernels.allocF32(n);
    } catch (e) {
      this.centroids.dispose();
      throw e;
    }
    this.centroids.view().set(codebook.centroids);
    if (this.whitened !== this.centroids) this.whitened.view().set(codebook.whitened);
  }

  dispose(): void {
    this.centroids.dispose();
    if (this.whitened !== this.centroids) this.whitened.dispose();
  }

  [disposeSymbol](): void { this.dispose(); }
}

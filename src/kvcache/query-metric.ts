/**
 * The query-aware metric of A²ATS §3.2: the score error of quantising a key k̃ to a centroid c,
 * averaged over queries, is a quadratic form in the key error,
 *
 *     E_q[(q̃ k̃ᵀ − q̃ cᵀ)²] = (k̃ − c) H (k̃ − c)ᵀ,   H = E[q̃ᵀ q̃]   (second moment, not covariance)
 *
 * with q̃ the queries rotated to the WRoPE distance b. This accumulates H per (layer, KV head),
 * pooled over the g query heads of the GQA group, then applies the authors' recipe: scale by
 * 1/sqrt(mean(H²)) (only the shape of H matters for k-means; this keeps the 1e-6 jitter
 * meaningful) and factor L = chol(H + 1e-6·I), so that (k̃ − c) H (k̃ − c)ᵀ = ‖k̃L − cL‖².
 */
import { cholesky } from '../core/linalg/index.js';
import { badArgument } from '../core/errors.js';
import { checkFinite, checkFloat32, checkInt } from '../core/validate.js';

/** Running second moment Σ q̃ᵀq̃ / count of d-dimensional row vectors (float64). */
export class QueryMoment {
  readonly dim: number;
  /** Σ q̃ᵀ q̃ (dim*dim, row-major; only complete after `add`). */
  private readonly sum: Float64Array;
  private n = 0;

  constructor(dim: number) {
    this.dim = checkInt('dim', dim, 1, 4096);
    this.sum = new Float64Array(dim * dim);
  }

  /** Number of query vectors added. */
  get count(): number {
    return this.n;
  }

  /**
   * Add `rows` query vectors (already rotated to distance b), rows*dim row-major.
   * @example moment.add(qTilde, groupSize)   // the g heads of one KV head's group at one position
   */
  add(queries: Float32Array, rows = 1): void {
    checkInt('rows', rows, 0);
    const d = this.dim;
    checkFloat32('queries', queries, rows * d);
    checkFinite('queries', queries, rows * d);
    const S = this.sum;
    for (let r = 0; r < rows; r++) {
      const o = r * d;
      for (let a = 0; a < d; a++) {
        const qa = queries[o + a];
        if (qa === 0) continue;
        const row = a * d;
        // Lower triangle only; mirrored in `moment()`.
        for (let b = 0; b <= a; b++) S[row + b] += qa * queries[o + b];
      }
    }
    this.n += rows;
  }

  /** Merge another accumulator of the same dimension into this one. */
  merge(other: QueryMoment): void {
    if (!(other instanceof QueryMoment) || other.dim !== this.dim) throw badArgument(`other must be a QueryMoment of dim ${this.dim}`);
    for (let i = 0; i < this.sum.length; i++) this.sum[i] += other.sum[i];
    this.n += other.n;
  }

  /** H = E[q̃ᵀ q̃] (dim*dim, symmetric, float64). Requires at least one query. */
  moment(): Float64Array {
    if (this.n === 0) throw badArgument('QueryMoment has no queries: add() calibration queries first');
    const d = this.dim;
    const H = new Float64Array(d * d);
    for (let a = 0; a < d; a++) {
      for (let b = 0; b <= a; b++) {
        const v = this.sum[a * d + b] / this.n;
        H[a * d + b] = v;
        H[b * d + a] = v;
      }
    }
    return H;
  }
}

/** Result of {@link metricFactor}. */
export interface MetricFactor {
  /** Lower-triangular L with H_scaled + jitter·I = L Lᵀ (dim*dim, row-major, float64). */
  L: Float64Array;
  /** The scale applied to H: 1/sqrt(mean(H²)). */
  scale: number;
  /** Total diagonal jitter: the recipe's 1e-6 plus whatever Cholesky had to add. */
  jitter: number;
}

/**
 * Scale H by 1/sqrt(mean(H²)) and factor H + 1e-6·I = L Lᵀ (more jitter if needed).
 *
 * @param H - dim*dim symmetric positive semi-definite (e.g. QueryMoment.moment()).
 * @example
 * const { L } = metricFactor(moment.moment(), 128);
 */
export function metricFactor(H: Float64Array, dim: number, jitter = 1e-6): MetricFactor {
  checkInt('dim', dim, 1);
  if (!(H instanceof Float64Array) || H.length < dim * dim) throw badArgument(`H must be a Float64Array of ${dim * dim} elements`);
  checkFinite('H', H, dim * dim);
  let ms = 0;
  for (let i = 0; i < dim * dim; i++) ms += H[i] * H[i];
  ms /= dim * dim;
  if (!(ms > 0)) throw badArgument('H must not be all zeros');
  const scale = 1 / Math.sqrt(ms);
  const A = new Float64Array(dim * dim);
  for (let i = 0; i < dim * dim; i++) A[i] = H[i] * scale;
  for (let i = 0; i < dim; i++) A[i * dim + i] += jitter;
  const { L, jitter: extra } = cholesky(A, dim);
  return { L, scale, jitter: jitter + extra };
}

/**
 * Linear least squares min_β ‖y − Xβ‖² by Householder QR with column pivoting
 * (Businger & Golub, "Linear least squares solutions by Householder transformations",
 * Numer. Math. 7, 1965; Golub & Van Loan, *Matrix Computations* (4th ed.), §5.2 and §5.4.2).
 *
 * QR works on X itself, so its accuracy degrades like κ(X)·ε, not κ(X)²·ε as the normal
 * equations XᵀXβ = Xᵀy would. Column pivoting makes the diagonal of R non-increasing in size,
 * which reveals the numerical rank.
 */
import { SparseInferenceError } from '../errors.js';
import { checkFinite, checkFloat64, checkInt, checkNumber, checkOneOf } from '../validate.js';
import { checkOptions, optionKeys } from '../options.js';

/** Options of {@link leastSquares}. */
export interface LeastSquaresOptions {
  /**
   * Largest acceptable condition estimate (see {@link LeastSquaresResult.condition}).
   * Default 1e12: above it a Float64 solution may have lost more than 12 of its ~16 digits.
   */
  maxCondition?: number;
  /**
   * What to do when X is rank deficient or its condition estimate exceeds `maxCondition`:
   * 'throw' (default) throws NOT_CONVERGED; 'report' returns the basic solution (coefficients
   * of the columns beyond the numerical rank set to 0) with `illConditioned: true`.
   */
  onIllConditioned?: 'throw' | 'report';
}

/** Every key of LeastSquaresOptions, for checkOptions. */
export const LEAST_SQUARES_KEYS = optionKeys<LeastSquaresOptions>({ maxCondition: true, onIllConditioned: true });

/** Result of {@link leastSquares}. */
export interface LeastSquaresResult {
  /** Coefficients, length p. */
  beta: Float64Array;
  /** Residual sum of squares ‖y − Xβ‖². */
  rss: number;
  /** Numerical rank: number of |R_kk| above max(m, p)·ε·|R_00| (numpy's default rcond). */
  rank: number;
  /**
   * 1-norm condition number κ₁(R) = ‖R‖₁·‖R⁻¹‖₁ of the triangular factor, computed exactly;
   * it is within a factor p of the 2-norm condition number κ₂(X). Infinity when rank < p.
   */
  condition: number;
  /** rank < p or condition > maxCondition (only ever true with onIllConditioned: 'report'). */
  illConditioned: boolean;
}

/** Default {@link LeastSquaresOptions.maxCondition}. */
export const DEFAULT_MAX_CONDITION = 1e12;

/**
 * Least-squares fit β = argmin ‖y − Xβ‖², with residual sum of squares, numerical rank and a
 * condition estimate. O(m p²).
 *
 * @param X - m*p row-major design matrix (m observations, p columns), finite.
 * @param y - responses, length m, finite.
 * @param m - observations (≥ 1).
 * @param p - columns (≥ 1). m < p is always rank deficient.
 * @param opts - ill-conditioning threshold and policy.
 * @throws SparseInferenceError BAD_ARGUMENT for bad shapes or values; NOT_CONVERGED when X is
 *   rank deficient or too ill-conditioned (unless `onIllConditioned: 'report'`).
 * @example
 * // fit y = 1 + 2x through (0, 1), (1, 3), (2, 5)
 * const X = Float64Array.of(1, 0, 1, 1, 1, 2);
 * const { beta, rss } = leastSquares(X, Float64Array.of(1, 3, 5), 3, 2);   // beta ≈ [1, 2], rss ≈ 0
 */
export function leastSquares(
  X: Float64Array, y: Float64Array, m: number, p: number, opts: LeastSquaresOptions = {},
): LeastSquaresResult {
  opts = checkOptions('leastSquares options', opts, LEAST_SQUARES_KEYS);
  checkInt('m', m, 1); checkInt('p', p, 1);
  checkFloat64('X', X, m * p); checkFinite('X', X, m * p);
  checkFloat64('y', y, m); checkFinite('y', y, m);
  const maxCondition = opts.maxCondition === undefined
    ? DEFAULT_MAX_CONDITION : checkNumber('opts.maxCondition', opts.maxCondition, 1);
  const policy = opts.onIllConditioned === undefined
    ? 'throw' : checkOneOf('opts.onIllConditioned', opts.onIllConditioned, ['throw', 'report'] as const);

  // Column-major working copy: a[j*m + i] = X[i, j], so each column is contiguous.
  const a = new Float64Array(m * p);
  for (let i = 0; i < m; i++) for (let j = 0; j < p; j++) a[j * m + i] = X[i * p + j];
  const qty = Float64Array.from(y.subarray(0, m));   // becomes Qᵀy
  const perm = new Int32Array(p).map((_, j) => j);
  const rDiag = new Float64Array(p);
  const steps = Math.min(m, p);

  for (let k = 0; k < steps; k++) {
    // Pivot: the remaining column with the largest norm over rows k..m−1 (recomputed exactly
    // each step: O(m p) per step, simpler and safer than norm downdating).
    let best = k, bestNorm2 = -1;
    for (let j = k; j < p; j++) {
      let s = 0;
      for (let i = j * m + k, end = (j + 1) * m; i < end; i++) s += a[i] * a[i];
      if (s > bestNorm2) { bestNorm2 = s; best = j; }
    }
    if (best !== k) {
      for (let i = 0; i < m; i++) { const t = a[k * m + i]; a[k * m + i] = a[best * m + i]; a[best * m + i] = t; }
      const t = perm[k]; perm[k] = perm[best]; perm[best] = t;
    }
    const norm = Math.sqrt(bestNorm2);
    if (norm === 0) break;   // all remaining columns vanish: R_kk = 0 from here on
    // Householder reflector H = I − τvvᵀ with v = x − αe₁, α = −sign(x₀)‖x‖ (no cancellation).
    const ck = k * m;
    const alpha = a[ck + k] > 0 ? -norm : norm;
    a[ck + k] -= alpha;
    let vtv = 0;
    for (let i = k; i < m; i++) vtv += a[ck + i] * a[ck + i];
    const tau = 2 / vtv;
    for (let j = k + 1; j < p; j++) {
      const cj = j * m;
      let d = 0;
      for (let i = k; i < m; i++) d += a[ck + i] * a[cj + i];
      const f = tau * d;
      for (let i = k; i < m; i++) a[cj + i] -= f * a[ck + i];
    }
    let d = 0;
    for (let i = k; i < m; i++) d += a[ck + i] * qty[i];
    const f = tau * d;
    for (let i = k; i < m; i++) qty[i] -= f * a[ck + i];
    rDiag[k] = alpha;
  }
  // R[k, j] (j > k) now sits at a[j*m + k]; R[k, k] in rDiag[k].
  const R = (k: number, j: number): number => (j === k ? rDiag[k] : a[j * m + k]);

  const tol = Math.max(m, p) * Number.EPSILON * Math.abs(rDiag[0]);
  let rank = 0;
  while (rank < steps && Math.abs(rDiag[rank]) > tol) rank++;
  const condition = rank < p ? Infinity : conditionUpper(R, p);
  const illConditioned = rank < p || condition > maxCondition;
  if (illConditioned && policy === 'throw') {
    throw new SparseInferenceError('NOT_CONVERGED', rank < p
      ? `leastSquares: X is rank deficient (numerical rank ${rank} < p = ${p}); ` +
        `pass { onIllConditioned: 'report' } for the basic solution`
      : `leastSquares: X is ill-conditioned (condition estimate ${condition.toExponential(2)} > ` +
        `opts.maxCondition = ${maxCondition}); pass { onIllConditioned: 'report' } to accept it`);
  }

  // Back substitution on the leading rank×rank block; the other coefficients stay 0.
  const z = new Float64Array(rank);
  for (let k = rank - 1; k >= 0; k--) {
    let s = qty[k];
    for (let j = k + 1; j < rank; j++) s -= R(k, j) * z[j];
    z[k] = s / rDiag[k];
  }
  const beta = new Float64Array(p);
  for (let k = 0; k < rank; k++) beta[perm[k]] = z[k];
  let rss = 0;
  for (let i = rank; i < m; i++) rss += qty[i] * qty[i];
  return { beta, rss, rank, condition, illConditioned };
}

/** κ₁(R) = ‖R‖₁·‖R⁻¹‖₁ for a non-singular p×p upper-triangular R given by accessor. O(p³/6). */
function conditionUpper(R: (k: number, j: number) => number, p: number): number {
  // Column j of R⁻¹ solves R·x = e_j; it is zero below row j.
  let normR = 0, normInv = 0;
  const x = new Float64Array(p);
  for (let j = 0; j < p; j++) {
    let colR = 0;
    for (let k = 0; k <= j; k++) colR += Math.abs(R(k, j));
    normR = Math.max(normR, colR);
    x.fill(0);
    x[j] = 1 / R(j, j);
    let col = Math.abs(x[j]);
    for (let k = j - 1; k >= 0; k--) {
      let s = 0;
      for (let i = k + 1; i <= j; i++) s += R(k, i) * x[i];
      x[k] = -s / R(k, k);
      col += Math.abs(x[k]);
    }
    normInv = Math.max(normInv, col);
  }
  return normR * normInv;
}

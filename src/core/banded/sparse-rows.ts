/**
 * Normal equations from sparse design rows with consecutive non-zeros, as produced by a
 * B-spline basis of degree q: row r of the m×p design B has its q+1 non-zeros in columns
 * first[r] .. first[r]+q. Then BᵀB is banded with half-bandwidth q, and BᵀB, Bᵀy and yᵀy are
 * accumulated in O(m q²) without ever forming B densely (knots spec, §3: "build and factor it in
 * O(m q² + p q²)").
 *
 * Row layout: `first` (m column indices) and `values` (m·(q+1), row-major: values[r·(q+1) + a]
 * is B[r, first[r] + a]).
 */
import { badArgument } from '../errors.js';
import { checkFinite, checkFloat64, checkInt, checkInt32 } from '../validate.js';
import { checkOptions, optionKeys } from '../options.js';

/** Options of {@link bandedNormalEquations}. */
export interface NormalEquationsOptions {
  /** Observation weights w (length m, finite, ≥ 0): accumulates BᵀWB, BᵀWy, yᵀWy (for IRLS). */
  weights?: Float64Array;
}

/** Every key of NormalEquationsOptions, for checkOptions. */
export const NORMAL_EQUATIONS_KEYS = optionKeys<NormalEquationsOptions>({ weights: true });

/** Banded normal equations of a sparse-row design. */
export interface BandedNormalEquations {
  /** BᵀB (or BᵀWB) in lower band storage with bw = q: p·(q+1) numbers (see `denseToBanded`). */
  gram: Float64Array;
  /** Bᵀy (or BᵀWy), length p. */
  xty: Float64Array;
  /** yᵀy (or yᵀWy). */
  yty: number;
  /** Half-bandwidth of `gram` (= q). */
  bw: number;
}

function checkRows(
  first: Int32Array, values: Float64Array, y: Float64Array, m: number, p: number, q: number,
): void {
  checkInt('m', m, 1);
  checkInt('q', q, 0);
  checkInt('p', p, q + 1);
  checkInt32('first', first, m);
  for (let r = 0; r < m; r++) {
    const c = first[r];
    if (c < 0 || c > p - q - 1) throw badArgument(`first[${r}] must be in [0, p − q − 1] = [0, ${p - q - 1}], got ${c}`);
  }
  checkFloat64('values', values, m * (q + 1)); checkFinite('values', values, m * (q + 1));
  checkFloat64('y', y, m); checkFinite('y', y, m);
}

/**
 * Accumulates BᵀB (banded, bw = q), Bᵀy and yᵀy from sparse design rows. O(m q²) time,
 * O(p q) memory. Factor the result with `bandedCholesky(gram, p, q)`; then
 * β̂ = `bandedSolve(L, xty, p, q)`.
 *
 * @param first - Int32Array, length m: first non-zero column of each row, in [0, p−q−1].
 * @param values - Float64Array, m·(q+1) row-major: the q+1 consecutive non-zeros of each row.
 * @param y - responses, length m.
 * @param m - rows (observations, ≥ 1).
 * @param p - columns (≥ q+1).
 * @param q - non-zeros per row minus one (the spline degree, ≥ 0).
 * @param opts - optional observation weights.
 * @example
 * // B = [[1, 0], [0.5, 0.5], [0, 1]] (linear splines, q = 1), y = [1, 2, 3]
 * const { gram, xty, yty } = bandedNormalEquations(
 *   Int32Array.of(0, 0, 0), Float64Array.of(1, 0, 0.5, 0.5, 0, 1), Float64Array.of(1, 2, 3), 3, 2, 1);
 * // gram = band of [[1.25, 0.25], [0.25, 1.25]] = [1.25, 0, 1.25, 0.25]; xty = [2, 4]; yty = 14
 */
export function bandedNormalEquations(
  first: Int32Array, values: Float64Array, y: Float64Array, m: number, p: number, q: number,
  opts: NormalEquationsOptions = {},
): BandedNormalEquations {
  opts = checkOptions('bandedNormalEquations options', opts, NORMAL_EQUATIONS_KEYS);
  checkRows(first, values, y, m, p, q);
  const wts = opts.weights;
  if (wts !== undefined) {
    checkFloat64('opts.weights', wts, m);
    for (let r = 0; r < m; r++) {
      if (!(wts[r] >= 0) || !Number.isFinite(wts[r])) throw badArgument(`opts.weights[${r}] must be finite and ≥ 0, got ${wts[r]}`);
    }
  }
  const w = q + 1;
  const gram = new Float64Array(p * w);
  const xty = new Float64Array(p);
  let yty = 0;
  for (let r = 0; r < m; r++) {
    const c0 = first[r];
    const vr = r * w;
    const wr = wts === undefined ? 1 : wts[r];
    const yr = y[r];
    yty += wr * yr * yr;
    for (let a = 0; a < w; a++) {
      const va = wr * values[vr + a];
      if (va === 0) continue;
      const i = c0 + a;
      xty[i] += va * yr;
      // Lower band of row i: entry [i, c0+b] at offset a−b.
      const gi = i * w;
      for (let b = 0; b <= a; b++) gram[gi + a - b] += va * values[vr + b];
    }
  }
  return { gram, xty, yty, bw: q };
}

/**
 * Residual sum of squares Σ_r (y_r − B[r,:]·β)² computed from the sparse rows in O(m q).
 * Use it rather than yᵀy − βᵀBᵀy, which cancels catastrophically when the fit is good.
 *
 * @param first - Int32Array, length m (as in {@link bandedNormalEquations}).
 * @param values - Float64Array, m·(q+1).
 * @param y - responses, length m.
 * @param beta - coefficients, length p.
 * @param m - rows (≥ 1).
 * @param p - columns (≥ q+1).
 * @param q - non-zeros per row minus one (≥ 0).
 * @example
 * sparseRowsRss(Int32Array.of(0, 0, 0), Float64Array.of(1, 0, 0.5, 0.5, 0, 1),
 *   Float64Array.of(1, 2, 3), Float64Array.of(1, 3), 3, 2, 1);   // → 0
 */
export function sparseRowsRss(
  first: Int32Array, values: Float64Array, y: Float64Array, beta: Float64Array,
  m: number, p: number, q: number,
): number {
  checkRows(first, values, y, m, p, q);
  checkFloat64('beta', beta, p); checkFinite('beta', beta, p);
  const w = q + 1;
  let rss = 0;
  for (let r = 0; r < m; r++) {
    let f = 0;
    const c0 = first[r];
    for (let a = 0; a < w; a++) f += values[r * w + a] * beta[c0 + a];
    const e = y[r] - f;
    rss += e * e;
  }
  return rss;
}

/**
 * B-spline basis rows by the Cox–de Boor recursion (de Boor 1978; the triangular scheme of
 * Piegl & Tiller 1997, *The NURBS Book*, Alg. A2.2). Every point x has degree+1 consecutive
 * nonzero basis functions; a row is stored as its first nonzero column plus those values.
 *
 * Conventions (those of R's `splines::splineDesign`): t is a full knot vector (boundary knots
 * repeated degree+1 times, interior knots repeated at most degree+1 times); right-continuous at
 * interior knots, left-continuous at the right boundary; outside the boundary the boundary
 * piece's polynomial is continued.
 */
import { defineKernel, f64, i32, size, int } from '../define-kernel.js';
import { badArgument } from '../../core/errors.js';

/**
 * The knot span μ for x: the largest μ in [degree, nt−degree−2] with t[μ] ≤ x (binary search),
 * so t[μ] ≤ x < t[μ+1] inside the boundary; clamped to the first/last span outside it.
 */
export function findSpan(t: ArrayLike<number>, nt: number, degree: number, x: number): number {
  let lo = degree, hi = nt - degree - 2;
  if (x >= t[hi]) return hi;
  if (x < t[lo + 1]) return lo;
  // Invariant: t[lo] <= x < t[hi].
  while (hi - lo > 1) {
    const mid = (lo + hi) >> 1;
    if (t[mid] <= x) lo = mid; else hi = mid;
  }
  return lo;
}

/**
 * The degree+1 basis values B_{μ−degree..μ}(x) on span μ, written to out[offset..offset+degree].
 * left, right: scratch of at least degree+1 numbers.
 */
export function bsplineValuesAt(
  t: ArrayLike<number>, degree: number, span: number, x: number,
  out: Float64Array, offset: number, left: Float64Array, right: Float64Array,
): void {
  out[offset] = 1;
  for (let j = 1; j <= degree; j++) {
    left[j] = x - t[span + 1 - j];
    right[j] = t[span + j] - x;
    let saved = 0;
    for (let r = 0; r < j; r++) {
      // The denominator is a knot difference ≥ t[μ+1] − t[μ] > 0, so it never vanishes.
      const temp = out[offset + r] / (right[r + 1] + left[j - r]);
      out[offset + r] = saved + right[r + 1] * temp;
      saved = left[j - r] * temp;
    }
    out[offset + j] = saved;
  }
}

/**
 * Sparse basis rows for n points.
 * x: n; t: nt (full knot vector, nondecreasing, t[degree] < t[nt−degree−1]);
 * first: n (Int32Array; column of row i's first nonzero, in [0, nt−degree−2]);
 * values: n*(degree+1) (values[i*(degree+1) + a] = B_{first[i]+a}(x[i])).
 */
export function bsplineBasis(
  x: Float64Array, n: number, t: Float64Array, nt: number, degree: number,
  first: Int32Array, values: Float64Array,
): void {
  const w = degree + 1;
  const left = new Float64Array(w);
  const right = new Float64Array(w);
  for (let i = 0; i < n; i++) {
    const span = findSpan(t, nt, degree, x[i]);
    first[i] = span - degree;
    bsplineValuesAt(t, degree, span, x[i], values, i * w, left, right);
  }
}

/** bsplineBasis: sparse B-spline design rows. */
export const bsplineBasisKernel = defineKernel('bsplineBasis', {
  reference: bsplineBasis,
  args: [
    f64('x', 'n', ([, n]) => n), size('n'), f64('t', 'nt', ([, , , nt]) => nt), size('nt', ([, , , , degree]) => 2 * degree + 2),
    int('degree', 0, 20), i32('first', 'n', ([, n]) => n, { role: 'out' }),
    f64('values', 'n*(degree+1)', ([, n, , , degree]) => n * (degree + 1), { role: 'out' }),
  ],
  work: ([, n, , , degree]) => n * (degree + 1),
  verify([, , t, nt, degree]) {
    if (!(t[degree] < t[nt - degree - 1])) {
      throw badArgument(`t must have t[degree] < t[nt−degree−1], got ${t[degree]} and ${t[nt - degree - 1]}`);
    }
  },
});

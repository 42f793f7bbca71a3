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
import { bsplineValuesAt, findSpan } from '../../core/bspline-span.js';

/**
 * Sparse B-spline basis rows (Cox–de Boor). x: n; t: nt (full knot vector: boundary knots
 * repeated degree+1 times, nondecreasing, t[degree] < t[nt−degree−1]); first: n (Int32Array,
 * first nonzero column of each row); values: n*(degree+1), row-major.
 *
 * Reference: Sparse basis rows for n points.
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
export const bsplineBasisKernel = defineKernel('bsplineBasis', bsplineBasis, {
  args: [
    f64('x', 'n', ([, n]) => n), size('n'), f64('t', 'nt', ([, , , nt]) => nt), size('nt', ([, , , , degree]) => 2 * degree + 2),
    int('degree', 0, 20), i32('first', 'n', ([, n]) => n, { role: 'out' }),
    f64('values', 'n*(degree+1)', ([, n, , , degree]) => n * (degree + 1), { role: 'out' }),
  ],
  split: 'whole',
  work: ([, n, , , degree]) => n * (degree + 1),
  verify([, , t, nt, degree]) {
    if (!(t[degree] < t[nt - degree - 1])) {
      throw badArgument(`t must have t[degree] < t[nt−degree−1], got ${t[degree]} and ${t[nt - degree - 1]}`);
    }
  },
});

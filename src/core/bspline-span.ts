/**
 * B-spline evaluation at one point (Cox–de Boor; Piegl & Tiller 1997, *The NURBS Book*, Alg.
 * A2.1–A2.2): the knot span of x and the degree+1 basis values nonzero there. Shared by the
 * bsplineBasis kernel's reference loop and the knots family's spline evaluation. Conventions
 * are R's `splines::splineDesign` (see kernels/reference/bspline-basis.ts).
 */

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

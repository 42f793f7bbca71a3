/**
 * Evaluate a fitted tensor-product spline Σ_l β_l Π_j B_{j,l_j}(x_j) at arbitrary points from
 * the coordinate knot vectors (small, non-hot: prediction, probes, posterior draws on a grid).
 */
import { bsplineValuesAt, findSpan } from '../core/bspline-span.js';

/**
 * Values of the spline with coefficients beta at npts points.
 * points[j]: coordinate j of each point (scaled to the fitting scale); knotVectors[j]: full knot
 * vector of coordinate j; out: npts (written).
 */
export function evaluateSpline(
  points: ArrayLike<number>[], knotVectors: Float64Array[], degrees: number[], beta: ArrayLike<number>,
  out: Float64Array, npts = points[0].length,
): Float64Array {
  const d = points.length;
  const cols = knotVectors.map((t, j) => t.length - degrees[j] - 1);
  const strides = new Array<number>(d);
  let stride = 1;
  for (let j = d - 1; j >= 0; j--) { strides[j] = stride; stride *= cols[j]; }
  const vals = degrees.map((q) => new Float64Array(q + 1));
  const firsts = new Array<number>(d);
  const maxW = Math.max(...degrees) + 1;
  const left = new Float64Array(maxW), right = new Float64Array(maxW);
  for (let i = 0; i < npts; i++) {
    for (let j = 0; j < d; j++) {
      const t = knotVectors[j], q = degrees[j];
      const span = findSpan(t, t.length, q, points[j][i]);
      firsts[j] = span - q;
      bsplineValuesAt(t, q, span, points[j][i], vals[j], 0, left, right);
    }
    out[i] = tensorSum(0, 0, 1);
  }
  return out;

  function tensorSum(j: number, col: number, prod: number): number {
    if (j === d) return prod * beta[col];
    let s = 0;
    const v = vals[j];
    for (let a = 0; a < v.length; a++) {
      if (v[a] !== 0) s += tensorSum(j + 1, col + (firsts[j] + a) * strides[j], prod * v[a]);
    }
    return s;
  }
}

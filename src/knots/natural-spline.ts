/**
 * Natural cubic spline basis, reproducing R's `splines::ns(x, knots, intercept, Boundary.knots)`
 * to rounding: cubic B-splines on the augmented knots, projected onto the null space of the
 * second-derivative conditions at both boundary knots. The projection is the one R uses:
 * Householder QR of the constraint matrix Cᵀ (p×2), basis = (B·Q)[, −(1:2)]; outside the
 * boundary the (unconstrained) basis is extended linearly before the projection.
 *
 * Used for the paper's jump curve (He, Yang & Kang, arXiv 2405.13353, curve 3).
 */
import { badArgument } from '../core/errors.js';
import { checkOptions } from '../core/options.js';
import { checkElements } from '../core/limits.js';
import { checkValues } from '../core/stats/values.js';
import { describe } from '../core/validate.js';
import { bsplineKnotVector, bsplineRows, checkBoundary } from './bspline-basis.js';
import { bsplineDerivatives } from './bspline-derivatives.js';
import { householderQr, householderQty } from './householder-qr.js';

export interface NaturalSplineOptions {
  /** Keep the constant in the span of the basis (default false, like R). */
  intercept?: boolean;
  /** Boundary knots (default [0, 1]). */
  boundary?: [number, number];
}

/**
 * Dense natural cubic spline basis: rows*cols row-major, cols = k + 1 + (intercept ? 1 : 0).
 *
 * @example
 * // The paper's jump curve: 5·ns(x, knots = (.4,.4,.4,.4,.7), intercept)·(2,−5,5,2,−3,−1,2)
 * const { values, cols } = naturalSplineBasis([0.1, 0.5], [0.4, 0.4, 0.4, 0.4, 0.7], { intercept: true });
 */
export function naturalSplineBasis(
  x: ArrayLike<number>, knots: ArrayLike<number>, options: NaturalSplineOptions = {},
): { values: Float64Array; rows: number; cols: number } {
  const o = checkOptions<NaturalSplineOptions>('naturalSplineBasis options', options, ['intercept', 'boundary']);
  const intercept = o.intercept ?? false;
  if (typeof intercept !== 'boolean') throw badArgument(`intercept must be true or false, got ${describe(intercept)}`);
  const [lo, hi] = checkBoundary(o.boundary);
  checkValues('x', x, 0);
  checkValues('knots', knots, 0);
  checkElements('x.length·(knots + 2)', x.length, knots.length + 2);
  const degree = 3;
  const t = bsplineKnotVector(knots, degree, lo, hi);
  const full = t.length - degree - 1; // k + 4 basis functions
  const drop = intercept ? 0 : 1;
  const p = full - drop;

  // Constraint matrix Cᵀ (p×2, column-major): second derivatives at the two boundary knots.
  const ct = new Float64Array(p * 2);
  [lo, hi].forEach((b, col) => {
    const { first, ders } = bsplineDerivatives(t, degree, b, 2);
    for (let a = 0; a <= degree; a++) {
      const c = first + a - drop;
      if (c >= 0) ct[col * p + c] = ders[2 * (degree + 1) + a];
    }
  });
  const f = householderQr(ct, p, 2);

  // Unconstrained rows (dense, full width), with linear extension outside the boundary.
  const rows = x.length;
  const sparse = bsplineRows(x, t, degree);
  const cols = p - 2;
  const out = new Float64Array(rows * cols);
  const row = new Float64Array(p);
  const edge = [lo, hi].map((b) => bsplineDerivatives(t, degree, b, 1));
  for (let i = 0; i < rows; i++) {
    row.fill(0);
    const xi = x[i];
    if (xi < lo || xi > hi) {
      const e = edge[xi < lo ? 0 : 1];
      const dx = xi - (xi < lo ? lo : hi);
      for (let a = 0; a <= degree; a++) {
        const c = e.first + a - drop;
        if (c >= 0) row[c] = e.ders[a] + dx * e.ders[degree + 1 + a];
      }
    } else {
      for (let a = 0; a <= degree; a++) {
        const c = sparse.first[i] + a - drop;
        if (c >= 0) row[c] = sparse.values[i * (degree + 1) + a];
      }
    }
    householderQty(f, row);
    for (let c = 0; c < cols; c++) out[i * cols + c] = row[c + 2];
  }
  return { values: out, rows, cols };
}

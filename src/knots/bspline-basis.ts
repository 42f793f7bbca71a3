/**
 * B-spline basis of any degree by the Cox–de Boor recursion (de Boor 1978, *A Practical Guide
 * to Splines*; the triangular scheme of Piegl & Tiller 1997, Alg. A2.2), with the conventions
 * of R's `splines::bs` / `splineDesign`: boundary knots repeated degree+1 times, interior knots
 * may repeat up to degree+1 times (multiplicity degree+1 is a jump), right-continuous at
 * interior knots, left-continuous at the right boundary, and outside the boundary the boundary
 * piece's polynomial is continued (which equals `bs`'s Taylor extrapolation).
 *
 * Rows are sparse: each x has degree+1 consecutive nonzero basis functions, so a row is stored as
 * its first nonzero column plus degree+1 values ("sparse row format").
 */
import { badArgument } from '../core/errors.js';
import { checkOptions } from '../core/options.js';
import { checkElements } from '../core/limits.js';
import { checkValues } from '../core/stats/values.js';
import { checkFinite, checkFloat64, checkInt, checkInt32, checkNumber, describe } from '../core/validate.js';
import { hostKernels } from '../kernels/host-kernels.js';

export { findSpan, bsplineValuesAt } from '../core/bspline-span.js';

/** A design matrix whose rows each hold `width` consecutive nonzeros. */
export interface SparseDesign {
  /** Number of rows (points). */
  rows: number;
  /** Number of columns (basis functions). */
  cols: number;
  /** Nonzeros per row (degree + 1). */
  width: number;
  /** first[i]: column of row i's first nonzero; Int32Array(rows). */
  first: Int32Array;
  /** values[i*width + a] = B_{first[i]+a}(x_i); Float64Array(rows*width). */
  values: Float64Array;
}

/**
 * The full knot vector: lo repeated degree+1 times, the sorted interior knots, hi repeated
 * degree+1 times. Length k + 2(degree+1).
 *
 * @example bsplineKnotVector([0.5], 1) // Float64Array [0, 0, 0.5, 1, 1]
 */
export function bsplineKnotVector(interior: ArrayLike<number>, degree: number, lo = 0, hi = 1): Float64Array {
  checkInt('degree', degree, 0, 20);
  checkNumber('lo', lo);
  checkNumber('hi', hi);
  if (!(lo < hi)) throw badArgument(`boundary knots must satisfy lo < hi, got [${lo}, ${hi}]`);
  checkValues('knots', interior, 0);
  const k = interior.length;
  const sorted = Array.from(interior).sort((a, b) => a - b);
  let run = 1;
  for (let i = 0; i < k; i++) {
    if (!(sorted[i] > lo && sorted[i] < hi)) {
      throw badArgument(`knots must lie strictly inside the boundary (${lo}, ${hi}), got ${sorted[i]}`);
    }
    run = i > 0 && sorted[i] === sorted[i - 1] ? run + 1 : 1;
    if (run > degree + 1) throw badArgument(`knot ${sorted[i]} repeats more than degree+1 = ${degree + 1} times`);
  }
  const t = new Float64Array(k + 2 * (degree + 1));
  for (let i = 0; i <= degree; i++) { t[i] = lo; t[k + degree + 1 + i] = hi; }
  for (let i = 0; i < k; i++) t[degree + 1 + i] = sorted[i];
  return t;
}

/**
 * Sparse B-spline design rows for points x given a full knot vector t (from bsplineKnotVector).
 * Column indices count every basis function (the intercept column is column 0).
 * Cost O(rows·(log k + degree²)).
 */
export function bsplineRows(x: ArrayLike<number>, t: Float64Array, degree: number): SparseDesign {
  checkValues('x', x, 0);
  checkInt('degree', degree, 0, 20);
  checkKnotVector('t', t, degree);
  const nt = t.length;
  const knots = t instanceof Float64Array ? t : Float64Array.from(t);
  const w = degree + 1;
  const rows = x.length;
  checkElements('x.length·(degree+1)', rows, w);
  const first = new Int32Array(rows);
  const values = new Float64Array(rows * w);
  hostKernels.bsplineBasis(Float64Array.from(x), rows, knots, nt, degree, first, values);
  return { rows, cols: nt - degree - 1, width: w, first, values };
}

export interface BsplineOptions {
  /** Polynomial degree q (default 3, cubic). */
  degree?: number;
  /** Keep the first basis function (default true, as in the paper; R's bs default is false). */
  intercept?: boolean;
  /** Boundary knots (default [0, 1]). */
  boundary?: [number, number];
}

/**
 * Dense B-spline basis matrix, like R's `bs(x, knots, degree, intercept, Boundary.knots)`.
 * Returns rows*cols row-major with cols = k + degree + (intercept ? 1 : 0).
 *
 * @example
 * const { values, cols } = bsplineBasis([0.1, 0.6], [0.5], { degree: 1 });
 * // cols = 3; row 0 = [0.8, 0.2, 0]
 */
export function bsplineBasis(
  x: ArrayLike<number>, knots: ArrayLike<number>, options: BsplineOptions = {},
): { values: Float64Array; rows: number; cols: number } {
  const o = checkOptions<BsplineOptions>('bsplineBasis options', options, BSPLINE_KEYS);
  const degree = o.degree ?? 3;
  const intercept = o.intercept ?? true;
  if (typeof intercept !== 'boolean') throw badArgument(`intercept must be true or false, got ${describe(intercept)}`);
  const [lo, hi] = checkBoundary(o.boundary);
  checkValues('x', x, 0);
  checkValues('knots', knots, 0);
  checkElements('x.length·(knots + degree + 1)', x.length, knots.length + checkInt('degree', degree, 0, 20) + 1);
  const t = bsplineKnotVector(knots, degree, lo, hi);
  const d = bsplineRows(x, t, degree);
  return sparseToDense(d, intercept ? 0 : 1);
}

const BSPLINE_KEYS = ['degree', 'intercept', 'boundary'] as const;

/** Boundary knots [lo, hi] (default [0, 1]); their order is checked by bsplineKnotVector. */
export function checkBoundary(boundary: unknown): [number, number] {
  if (boundary === undefined) return [0, 1];
  if (!Array.isArray(boundary) || boundary.length !== 2) {
    throw badArgument(`boundary must be [lo, hi], got ${describe(boundary)}`);
  }
  return [checkNumber('boundary[0]', boundary[0]), checkNumber('boundary[1]', boundary[1])];
}

/**
 * A full knot vector for `degree`: finite, nondecreasing, at least 2(degree+1) long, with a
 * nonempty first and last span (t[degree] < t[degree+1], t[nt−degree−2] < t[nt−degree−1]), so
 * that every span the basis recursion uses has positive width and no denominator vanishes.
 */
export function checkKnotVector(name: string, t: unknown, degree: number): ArrayLike<number> {
  const v = checkValues(name, t, 0);
  const nt = v.length;
  if (nt < 2 * (degree + 1)) throw badArgument(`${name} must have at least 2·(degree+1) = ${2 * (degree + 1)} knots, got ${nt}`);
  for (let i = 1; i < nt; i++) {
    if (v[i] < v[i - 1]) throw badArgument(`${name} must be nondecreasing, but ${name}[${i}] = ${v[i]} < ${name}[${i - 1}] = ${v[i - 1]}`);
  }
  if (!(v[degree] < v[degree + 1]) || !(v[nt - degree - 2] < v[nt - degree - 1])) {
    throw badArgument(`${name} must have nonempty boundary spans (t[degree] < t[degree+1] and t[nt-degree-2] < t[nt-degree-1])`);
  }
  return v;
}

/**
 * A SparseDesign as bsplineRows builds it: integer sizes, first[i] in [0, cols − width],
 * values of length rows·width (finite).
 */
function checkSparseDesign(name: string, d: unknown): SparseDesign {
  if (d === null || typeof d !== 'object') throw badArgument(`${name} must be a SparseDesign { rows, cols, width, first, values }, got ${describe(d)}`);
  const s = d as SparseDesign;
  const rows = checkInt(`${name}.rows`, s.rows, 0, 2 ** 31 - 1);
  const width = checkInt(`${name}.width`, s.width, 1, 21);
  const cols = checkInt(`${name}.cols`, s.cols, width, 2 ** 31 - 1);
  checkInt32(`${name}.first`, s.first, rows);
  checkFloat64(`${name}.values`, s.values, rows * width);
  checkFinite(`${name}.values`, s.values, rows * width);
  for (let i = 0; i < rows; i++) {
    const f = s.first[i];
    if (f < 0 || f > cols - width) throw badArgument(`${name}.first[${i}] must be in [0, ${cols - width}], got ${f}`);
  }
  return s;
}

/** Expand sparse rows to a dense row-major matrix, dropping the first `dropCols` columns. */
export function sparseToDense(d: SparseDesign, dropCols = 0): { values: Float64Array; rows: number; cols: number } {
  checkSparseDesign('d', d);
  checkInt('dropCols', dropCols, 0, d.cols);
  checkElements('d.rows·d.cols', d.rows, d.cols);
  const cols = d.cols - dropCols;
  const out = new Float64Array(d.rows * cols);
  for (let i = 0; i < d.rows; i++) {
    for (let a = 0; a < d.width; a++) {
      const c = d.first[i] + a - dropCols;
      if (c >= 0) out[i * cols + c] = d.values[i * d.width + a];
    }
  }
  return { values: out, rows: d.rows, cols };
}

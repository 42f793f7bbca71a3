/**
 * Dense tensor-product B-spline basis over d coordinates (He, Yang & Kang, arXiv 2405.13353,
 * §1): row i is the Kronecker product of the coordinate rows, the last coordinate varying
 * fastest (as R's `kronecker` and the authors' `tensor_spline`). p = Π_j cols_j columns.
 *
 * @example
 * tensorBasis([[0.1, 0.7], [0.4, 0.2]], [[0.5], []], { degree: 1 }) // 2 × (3·2) matrix
 */
import { badArgument } from '../core/errors.js';
import { checkElements } from '../core/limits.js';
import { describe } from '../core/validate.js';
import { bsplineBasis, type BsplineOptions } from './bspline-basis.js';

export function tensorBasis(
  columns: ArrayLike<number>[], knots: ArrayLike<number>[], options: BsplineOptions = {},
): { values: Float64Array; rows: number; cols: number } {
  if (!Array.isArray(columns) || columns.length === 0) throw badArgument(`columns must be a nonempty array of coordinate columns, got ${describe(columns)}`);
  if (!Array.isArray(knots) || columns.length !== knots.length) throw badArgument(`knots must be an array with one knot vector per coordinate column (${columns.length}), got ${describe(knots)}`);
  // bsplineBasis checks each column and knot vector; the lengths must agree across coordinates.
  const bases = columns.map((c, j) => bsplineBasis(c, knots[j], options));
  const n = bases[0].rows;
  bases.forEach((b, j) => { if (b.rows !== n) throw badArgument(`columns[${j}] has length ${b.rows}, expected ${n}`); });
  let cols = 1;
  for (const b of bases) cols *= b.cols;
  checkElements('rows·Π cols', n, cols);
  const out = new Float64Array(n * cols);
  for (let i = 0; i < n; i++) {
    let row = Float64Array.of(1);
    for (const b of bases) {
      const next = new Float64Array(row.length * b.cols);
      for (let u = 0; u < row.length; u++) for (let a = 0; a < b.cols; a++) next[u * b.cols + a] = row[u] * b.values[i * b.cols + a];
      row = next;
    }
    out.set(row, i * cols);
  }
  return { values: out, rows: n, cols };
}

/**
 * topKSelect on each row of a row-major matrix: row r of out = the k largest of row r of x as
 * a set, in increasing index order (indices within the row), ties to the lower index.
 * Oracle: the reference topKSelect, row by row. x: rows*n; out: rows*k.
 * @example topKSelectRows(scores, 4, m, 983, lists); // the 4 query heads of one KV group
 */
import { topKSelect } from './top-k-select.js';
import { defineKernel, f32, i32, size, int } from '../define-kernel.js';

/**
 * topKSelect on each of `rows` rows at once (A²ATS: the query heads of a KV group): row r of
 * out = the k largest of row r of x as a set, in increasing index order (indices within the
 * row, 0..n), ties to the lower index — exactly topKSelect(x row r, n, k, out row r).
 * x: rows*n, row-major (NaN ranks lowest); out: rows*k, row-major. One call lets a GPU select every row
 * in the same few dispatches instead of a chain per row.
 */
export function topKSelectRows(x: Float32Array, rows: number, n: number, k: number, out: Int32Array): void {
  for (let r = 0; r < rows; r++) topKSelect(x.subarray(r * n, (r + 1) * n), n, k, out.subarray(r * k, (r + 1) * k));
}

/** topKSelectRows: topKSelect on every row. */
export const topKSelectRowsKernel = defineKernel('topKSelectRows', topKSelectRows, {
  args: [
    f32('x', 'rows*n', ([, rows, n]) => rows * n), size('rows'), size('n'), int('k', 0, ([, , n]) => n),
    i32('out', 'rows*k', ([, rows, , k]) => rows * k, { role: 'out' }),
  ],
  split: 'whole',
  work: ([, rows, n, k]) => (k === 0 ? 0 : rows * n),
});

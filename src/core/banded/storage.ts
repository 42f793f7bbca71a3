/**
 * Storage of symmetric banded matrices (and their banded Cholesky factors).
 *
 * A symmetric n×n matrix A with half-bandwidth bw (A_ij = 0 whenever |i − j| > bw) is stored by
 * its lower band, row by row, in a Float64Array of n·(bw+1) numbers:
 *
 *     band[i·(bw+1) + d] = A[i, i−d]      for d = 0..bw (d = 0 is the diagonal), i − d ≥ 0.
 *
 * Slots with i − d < 0 (the top-left corner) are unused: they are ignored on input and left
 * 0 on output. A Cholesky factor L of A is lower triangular with the same bandwidth and uses the
 * same layout. For n = 4, bw = 1 the band reads [A00, ·, A11, A10, A22, A21, A33, A32].
 * Row i of the band is contiguous, so the row-oriented factorisation and solves stream memory.
 * This is LAPACK's `dpbtrf` 'L' band storage transposed to row-major with rows reversed.
 *
 * B-spline Gram matrices BᵀB of degree q have bw = q (each row of B has q+1 consecutive
 * non-zeros), so storage is O(n q) instead of O(n²).
 */
import { badArgument } from '../errors.js';
import { checkFinite, checkFloat64, checkInt, checkNoAlias, checkOneOf } from '../validate.js';

/** Checks n, bw and that `band` holds n·(bw+1) numbers whose used slots are finite. Internal. */
export function checkBand(name: string, band: unknown, n: number, bw: number): Float64Array {
  checkInt('n', n, 1);
  checkInt('bw', bw, 0, n - 1);
  const b = checkFloat64(name, band, n * (bw + 1));
  const w = bw + 1;
  for (let i = 0; i < n; i++) {
    for (let d = 0; d <= Math.min(bw, i); d++) {
      const v = b[i * w + d];
      if (!Number.isFinite(v)) throw badArgument(`${name}[${i}·(bw+1) + ${d}] (entry [${i}, ${i - d}]) must be finite, got ${v}`);
    }
  }
  return b;
}

/**
 * Packs the lower band of a dense symmetric matrix. Entries outside the band are ignored (not
 * checked); only the lower triangle is read.
 *
 * @param A - n*n row-major.
 * @param n - order (≥ 1).
 * @param bw - half-bandwidth, 0 ≤ bw ≤ n−1.
 * @returns band, n·(bw+1) (layout in the module comment).
 * @example
 * denseToBanded(Float64Array.of(4, 1, 0, 1, 4, 1, 0, 1, 4), 3, 1);   // → [4, 0, 4, 1, 4, 1]
 */
export function denseToBanded(A: Float64Array, n: number, bw: number): Float64Array {
  checkInt('n', n, 1);
  checkInt('bw', bw, 0, n - 1);
  checkFloat64('A', A, n * n);
  const w = bw + 1;
  const band = new Float64Array(n * w);
  for (let i = 0; i < n; i++) {
    for (let d = 0; d <= Math.min(bw, i); d++) {
      const v = A[i * n + i - d];
      if (!Number.isFinite(v)) throw badArgument(`A[${i}, ${i - d}] must be finite, got ${v}`);
      band[i * w + d] = v;
    }
  }
  return band;
}

/**
 * Unpacks a band into a dense n*n row-major matrix: the full symmetric matrix (default) or
 * only the lower triangle (for a Cholesky factor).
 *
 * @param band - n·(bw+1), layout in the module comment.
 * @param n - order (≥ 1).
 * @param bw - half-bandwidth, 0 ≤ bw ≤ n−1.
 * @param triangle - 'symmetric' (mirror the band) or 'lower' (leave the upper triangle 0).
 * @example
 * bandedToDense(Float64Array.of(4, 0, 4, 1), 2, 1);            // → [4, 1, 1, 4]
 * bandedToDense(Float64Array.of(2, 0, 2, 0.5), 2, 1, 'lower');  // → [2, 0, 0.5, 2]
 */
export function bandedToDense(
  band: Float64Array, n: number, bw: number, triangle: 'symmetric' | 'lower' = 'symmetric',
): Float64Array {
  checkBand('band', band, n, bw);
  checkOneOf('triangle', triangle, ['symmetric', 'lower'] as const);
  const w = bw + 1;
  const A = new Float64Array(n * n);
  for (let i = 0; i < n; i++) {
    for (let d = 0; d <= Math.min(bw, i); d++) {
      const v = band[i * w + d];
      A[i * n + i - d] = v;
      if (triangle === 'symmetric') A[(i - d) * n + i] = v;
    }
  }
  return A;
}

/**
 * y = A·x for symmetric banded A. O(n·bw).
 *
 * @param band - A in band storage, n·(bw+1).
 * @param x - length n.
 * @param n - order (≥ 1).
 * @param bw - half-bandwidth, 0 ≤ bw ≤ n−1.
 * @param out - optional result of length n (must not overlap x or band).
 * @example
 * bandedMatVec(Float64Array.of(4, 0, 4, 1), Float64Array.of(1, 1), 2, 1);   // → [5, 5]
 */
export function bandedMatVec(
  band: Float64Array, x: Float64Array, n: number, bw: number, out?: Float64Array,
): Float64Array {
  checkBand('band', band, n, bw);
  checkFloat64('x', x, n); checkFinite('x', x, n);
  const y = out === undefined ? new Float64Array(n) : checkFloat64('out', out, n);
  checkNoAlias('out', y, 'x', x);
  checkNoAlias('out', y, 'band', band);
  const w = bw + 1;
  y.fill(0, 0, n);
  for (let i = 0; i < n; i++) {
    y[i] += band[i * w] * x[i];
    for (let d = 1; d <= Math.min(bw, i); d++) {
      const a = band[i * w + d];
      y[i] += a * x[i - d];
      y[i - d] += a * x[i];
    }
  }
  return y;
}

/**
 * Small dense matrix helpers (row-major Float64Array): product, transpose and Gram matrix.
 * Plain triple loops in cache-friendly order; meant for the modest sizes of model fitting
 * (p up to a few hundred), not for the hot loops of inference (those go through Kernels).
 */
import { checkFinite, checkFloat64, checkInt } from '../validate.js';
import { outputArray } from './checks.js';

/**
 * C = A·B.
 *
 * @param A - m*k row-major.
 * @param B - k*n row-major.
 * @param m - rows of A (≥ 1).
 * @param k - columns of A = rows of B (≥ 1).
 * @param n - columns of B (≥ 1).
 * @param out - optional m*n result (must not overlap A or B).
 * @returns C, m*n row-major.
 * @example
 * matmul(Float64Array.of(1, 2, 3, 4), Float64Array.of(5, 6), 2, 2, 1);   // → [17, 39]
 */
export function matmul(
  A: Float64Array, B: Float64Array, m: number, k: number, n: number, out?: Float64Array,
): Float64Array {
  checkInt('m', m, 1); checkInt('k', k, 1); checkInt('n', n, 1);
  checkFloat64('A', A, m * k); checkFinite('A', A, m * k);
  checkFloat64('B', B, k * n); checkFinite('B', B, k * n);
  const C = outputArray(out, m * n, null, [['A', A], ['B', B]]);
  C.fill(0, 0, m * n);
  // i-p-j order: the innermost loop streams a row of B into a row of C.
  for (let i = 0; i < m; i++) {
    const ci = i * n;
    for (let p = 0; p < k; p++) {
      const a = A[i * k + p];
      if (a === 0) continue;
      const bp = p * n;
      for (let j = 0; j < n; j++) C[ci + j] += a * B[bp + j];
    }
  }
  return C;
}

/**
 * Aᵀ.
 *
 * @param A - m*n row-major.
 * @param m - rows of A (≥ 1).
 * @param n - columns of A (≥ 1).
 * @param out - optional n*m result (must not overlap A).
 * @returns Aᵀ, n*m row-major.
 * @example
 * transpose(Float64Array.of(1, 2, 3, 4, 5, 6), 2, 3);   // → [1, 4, 2, 5, 3, 6]
 */
export function transpose(A: Float64Array, m: number, n: number, out?: Float64Array): Float64Array {
  checkInt('m', m, 1); checkInt('n', n, 1);
  checkFloat64('A', A, m * n);
  const T = outputArray(out, m * n, null, [['A', A]]);
  for (let i = 0; i < m; i++) for (let j = 0; j < n; j++) T[j * m + i] = A[i * n + j];
  return T;
}

/**
 * Gram matrix XᵀX (the normal-equations matrix), exactly symmetric. O(m p²/2).
 *
 * @param X - m*p row-major (m observations, p columns).
 * @param m - rows (≥ 1).
 * @param p - columns (≥ 1).
 * @param out - optional p*p result (must not overlap X).
 * @returns XᵀX, p*p row-major.
 * @example
 * gram(Float64Array.of(1, 2, 3, 4), 2, 2);   // → [10, 14, 14, 20]
 */
export function gram(X: Float64Array, m: number, p: number, out?: Float64Array): Float64Array {
  checkInt('m', m, 1); checkInt('p', p, 1);
  checkFloat64('X', X, m * p); checkFinite('X', X, m * p);
  const G = outputArray(out, p * p, null, [['X', X]]);
  G.fill(0, 0, p * p);
  // One rank-1 update of the lower triangle per observation, then mirror.
  for (let r = 0; r < m; r++) {
    const xr = r * p;
    for (let i = 0; i < p; i++) {
      const xi = X[xr + i];
      if (xi === 0) continue;
      const gi = i * p;
      for (let j = 0; j <= i; j++) G[gi + j] += xi * X[xr + j];
    }
  }
  for (let i = 0; i < p; i++) for (let j = 0; j < i; j++) G[j * p + i] = G[i * p + j];
  return G;
}

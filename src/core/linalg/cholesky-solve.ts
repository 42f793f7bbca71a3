/**
 * Solving A·x = b and log det A with a Cholesky factor A = L·Lᵀ.
 *
 * Golub & Van Loan, *Matrix Computations* (4th ed.), §4.2.
 */
import { badArgument } from '../errors.js';
import { checkTriangular, checkVector, outputArray } from './checks.js';
import { backSubstT, forwardSubst } from './triangular.js';

/**
 * Solves (L·Lᵀ)·x = b: forward substitution L·z = b, then Lᵀ·x = z. O(n²).
 *
 * @param L - n*n row-major lower-triangular Cholesky factor (from {@link cholesky}).
 * @param b - length n.
 * @param n - order (≥ 1).
 * @param out - optional result array of length n; may be `b` itself (in place).
 * @returns x = A⁻¹·b, length n.
 * @example
 * const { L } = cholesky(Float64Array.of(4, 2, 2, 3), 2);
 * choleskySolve(L, Float64Array.of(6, 5), 2);       // → [1, 1]
 */
export function choleskySolve(L: Float64Array, b: Float64Array, n: number, out?: Float64Array): Float64Array {
  checkTriangular('L', L, n, true);
  checkVector('b', b, n);
  const x = outputArray(out, n, b, [['b', b], ['L', L]]);
  forwardSubst(L, b, n, x);
  backSubstT(L, x, n, x);
  return x;
}

/**
 * log det A = 2·Σ log L_ii for A = L·Lᵀ. O(n). Stable where det A itself would under- or
 * overflow (e.g. the Gaussian log-likelihood, the g-prior marginal).
 *
 * @param L - n*n row-major lower-triangular factor with positive diagonal.
 * @param n - order (≥ 1).
 * @example
 * const { L } = cholesky(Float64Array.of(4, 2, 2, 3), 2);
 * logDetFromCholesky(L, 2);                          // → log 8
 */
export function logDetFromCholesky(L: Float64Array, n: number): number {
  checkTriangular('L', L, n, true);
  let s = 0;
  for (let i = 0; i < n; i++) {
    const d = L[i * n + i];
    if (!(d > 0)) throw badArgument(`L[${i}, ${i}] must be positive for a Cholesky factor, got ${d}`);
    s += Math.log(d);
  }
  return 2 * s;
}

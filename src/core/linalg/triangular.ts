/**
 * Triangular solves by forward and back substitution: L·x = b, U·x = b and Lᵀ·x = b.
 *
 * Golub & Van Loan, *Matrix Computations* (4th ed.), §3.1 (Algorithms 3.1.1–3.1.2). All loops
 * run along rows of the row-major matrix; Lᵀx = b uses the column-oriented (axpy) form so it
 * too reads rows of L.
 */
import { checkTriangular, checkVector, outputArray } from './checks.js';

/**
 * Solves L·x = b for lower-triangular L (forward substitution, O(n²)).
 *
 * @param L - n*n row-major; only the lower triangle (with non-zero diagonal) is read.
 * @param b - length n.
 * @param n - order (≥ 1).
 * @param out - optional result array of length n; may be `b` itself (in place).
 * @returns x, length n.
 * @example
 * const L = Float64Array.of(2, 0, 1, 4);           // [[2, 0], [1, 4]]
 * solveLower(L, Float64Array.of(2, 9), 2);         // → [1, 2]
 */
export function solveLower(L: Float64Array, b: Float64Array, n: number, out?: Float64Array): Float64Array {
  checkTriangular('L', L, n, true);
  checkVector('b', b, n);
  const x = outputArray(out, n, b, [['b', b], ['L', L]]);
  forwardSubst(L, b, n, x);
  return x;
}

/**
 * Solves U·x = b for upper-triangular U (back substitution, O(n²)).
 *
 * @param U - n*n row-major; only the upper triangle (with non-zero diagonal) is read.
 * @param b - length n.
 * @param n - order (≥ 1).
 * @param out - optional result array of length n; may be `b` itself (in place).
 * @returns x, length n.
 * @example
 * const U = Float64Array.of(2, 1, 0, 4);           // [[2, 1], [0, 4]]
 * solveUpper(U, Float64Array.of(4, 8), 2);         // → [1, 2]
 */
export function solveUpper(U: Float64Array, b: Float64Array, n: number, out?: Float64Array): Float64Array {
  checkTriangular('U', U, n, false);
  checkVector('b', b, n);
  const x = outputArray(out, n, b, [['b', b], ['U', U]]);
  backSubst(U, b, n, x);
  return x;
}

/**
 * Solves Lᵀ·x = b for lower-triangular L, without forming Lᵀ (O(n²)). With a Cholesky factor
 * this is the second half of a solve with A = L·Lᵀ, and `solveLowerT(L, z)` for z ~ N(0, I)
 * draws x ~ N(0, A⁻¹).
 *
 * @param L - n*n row-major; only the lower triangle (with non-zero diagonal) is read.
 * @param b - length n.
 * @param n - order (≥ 1).
 * @param out - optional result array of length n; may be `b` itself (in place).
 * @returns x, length n.
 * @example
 * const L = Float64Array.of(2, 0, 1, 4);           // Lᵀ = [[2, 1], [0, 4]]
 * solveLowerT(L, Float64Array.of(4, 8), 2);        // → [1, 2]
 */
export function solveLowerT(L: Float64Array, b: Float64Array, n: number, out?: Float64Array): Float64Array {
  checkTriangular('L', L, n, true);
  checkVector('b', b, n);
  const x = outputArray(out, n, b, [['b', b], ['L', L]]);
  backSubstT(L, b, n, x);
  return x;
}

/** Unchecked L·x = b; x may be b. Internal. */
export function forwardSubst(L: Float64Array, b: Float64Array, n: number, x: Float64Array): void {
  for (let i = 0; i < n; i++) {
    const r = i * n;
    let s = b[i];
    for (let k = 0; k < i; k++) s -= L[r + k] * x[k];
    x[i] = s / L[r + i];
  }
}

/** Unchecked U·x = b; x may be b. Internal. */
export function backSubst(U: Float64Array, b: Float64Array, n: number, x: Float64Array): void {
  for (let i = n - 1; i >= 0; i--) {
    const r = i * n;
    let s = b[i];
    for (let k = i + 1; k < n; k++) s -= U[r + k] * x[k];
    x[i] = s / U[r + i];
  }
}

/** Unchecked Lᵀ·x = b (column-oriented: once x_i is known, remove it from rows j < i); x may be b. Internal. */
export function backSubstT(L: Float64Array, b: Float64Array, n: number, x: Float64Array): void {
  if (x !== b) x.set(b.subarray(0, n));
  for (let i = n - 1; i >= 0; i--) {
    const r = i * n;
    const xi = x[i] / L[r + i];
    x[i] = xi;
    for (let j = 0; j < i; j++) x[j] -= L[r + j] * xi;
  }
}

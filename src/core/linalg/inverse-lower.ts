/**
 * Inverse of a lower-triangular matrix, itself lower triangular.
 *
 * Used by query-aware vector quantization (A2ATS, §2): with H = L·Lᵀ, k-means runs on z = k·L
 * and centroids map back with c = c′·L⁻¹. Golub & Van Loan, *Matrix Computations* (4th ed.),
 * §3.1 (column j of L⁻¹ solves L·x = e_j; entries above the diagonal are zero).
 */
import { checkTriangular } from './checks.js';

/**
 * L⁻¹ for non-singular lower-triangular L, by forward substitution on each unit vector
 * (O(n³/6)): (L⁻¹)_jj = 1/L_jj and (L⁻¹)_ij = −(Σ_{k=j}^{i−1} L_ik (L⁻¹)_kj) / L_ii for i > j.
 *
 * @param L - n*n row-major; only the lower triangle (with non-zero diagonal) is read.
 * @param n - order (≥ 1).
 * @returns L⁻¹, n*n row-major lower triangular (zero strict upper triangle).
 * @example
 * const Linv = inverseLower(Float64Array.of(2, 0, 1, 4), 2);   // → [[0.5, 0], [-0.125, 0.25]]
 * // map a whitened centroid c′ (row vector) back: c = c′·L⁻¹ = matmul(c′, Linv, 1, n, n)
 */
export function inverseLower(L: Float64Array, n: number): Float64Array {
  checkTriangular('L', L, n, true);
  const X = new Float64Array(n * n);
  for (let i = 0; i < n; i++) {
    const r = i * n;
    const inv = 1 / L[r + i];
    X[r + i] = inv;
    for (let j = 0; j < i; j++) {
      let s = 0;
      for (let k = j; k < i; k++) s += L[r + k] * X[k * n + j];
      X[r + j] = -s * inv;
    }
  }
  return X;
}

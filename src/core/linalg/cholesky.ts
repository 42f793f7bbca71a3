/**
 * Dense Cholesky factorisation A = L·Lᵀ of a symmetric positive definite matrix, with an
 * automatic diagonal-jitter fallback for matrices that are only semi-definite numerically.
 *
 * Golub & Van Loan, *Matrix Computations* (4th ed.), Algorithm 4.2.1 (Cholesky–Banachiewicz,
 * row by row, so the inner products run over contiguous memory in row-major storage).
 */
import { checkFinite, checkFloat64, checkInt } from '../validate.js';
import { withJitter, JITTER_KEYS, type JitterOptions } from './jitter.js';
import { checkOptions } from '../options.js';

export type { JitterOptions as CholeskyOptions } from './jitter.js';

/** The factor and the jitter that was needed to obtain it. */
export interface CholeskyResult {
  /** Lower-triangular factor, n*n row-major (strict upper triangle is zero). */
  L: Float64Array;
  /** Jitter added to the diagonal of A: 0 when A factored as given. */
  jitter: number;
}

/**
 * Cholesky factor of a symmetric positive definite matrix: A + jitter·I = L·Lᵀ.
 *
 * Only the lower triangle of A is read (LAPACK `potrf` 'L' convention); the upper triangle may
 * hold anything finite. When a pivot is not positive the factorisation is retried with a
 * diagonal jitter growing 10× per try (see {@link JitterOptions}); the jitter used is reported.
 * Cost O(n³/3).
 *
 * @param A - n*n row-major, symmetric (lower triangle read), finite.
 * @param n - order of A (≥ 1).
 * @param opts - jitter schedule; `{ maxTries: 0 }` demands strict positive definiteness.
 * @returns `{ L, jitter }` with L n*n row-major lower triangular.
 * @throws SparseInferenceError BAD_ARGUMENT for wrong sizes or non-finite entries;
 *   NOT_CONVERGED when A is not positive definite even with the largest jitter.
 *
 * @example
 * const A = Float64Array.of(4, 2, 2, 3);          // [[4, 2], [2, 3]]
 * const { L, jitter } = cholesky(A, 2);            // L = [[2, 0], [1, √2]], jitter = 0
 */
export function cholesky(A: Float64Array, n: number, opts: JitterOptions = {}): CholeskyResult {
  opts = checkOptions('cholesky options', opts, JITTER_KEYS);
  checkInt('n', n, 1);
  checkFloat64('A', A, n * n);
  checkFinite('A', A, n * n);
  let meanDiag = 0;
  for (let i = 0; i < n; i++) meanDiag += A[i * n + i] / n;
  const L = new Float64Array(n * n);
  const jitter = withJitter('cholesky', meanDiag, opts, (shift) => choleskyInto(A, n, shift, L));
  return { L, jitter };
}

/**
 * Unchecked kernel: writes the factor of A + shift·I into L (n*n, zero upper triangle).
 * Returns −1 on success, else the row whose pivot was not positive. Internal.
 */
export function choleskyInto(A: Float64Array, n: number, shift: number, L: Float64Array): number {
  L.fill(0);
  for (let i = 0; i < n; i++) {
    const ri = i * n;
    for (let j = 0; j <= i; j++) {
      const rj = j * n;
      let s = A[ri + j];
      for (let k = 0; k < j; k++) s -= L[ri + k] * L[rj + k];
      if (i === j) {
        s += shift;
        // `!(s > 0)` also catches NaN from overflow.
        if (!(s > 0) || !Number.isFinite(s)) return i;
        L[ri + i] = Math.sqrt(s);
      } else {
        L[ri + j] = s / L[rj + j];
      }
    }
  }
  return -1;
}

/**
 * Cholesky factorisation of a symmetric positive definite banded matrix, A = L·Lᵀ, in
 * O(n·bw²) time and O(n·bw) memory (L keeps the bandwidth of A: no fill-in outside the band).
 *
 * Golub & Van Loan, *Matrix Computations* (4th ed.), §4.3.5 (band Cholesky). With bw = q this
 * factors B-spline Gram matrices BᵀB in O(p q²) (knots spec, §3).
 */
import { checkBand } from './storage.js';
import { withJitter, JITTER_KEYS, type JitterOptions } from '../linalg/jitter.js';
import { checkOptions } from '../options.js';

/** The banded factor and the jitter that was needed to obtain it. */
export interface BandedCholeskyResult {
  /** Lower factor in band storage, n·(bw+1) (same layout as the input band). */
  L: Float64Array;
  /** Jitter added to the diagonal of A: 0 when A factored as given. */
  jitter: number;
}

/**
 * Banded Cholesky factor: A + jitter·I = L·Lᵀ, with the same jitter fallback as `cholesky`.
 *
 * @param band - A in lower band storage, n·(bw+1) (see `denseToBanded`), finite.
 * @param n - order (≥ 1).
 * @param bw - half-bandwidth, 0 ≤ bw ≤ n−1.
 * @param opts - jitter schedule; `{ maxTries: 0 }` demands strict positive definiteness.
 * @returns `{ L, jitter }`, L in band storage.
 * @throws SparseInferenceError BAD_ARGUMENT for bad sizes or values; NOT_CONVERGED when A is
 *   not positive definite even with the largest jitter.
 * @example
 * // tridiagonal [[4, 2, 0], [2, 5, 2], [0, 2, 5]]
 * const band = Float64Array.of(4, 0, 5, 2, 5, 2);
 * const { L } = bandedCholesky(band, 3, 1);   // L band = [2, 0, 2, 1, 2, 1]
 */
export function bandedCholesky(
  band: Float64Array, n: number, bw: number, opts: JitterOptions = {},
): BandedCholeskyResult {
  opts = checkOptions('bandedCholesky options', opts, JITTER_KEYS);
  checkBand('band', band, n, bw);
  const w = bw + 1;
  let meanDiag = 0;
  for (let i = 0; i < n; i++) meanDiag += band[i * w] / n;
  const L = new Float64Array(n * w);
  const jitter = withJitter('bandedCholesky', meanDiag, opts, (shift) => bandedCholeskyInto(band, n, bw, shift, L));
  return { L, jitter };
}

/**
 * Unchecked kernel: factor of A + shift·I into L (band storage). Returns −1 on success, else
 * the row whose pivot was not positive. Internal.
 */
export function bandedCholeskyInto(
  A: Float64Array, n: number, bw: number, shift: number, L: Float64Array,
): number {
  const w = bw + 1;
  L.fill(0);
  for (let i = 0; i < n; i++) {
    const j0 = Math.max(0, i - bw);
    const ri = i * w;
    for (let j = j0; j <= i; j++) {
      const rj = j * w;
      // L[i,k] sits at ri + (i−k), L[j,k] at rj + (j−k); k ≥ j0 keeps both inside the band.
      let s = A[ri + i - j];
      for (let k = j0; k < j; k++) s -= L[ri + i - k] * L[rj + j - k];
      if (j === i) {
        s += shift;
        if (!(s > 0) || !Number.isFinite(s)) return i;
        L[ri] = Math.sqrt(s);
      } else {
        L[ri + i - j] = s / L[rj];
      }
    }
  }
  return -1;
}

/**
 * log det A from the banded Cholesky factor of A.
 */
import { badArgument } from '../errors.js';
import { checkBand } from './storage.js';

/**
 * log det A = 2·Σ log L_ii for A = L·Lᵀ with L in band storage. O(n).
 *
 * @param L - factor in band storage, n·(bw+1), positive diagonal (from `bandedCholesky`).
 * @param n - order (≥ 1).
 * @param bw - half-bandwidth, 0 ≤ bw ≤ n−1.
 * @example
 * const { L } = bandedCholesky(Float64Array.of(4, 0, 5, 2, 5, 2), 3, 1);
 * bandedLogDet(L, 3, 1);   // → log 64
 */
export function bandedLogDet(L: Float64Array, n: number, bw: number): number {
  checkBand('L', L, n, bw);
  const w = bw + 1;
  let s = 0;
  for (let i = 0; i < n; i++) {
    const d = L[i * w];
    if (!(d > 0)) throw badArgument(`L[${i}, ${i}] must be positive for a Cholesky factor, got ${d}`);
    s += Math.log(d);
  }
  return 2 * s;
}

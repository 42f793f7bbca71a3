/**
 * Banded Cholesky for the sampler's hot loop: no input scans, no allocation, and a rank test.
 * A design whose Gram matrix is (numerically) singular — a basis function with no data under it,
 * or knots so close that two columns coincide on the data — gets no likelihood: the sampler
 * treats it as outside the support (posterior 0), which also keeps S_ξ well defined.
 */
import { bandedCholeskyInto } from '../core/banded/banded-cholesky.js';

/** Relative pivot tolerance: L_ii² < RANK_TOL·A_ii means column i is a combination of earlier ones. */
export const RANK_TOL = 1e-11;

/**
 * Factor band (p·(bw+1), src/core/banded layout) into L (same layout, at least p·(bw+1) long).
 * Returns false when the matrix is not numerically positive definite.
 */
export function factorBanded(band: Float64Array, p: number, bw: number, L: Float64Array): boolean {
  const w = bw + 1;
  const Lv = L.length === p * w ? L : L.subarray(0, p * w);
  if (bandedCholeskyInto(band, p, bw, 0, Lv) >= 0) return false;
  for (let i = 0; i < p; i++) {
    const lii = Lv[i * w];
    if (lii * lii < RANK_TOL * band[i * w]) return false;
  }
  return true;
}

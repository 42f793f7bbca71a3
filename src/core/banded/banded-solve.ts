/**
 * Solves with a banded Cholesky factor A = L·Lᵀ: L·x = b, Lᵀ·x = b and A·x = b, each O(n·bw).
 *
 * Golub & Van Loan, *Matrix Computations* (4th ed.), §4.3 (band triangular solves).
 */
import { badArgument } from '../errors.js';
import { checkFinite, checkFloat64, checkNoAlias } from '../validate.js';
import { checkBand } from './storage.js';

function checkFactor(L: Float64Array, n: number, bw: number): void {
  checkBand('L', L, n, bw);
  const w = bw + 1;
  for (let i = 0; i < n; i++) {
    if (L[i * w] === 0) throw badArgument(`L is singular: diagonal entry L[${i}, ${i}] is 0`);
  }
}

function prepare(L: Float64Array, b: Float64Array, n: number, bw: number, out?: Float64Array): Float64Array {
  checkFactor(L, n, bw);
  checkFloat64('b', b, n); checkFinite('b', b, n);
  if (out === undefined) return Float64Array.from(b.subarray(0, n));
  checkFloat64('out', out, n);
  checkNoAlias('out', out, 'L', L);
  if (out !== b) { checkNoAlias('out', out, 'b', b); out.set(b.subarray(0, n)); }
  return out;
}

/**
 * Solves L·x = b for a banded lower-triangular L (forward substitution).
 *
 * @param L - band storage, n·(bw+1), non-zero diagonal (e.g. from `bandedCholesky`).
 * @param b - length n.
 * @param n - order (≥ 1).
 * @param bw - half-bandwidth, 0 ≤ bw ≤ n−1.
 * @param out - optional result of length n; may be `b` itself (in place).
 * @example
 * bandedSolveLower(Float64Array.of(2, 0, 4, 1), Float64Array.of(2, 9), 2, 1);   // → [1, 2]
 */
export function bandedSolveLower(
  L: Float64Array, b: Float64Array, n: number, bw: number, out?: Float64Array,
): Float64Array {
  const x = prepare(L, b, n, bw, out);
  bandedForward(L, n, bw, x);
  return x;
}

/**
 * Solves Lᵀ·x = b for a banded lower-triangular L (back substitution). With the Cholesky
 * factor of A and z ~ N(0, I), x = L⁻ᵀz is a draw from N(0, A⁻¹): this is how β is sampled
 * around its posterior mean with covariance ∝ (BᵀB)⁻¹.
 *
 * @param L - band storage, n·(bw+1), non-zero diagonal.
 * @param b - length n.
 * @param n - order (≥ 1).
 * @param bw - half-bandwidth, 0 ≤ bw ≤ n−1.
 * @param out - optional result of length n; may be `b` itself (in place).
 * @example
 * bandedSolveLowerT(Float64Array.of(2, 0, 4, 1), Float64Array.of(4, 8), 2, 1);  // → [1, 2]
 */
export function bandedSolveLowerT(
  L: Float64Array, b: Float64Array, n: number, bw: number, out?: Float64Array,
): Float64Array {
  const x = prepare(L, b, n, bw, out);
  bandedBackT(L, n, bw, x);
  return x;
}

/**
 * Solves A·x = b given the banded Cholesky factor L of A (L·z = b, then Lᵀ·x = z).
 *
 * @param L - factor in band storage, n·(bw+1), from `bandedCholesky`.
 * @param b - length n.
 * @param n - order (≥ 1).
 * @param bw - half-bandwidth, 0 ≤ bw ≤ n−1.
 * @param out - optional result of length n; may be `b` itself (in place).
 * @returns x = A⁻¹·b.
 * @example
 * const { L } = bandedCholesky(Float64Array.of(4, 0, 5, 2, 5, 2), 3, 1);
 * bandedSolve(L, Float64Array.of(6, 9, 7), 3, 1);   // → [1, 1, 1]
 */
export function bandedSolve(
  L: Float64Array, b: Float64Array, n: number, bw: number, out?: Float64Array,
): Float64Array {
  const x = prepare(L, b, n, bw, out);
  bandedForward(L, n, bw, x);
  bandedBackT(L, n, bw, x);
  return x;
}

/** Unchecked in-place L·x = x. Internal. */
export function bandedForward(L: Float64Array, n: number, bw: number, x: Float64Array): void {
  const w = bw + 1;
  for (let i = 0; i < n; i++) {
    const r = i * w;
    let s = x[i];
    for (let d = Math.min(bw, i); d >= 1; d--) s -= L[r + d] * x[i - d];
    x[i] = s / L[r];
  }
}

/** Unchecked in-place Lᵀ·x = x (column-oriented, reads rows of L). Internal. */
export function bandedBackT(L: Float64Array, n: number, bw: number, x: Float64Array): void {
  const w = bw + 1;
  for (let i = n - 1; i >= 0; i--) {
    const r = i * w;
    const xi = x[i] / L[r];
    x[i] = xi;
    for (let d = Math.min(bw, i); d >= 1; d--) x[i - d] -= L[r + d] * xi;
  }
}

/**
 * Dense Cholesky: closed forms, reconstruction A = L·Lᵀ on random SPD matrices, the jitter
 * path on singular PSD matrices, NOT_CONVERGED on indefinite ones, and bad input.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { cholesky } from '../../../src/core/linalg/index.js';
import { Rng } from '../../../src/core/rng.js';
import { expectAllClose, expectError, maxAbs, randomSpd } from '../helpers.js';

/** L·Lᵀ (+ nothing), test oracle. */
function reconstruct(L: Float64Array, n: number): Float64Array {
  const A = new Float64Array(n * n);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < n; j++) {
      let s = 0;
      for (let k = 0; k < n; k++) s += L[i * n + k] * L[j * n + k];
      A[i * n + j] = s;
    }
  }
  return A;
}

describe('cholesky', () => {
  it('factors the textbook 3×3 example exactly', () => {
    // A = [[4, 12, −16], [12, 37, −43], [−16, −43, 98]] = L·Lᵀ with L = [[2,0,0],[6,1,0],[−8,5,3]].
    const A = Float64Array.of(4, 12, -16, 12, 37, -43, -16, -43, 98);
    const { L, jitter } = cholesky(A, 3);
    expect(Array.from(L)).toEqual([2, 0, 0, 6, 1, 0, -8, 5, 3]);
    expect(jitter).toBe(0);
  });

  it('1×1 and diagonal matrices give square roots', () => {
    expect(Array.from(cholesky(Float64Array.of(9), 1).L)).toEqual([3]);
    expect(Array.from(cholesky(Float64Array.of(4, 0, 0, 0, 25, 0, 0, 0, 0.25), 3).L)).toEqual([2, 0, 0, 0, 5, 0, 0, 0, 0.5]);
  });

  it('reads only the lower triangle', () => {
    const A = Float64Array.of(4, 12, -16, 12, 37, -43, -16, -43, 98);
    const garbage = Float64Array.of(4, 1e9, -7, 12, 37, 3.5, -16, -43, 98);
    expect(cholesky(garbage, 3).L).toEqual(cholesky(A, 3).L);
  });

  it('reconstructs random SPD matrices: L lower, positive diagonal, L·Lᵀ = A (property)', () => {
    fc.assert(fc.property(fc.integer({ min: 1, max: 40 }), fc.integer({ min: 0, max: 2 ** 31 }), (n, seed) => {
      const A = randomSpd(new Rng(seed), n);
      const { L, jitter } = cholesky(A, n);
      expect(jitter).toBe(0);
      for (let i = 0; i < n; i++) {
        expect(L[i * n + i]).toBeGreaterThan(0);
        for (let j = i + 1; j < n; j++) expect(L[i * n + j]).toBe(0);
      }
      expectAllClose(reconstruct(L, n), A, 1e-13 * n, maxAbs(A));
    }), { numRuns: 60 });
  });

  it('adds jitter to a singular PSD matrix and reports it', () => {
    // Rank-1 A = v·vᵀ: the second pivot is 0 up to rounding.
    const v = [1, 2, 3, 4];
    const n = 4;
    const A = Float64Array.from({ length: n * n }, (_, q) => v[Math.floor(q / n)] * v[q % n]);
    expectError(() => cholesky(A, n, { maxTries: 0 }), 'NOT_CONVERGED', /not positive definite.*jitter is disabled/);
    const { L, jitter } = cholesky(A, n);
    const meanDiag = (1 + 4 + 9 + 16) / 4;
    expect(jitter).toBeGreaterThan(0);
    expect(jitter).toBeLessThanOrEqual(1e-5 * meanDiag);
    // The jitter is one step of the documented schedule 1e-10·mean(diag)·10^t.
    const t = Math.log10(jitter / (1e-10 * meanDiag));
    expect(Math.abs(t - Math.round(t))).toBeLessThan(1e-9);
    const shifted = A.map((a, q) => (q % (n + 1) === 0 ? a + jitter : a));
    expectAllClose(reconstruct(L, n), shifted, 1e-12, maxAbs(A));
  });

  it('the zero matrix factors with the absolute fallback jitter 1e-10', () => {
    const { L, jitter } = cholesky(new Float64Array(9), 3);
    expect(jitter).toBe(1e-10);
    expectAllClose(L, Float64Array.of(1e-5, 0, 0, 0, 1e-5, 0, 0, 0, 1e-5), 1e-15, 1);
  });

  it('honours a custom initial jitter', () => {
    const A = Float64Array.of(1, 1, 1, 1);   // singular
    expect(cholesky(A, 2, { jitter: 0.5 }).jitter).toBe(0.5);
  });

  it('throws NOT_CONVERGED on indefinite matrices, naming the pivot and largest jitter', () => {
    expectError(() => cholesky(Float64Array.of(1, 2, 2, 1), 2), 'NOT_CONVERGED', /cholesky: A is not positive definite \(non-positive pivot at row 1\) even after adding jitter up to 1\.00e-5/);
    expectError(() => cholesky(Float64Array.of(-1), 1), 'NOT_CONVERGED', /pivot at row 0/);
    expectError(() => cholesky(Float64Array.of(2, 0, 0, -1e-3), 2, { maxTries: 3 }), 'NOT_CONVERGED', /3 tries/);
  });

  it('rejects bad input, naming the argument', () => {
    const A = Float64Array.of(4, 2, 2, 3);
    expectError(() => cholesky(A, 0), 'BAD_ARGUMENT', /\bn\b/);
    expectError(() => cholesky(A, 1.5), 'BAD_ARGUMENT', /\bn\b/);
    expectError(() => cholesky(A, 3), 'BAD_ARGUMENT', /\bA\b.*at least 9/);
    expectError(() => cholesky([4, 2, 2, 3] as unknown as Float64Array, 2), 'BAD_ARGUMENT', /\bA\b.*Float64Array/);
    expectError(() => cholesky(Float64Array.of(4, 2, NaN, 3), 2), 'BAD_ARGUMENT', /A\[2\]/);
    expectError(() => cholesky(Float64Array.of(4, Infinity, 2, 3), 2), 'BAD_ARGUMENT', /A\[1\]/);
    expectError(() => cholesky(A, 2, { jitter: 0 }), 'BAD_ARGUMENT', /opts\.jitter/);
    expectError(() => cholesky(A, 2, { jitter: NaN }), 'BAD_ARGUMENT', /opts\.jitter/);
    expectError(() => cholesky(A, 2, { maxTries: -1 }), 'BAD_ARGUMENT', /opts\.maxTries/);
    expectError(() => cholesky(A, 2, { maxTries: 2.5 }), 'BAD_ARGUMENT', /opts\.maxTries/);
  });
});

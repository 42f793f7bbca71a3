/**
 * Triangular solves, Cholesky solve, log-determinant and the inverse of a triangular factor:
 * closed forms, residuals on random systems, in-place use, and bad input.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  cholesky, choleskySolve, inverseLower, logDetFromCholesky, matmul, solveLower, solveLowerT, solveUpper, transpose,
} from '../../../src/core/linalg/index.js';
import { Rng } from '../../../src/core/rng.js';
import {
  denseMatVec, expectAllClose, expectClose, expectError, maxAbs, randomLower, randomSpd, randomVector,
} from '../helpers.js';

/** log |det A| by Gaussian elimination with partial pivoting (independent oracle). */
function logAbsDetLU(A: Float64Array, n: number): number {
  const M = Float64Array.from(A);
  let s = 0;
  for (let k = 0; k < n; k++) {
    let p = k;
    for (let i = k + 1; i < n; i++) if (Math.abs(M[i * n + k]) > Math.abs(M[p * n + k])) p = i;
    if (p !== k) for (let j = 0; j < n; j++) { const t = M[k * n + j]; M[k * n + j] = M[p * n + j]; M[p * n + j] = t; }
    s += Math.log(Math.abs(M[k * n + k]));
    for (let i = k + 1; i < n; i++) {
      const f = M[i * n + k] / M[k * n + k];
      for (let j = k; j < n; j++) M[i * n + j] -= f * M[k * n + j];
    }
  }
  return s;
}

function normInf(M: Float64Array, n: number): number {
  let m = 0;
  for (let i = 0; i < n; i++) {
    let s = 0;
    for (let j = 0; j < n; j++) s += Math.abs(M[i * n + j]);
    m = Math.max(m, s);
  }
  return m;
}

describe('triangular solves', () => {
  it('match hand-computed 2×2 and 3×3 solutions', () => {
    const L = Float64Array.of(2, 0, 1, 4);
    expect(Array.from(solveLower(L, Float64Array.of(2, 9), 2))).toEqual([1, 2]);
    expect(Array.from(solveLowerT(L, Float64Array.of(4, 8), 2))).toEqual([1, 2]);
    expect(Array.from(solveUpper(Float64Array.of(2, 1, 0, 4), Float64Array.of(4, 8), 2))).toEqual([1, 2]);
    // L = [[1,0,0],[2,1,0],[3,4,1]], x = [1, −1, 2]: b = L·x = [1, 1, 1].
    const L3 = Float64Array.of(1, 0, 0, 2, 1, 0, 3, 4, 1);
    expect(Array.from(solveLower(L3, Float64Array.of(1, 1, 1), 3))).toEqual([1, -1, 2]);
  });

  it('leave residuals at rounding level on random systems (property)', () => {
    fc.assert(fc.property(fc.integer({ min: 1, max: 48 }), fc.integer({ min: 0, max: 2 ** 31 }), (n, seed) => {
      const rng = new Rng(seed);
      const L = randomLower(rng, n);
      const b = randomVector(rng, n);
      const U = transpose(L, n, n);
      // Backward stability: ‖M·x − b‖∞ ≤ c·n·ε·‖M‖∞·‖x‖∞ (random triangular matrices can be
      // very ill-conditioned, so x itself is only compared through its residual).
      const residualOk = (M: Float64Array, x: Float64Array) =>
        expectAllClose(denseMatVec(M, x, n, n), b, 1e-13 * n, Math.max(1, normInf(M, n) * maxAbs(x)));
      residualOk(L, solveLower(L, b, n));
      residualOk(U, solveUpper(U, b, n));
      residualOk(U, solveLowerT(L, b, n));   // Lᵀ·x = b is U·x = b with U = Lᵀ
    }), { numRuns: 60 });
  });

  it('work in place (out === b) and into a separate out', () => {
    const rng = new Rng(4);
    const n = 9;
    const L = randomLower(rng, n);
    const b = randomVector(rng, n);
    for (const solve of [solveLower, solveLowerT]) {
      const expected = solve(L, b, n);
      const inPlace = Float64Array.from(b);
      expect(solve(L, inPlace, n, inPlace)).toBe(inPlace);
      expect(inPlace).toEqual(expected);
      const out = new Float64Array(n);
      expect(solve(L, b, n, out)).toBe(out);
      expect(out).toEqual(expected);
    }
  });

  it('ignore the unused triangle', () => {
    const L = Float64Array.of(2, 99, 1, 4);
    expect(Array.from(solveLower(L, Float64Array.of(2, 9), 2))).toEqual([1, 2]);
    expect(Array.from(solveUpper(Float64Array.of(2, 1, NaN, 4), Float64Array.of(4, 8), 2))).toEqual([1, 2]);
  });

  it('reject bad input, naming the argument', () => {
    const L = Float64Array.of(2, 0, 1, 4);
    const b = Float64Array.of(1, 2);
    for (const solve of [solveLower, solveLowerT, choleskySolve]) {
      expectError(() => solve(L, b, 0), 'BAD_ARGUMENT', /\bn\b/);
      expectError(() => solve(L, b, 2.5), 'BAD_ARGUMENT', /\bn\b/);
      expectError(() => solve(L, Float64Array.of(1), 2), 'BAD_ARGUMENT', /\bb\b.*at least 2/);
      expectError(() => solve(Float64Array.of(2, 0, 1), b, 2), 'BAD_ARGUMENT', /\bL\b.*at least 4/);
      expectError(() => solve(L, Float64Array.of(1, NaN), 2), 'BAD_ARGUMENT', /b\[1\]/);
      expectError(() => solve(Float64Array.of(2, 0, NaN, 4), b, 2), 'BAD_ARGUMENT', /L\[1, 0\]/);
      expectError(() => solve(Float64Array.of(2, 0, 1, 0), b, 2), 'BAD_ARGUMENT', /singular.*L\[1, 1\]/);
      expectError(() => solve(L, [1, 2] as unknown as Float64Array, 2), 'BAD_ARGUMENT', /\bb\b.*Float64Array/);
      expectError(() => solve(L, b, 2, new Float64Array(1)), 'BAD_ARGUMENT', /\bout\b/);
      expectError(() => solve(L, b, 2, L.subarray(1, 3)), 'BAD_ARGUMENT', /out must not overlap L/);
    }
    const U = Float64Array.of(2, 1, 0, 4);
    expectError(() => solveUpper(U, b, 0), 'BAD_ARGUMENT', /\bn\b/);
    expectError(() => solveUpper(U, Float64Array.of(1), 2), 'BAD_ARGUMENT', /\bb\b.*at least 2/);
    expectError(() => solveUpper(U, Float64Array.of(NaN, 1), 2), 'BAD_ARGUMENT', /b\[0\]/);
    expectError(() => solveUpper(U.subarray(0, 3), b, 2), 'BAD_ARGUMENT', /\bU\b.*at least 4/);
    expectError(() => solveUpper(U, b, 2, U), 'BAD_ARGUMENT', /out must not overlap U/);
    expectError(() => solveUpper(Float64Array.of(0, 1, 0, 4), b, 2), 'BAD_ARGUMENT', /singular.*U\[0, 0\]/);
    expectError(() => solveUpper(Float64Array.of(1, Infinity, 0, 4), b, 2), 'BAD_ARGUMENT', /U\[0, 1\]/);
  });
});

describe('choleskySolve and logDetFromCholesky', () => {
  it('solve the 2×2 example and give log det = log 8', () => {
    const { L } = cholesky(Float64Array.of(4, 2, 2, 3), 2);
    expectAllClose(choleskySolve(L, Float64Array.of(6, 5), 2), [1, 1], 1e-15);
    expectClose(logDetFromCholesky(L, 2), Math.log(8), 1e-15);
  });

  it('solve random SPD systems with small residuals, in place too; log det matches LU (property)', () => {
    fc.assert(fc.property(fc.integer({ min: 1, max: 30 }), fc.integer({ min: 0, max: 2 ** 31 }), (n, seed) => {
      const rng = new Rng(seed);
      const A = randomSpd(rng, n);
      const b = randomVector(rng, n);
      const { L } = cholesky(A, n);
      const x = choleskySolve(L, b, n);
      expectAllClose(denseMatVec(A, x, n, n), b, 1e-12 * n, maxAbs(A) * Math.max(1, maxAbs(x)));
      const y = Float64Array.from(b);
      choleskySolve(L, y, n, y);
      expect(y).toEqual(x);
      expectClose(logDetFromCholesky(L, n), logAbsDetLU(A, n), 1e-12, 1e-12);
    }), { numRuns: 50 });
  });

  it('logDetFromCholesky rejects a factor with a non-positive diagonal', () => {
    expectError(() => logDetFromCholesky(Float64Array.of(-2, 0, 1, 3), 2), 'BAD_ARGUMENT', /L\[0, 0\] must be positive/);
    expectError(() => logDetFromCholesky(Float64Array.of(2, 0, 1, 0), 2), 'BAD_ARGUMENT', /singular/);
    expectError(() => logDetFromCholesky(Float64Array.of(2, 0, 1, 3), 3), 'BAD_ARGUMENT', /\bL\b.*at least 9/);
  });
});

describe('inverseLower', () => {
  it('inverts the 2×2 example exactly', () => {
    expect(Array.from(inverseLower(Float64Array.of(2, 0, 1, 4), 2))).toEqual([0.5, 0, -0.125, 0.25]);
  });

  it('L·L⁻¹ = I with L⁻¹ lower triangular, and c = c′·L⁻¹ maps back through L (property)', () => {
    fc.assert(fc.property(fc.integer({ min: 1, max: 40 }), fc.integer({ min: 0, max: 2 ** 31 }), (n, seed) => {
      const rng = new Rng(seed);
      // A Cholesky factor of an SPD "query second moment" H, as in A2ATS.
      const { L } = cholesky(randomSpd(rng, n), n);
      const Linv = inverseLower(L, n);
      for (let i = 0; i < n; i++) for (let j = i + 1; j < n; j++) expect(Linv[i * n + j]).toBe(0);
      const I = Float64Array.from({ length: n * n }, (_, q) => (q % (n + 1) === 0 ? 1 : 0));
      expectAllClose(matmul(L, Linv, n, n, n), I, 1e-12 * n);
      const cPrime = randomVector(rng, n);
      const c = matmul(cPrime, Linv, 1, n, n);
      expectAllClose(matmul(c, L, 1, n, n), cPrime, 1e-12 * n);
      // Same as solving Lᵀ cᵀ = c′ᵀ.
      expectAllClose(c, solveLowerT(L, cPrime, n), 1e-12 * n, Math.max(1, maxAbs(c)));
    }), { numRuns: 40 });
  });

  it('rejects singular or malformed input', () => {
    expectError(() => inverseLower(Float64Array.of(1, 0, 1, 0), 2), 'BAD_ARGUMENT', /singular/);
    expectError(() => inverseLower(Float64Array.of(1, 0, NaN, 1), 2), 'BAD_ARGUMENT', /L\[1, 0\]/);
    expectError(() => inverseLower(Float64Array.of(1), 2), 'BAD_ARGUMENT', /\bL\b/);
    expectError(() => inverseLower(Float64Array.of(1), -1), 'BAD_ARGUMENT', /\bn\b/);
  });
});

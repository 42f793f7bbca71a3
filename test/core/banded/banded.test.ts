/**
 * Banded SPD matrices: storage round trips, banded Cholesky/solves/log-det against the dense
 * routines on random banded SPD matrices (property), jitter and failure paths, and bad input.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  bandedCholesky, bandedLogDet, bandedMatVec, bandedSolve, bandedSolveLower, bandedSolveLowerT, bandedToDense,
  denseToBanded,
} from '../../../src/core/banded/index.js';
import { cholesky, choleskySolve, logDetFromCholesky, solveLower, solveLowerT } from '../../../src/core/linalg/index.js';
import { Rng } from '../../../src/core/rng.js';
import { denseMatVec, expectAllClose, expectClose, expectError, maxAbs, randomVector } from '../helpers.js';

/** Random SPD band (strictly diagonally dominant with positive diagonal), n·(bw+1). */
function randomBandedSpd(rng: Rng, n: number, bw: number): Float64Array {
  const w = bw + 1;
  const band = new Float64Array(n * w);
  const rowAbs = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    for (let d = 1; d <= Math.min(bw, i); d++) {
      const v = rng.normal();
      band[i * w + d] = v;
      rowAbs[i] += Math.abs(v);
      rowAbs[i - d] += Math.abs(v);
    }
  }
  for (let i = 0; i < n; i++) band[i * w] = rowAbs[i] + 0.1 + rng.uniform();
  return band;
}

const sizes = fc.integer({ min: 1, max: 40 }).chain((n) =>
  fc.tuple(fc.constant(n), fc.integer({ min: 0, max: Math.min(n - 1, 7) }), fc.integer({ min: 0, max: 2 ** 31 })));

describe('band storage', () => {
  it('packs and unpacks the documented tridiagonal example', () => {
    const A = Float64Array.of(4, 1, 0, 1, 4, 1, 0, 1, 4);
    const band = denseToBanded(A, 3, 1);
    expect(Array.from(band)).toEqual([4, 0, 4, 1, 4, 1]);
    expect(bandedToDense(band, 3, 1)).toEqual(A);
    expect(Array.from(bandedToDense(band, 3, 1, 'lower'))).toEqual([4, 0, 0, 1, 4, 0, 0, 1, 4]);
  });

  it('round-trips random bands and bandedMatVec equals the dense product (property)', () => {
    fc.assert(fc.property(sizes, ([n, bw, seed]) => {
      const rng = new Rng(seed);
      const band = randomBandedSpd(rng, n, bw);
      const A = bandedToDense(band, n, bw);
      expect(denseToBanded(A, n, bw)).toEqual(band);
      let bad = 0;
      for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) {
        if ((Math.abs(i - j) > bw && A[i * n + j] !== 0) || A[i * n + j] !== A[j * n + i]) bad++;
      }
      expect(bad).toBe(0);
      const x = randomVector(rng, n);
      expectAllClose(bandedMatVec(band, x, n, bw), denseMatVec(A, x, n, n), 1e-14 * (bw + 1), Math.max(1, maxAbs(A) * maxAbs(x)));
    }), { numRuns: 80 });
  });

  it('ignores the unused top-left slots on input', () => {
    const band = Float64Array.of(4, NaN, 4, 1);   // slot [0]·(bw+1)+1 is unused
    expect(Array.from(bandedToDense(band, 2, 1))).toEqual([4, 1, 1, 4]);
    expect(Array.from(bandedMatVec(band, Float64Array.of(1, 1), 2, 1))).toEqual([5, 5]);
  });
});

describe('bandedCholesky and solves', () => {
  it('factor the documented tridiagonal example exactly', () => {
    const { L, jitter } = bandedCholesky(Float64Array.of(4, 0, 5, 2, 5, 2), 3, 1);
    expect(Array.from(L)).toEqual([2, 0, 2, 1, 2, 1]);
    expect(jitter).toBe(0);
    expect(Array.from(bandedSolve(L, Float64Array.of(6, 9, 7), 3, 1))).toEqual([1, 1, 1]);
    expectClose(bandedLogDet(L, 3, 1), Math.log(64), 1e-15);
  });

  it('match the dense Cholesky, solves and log-det on random banded SPD matrices (property)', () => {
    fc.assert(fc.property(sizes, ([n, bw, seed]) => {
      const rng = new Rng(seed);
      const band = randomBandedSpd(rng, n, bw);
      const A = bandedToDense(band, n, bw);
      const { L: Lb, jitter } = bandedCholesky(band, n, bw);
      expect(jitter).toBe(0);
      const { L } = cholesky(A, n);
      // No fill-in: the dense factor lives inside the band and equals the banded one.
      expectAllClose(bandedToDense(Lb, n, bw, 'lower'), L, 1e-13, maxAbs(L));
      const b = randomVector(rng, n);
      const x = bandedSolve(Lb, b, n, bw);
      expectAllClose(x, choleskySolve(L, b, n), 1e-12, Math.max(1, maxAbs(x)));
      expectAllClose(bandedMatVec(band, x, n, bw), b, 1e-13 * n, Math.max(1, maxAbs(A) * maxAbs(x)));
      expectAllClose(bandedSolveLower(Lb, b, n, bw), solveLower(L, b, n), 1e-12);
      expectAllClose(bandedSolveLowerT(Lb, b, n, bw), solveLowerT(L, b, n), 1e-12);
      expectClose(bandedLogDet(Lb, n, bw), logDetFromCholesky(L, n), 1e-12, 1e-12);
    }), { numRuns: 100 });
  });

  it('solve in place and into a separate out', () => {
    const rng = new Rng(2);
    const n = 12, bw = 3;
    const { L } = bandedCholesky(randomBandedSpd(rng, n, bw), n, bw);
    const b = randomVector(rng, n);
    for (const solve of [bandedSolve, bandedSolveLower, bandedSolveLowerT]) {
      const expected = solve(L, b, n, bw);
      const y = Float64Array.from(b);
      expect(solve(L, y, n, bw, y)).toBe(y);
      expect(y).toEqual(expected);
      const out = new Float64Array(n);
      expect(solve(L, b, n, bw, out)).toBe(out);
      expect(out).toEqual(expected);
      expect(Array.from(b)).toEqual(Array.from(Float64Array.from(b)));
    }
  });

  it('adds jitter to a singular PSD band and throws NOT_CONVERGED on an indefinite one', () => {
    // [[1, 1], [1, 1]] is PSD and singular; the second pivot is exactly 0.
    const singular = Float64Array.of(1, 0, 1, 1);
    expectError(() => bandedCholesky(singular, 2, 1, { maxTries: 0 }), 'NOT_CONVERGED', /bandedCholesky: A is not positive definite.*row 1/);
    const { L, jitter } = bandedCholesky(singular, 2, 1);
    expect(jitter).toBeGreaterThan(0);
    // L·Lᵀ = A + jitter·I.
    const [l00, , l10, l11] = bandedToDense(L, 2, 1, 'lower');
    expectAllClose([l00 * l00, l10 * l00, l10 * l10 + l11 * l11], [1 + jitter, 1, 1 + jitter], 1e-15);
    expectError(() => bandedCholesky(Float64Array.of(1, 0, 1, 2), 2, 1), 'NOT_CONVERGED', /not positive definite.*jitter up to/);
  });

  it('reject bad input, naming the argument', () => {
    const band = Float64Array.of(4, 0, 5, 2, 5, 2);
    const { L } = bandedCholesky(band, 3, 1);
    const b = Float64Array.of(1, 2, 3);
    expectError(() => bandedCholesky(band, 3, 3), 'BAD_ARGUMENT', /\bbw\b.*\[0, 2\]/);
    expectError(() => bandedCholesky(band, 3, -1), 'BAD_ARGUMENT', /\bbw\b/);
    expectError(() => bandedCholesky(band, 4, 1), 'BAD_ARGUMENT', /\bband\b.*at least 8/);
    expectError(() => bandedCholesky(band, 0, 0), 'BAD_ARGUMENT', /\bn\b/);
    expectError(() => bandedCholesky(Float64Array.of(4, 0, 5, NaN, 5, 2), 3, 1), 'BAD_ARGUMENT', /band\[1·\(bw\+1\) \+ 1\] \(entry \[1, 0\]\)/);
    expectError(() => bandedCholesky(band, 3, 1, { jitter: -1 }), 'BAD_ARGUMENT', /opts\.jitter/);
    for (const solve of [bandedSolve, bandedSolveLower, bandedSolveLowerT]) {
      expectError(() => solve(L, Float64Array.of(1, 2), 3, 1), 'BAD_ARGUMENT', /\bb\b.*at least 3/);
      expectError(() => solve(L, Float64Array.of(1, NaN, 3), 3, 1), 'BAD_ARGUMENT', /b\[1\]/);
      expectError(() => solve(Float64Array.of(2, 0, 0, 1, 2, 1), b, 3, 1), 'BAD_ARGUMENT', /singular.*L\[1, 1\]/);
      expectError(() => solve(L, b, 3, 1, new Float64Array(2)), 'BAD_ARGUMENT', /\bout\b/);
      expectError(() => solve(L, b, 3, 1, L.subarray(0, 3)), 'BAD_ARGUMENT', /out must not overlap L/);
      expectError(() => solve(L, [1, 2, 3] as unknown as Float64Array, 3, 1), 'BAD_ARGUMENT', /\bb\b.*Float64Array/);
    }
    expectError(() => bandedLogDet(Float64Array.of(2, 0, -1, 1), 2, 1), 'BAD_ARGUMENT', /L\[1, 1\] must be positive/);
    expectError(() => bandedLogDet(L, 3, 2), 'BAD_ARGUMENT', /\bL\b.*at least 9/);
    expectError(() => denseToBanded(Float64Array.of(1, 2, NaN, 4), 2, 1), 'BAD_ARGUMENT', /A\[1, 0\]/);
    expectError(() => denseToBanded(Float64Array.of(1, 2, 3), 2, 1), 'BAD_ARGUMENT', /\bA\b.*at least 4/);
    expectError(() => bandedToDense(band, 3, 1, 'upper' as 'lower'), 'BAD_ARGUMENT', /triangle/);
    expectError(() => bandedMatVec(band, Float64Array.of(1, Infinity, 1), 3, 1), 'BAD_ARGUMENT', /x\[1\]/);
    expectError(() => bandedMatVec(band, b, 3, 1, band.subarray(0, 3)), 'BAD_ARGUMENT', /out must not overlap band/);
  });
});

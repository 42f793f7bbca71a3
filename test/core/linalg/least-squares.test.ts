/**
 * leastSquares: numpy.linalg.lstsq fixtures (full rank, rank deficient, ill-conditioned), the
 * normal equations as a second oracle, exact fits, the ill-conditioning policy, and bad input.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { cholesky, choleskySolve, gram, leastSquares } from '../../../src/core/linalg/index.js';
import { Rng } from '../../../src/core/rng.js';
import { denseMatVec, expectAllClose, expectClose, expectError, loadFixture, maxAbs } from '../helpers.js';

interface Case {
  name: string; m: number; p: number; X: number[]; y: number[];
  beta: number[]; fitted: number[]; rss: number; rank: number; cond2: number | null;
}
const fixture = loadFixture<{ cases: Case[] }>('least-squares.json');
const byName = (name: string) => {
  const c = fixture.cases.find((k) => k.name === name);
  if (!c) throw new Error(`fixture case ${name} missing`);
  return { ...c, Xf: Float64Array.from(c.X), yf: Float64Array.from(c.y) };
};
const sumSq = (a: ArrayLike<number>) => Array.from(a).reduce((s, v) => s + v * v, 0);

describe('leastSquares against numpy.linalg.lstsq', () => {
  for (const name of ['random-with-intercept', 'vandermonde-degree-6', 'square', 'moderately-ill-conditioned-vandermonde-13']) {
    it(`${name}: beta, fitted values, rss, rank, condition`, () => {
      const c = byName(name);
      const r = leastSquares(c.Xf, c.yf, c.m, c.p);
      expect(r.rank).toBe(c.rank);
      expect(r.illConditioned).toBe(false);
      // Forward error of β grows with κ; fitted values (a projection) are far better determined.
      const cond2 = c.cond2 ?? Infinity;
      const tolBeta = Math.max(1e-13, 50 * cond2 * Number.EPSILON);
      expectAllClose(r.beta, c.beta, tolBeta);
      expectAllClose(denseMatVec(c.Xf, r.beta, c.m, c.p), c.fitted, 1e-10, Math.max(1, maxAbs(c.yf)));
      expectClose(r.rss, c.rss, 1e-8, 1e-12 * sumSq(c.yf));
      // κ₁(R) is within a factor p of κ₂(X).
      expect(r.condition).toBeGreaterThanOrEqual(cond2 / c.p);
      expect(r.condition).toBeLessThanOrEqual(cond2 * c.p);
    });
  }

  it('rank-deficient design: throws by default; reports rank 2 and the least-squares fit on request', () => {
    const c = byName('rank-deficient');
    expect(c.rank).toBe(2);
    expectError(() => leastSquares(c.Xf, c.yf, c.m, c.p), 'NOT_CONVERGED', /X is rank deficient \(numerical rank 2 < p = 3\)/);
    const r = leastSquares(c.Xf, c.yf, c.m, c.p, { onIllConditioned: 'report' });
    expect(r.rank).toBe(2);
    expect(r.illConditioned).toBe(true);
    expect(r.condition).toBe(Infinity);
    // numpy returns the minimum-norm solution, we the basic one: same fit, same RSS.
    expect(Array.from(r.beta).filter((b) => b === 0).length).toBe(1);
    expectAllClose(denseMatVec(c.Xf, r.beta, c.m, c.p), c.fitted, 1e-12, Math.max(1, maxAbs(c.yf)));
    expectClose(r.rss, c.rss, 1e-10);
    expectClose(r.rss, sumSq(c.yf.map((y, i) => y - denseMatVec(c.Xf, r.beta, c.m, c.p)[i])), 1e-10);
  });

  it('severely ill-conditioned Vandermonde (κ₂ ≈ 2e14): throws by default; report mode flags it', () => {
    const c = byName('severely-ill-conditioned-vandermonde-19');
    expect(c.cond2 ?? Infinity).toBeGreaterThan(1e12);
    expectError(() => leastSquares(c.Xf, c.yf, c.m, c.p), 'NOT_CONVERGED', /X is (ill-conditioned|rank deficient)/);
    const r = leastSquares(c.Xf, c.yf, c.m, c.p, { onIllConditioned: 'report' });
    expect(r.illConditioned).toBe(true);
    expect(r.condition).toBeGreaterThan(1e12);
    // The fit itself is still excellent (y is smooth): both RSS are at rounding level.
    expect(r.rss).toBeLessThan(1e-12 * sumSq(c.yf));
    expect(c.rss).toBeLessThan(1e-12 * sumSq(c.yf));
  });

  it('maxCondition is honoured', () => {
    const c = byName('vandermonde-degree-6');
    expectError(() => leastSquares(c.Xf, c.yf, c.m, c.p, { maxCondition: 1000 }), 'NOT_CONVERGED', /ill-conditioned.*opts\.maxCondition = 1000/);
    const r = leastSquares(c.Xf, c.yf, c.m, c.p, { maxCondition: 1000, onIllConditioned: 'report' });
    expect(r.illConditioned).toBe(true);
    expectAllClose(r.beta, c.beta, 1e-10);
  });
});

describe('leastSquares invariants', () => {
  it('agrees with the normal equations on well-conditioned random problems (property)', () => {
    fc.assert(fc.property(
      fc.integer({ min: 1, max: 8 }), fc.integer({ min: 0, max: 20 }), fc.integer({ min: 0, max: 2 ** 31 }),
      (p, extra, seed) => {
        const rng = new Rng(seed);
        const m = p + extra + 1;
        const X = Float64Array.from({ length: m * p }, () => rng.normal());
        const y = Float64Array.from({ length: m }, () => rng.normal() * 3);
        const r = leastSquares(X, y, m, p, { onIllConditioned: 'report' });
        if (r.condition > 1e6) return;   // rare near-singular draw: the normal equations would be the weak oracle
        const Xty = new Float64Array(p);
        for (let i = 0; i < m; i++) for (let j = 0; j < p; j++) Xty[j] += X[i * p + j] * y[i];
        const { L } = cholesky(gram(X, m, p), p, { maxTries: 0 });
        const betaNe = choleskySolve(L, Xty, p);
        expectAllClose(r.beta, betaNe, 1e-13 * r.condition * r.condition + 1e-13, Math.max(1, maxAbs(betaNe)));
        const resid = y.map((v, i) => v - denseMatVec(X, r.beta, m, p)[i]);
        expectClose(r.rss, sumSq(resid), 1e-10, 1e-14);
        // Residual orthogonal to the columns: Xᵀ(y − Xβ) = 0.
        const g = new Float64Array(p);
        for (let i = 0; i < m; i++) for (let j = 0; j < p; j++) g[j] += X[i * p + j] * resid[i];
        expect(maxAbs(g)).toBeLessThan(1e-12 * m * Math.max(1, maxAbs(y)) * Math.max(1, maxAbs(X)));
      },
    ), { numRuns: 80 });
  });

  it('recovers the exact coefficients of a consistent system', () => {
    const rng = new Rng(8);
    const m = 25, p = 6;
    const X = Float64Array.from({ length: m * p }, () => rng.uniform() * 2 - 1);
    const beta = Float64Array.of(1, -2, 3, -4, 5, -6);
    const r = leastSquares(X, denseMatVec(X, beta, m, p), m, p);
    expectAllClose(r.beta, beta, 1e-13 * r.condition);
    expect(r.rss).toBeLessThan(1e-24);
    expect(r.rank).toBe(6);
  });

  it('handles p = 1 (a mean) and a zero design', () => {
    const r = leastSquares(Float64Array.of(1, 1, 1, 1), Float64Array.of(1, 2, 3, 6), 4, 1);
    expectClose(r.beta[0], 3, 1e-15);
    expectClose(r.rss, 4 + 1 + 0 + 9, 1e-14);
    expect(r.condition).toBe(1);
    const z = leastSquares(new Float64Array(6), Float64Array.of(1, 2, 3), 3, 2, { onIllConditioned: 'report' });
    expect(z.rank).toBe(0);
    expect(Array.from(z.beta)).toEqual([0, 0]);
    expect(z.rss).toBe(14);
  });

  it('m < p is rank deficient', () => {
    const X = Float64Array.of(1, 2, 3, 4, 5, 7);
    expectError(() => leastSquares(X, Float64Array.of(1, 2), 2, 3), 'NOT_CONVERGED', /rank 2 < p = 3/);
    const r = leastSquares(X, Float64Array.of(1, 2), 2, 3, { onIllConditioned: 'report' });
    expect(r.rank).toBe(2);
    expect(r.rss).toBeLessThan(1e-25);   // underdetermined: fits exactly
  });

  it('rejects bad input, naming the argument', () => {
    const X = Float64Array.of(1, 0, 1, 1, 1, 2);
    const y = Float64Array.of(1, 3, 5);
    expectError(() => leastSquares(X, y, 0, 2), 'BAD_ARGUMENT', /\bm\b/);
    expectError(() => leastSquares(X, y, 3, 1.5), 'BAD_ARGUMENT', /\bp\b/);
    expectError(() => leastSquares(X, y, 4, 2), 'BAD_ARGUMENT', /\bX\b.*at least 8/);
    expectError(() => leastSquares(X, Float64Array.of(1, 3), 3, 2), 'BAD_ARGUMENT', /\by\b.*at least 3/);
    expectError(() => leastSquares(Float64Array.of(1, 0, 1, NaN, 1, 2), y, 3, 2), 'BAD_ARGUMENT', /X\[3\]/);
    expectError(() => leastSquares(X, Float64Array.of(1, Infinity, 5), 3, 2), 'BAD_ARGUMENT', /y\[1\]/);
    expectError(() => leastSquares(X, y, 3, 2, { maxCondition: 0.5 }), 'BAD_ARGUMENT', /opts\.maxCondition/);
    expectError(() => leastSquares(X, y, 3, 2, { onIllConditioned: 'warn' as 'throw' }), 'BAD_ARGUMENT', /opts\.onIllConditioned/);
    expectError(() => leastSquares([1, 0, 1, 1, 1, 2] as unknown as Float64Array, y, 3, 2), 'BAD_ARGUMENT', /\bX\b.*Float64Array/);
  });
});

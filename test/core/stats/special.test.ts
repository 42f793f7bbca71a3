/**
 * logGamma, logChoose, logSumExp: mpmath fixtures (40 digits), exact small binomials by BigInt,
 * functional identities, overflow/underflow safety, and bad input.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { logChoose, logGamma, logSumExp } from '../../../src/core/stats/index.js';
import { expectClose, expectError, loadFixture } from '../helpers.js';

const lgammaFixture = loadFixture<{ points: { x: number; logGamma: number }[] }>('log-gamma.json');
const lchooseFixture = loadFixture<{ points: { n: number; k: number; logChoose: number }[] }>('log-choose.json');

describe('logGamma', () => {
  it('is within 1e-13 relative of mpmath everywhere in the fixture (roots 1 and 2 included)', () => {
    let worst = 0;
    for (const { x, logGamma: want } of lgammaFixture.points) {
      const got = logGamma(x);
      if (want === 0) { expect(got).toBe(0); continue; }
      const rel = Math.abs(got - want) / Math.abs(want);
      worst = Math.max(worst, rel);
      expect(rel, `logGamma(${x}) = ${got}, mpmath ${want}`).toBeLessThan(1e-13);
    }
    expect(worst).toBeGreaterThan(0);   // the fixture is not trivially matched
  });

  it('matches factorials and Γ(1/2) = √π', () => {
    let f = 1;
    for (let n = 1; n <= 25; n++) {
      expectClose(logGamma(n), Math.log(f), 1e-14, 1e-15);
      f *= n;
    }
    expectClose(logGamma(0.5), 0.5 * Math.log(Math.PI), 1e-15);
  });

  it('satisfies log Γ(x+1) = log Γ(x) + log x (property)', () => {
    fc.assert(fc.property(fc.double({ min: 1e-6, max: 1e6, noNaN: true }), (x) => {
      expectClose(logGamma(x + 1), logGamma(x) + Math.log(x), 1e-12, 1e-13);
    }), { numRuns: 500 });
  });

  it('rejects x ≤ 0 and non-finite x', () => {
    for (const x of [0, -1, -0.5, NaN, Infinity, -Infinity]) expectError(() => logGamma(x), 'BAD_ARGUMENT', /\bx\b/);
    expectError(() => logGamma('3' as unknown as number), 'BAD_ARGUMENT', /\bx\b/);
  });
});

describe('logChoose', () => {
  it('is within 1e-14 relative of mpmath, from tiny to astronomically large n', () => {
    for (const { n, k, logChoose: want } of lchooseFixture.points) {
      const got = logChoose(n, k);
      if (want === 0) expect(got).toBe(0);
      else expect(Math.abs(got - want) / want, `logChoose(${n}, ${k})`).toBeLessThan(1e-14);
    }
  });

  it('equals log of the exact BigInt binomial for all n ≤ 70', () => {
    const row: bigint[] = [1n];
    for (let n = 0; n <= 70; n++) {
      if (n > 0) {
        const prev = [...row];
        row.push(1n);
        for (let k = 1; k < n; k++) row[k] = prev[k - 1] + prev[k];
      }
      for (let k = 0; k <= n; k++) {
        // Number(bigint) rounds correctly, so log of it is accurate to ~1 ulp.
        expectClose(logChoose(n, k), Math.log(Number(row[k])), 4e-16 * 8, 0);
      }
    }
  });

  it('is symmetric and satisfies Pascal’s rule in log space (property)', () => {
    fc.assert(fc.property(fc.integer({ min: 2, max: 1e7 }), fc.double({ min: 0, max: 1, noNaN: true }), (n, f) => {
      const k = Math.min(n - 1, Math.max(1, Math.round(f * n)));
      expect(logChoose(n, k)).toBe(logChoose(n, n - k));
      const pascal = logSumExp([logChoose(n - 1, k - 1), logChoose(n - 1, k)]);
      expectClose(logChoose(n, k), pascal, 1e-13, 1e-14);
    }), { numRuns: 300 });
  });

  it('rejects non-integers, negatives and k > n', () => {
    expectError(() => logChoose(5, 6), 'BAD_ARGUMENT', /\bk\b.*\[0, 5\]/);
    expectError(() => logChoose(5.5, 2), 'BAD_ARGUMENT', /\bn\b/);
    expectError(() => logChoose(5, 2.5), 'BAD_ARGUMENT', /\bk\b/);
    expectError(() => logChoose(-1, 0), 'BAD_ARGUMENT', /\bn\b/);
    expectError(() => logChoose(5, -1), 'BAD_ARGUMENT', /\bk\b/);
    expectError(() => logChoose(NaN, 1), 'BAD_ARGUMENT', /\bn\b/);
    expectError(() => logChoose(2 ** 53, 1), 'BAD_ARGUMENT', /\bn\b/);
  });
});

describe('logSumExp', () => {
  it('handles values whose exponentials overflow or underflow', () => {
    expectClose(logSumExp([1000, 1000]), 1000 + Math.LN2, 1e-16);
    expectClose(logSumExp([-1000, -1000, -1000]), -1000 + Math.log(3), 1e-16);
    expectClose(logSumExp([Math.log(1), Math.log(3)]), Math.log(4), 1e-16);
    expect(logSumExp([5])).toBe(5);
    expectClose(logSumExp([0, -800]), Math.exp(-800), 0, 1e-300);   // log1p keeps the tiny term
  });

  it('treats −∞ as a zero weight; empty or all −∞ gives −∞; +∞ gives +∞', () => {
    expect(logSumExp([-Infinity, 2, -Infinity])).toBe(2);
    expect(logSumExp([])).toBe(-Infinity);
    expect(logSumExp([-Infinity, -Infinity])).toBe(-Infinity);
    expect(logSumExp([1, Infinity])).toBe(Infinity);
    expect(logSumExp(Float64Array.of(0, 0))).toBe(Math.LN2);
  });

  it('equals log(Σ exp) where that is representable, and is shift-equivariant (property)', () => {
    fc.assert(fc.property(
      fc.array(fc.double({ min: -50, max: 50, noNaN: true }), { minLength: 1, maxLength: 50 }),
      fc.double({ min: -1e4, max: 1e4, noNaN: true }),
      (xs, c) => {
        const naive = Math.log(xs.reduce((s, x) => s + Math.exp(x), 0));
        expectClose(logSumExp(xs), naive, 1e-14, 1e-14);
        expectClose(logSumExp(xs.map((x) => x + c)), logSumExp(xs) + c, 1e-14, 1e-10);
      },
    ), { numRuns: 200 });
  });

  it('rejects NaN and non-arrays', () => {
    expectError(() => logSumExp([1, NaN]), 'BAD_ARGUMENT', /values\[1\]/);
    expectError(() => logSumExp('12' as unknown as number[]), 'BAD_ARGUMENT', /values must be an array/);
    expectError(() => logSumExp([1, undefined] as unknown as number[]), 'BAD_ARGUMENT', /values\[1\]/);
  });
});

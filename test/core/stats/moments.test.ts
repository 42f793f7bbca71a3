/**
 * mean and variance: closed forms, accuracy on data with a large offset (where the textbook
 * one-pass formula fails), and bad input.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { mean, variance } from '../../../src/core/stats/index.js';
import { expectClose, expectError } from '../helpers.js';

describe('mean and variance', () => {
  it('match closed forms', () => {
    expect(mean([1, 2, 3, 4])).toBe(2.5);
    expect(variance([1, 2, 3, 4])).toBeCloseTo(5 / 3, 15);
    expect(variance([1, 2, 3, 4], { ddof: 0 })).toBe(1.25);
    expect(variance([5], { ddof: 0 })).toBe(0);
    // 1..n: mean (n+1)/2, sample variance n(n+1)/12.
    const n = 1001;
    const xs = Float64Array.from({ length: n }, (_, i) => i + 1);
    expect(mean(xs)).toBe(501);
    expectClose(variance(xs), (n * (n + 1)) / 12, 1e-15);
  });

  it('stay accurate with a huge offset (1e9 + small spread)', () => {
    const xs = [1e9 + 4, 1e9 + 7, 1e9 + 13, 1e9 + 16];
    expect(mean(xs)).toBe(1e9 + 10);
    expect(variance(xs)).toBe(30);   // one-pass Σx² − n·x̄² gives garbage here
  });

  it('are shift-equivariant / invariant (property)', () => {
    fc.assert(fc.property(
      fc.array(fc.double({ min: -100, max: 100, noNaN: true }), { minLength: 2, maxLength: 200 }),
      fc.double({ min: -1e6, max: 1e6, noNaN: true }),
      (xs, c) => {
        const shifted = xs.map((x) => x + c);
        expectClose(mean(shifted), mean(xs) + c, 1e-12, 1e-9);
        expectClose(variance(shifted), variance(xs), 1e-6, 1e-6);
        expect(variance(xs)).toBeGreaterThanOrEqual(0);
      },
    ), { numRuns: 100 });
  });

  it('reject bad input, naming the argument', () => {
    expectError(() => mean([]), 'BAD_ARGUMENT', /values must have at least 1 element/);
    expectError(() => mean([1, NaN]), 'BAD_ARGUMENT', /values\[1\]/);
    expectError(() => mean(null as unknown as number[]), 'BAD_ARGUMENT', /values must be an array/);
    expectError(() => variance([1]), 'BAD_ARGUMENT', /values must have at least 2 elements/);
    expectError(() => variance([1, 2], { ddof: 2 }), 'BAD_ARGUMENT', /at least 3 elements/);
    expectError(() => variance([1, 2], { ddof: -1 }), 'BAD_ARGUMENT', /opts\.ddof/);
    expectError(() => variance([1, 2], { ddof: 0.5 }), 'BAD_ARGUMENT', /opts\.ddof/);
    expectError(() => variance([1, Infinity, 2]), 'BAD_ARGUMENT', /values\[1\]/);
  });
});

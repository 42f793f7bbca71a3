import { describe, expect, it } from 'vitest';
import { bootstrapMean, bootstrapPairedDifference } from '../../../src/core/stats/bootstrap.js';
import { Rng } from '../../../src/core/rng.js';
import { SparseInferenceError } from '../../../src/core/errors.js';

function normalSample(rng: Rng, n: number, mean: number, sd: number): number[] {
  return Array.from({ length: n }, () => mean + sd * rng.normal());
}

describe('bootstrapMean', () => {
  it('collapses to the value on a constant sample and reports the sample mean as the estimate', () => {
    const r = bootstrapMean([2.5, 2.5, 2.5, 2.5]);
    expect(r).toMatchObject({ estimate: 2.5, lower: 2.5, upper: 2.5, units: 4, level: 0.95, excludesZero: true });
    expect(bootstrapMean([1, 2, 3, 10]).estimate).toBe(4);
  });

  it('moves with a shift of the data and is deterministic given the seed', () => {
    const x = normalSample(new Rng(3), 20, 0, 1);
    const a = bootstrapMean(x, { seed: 9 });
    const b = bootstrapMean(x.map((v) => v + 100), { seed: 9 });
    expect(b.lower - 100).toBeCloseTo(a.lower, 9);
    expect(b.upper - 100).toBeCloseTo(a.upper, 9);
    expect(bootstrapMean(x, { seed: 9 })).toEqual(a);
  });

  it('covers the true mean of normal samples near the nominal rate, and its width shrinks like 1/sqrt(n)', () => {
    const rng = new Rng(11);
    let covered = 0;
    const trials = 200;
    for (let t = 0; t < trials; t++) {
      const r = bootstrapMean(normalSample(rng, 30, 5, 2), { seed: t, resamples: 1000 });
      if (r.lower <= 5 && 5 <= r.upper) covered++;
    }
    // The percentile interval under-covers slightly at n = 30 (about 93–94%).
    expect(covered / trials).toBeGreaterThan(0.88);
    expect(covered / trials).toBeLessThan(0.99);
    const w = (n: number) => { const r = bootstrapMean(normalSample(new Rng(n), n, 0, 1), { seed: 1 }); return r.upper - r.lower; };
    // 2·1.96·σ/√n: 0.248 at n = 250, 0.0784 at n = 2500.
    expect(w(250)).toBeGreaterThan(0.2); expect(w(250)).toBeLessThan(0.3);
    expect(w(2500)).toBeGreaterThan(0.065); expect(w(2500)).toBeLessThan(0.092);
  });

  it('rejects bad samples and options naming them', () => {
    expect(() => bootstrapMean([])).toThrow(/values must have at least 1/);
    expect(() => bootstrapMean([1, NaN])).toThrow(SparseInferenceError);
    expect(() => bootstrapMean([1, 2], { level: 1 })).toThrow(/opts\.level/);
    expect(() => bootstrapMean([1, 2], { resamples: 3 })).toThrow(/opts\.resamples/);
    expect(() => bootstrapMean([1, 2], { seed: -1 })).toThrow(/opts\.seed/);
  });
});

describe('bootstrapPairedDifference', () => {
  it('is exactly zero for identical methods and calls a shared offset a difference', () => {
    const base = normalSample(new Rng(5), 12, 3, 1);
    const same = bootstrapPairedDifference(base, base);
    expect([same.estimate, same.lower, same.upper, same.excludesZero]).toEqual([0, 0, 0, false]);
    // A 0.05 offset hidden under a between-document spread of 1: pairing sees it.
    const noise = new Rng(6);
    const shifted = base.map((v) => v + 0.05 + 0.01 * noise.normal());
    const d = bootstrapPairedDifference(shifted, base, { seed: 2 });
    expect(d.excludesZero).toBe(true);
    expect(d.lower).toBeGreaterThan(0.03);
    expect(d.upper).toBeLessThan(0.07);
    // Unpaired, the same data would be a tie.
    const ua = bootstrapMean(shifted, { seed: 2 }); const ub = bootstrapMean(base, { seed: 2 });
    expect(ua.lower < ub.upper).toBe(true);
  });

  it('rejects unpaired lengths', () => {
    expect(() => bootstrapPairedDifference([1, 2], [1])).toThrow(/pair up/);
  });
});

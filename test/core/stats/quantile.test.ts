/**
 * quantile / quantiles / median: bit-exact against R (types 7 and 1), close to numpy, equal to
 * a sort-based oracle on random samples (property, including heavy ties and sizes above the
 * Floyd–Rivest sampling threshold), no mutation of the input, and bad input.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { median, quantile, quantiles } from '../../../src/core/stats/index.js';
import { Rng } from '../../../src/core/rng.js';
import { expectError, loadFixture } from '../helpers.js';

interface Sample { name: string; values: number[]; rType7: number[]; rType1: number[]; numpyType7: number[]; numpyType1: number[] }
const fixture = loadFixture<{ ps: number[]; samples: Sample[] }>('quantile.json');

/** Definition-based oracle on a fully sorted copy (Hyndman & Fan 1996). */
function sortedQuantile(values: ArrayLike<number>, p: number, method: 'type7' | 'type1'): number {
  const x = Float64Array.from(values).sort();
  const n = x.length;
  if (method === 'type1') return x[Math.max(1, Math.ceil(n * p)) - 1];
  const h = 1 + (n - 1) * p;
  const lo = Math.floor(h);
  const g = h - lo;
  return g === 0 || x[lo] === x[lo - 1] ? x[lo - 1] : (1 - g) * x[lo - 1] + g * x[lo];
}

describe('quantile against R and numpy', () => {
  for (const s of fixture.samples) {
    it(`${s.name} (n = ${s.values.length}): type 7 and type 1 equal R bit for bit`, () => {
      expect(Array.from(quantiles(s.values, fixture.ps))).toEqual(s.rType7);
      expect(Array.from(quantiles(s.values, fixture.ps, { method: 'type1' }))).toEqual(s.rType1);
      // numpy agrees to the last bit or two (it interpolates with a different formula).
      const q7 = quantiles(s.values, fixture.ps);
      q7.forEach((v, i) => expect(Math.abs(v - s.numpyType7[i])).toBeLessThanOrEqual(4 * Number.EPSILON * Math.max(1, Math.abs(v))));
      expect(Array.from(quantiles(s.values, fixture.ps, { method: 'type1' }))).toEqual(s.numpyType1);
    });
  }

  it('the fixture really contains R/numpy last-bit disagreements (so bit-equality with R is meaningful)', () => {
    const differing = fixture.samples.flatMap((s) => s.rType7.filter((v, i) => v !== s.numpyType7[i]));
    expect(differing.length).toBeGreaterThan(0);
  });
});

describe('quantile against sorting (property)', () => {
  const anySample = fc.oneof(
    fc.array(fc.double({ noNaN: true, noDefaultInfinity: true, min: -1e6, max: 1e6 }), { minLength: 1, maxLength: 300 }),
    fc.array(fc.integer({ min: -3, max: 3 }), { minLength: 1, maxLength: 3000 }),          // heavy ties
    fc.integer({ min: 601, max: 5000 }).chain((n) => fc.constant(n)).map((n) => {
      const rng = new Rng(n);
      return Array.from({ length: n }, () => rng.normal());                                // > 600: sampling step
    }),
  );
  const prob = fc.oneof(fc.double({ min: 0, max: 1, noNaN: true }), fc.constantFrom(0, 1, 0.5, 0.25, 1 / 3, 0.975));
  for (const method of ['type7', 'type1'] as const) {
    it(`${method}: quantile() = sort-based definition`, () => {
      fc.assert(fc.property(anySample, prob, (values, p) => {
        const got = quantile(values, p, { method });
        const want = sortedQuantile(values, p, method);
        expect(got === want || Math.abs(got - want) <= 1e-15 * Math.abs(want)).toBe(true);
      }), { numRuns: 150 });
    });
    it(`${method}: quantiles() = one quantile() per probability, in the caller's order`, () => {
      fc.assert(fc.property(anySample, fc.array(prob, { maxLength: 12 }), (values, ps) => {
        const many = quantiles(values, ps, { method });
        expect(many.length).toBe(ps.length);
        ps.forEach((p, i) => expect(many[i]).toBe(quantile(values, p, { method })));
      }), { numRuns: 80 });
    });
  }

  it('type 1 always returns an observed value; both types are monotone in p', () => {
    const rng = new Rng(3);
    const x = Float64Array.from({ length: 999 }, () => rng.gamma(2));
    const set = new Set(x);
    const ps = Array.from({ length: 101 }, (_, i) => i / 100);
    const q1 = quantiles(x, ps, { method: 'type1' });
    const q7 = quantiles(x, ps);
    for (let i = 0; i < ps.length; i++) {
      expect(set.has(q1[i])).toBe(true);
      if (i > 0) { expect(q1[i]).toBeGreaterThanOrEqual(q1[i - 1]); expect(q7[i]).toBeGreaterThanOrEqual(q7[i - 1]); }
    }
  });
});

describe('quantile inputs', () => {
  it('does not modify the input unless overwrite is set; overwrite only permutes', () => {
    const rng = new Rng(9);
    const x = Float64Array.from({ length: 2000 }, () => rng.normal());
    const copy = Float64Array.from(x);
    const q = quantiles(x, [0.1, 0.5, 0.9]);
    expect(x).toEqual(copy);
    const y = Float64Array.from(x);
    expect(quantiles(y, [0.1, 0.5, 0.9], { overwrite: true })).toEqual(q);
    expect(y).not.toEqual(copy);
    expect(Float64Array.from(y).sort()).toEqual(Float64Array.from(copy).sort());
  });

  it('accepts number[], Float32Array and Int32Array samples', () => {
    expect(quantile([1, 2, 3, 4], 0.5)).toBe(2.5);
    expect(quantile(Float32Array.of(1, 2, 3, 4), 0.25)).toBe(1.75);
    expect(quantile(Int32Array.of(4, 3, 2, 1), 0.5, { method: 'type1' })).toBe(2);
    // (1 − 0.825)·6 + 0.825·9 in floating point, as R computes it.
    expect(Array.from(quantiles([3, 1, 4, 1, 5, 9, 2, 6], [0.025, 0.5, 0.975]))).toEqual([1, 3.5, 8.475000000000001]);
  });

  it('median: middle value or mean of the two middle values', () => {
    expect(median([5, 1, 3])).toBe(3);
    expect(median([4, 1, 3, 2])).toBe(2.5);
    expect(median([7])).toBe(7);
    expect(median([1e308, 1e308])).toBe(1e308);   // no overflow from (a + b)/2
  });

  it('rejects bad input, naming the argument', () => {
    expectError(() => quantile([], 0.5), 'BAD_ARGUMENT', /values must have at least 1 element/);
    expectError(() => quantile([1, NaN], 0.5), 'BAD_ARGUMENT', /values\[1\]/);
    expectError(() => quantile([1, Infinity], 0.5), 'BAD_ARGUMENT', /values\[1\]/);
    expectError(() => quantile('abc' as unknown as number[], 0.5), 'BAD_ARGUMENT', /values must be an array/);
    expectError(() => quantile([1, '2'] as unknown as number[], 0.5), 'BAD_ARGUMENT', /values\[1\]/);
    expectError(() => quantile([1, 2], 1.5), 'BAD_ARGUMENT', /\bp\b.*\[0, 1\]/);
    expectError(() => quantile([1, 2], -0.1), 'BAD_ARGUMENT', /\bp\b/);
    expectError(() => quantile([1, 2], NaN), 'BAD_ARGUMENT', /\bp\b/);
    expectError(() => quantile([1, 2], 0.5, { method: 'type2' as 'type1' }), 'BAD_ARGUMENT', /opts\.method/);
    expectError(() => quantiles([1, 2], [0.5, 2]), 'BAD_ARGUMENT', /ps\[1\]/);
    expectError(() => quantiles([1, 2], 0.5 as unknown as number[]), 'BAD_ARGUMENT', /\bps\b/);
    expectError(() => quantiles([1, 2], new DataView(new ArrayBuffer(8)) as unknown as number[]), 'BAD_ARGUMENT', /\bps\b/);
    expectError(() => quantile(new DataView(new ArrayBuffer(8)) as unknown as number[], 0.5), 'BAD_ARGUMENT', /values must be an array/);
    expectError(() => median([]), 'BAD_ARGUMENT', /values/);
  });
});

/**
 * Statistical checks of the Rng distributions with fixed seeds. Each bound is ~5 standard
 * errors of the estimate (or a chi-square 0.999 quantile), so a correct generator passes for
 * essentially every seed, while a biased one (wrong shape, wrong scale, off-by-one) fails.
 */
import { describe, expect, it } from 'vitest';
import { Rng } from '../../src/core/rng.js';

function moments(xs: Float64Array): { mean: number; variance: number; kurtosis: number } {
  const n = xs.length;
  let m = 0;
  for (const x of xs) m += x;
  m /= n;
  let m2 = 0, m4 = 0;
  for (const x of xs) { const d = (x - m) ** 2; m2 += d; m4 += d * d; }
  m2 /= n; m4 /= n;
  return { mean: m, variance: m2, kurtosis: m4 / (m2 * m2) };
}

function sample(n: number, f: () => number): Float64Array {
  return Float64Array.from({ length: n }, f);
}

/** Pearson chi-square statistic of counts against expected probabilities. */
function chiSquare(counts: number[], probs: number[]): number {
  const n = counts.reduce((a, b) => a + b, 0);
  return counts.reduce((s, c, i) => s + (c - n * probs[i]) ** 2 / (n * probs[i]), 0);
}
/** Upper 0.999 quantiles of chi-square with df = 1..9. */
const CHI2_999 = [0, 10.83, 13.82, 16.27, 18.47, 20.52, 22.46, 24.32, 26.12, 27.88];

describe('Rng distributions (fixed seeds)', () => {
  it('uniform: mean 1/2, variance 1/12, and equal counts in 10 bins', () => {
    const n = 200_000;
    const rng = new Rng(0);
    const xs = sample(n, () => rng.uniform());
    const { mean, variance } = moments(xs);
    expect(Math.abs(mean - 0.5)).toBeLessThan(5 * Math.sqrt(1 / 12 / n));
    expect(Math.abs(variance - 1 / 12)).toBeLessThan(5 * Math.sqrt((1 / 80 - 1 / 144) / n));
    const bins = new Array(10).fill(0);
    for (const x of xs) bins[Math.floor(x * 10)]++;
    expect(chiSquare(bins, new Array(10).fill(0.1))).toBeLessThan(CHI2_999[9]);
  });

  it('normal: mean 0, variance 1, kurtosis 3; and mean/sd arguments shift and scale', () => {
    const n = 200_000;
    const rng = new Rng(1);
    const { mean, variance, kurtosis } = moments(sample(n, () => rng.normal()));
    expect(Math.abs(mean)).toBeLessThan(5 / Math.sqrt(n));
    expect(Math.abs(variance - 1)).toBeLessThan(5 * Math.sqrt(2 / n));
    expect(Math.abs(kurtosis - 3)).toBeLessThan(5 * Math.sqrt(24 / n));
    const shifted = moments(sample(50_000, () => rng.normal(-3, 0.5)));
    expect(Math.abs(shifted.mean + 3)).toBeLessThan(5 * 0.5 / Math.sqrt(50_000));
    expect(Math.abs(Math.sqrt(shifted.variance) - 0.5)).toBeLessThan(0.01);
  });

  for (const [shape, scale] of [[0.3, 1], [1, 2], [2.5, 0.5], [10, 3]] as const) {
    it(`gamma(${shape}, ${scale}): mean shape·scale, variance shape·scale²`, () => {
      const n = 60_000;
      const rng = new Rng(42);
      const { mean, variance } = moments(sample(n, () => rng.gamma(shape, scale)));
      const mu = shape * scale, v = shape * scale * scale;
      expect(Math.abs(mean - mu)).toBeLessThan(5 * Math.sqrt(v / n));
      // Var of the sample variance ≈ (μ4 − σ⁴)/n with μ4 = 3σ⁴(1 + 2/shape) for the gamma.
      const mu4 = 3 * v * v * (1 + 2 / shape);
      expect(Math.abs(variance - v)).toBeLessThan(5 * Math.sqrt((mu4 - v * v) / n));
    });
  }

  for (const [a, b] of [[0.5, 0.5], [2, 5], [10, 1]] as const) {
    it(`beta(${a}, ${b}): mean a/(a+b), variance ab/((a+b)²(a+b+1))`, () => {
      const n = 60_000;
      const rng = new Rng(7);
      const xs = sample(n, () => rng.beta(a, b));
      expect(xs.every((x) => x >= 0 && x <= 1)).toBe(true);
      const { mean, variance } = moments(xs);
      const mu = a / (a + b), v = (a * b) / ((a + b) ** 2 * (a + b + 1));
      expect(Math.abs(mean - mu)).toBeLessThan(5 * Math.sqrt(v / n));
      expect(Math.abs(variance - v)).toBeLessThan(0.05 * v);
    });
  }

  it('categorical: frequencies proportional to the weights, never a zero-weight index', () => {
    const w = [1, 2, 3, 0, 4];
    const rng = new Rng(11);
    const counts = [0, 0, 0, 0, 0];
    for (let i = 0; i < 100_000; i++) counts[rng.categorical(w)]++;
    expect(counts[3]).toBe(0);
    const nz = [0, 1, 2, 4];
    expect(chiSquare(nz.map((i) => counts[i]), nz.map((i) => w[i] / 10))).toBeLessThan(CHI2_999[3]);
  });

  it('int(7): uniform over 0..6', () => {
    const rng = new Rng(13);
    const counts = new Array(7).fill(0);
    for (let i = 0; i < 70_000; i++) counts[rng.int(7)]++;
    expect(chiSquare(counts, new Array(7).fill(1 / 7))).toBeLessThan(CHI2_999[6]);
  });

  it('shuffle: returns a permutation, all 6 orders of 3 items equally often', () => {
    const rng = new Rng(17);
    const big = rng.shuffle(Array.from({ length: 100 }, (_, i) => i));
    expect([...big].sort((x, y) => x - y)).toEqual(Array.from({ length: 100 }, (_, i) => i));
    expect(big).not.toEqual(Array.from({ length: 100 }, (_, i) => i));
    const counts = new Map<string, number>();
    for (let i = 0; i < 60_000; i++) {
      const k = rng.shuffle(['a', 'b', 'c']).join('');
      counts.set(k, (counts.get(k) ?? 0) + 1);
    }
    expect(counts.size).toBe(6);
    expect(chiSquare([...counts.values()], new Array(6).fill(1 / 6))).toBeLessThan(CHI2_999[5]);
  });

  it('sampleWithoutReplacement: distinct integers in range, each included with probability k/n', () => {
    const rng = new Rng(19);
    const n = 50, k = 20, reps = 20_000;
    const inclusion = new Array(n).fill(0);
    let bad = 0;
    for (let r = 0; r < reps; r++) {
      const s = rng.sampleWithoutReplacement(n, k);
      if (s.length !== k || new Set(s).size !== k) bad++;
      for (const v of s) {
        if (!(Number.isInteger(v) && v >= 0 && v < n)) bad++;
        else inclusion[v]++;
      }
    }
    expect(bad).toBe(0);
    const p = k / n, sd = Math.sqrt(reps * p * (1 - p));
    for (const c of inclusion) expect(Math.abs(c - reps * p)).toBeLessThan(5 * sd);
    expect(rng.sampleWithoutReplacement(n, 0)).toEqual([]);
    expect([...rng.sampleWithoutReplacement(n, n)].sort((a, b) => a - b)).toEqual(Array.from({ length: n }, (_, i) => i));
    // Large n with small k stays cheap (map-based partial Fisher–Yates), up to n = 2^32.
    const big = rng.sampleWithoutReplacement(2 ** 32, 5);
    expect(new Set(big).size).toBe(5);
    expect(big.every((v) => Number.isInteger(v) && v >= 0 && v < 2 ** 32)).toBe(true);
  });
});

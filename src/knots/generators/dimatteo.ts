/**
 * Test functions of the BARS paper's simulation study (DiMatteo, Genovese & Kass 2001,
 * Biometrika 88, §4), which it took from earlier free-knot spline work (Denison, Mallick &
 * Smith 1998; Smith & Kohn 1996). The paper reports BARS mean squared errors 0.066 (Ex1),
 * 0.008 (Ex2) and 0.019 (Ex3) (as quoted in the knots spec).
 *
 * CAUTION: we could not consult the paper itself here. The designs below (functions, domains,
 * sample sizes, noise levels) are reconstructed from the literature that uses these test
 * functions; Ex3 in particular is our stand-in (a smooth background with one sharp peak).
 * Treat comparisons with the paper's MSEs as indicative only (docs/knots.md says so beside the
 * table).
 *   Ex1 smooth:      sin(x) + 2 exp(−30x²), x equispaced on [−2, 2], m = 101, σ = 0.3
 *   Ex2 three peaks: exp(−400(x−.6)²) + (5/3)exp(−500(x−.75)²) + 2exp(−500(x−.9)²),
 *                    x equispaced on [0.001, 1], m = 1000, σ = 0.5
 *   Ex3 sharp peak:  sin(x) + 2 exp(−30x²) + 3 exp(−400(x−1)²), x on [−2, 2], m = 201, σ = 0.3
 */
import { checkInt, checkOneOf } from '../../core/validate.js';
import { checkValues } from '../../core/stats/values.js';
import { Rng } from '../../core/rng.js';

export type DiMatteoExample = 'ex1' | 'ex2' | 'ex3';

interface Design { lo: number; hi: number; m: number; sigma: number; f: (x: number) => number }

const DESIGNS: Record<DiMatteoExample, Design> = {
  ex1: { lo: -2, hi: 2, m: 101, sigma: 0.3, f: (x) => Math.sin(x) + 2 * Math.exp(-30 * x * x) },
  ex2: {
    lo: 0.001, hi: 1, m: 1000, sigma: 0.5,
    f: (x) => Math.exp(-400 * (x - 0.6) ** 2) + (5 / 3) * Math.exp(-500 * (x - 0.75) ** 2) + 2 * Math.exp(-500 * (x - 0.9) ** 2),
  },
  ex3: {
    lo: -2, hi: 2, m: 201, sigma: 0.3,
    // A curve with a sharp peak on a smooth background (Denison et al. 1998, "spiky" example).
    f: (x) => Math.sin(x) + 2 * Math.exp(-30 * x * x) + 3 * Math.exp(-400 * (x - 1) ** 2),
  },
};

/** Noiseless f at x for one example. */
export function diMatteoTruth(example: DiMatteoExample, x: ArrayLike<number>): Float64Array {
  const d = DESIGNS[checkOneOf('example', example, ['ex1', 'ex2', 'ex3'] as const)];
  return Float64Array.from(checkValues('x', x, 0), d.f);
}

/** The simulated design: equispaced x, y = f(x) + N(0, σ²). */
export function diMatteoData(example: DiMatteoExample, seed: number, m?: number) {
  const d = DESIGNS[checkOneOf('example', example, ['ex1', 'ex2', 'ex3'] as const)];
  const n = m === undefined ? d.m : checkInt('m', m, 2);
  const rng = new Rng(seed);
  const x = Float64Array.from({ length: n }, (_, i) => d.lo + ((d.hi - d.lo) * i) / (n - 1));
  const f = x.map(d.f);
  const y = f.map((v) => v + rng.normal(0, d.sigma));
  return { x, y, f, sigma: d.sigma };
}

/**
 * The four curves of the curve-fitting experiment (He, Yang & Kang, arXiv 2405.13353, §5;
 * authors' exampleEBARS/curve_table.Rmd): x_train equispaced on [0, 1], x_test ~ U(0, 1).
 *   1 sine:     10 sin(2πx),                                      σ = 2
 *   2 bump:     50 exp(−100(x−0.5)²),                             σ = 2
 *   3 jump:     5·ns(x, knots (.4,.4,.4,.4,.7), intercept)·(2,−5,5,2,−3,−1,2), σ = 4
 *   4 sawtooth: 40·(x mod 0.167),                                 σ = 1
 */
import { checkInt, checkNumber } from '../../core/validate.js';
import { checkValues } from '../../core/stats/values.js';
import { badArgument } from '../../core/errors.js';
import { Rng } from '../../core/rng.js';
import { naturalSplineBasis } from '../natural-spline.js';

export type CurveName = 'sine' | 'bump' | 'jump' | 'sawtooth';
export const CURVE_NAMES: readonly CurveName[] = ['sine', 'bump', 'jump', 'sawtooth'];
export const CURVE_SIGMA: Record<CurveName, number> = { sine: 2, bump: 2, jump: 4, sawtooth: 1 };

const JUMP_KNOTS = [0.4, 0.4, 0.4, 0.4, 0.7];
const JUMP_BETA = [2, -5, 5, 2, -3, -1, 2];

/** f(x) for curve `name`. */
export function curveTruth(name: CurveName, x: ArrayLike<number>): Float64Array {
  checkValues('x', x, 0);
  switch (name) {
    case 'sine': return Float64Array.from(x, (v) => 10 * Math.sin(2 * Math.PI * v));
    case 'bump': return Float64Array.from(x, (v) => 50 * Math.exp(-100 * (v - 0.5) ** 2));
    case 'sawtooth': return Float64Array.from(x, (v) => 40 * (v - 0.167 * Math.floor(v / 0.167)));
    case 'jump': {
      const B = naturalSplineBasis(x, JUMP_KNOTS, { intercept: true });
      const out = new Float64Array(B.rows);
      for (let i = 0; i < B.rows; i++) {
        let s = 0;
        for (let j = 0; j < B.cols; j++) s += B.values[i * B.cols + j] * JUMP_BETA[j];
        out[i] = 5 * s;
      }
      return out;
    }
    default: throw badArgument(`curve must be one of ${CURVE_NAMES.join(', ')}, got '${String(name)}'`);
  }
}

/** Training data (equispaced x, m points, noisy y) and test points (x ~ U(0,1), noiseless f). */
export function curveData(name: CurveName, m: number, mTest: number, seed: number) {
  checkInt('m', m, 2); checkInt('mTest', mTest, 1);
  const rng = new Rng(seed);
  const x = Float64Array.from({ length: m }, (_, i) => i / (m - 1));
  const f = curveTruth(name, x);
  const y = f.map((v) => v + rng.normal(0, CURVE_SIGMA[name]));
  const xTest = Float64Array.from({ length: mTest }, () => rng.uniform());
  return { x, y, f, xTest, fTest: curveTruth(name, xTest) };
}

/**
 * Trimmed MSE as in the paper's code: sort the squared errors and average ranks
 * round(0.025·n) .. round(0.975·n) (1-based, inclusive).
 */
export function trimmedMse(estimate: ArrayLike<number>, truth: ArrayLike<number>, trim = 0.025): number {
  const n = checkValues('truth', truth, 1).length;
  checkValues('estimate', estimate, n);
  if (estimate.length !== n) throw badArgument(`estimate must have the length of truth (${n}), got ${estimate.length}`);
  checkNumber('trim', trim, 0, 0.5, { maxExclusive: true });
  const se = Float64Array.from({ length: n }, (_, i) => (estimate[i] - truth[i]) ** 2).sort();
  const lo = Math.max(1, Math.round(trim * n)), hi = Math.round((1 - trim) * n);
  let s = 0;
  for (let r = lo; r <= hi; r++) s += se[r - 1];
  return s / (hi - lo + 1);
}

/**
 * Truths of the knot-inference experiments (He, Yang & Kang, arXiv 2405.13353, §5): linear
 * splines (degree 1, intercept, boundary 0 and 1) with known knots, x ~ U(0, 1).
 *   case 1: knots (0.5),               β = (1, −1, 1),            σ = 0.4
 *   case 2: knots (0.3, 0.7),          β = (2, −1, −2, −1),       σ = 0.3
 *   case 3: knots (0.2, 0.2, 0.5, 0.7), β = (0, −1, 1, 0, 1, 0),   σ = 0.4 (double knot: a jump at 0.2)
 */
import { badArgument } from '../../core/errors.js';
import { checkInt } from '../../core/validate.js';
import { Rng } from '../../core/rng.js';
import { bsplineBasis } from '../bspline-basis.js';

export interface KnotCase {
  knots: number[];
  beta: number[];
  sigma: number;
}

export const KNOT_CASES: Record<1 | 2 | 3, KnotCase> = {
  1: { knots: [0.5], beta: [1, -1, 1], sigma: 0.4 },
  2: { knots: [0.3, 0.7], beta: [2, -1, -2, -1], sigma: 0.3 },
  3: { knots: [0.2, 0.2, 0.5, 0.7], beta: [0, -1, 1, 0, 1, 0], sigma: 0.4 },
};

/** The noiseless linear spline of a knot case at x. */
export function knotCaseTruth(id: 1 | 2 | 3, x: ArrayLike<number>): Float64Array {
  const c = KNOT_CASES[id];
  if (c === undefined) throw badArgument(`knot case must be 1, 2 or 3, got ${String(id)}`);
  const B = bsplineBasis(x, c.knots, { degree: 1, intercept: true });
  const out = new Float64Array(B.rows);
  for (let i = 0; i < B.rows; i++) {
    let s = 0;
    for (let j = 0; j < B.cols; j++) s += B.values[i * B.cols + j] * c.beta[j];
    out[i] = s;
  }
  return out;
}

/** A simulated data set: x ~ U(0,1) (m points), y = f(x) + N(0, σ²). */
export function knotCaseData(id: 1 | 2 | 3, m: number, seed: number): { x: Float64Array; y: Float64Array; f: Float64Array } {
  checkInt('m', m, 2);
  const rng = new Rng(seed);
  const x = Float64Array.from({ length: m }, () => rng.uniform());
  const f = knotCaseTruth(id, x);
  const sigma = KNOT_CASES[id].sigma; // id validated by knotCaseTruth
  const y = f.map((v) => v + rng.normal(0, sigma));
  return { x, y, f };
}

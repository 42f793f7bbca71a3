/**
 * The surfaces of the surface-fitting experiment (He, Yang & Kang, arXiv 2405.13353, §5), on
 * x ~ U[0, 1]²:
 *   1: −40[exp(−((x₁−.2)²+(x₂−.3)²)/.1) + exp(−((x₁−.7)²+(x₂−.8)²)/.1)],   σ = 1
 *   2: 50 exp(−((x₁−.5)²+(x₂−.5)²)/.01),                                    σ = 1.5
 * Cases 3–4 ("jumps along coordinates") are not written out in the paper; we take them from the
 * authors' exampleABMRS (fitting/surface fitting/simulations/surface_fitting.qmd, f2 and f3):
 * 20·(tensor cubic B-spline basis without intercept)·β with
 *   3: knots x₁ (0.2, 0.5), x₂ (0.4,0.4,0.4,0.4,0.7) — a jump along x₂ = 0.4, 40 coefficients;
 *   4: knots x₁ (0.2,0.2,0.2,0.2,0.6), x₂ (0.5,0.5,0.5,0.5,0.7) — jumps along x₁ = 0.2 and
 *      x₂ = 0.5, 64 coefficients;
 * with noise σ = 2 as in that script.
 */
import { badArgument } from '../../core/errors.js';
import { checkInt } from '../../core/validate.js';
import { checkValues } from '../../core/stats/values.js';
import { Rng } from '../../core/rng.js';
import { bsplineBasis } from '../bspline-basis.js';

export type SurfaceId = 1 | 2 | 3 | 4;
export const SURFACE_SIGMA: Record<SurfaceId, number> = { 1: 1, 2: 1.5, 3: 2, 4: 2 };

const BETA3 = [-1.21, 0.28, 1.08, -2.35, 0.43, 0.51, -0.57, -0.55, -0.56, -0.89, -0.48, -1.00, -0.78, 0.06, 0.96, -0.11,
  -0.51, -0.91, -0.84, 2.42, 0.13, -0.49, -0.44, 0.46, -0.69, -1.45, 0.57, -1.02, -0.02, -0.94, 1.10, -0.48, -0.71, -0.50,
  -1.63, -1.17, -2.18, -1.34, -0.29, -0.47];
const BETA4 = [0.83, -0.28, -0.36, 0.09, 2.25, 0.83, 1.31, 2.50, 1.17, -0.43, -1.00, -1.11, -0.06, 1.17, 1.05, 0.06, -0.74,
  0.93, 1.67, 0.56, -0.75, 1.26, 0.04, 0.19, 0.46, -0.43, 0.02, 0.70, 0.97, -0.62, -0.86, 0.07, -1.05, -2.75, -1.13, -0.86,
  1.56, 1.02, 1.04, -1.12, -1.07, 0.97, 0.17, -0.90, 0.16, -0.50, -0.97, -0.11, 1.09, -1.21, -1.77, -0.49, 0.32, 1.46, 1.54,
  -0.34, -1.08, -1.49, -0.25, -0.12, -0.65, 0.31, 0.12, -0.84];

function tensorSpline(x1: ArrayLike<number>, x2: ArrayLike<number>, k1: number[], k2: number[], beta: number[]): Float64Array {
  const B1 = bsplineBasis(x1, k1, { degree: 3, intercept: false });
  const B2 = bsplineBasis(x2, k2, { degree: 3, intercept: false });
  if (B1.cols * B2.cols !== beta.length) throw badArgument('surface coefficients do not match the basis');
  const out = new Float64Array(B1.rows);
  for (let i = 0; i < B1.rows; i++) {
    let s = 0;
    for (let a = 0; a < B1.cols; a++) {
      const va = B1.values[i * B1.cols + a];
      if (va === 0) continue;
      for (let b = 0; b < B2.cols; b++) s += va * B2.values[i * B2.cols + b] * beta[a * B2.cols + b];
    }
    out[i] = 20 * s;
  }
  return out;
}

/** f(x₁, x₂) of surface `id`. */
export function surfaceTruth(id: SurfaceId, x1: ArrayLike<number>, x2: ArrayLike<number>): Float64Array {
  if (id !== 1 && id !== 2 && id !== 3 && id !== 4) throw badArgument(`surface must be 1, 2, 3 or 4, got ${String(id)}`);
  const n = checkValues('x1', x1, 0).length;
  checkValues('x2', x2, n);
  if (x2.length !== n) throw badArgument(`x2 must have the length of x1 (${n}), got ${x2.length}`);
  switch (id) {
    case 1: return Float64Array.from({ length: n }, (_, i) => -40 * (Math.exp(-((x1[i] - 0.2) ** 2 + (x2[i] - 0.3) ** 2) / 0.1)
      + Math.exp(-((x1[i] - 0.7) ** 2 + (x2[i] - 0.8) ** 2) / 0.1)));
    case 2: return Float64Array.from({ length: n }, (_, i) => 50 * Math.exp(-((x1[i] - 0.5) ** 2 + (x2[i] - 0.5) ** 2) / 0.01));
    case 3: return tensorSpline(x1, x2, [0.2, 0.5], [0.4, 0.4, 0.4, 0.4, 0.7], BETA3);
    case 4: return tensorSpline(x1, x2, [0.2, 0.2, 0.2, 0.2, 0.6], [0.5, 0.5, 0.5, 0.5, 0.7], BETA4);
    default: throw badArgument(`surface must be 1, 2, 3 or 4, got ${String(id)}`);
  }
}

/** Training data (x ~ U[0,1]², m points) and test points (mTest, noiseless). */
export function surfaceData(id: SurfaceId, m: number, mTest: number, seed: number) {
  checkInt('m', m, 2); checkInt('mTest', mTest, 1);
  const rng = new Rng(seed);
  const x1 = Float64Array.from({ length: m }, () => rng.uniform());
  const x2 = Float64Array.from({ length: m }, () => rng.uniform());
  const f = surfaceTruth(id, x1, x2);
  const y = f.map((v) => v + rng.normal(0, SURFACE_SIGMA[id]));
  const t1 = Float64Array.from({ length: mTest }, () => rng.uniform());
  const t2 = Float64Array.from({ length: mTest }, () => rng.uniform());
  return { x1, x2, y, f, xTest: [t1, t2], fTest: surfaceTruth(id, t1, t2) };
}

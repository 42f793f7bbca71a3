/**
 * Posterior draws of the regression function from recorded knot sets (He, Yang & Kang, arXiv
 * 2405.13353, §2): for a knot set ξ drawn from the chains,
 *   Gaussian:  the flat-intercept g-prior posterior (gaussian-marginal.ts) with s = m/(m+1),
 *              f = α + B̃β:  α ~ N(ȳ, σ̂²/m),  B̃β ~ N(s·P(y−ȳ), s·σ̂²·P̃), σ̂² = RSS/m (the
 *              authors' σ̂²). In B-spline coefficients (B·1 = 1): β = ȳ + s·β̂_c + √(sσ̂²)·L⁻ᵀz + ε,
 *              ε ~ N(0, σ̂²(1−s)/m) added to every coefficient, which makes the intercept's
 *              variance σ̂²/m exactly (the L⁻ᵀz term alone gives it s·σ̂²/m);
 *   Poisson / binomial: the Laplace approximation β ~ N(β̂, (BᵀŴB)⁻¹) at the MLE.
 * With BᵀB = LLᵀ (banded), β = mean + scale·L⁻ᵀz, z ~ N(0, I), costs O(p·bw).
 * Curves are then evaluated on any points; pointwise quantiles give credible bands and, adding
 * observation noise, predictive intervals.
 */
import { bandedBackT } from '../core/banded/banded-solve.js';
import { Rng } from '../core/rng.js';
import { logGammaUnchecked } from '../core/stats/log-gamma.js';
import { badArgument, SparseInferenceError, throwIfAborted } from '../core/errors.js';
import { checkElements } from '../core/limits.js';
import { checkFinite, checkFloat64, checkInt, checkOneOf, describe } from '../core/validate.js';
import { checkKernels } from '../kernels/check-kernels.js';
import type { CpuKernels } from '../kernels/kernels.js';
import { checkKnotVector } from './bspline-basis.js';
import { checkChainProblem, checkChainRecords } from './check-chain.js';
import { GaussianMarginal, type GaussianFitState, type MarginalVariant } from './gaussian-marginal.js';
import { GlmEbic, type GlmFamily } from './glm-ebic.js';
import { KnotSet } from './knot-set.js';
import type { ChainProblem, ChainRecord } from './rjmcmc-chain.js';
import { allocRows, SplineDesign } from './spline-design.js';
import { evaluateSpline } from './spline-eval.js';

/** One posterior draw: the knots (as full knot vectors on the scaled axis), β and σ². */
export interface CurveDraw {
  knotVectors: Float64Array[];
  beta: Float64Array;
  /** Gaussian noise variance σ̂² used for predictive draws (0 for other families). */
  sigma2: number;
  /** Its square root σ̂ (kept separately: σ̂² overflows for responses beyond ~1e154). */
  sigma: number;
}

/** Evenly spaced (chain, iteration) pairs: `count` draws over all chains' recorded iterations. */
export function pickIterations(records: ChainRecord[], count: number): [number, number][] {
  const total = records.reduce((a, r) => a + r.iterations, 0);
  const n = Math.min(count, total);
  const out: [number, number][] = [];
  for (let i = 0; i < n; i++) {
    let g = Math.floor(((i + 0.5) * total) / n);
    let c = 0;
    while (g >= records[c].iterations) { g -= records[c].iterations; c++; }
    out.push([c, g]);
  }
  return out;
}

/** Posterior mean of the B-spline coefficients given ξ: ȳ + (m/(m+1))·β̂_c (flat-prior intercept). */
export function posteriorMeanBeta(f: GaussianFitState, m: number): Float64Array {
  const s = m / (m + 1);
  return f.betaCentered.map((b) => f.yMean + s * b);
}

/** Draw β for `count` recorded states. */
export function drawCurves(
  problem: ChainProblem, records: ChainRecord[], kernels: CpuKernels, count: number, seed: number,
  signal?: AbortSignal,
): CurveDraw[] {
  checkChainProblem('problem', problem);
  problem.candidates.forEach((n, j) => checkChainRecords('records', records, j, n));
  checkKernels('kernels', kernels);
  checkInt('count', count, 1, 1e5);
  if (signal !== undefined && !(signal instanceof AbortSignal)) throw badArgument(`signal must be an AbortSignal, got ${describe(signal)}`);
  const { xs, y, degrees, candidates } = problem;
  const m = y.length;
  const rng = new Rng(seed);
  const design = new SplineDesign(kernels, xs, degrees);
  const gaussian = problem.family === 'gaussian' && problem.marginal !== 'ebic';
  const scorer = gaussian
    ? new GaussianMarginal(design, y, problem.marginal as MarginalVariant)
    : new GlmEbic(design, y, problem.family as GlmFamily, problem.trials);
  const rows = degrees.map((q) => allocRows(m, q));
  const draws: CurveDraw[] = [];
  const s = m / (m + 1);
  for (const [c, t] of pickIterations(records, count)) {
    if (draws.length % 64 === 0) throwIfAborted(signal, 'posterior draws');
    const rec = records[c];
    const knotVectors = degrees.map((q, j) => {
      const idx = rec.knotIndex[j].subarray(rec.knotOffsets[j][t], rec.knotOffsets[j][t + 1]);
      const set = new KnotSet(candidates[j], idx);
      const tv = new Float64Array(idx.length + 2 * q + 2);
      set.knotVector(q, tv);
      design.computeRows(j, tv, tv.length, rows[j]);
      return tv;
    });
    if (scorer.evaluate(rows) === -Infinity) {
      throw new SparseInferenceError('NOT_CONVERGED', 'a recorded knot set has a singular design (should not happen)');
    }
    const f = scorer instanceof GaussianMarginal ? scorer.fitState() : scorer.fitState(rows);
    const z = new Float64Array(f.p);
    for (let i = 0; i < f.p; i++) z[i] = rng.normal();
    bandedBackT(f.L, f.p, f.bw, z); // z ← L⁻ᵀ z ~ N(0, (BᵀB)⁻¹)
    if (scorer instanceof GaussianMarginal) {
      const g = f as ReturnType<GaussianMarginal['fitState']>;
      const beta = posteriorMeanBeta(g, m);
      const scale = Math.sqrt(s * g.sigma2);
      const eps = Math.sqrt((g.sigma2 * (1 - s)) / m) * rng.normal();
      for (let i = 0; i < g.p; i++) beta[i] += scale * z[i] + eps;
      draws.push({ knotVectors, beta, sigma2: g.sigma2, sigma: Math.sqrt(g.sigma2) });
    } else {
      const beta = new Float64Array(f.p);
      for (let i = 0; i < f.p; i++) beta[i] = f.betaHat[i] + z[i];
      draws.push({ knotVectors, beta, sigma2: 0, sigma: 0 });
    }
  }
  return draws;
}

/**
 * Evaluate draws at points (scaled coordinates, d arrays of length npts): returns
 * draws.length × npts row-major values of the mean function (inverse link applied).
 */
export function evaluateDraws(
  draws: CurveDraw[], points: Float64Array[], degrees: number[], family: GlmFamily,
): Float64Array {
  if (!Array.isArray(points) || points.length === 0) throw badArgument(`points must be a nonempty array of coordinate columns, got ${describe(points)}`);
  const d = points.length;
  const npts = checkFloat64('points[0]', points[0]).length;
  points.forEach((c, j) => {
    checkFloat64(`points[${j}]`, c);
    if (c.length !== npts) throw badArgument(`points[${j}] must have length ${npts}, got ${c.length}`);
    checkFinite(`points[${j}]`, c);
  });
  if (!Array.isArray(degrees) || degrees.length !== d) throw badArgument(`degrees must be an array of ${d} degrees, got ${describe(degrees)}`);
  degrees.forEach((q, j) => checkInt(`degrees[${j}]`, q, 0, 5));
  checkOneOf('family', family, ['gaussian', 'poisson', 'binomial']);
  if (!Array.isArray(draws)) throw badArgument(`draws must be an array of curve draws, got ${describe(draws)}`);
  checkElements('draws.length·points', draws.length, npts);
  draws.forEach((dr, i) => checkCurveDraw(`draws[${i}]`, dr, degrees));
  const out = new Float64Array(draws.length * npts);
  const row = new Float64Array(npts);
  draws.forEach((dr, i) => {
    evaluateSpline(points, dr.knotVectors, degrees, dr.beta, row, npts);
    for (let t = 0; t < npts; t++) {
      const v = row[t];
      out[i * npts + t] = family === 'poisson' ? Math.exp(v) : family === 'binomial' ? 1 / (1 + Math.exp(-v)) : v;
    }
  });
  return out;
}

/** A draw as drawCurves makes it: d knot vectors for these degrees and Π_j cols_j finite coefficients. */
function checkCurveDraw(name: string, dr: unknown, degrees: number[]): void {
  if (dr === null || typeof dr !== 'object') throw badArgument(`${name} must be a curve draw { knotVectors, beta }, got ${describe(dr)}`);
  const { knotVectors, beta } = dr as CurveDraw;
  if (!Array.isArray(knotVectors) || knotVectors.length !== degrees.length) {
    throw badArgument(`${name}.knotVectors must be an array of ${degrees.length} knot vectors, got ${describe(knotVectors)}`);
  }
  let p = 1;
  knotVectors.forEach((t, j) => {
    checkFloat64(`${name}.knotVectors[${j}]`, t);
    checkKnotVector(`${name}.knotVectors[${j}]`, t, degrees[j]);
    p *= t.length - degrees[j] - 1;
  });
  checkFloat64(`${name}.beta`, beta);
  if (beta.length !== p) throw badArgument(`${name}.beta must have ${p} coefficients (the tensor basis size), got ${beta.length}`);
  checkFinite(`${name}.beta`, beta);
}

/** A Poisson(λ) variate: multiplication method for small λ, PTRS (Hörmann 1993) otherwise. */
export function randomPoisson(rng: Rng, lambda: number): number {
  if (lambda <= 0) return 0;
  if (lambda < 10) {
    const L = Math.exp(-lambda);
    let k = 0, p = rng.uniformOpen();
    while (p > L) { k++; p *= rng.uniformOpen(); }
    return k;
  }
  const slam = Math.sqrt(lambda), loglam = Math.log(lambda);
  const b = 0.931 + 2.53 * slam, a = -0.059 + 0.02483 * b;
  const invalpha = 1.1239 + 1.1328 / (b - 3.4), vr = 0.9277 - 3.6224 / (b - 2);
  for (;;) {
    const U = rng.uniform() - 0.5, V = rng.uniformOpen();
    const us = 0.5 - Math.abs(U);
    const k = Math.floor((2 * a / us + b) * U + lambda + 0.43);
    if (us >= 0.07 && V <= vr) return k;
    if (k < 0 || (us < 0.013 && V > us)) continue;
    if (Math.log(V) + Math.log(invalpha) - Math.log(a / (us * us) + b) <= -lambda + k * loglam - logGammaUnchecked(k + 1)) return k;
  }
}

/**
 * EBIC score of a knot set for exponential-family responses (He, Yang & Kang, arXiv 2405.13353,
 * §2; Chen & Chen 2008):
 *     −2 log π(ξ | y) ≈ −2 ℓ(β̂_ξ) + p_ξ log m + 2γ Σ_j log C(n_j, k_j),
 * where β̂_ξ is the maximum-likelihood estimate, found by iteratively reweighted least squares
 * on the banded weighted Gram matrix (McCullagh & Nelder 1989, §2.5). The prior term is handled
 * by the sampler (move-probabilities.ts), so this returns ℓ(β̂) − (p/2)·log m.
 *
 * Families: 'poisson' (log link), 'binomial' (logit link, y successes out of `trials`,
 * Bernoulli when trials are 1) and 'gaussian' (identity link; profile likelihood
 * −(m/2)·log RSS, which equals the large-m Gaussian marginal — a check of the machinery).
 */
import { bandedBackT, bandedForward } from '../core/banded/banded-solve.js';
import { badArgument } from '../core/errors.js';
import { checkFinite, checkFloat64, checkInt, checkOneOf } from '../core/validate.js';
import { factorBanded } from './banded-factor.js';
import { checkCoordinates, checkSplineDesign, type CoordinateRows, type SplineDesign } from './spline-design.js';

export type GlmFamily = 'gaussian' | 'poisson' | 'binomial';

export interface GlmFitState {
  p: number;
  bw: number;
  /** Cholesky factor of BᵀWB at the MLE (band layout). */
  L: Float64Array;
  betaHat: Float64Array;
  /** Gaussian only: RSS/m. */
  sigma2: number;
  loglik: number;
}

const ETA_MAX = 20; // |η| cap: keeps weights positive when the data are separated

/**
 * The EBIC scorer for one chain: evaluate(coords) runs IRLS for the design of those coordinate
 * rows and returns ℓ(β̂) − (p/2)·log m.
 * @example new GlmEbic(design, counts, 'poisson').evaluate([rows])
 */
export class GlmEbic {
  private readonly trials: Float64Array;
  private readonly eta: Float64Array;
  private readonly etaOld: Float64Array;
  private readonly w: Float64Array;
  private readonly z: Float64Array;
  private readonly eta0: number;
  private L = new Float64Array(0);
  private beta = new Float64Array(0);
  private betaOld = new Float64Array(0);
  private last: GlmFitState | null = null;

  constructor(
    readonly design: SplineDesign, readonly y: Float64Array, readonly family: GlmFamily,
    trials?: Float64Array, readonly maxIter = 50,
  ) {
    checkSplineDesign('design', design);
    const m = design.m;
    checkFloat64('y', y, m);
    if (y.length !== m) throw badArgument(`y must have one value per design row (${m}), got ${y.length}`);
    checkFinite('y', y, m);
    checkOneOf('family', family, ['gaussian', 'poisson', 'binomial']);
    if (trials !== undefined) {
      checkFloat64('trials', trials, m);
      for (let i = 0; i < m; i++) {
        if (!Number.isInteger(trials[i]) || trials[i] < 1) throw badArgument(`trials[${i}] must be a positive integer, got ${trials[i]}`);
      }
    }
    checkInt('maxIter', maxIter, 1, 10_000);
    this.trials = trials ?? new Float64Array(m).fill(1);
    this.eta = new Float64Array(m);
    this.etaOld = new Float64Array(m);
    this.w = new Float64Array(m);
    this.z = new Float64Array(m);
    let sy = 0, sn = 0;
    for (let i = 0; i < m; i++) { sy += y[i]; sn += this.trials[i]; }
    const mean = family === 'binomial' ? sy / sn : sy / m;
    this.eta0 = family === 'gaussian' ? mean
      : family === 'poisson' ? Math.log(Math.max(mean, 1e-10))
        : Math.log(Math.max(mean, 1e-10) / Math.max(1 - mean, 1e-10));
  }

  /** Log-likelihood at linear predictor η (constants dropped); Gaussian: −(m/2)·log RSS. */
  loglik(eta: Float64Array): number {
    const y = this.y, m = this.design.m;
    checkFloat64('eta', eta, m);
    let s = 0;
    if (this.family === 'gaussian') {
      for (let i = 0; i < m; i++) s += (y[i] - eta[i]) ** 2;
      return -0.5 * m * Math.log(Math.max(s, 1e-300));
    }
    if (this.family === 'poisson') {
      for (let i = 0; i < m; i++) s += y[i] * eta[i] - Math.exp(eta[i]);
      return s;
    }
    for (let i = 0; i < m; i++) {
      // y·η − n·log(1 + e^η), computed stably.
      const e = eta[i];
      const softplus = e > 0 ? e + Math.log1p(Math.exp(-e)) : Math.log1p(Math.exp(e));
      s += y[i] * e - this.trials[i] * softplus;
    }
    return s;
  }

  /** ℓ(β̂) − (p/2)·log m, or −Infinity when p ≥ m or the weighted Gram matrix is singular. */
  evaluate(coords: CoordinateRows[]): number {
    checkCoordinates('coords', coords, this.design);
    const m = this.design.m;
    const { p } = this.design.shape(coords);
    if (p >= m) return -Infinity;
    const eta = this.eta;
    eta.fill(this.eta0); // B-splines sum to one, so β = η0·1 reproduces the null model
    let ll = this.loglik(eta);
    let fit: GlmFitState | null = null;
    if (this.betaOld.length < p) this.betaOld = new Float64Array(Math.max(p, 2 * this.betaOld.length));
    const betaOld = this.betaOld.subarray(0, p);
    betaOld.fill(this.eta0);
    for (let it = 0; it < this.maxIter; it++) {
      this.workingResponse();
      const g = this.design.gram(coords, this.family === 'gaussian' ? null : this.w, this.z);
      const bw = g.bw;
      if (this.L.length < p * (bw + 1)) this.L = new Float64Array(Math.max(p * (bw + 1), 2 * this.L.length));
      if (this.beta.length < p) this.beta = new Float64Array(Math.max(p, 2 * this.beta.length));
      if (!factorBanded(g.band, p, bw, this.L)) return -Infinity;
      const beta = this.beta.subarray(0, p);
      beta.set(g.btz.subarray(0, p));
      bandedForward(this.L, p, bw, beta);
      bandedBackT(this.L, p, bw, beta);
      this.etaOld.set(eta);
      this.design.multiply(coords, beta, eta);
      this.clampEta();
      let llNew = this.loglik(eta);
      // Step halving when a full Newton step overshoots (η is linear in β).
      for (let h = 0; h < 30 && llNew < ll - 1e-10 * Math.abs(ll); h++) {
        for (let i = 0; i < m; i++) eta[i] = 0.5 * (eta[i] + this.etaOld[i]);
        for (let i = 0; i < p; i++) beta[i] = 0.5 * (beta[i] + betaOld[i]);
        llNew = this.loglik(eta);
      }
      betaOld.set(beta);
      const done = Math.abs(llNew - ll) <= 1e-10 * (1 + Math.abs(llNew)) || this.family === 'gaussian';
      ll = llNew;
      fit = { p, bw, L: this.L, betaHat: beta, sigma2: 0, loglik: ll };
      if (done) break;
    }
    if (fit === null || !Number.isFinite(ll)) return -Infinity;
    this.last = fit;
    return ll - 0.5 * p * Math.log(m);
  }

  /** β̂ and the Cholesky factor of BᵀWB at β̂ from the last evaluate() (copied). */
  fitState(coords: CoordinateRows[]): GlmFitState {
    checkCoordinates('coords', coords, this.design);
    const f = this.last;
    if (f === null) throw badArgument('fitState needs a finite evaluate(coords) first (there is no fit yet)');
    const { p, bw } = f;
    // Refresh W at the final η so the Laplace covariance is (BᵀŴB)⁻¹ at the MLE.
    this.workingResponse();
    const g = this.design.gram(coords, this.family === 'gaussian' ? null : this.w, this.z);
    const L = new Float64Array(p * (bw + 1));
    factorBanded(g.band, p, bw, L);
    const betaHat = Float64Array.from(f.betaHat.subarray(0, p));
    let rss = 0;
    if (this.family === 'gaussian') {
      for (let i = 0; i < this.design.m; i++) rss += (this.y[i] - this.eta[i]) ** 2;
    }
    return { p, bw, L, betaHat, sigma2: rss / this.design.m, loglik: f.loglik };
  }

  private clampEta(): void {
    if (this.family === 'gaussian') return;
    const eta = this.eta;
    for (let i = 0; i < eta.length; i++) eta[i] = Math.max(-ETA_MAX, Math.min(ETA_MAX, eta[i]));
  }

  /** IRLS weights W and working response z at the current η. */
  private workingResponse(): void {
    const { eta, w, z, y } = this;
    const m = this.design.m;
    if (this.family === 'gaussian') { z.set(y); return; }
    if (this.family === 'poisson') {
      for (let i = 0; i < m; i++) {
        const mu = Math.exp(eta[i]);
        w[i] = mu;
        z[i] = eta[i] + (y[i] - mu) / mu;
      }
      return;
    }
    for (let i = 0; i < m; i++) {
      const pi = 1 / (1 + Math.exp(-eta[i]));
      const v = pi * (1 - pi);
      w[i] = this.trials[i] * v;
      z[i] = eta[i] + (y[i] - this.trials[i] * pi) / (this.trials[i] * v);
    }
  }
}

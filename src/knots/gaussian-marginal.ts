/**
 * Log marginal likelihood of a knot set under a g-prior with a flat prior on the intercept
 * (Liang, Paulo, Molina, Clyde & Berger 2008, JASA, eq. 5; He, Yang & Kang, arXiv 2405.13353,
 * §2, with the intercept taken out of the g-prior):
 *     y = α·1 + B̃_ξ β + ε,  π(α, σ) ∝ 1/σ,  β | σ ~ N(0, g σ² (B̃ᵀB̃)⁻¹),  g = m,
 *     log p(y | ξ) = −((p−1)/2)·log(1+g) − ((m−1)/2)·log S_ξ + const,
 *     S_ξ = (y−ȳ)ᵀ(y−ȳ) − (g/(1+g))·(y−ȳ)ᵀP̃_ξ(y−ȳ),
 * with B̃ the centred basis and P̃ its projection. B-splines sum to one (and so do their tensor
 * products), so the constant lies in the span of B and P̃(y−ȳ) = P(y−ȳ): the quadratic form is
 * ‖L⁻¹Bᵀ(y−ȳ)‖² from the banded Cholesky BᵀB = LLᵀ of the ordinary basis.
 *
 * Why not the spec's formula yᵀy − (m/(m+1))·yᵀPy with (1+m)^{−p/2}: it puts the g-prior on
 * the intercept as well, shrinking it toward 0, so shifting y (a change of units, e.g. log mm to
 * log cm) changed the knot posterior. This form is invariant: shifting y leaves S unchanged and
 * scaling y by s multiplies every S by s², a constant factor in the posterior.
 *
 * The authors' code uses the large-m form −(p/2)·log m − (m/2)·log RSS_ξ ('large-m'), which is
 * invariant too (RSS does not depend on the origin of y).
 */
import { bandedBackT, bandedForward } from '../core/banded/banded-solve.js';
import { badArgument } from '../core/errors.js';
import { checkFinite, checkFloat64, checkInt, checkNumber, checkOneOf } from '../core/validate.js';
import { factorBanded } from './banded-factor.js';
import { checkCoordinates, checkSplineDesign, type CoordinateRows, type SplineDesign } from './spline-design.js';

export type MarginalVariant = 'exact' | 'large-m';

/** What the last evaluation left behind, for β draws and fitted values. */
export interface GaussianFitState {
  p: number;
  bw: number;
  /** Cholesky factor of BᵀB (band layout, p·(bw+1)). */
  L: Float64Array;
  /** Least-squares coefficients β̂ of y (length p). */
  betaHat: Float64Array;
  /** Least-squares coefficients of the centred response y − ȳ (betaHat = ȳ + betaCentered). */
  betaCentered: Float64Array;
  /** ȳ: the intercept's posterior mean (flat prior). */
  yMean: number;
  /** RSS/m. */
  sigma2: number;
}

/**
 * The g-prior marginal scorer for one chain (scratch buffers are reused between evaluations).
 * @example new GaussianMarginal(design, y).evaluate([rows]) // log p(y | ξ) + const
 */
export class GaussianMarginal {
  /** Σ(y − ȳ)². */
  readonly yty: number;
  readonly yMean: number;
  /** y − ȳ. */
  private readonly yc: Float64Array;
  /** y − ȳ where the kernels read it (resident when the design is). */
  private readonly ycKernel: () => Float64Array;
  private L = new Float64Array(0);
  private u = new Float64Array(0);
  private lastP = 0;
  private lastBw = 0;
  private lastYPy = 0;

  constructor(readonly design: SplineDesign, readonly y: Float64Array, readonly variant: MarginalVariant = 'exact') {
    checkSplineDesign('design', design);
    checkFloat64('y', y, design.m);
    if (y.length !== design.m) throw badArgument(`y must have one value per design row (${design.m}), got ${y.length}`);
    checkFinite('y', y, design.m);
    checkOneOf('variant', variant, ['exact', 'large-m']);
    let s = 0;
    for (let i = 0; i < y.length; i++) s += y[i];
    this.yMean = s / y.length;
    this.yc = y.map((v) => v - this.yMean);
    let ss = 0;
    for (let i = 0; i < y.length; i++) ss += this.yc[i] * this.yc[i];
    if (!(ss > 0) || !Number.isFinite(ss)) {
      throw badArgument(`y must vary and its squared deviations must be finite (Σ(y−ȳ)² = ${ss}); standardise y first`);
    }
    this.yty = ss;
    this.ycKernel = design.residentCopy(this.yc);
  }

  /** log p(y | ξ) up to a constant, or −Infinity outside the support (p ≥ m or singular BᵀB). */
  evaluate(coords: CoordinateRows[]): number {
    checkCoordinates('coords', coords, this.design);
    const m = this.design.m;
    const g = this.design.gram(coords, null, this.ycKernel());
    const { p, bw } = g;
    if (p >= m) return -Infinity;
    if (this.L.length < p * (bw + 1)) this.L = new Float64Array(Math.max(p * (bw + 1), 2 * this.L.length));
    if (this.u.length < p) this.u = new Float64Array(Math.max(p, 2 * this.u.length));
    if (!factorBanded(g.band, p, bw, this.L)) return -Infinity;
    const u = this.u.length === p ? this.u : this.u.subarray(0, p);
    u.set(g.btz.subarray(0, p));
    bandedForward(this.L, p, bw, u);
    let yPy = 0;
    for (let i = 0; i < p; i++) yPy += u[i] * u[i];
    this.lastP = p; this.lastBw = bw; this.lastYPy = yPy;
    return this.scoreOf(p, yPy);
  }

  /** The score from p and (y−ȳ)ᵀP(y−ȳ) (exposed for the exact-posterior enumeration and tests). */
  score(p: number, yPy: number): number {
    checkInt('p', p, 1);
    checkNumber('yPy', yPy, 0);
    return this.scoreOf(p, yPy);
  }

  private scoreOf(p: number, yPy: number): number {
    const m = this.design.m;
    if (this.variant === 'exact') {
      // S ≥ Σ(y−ȳ)²/(m+1) exactly; the floor only absorbs rounding.
      const S = Math.max(this.yty - (m / (m + 1)) * yPy, this.yty / (m + 1));
      return -0.5 * (p - 1) * Math.log1p(m) - 0.5 * (m - 1) * Math.log(S);
    }
    const rss = Math.max(this.yty - yPy, this.yty * 1e-15);
    return -0.5 * p * Math.log(m) - 0.5 * m * Math.log(rss);
  }

  /** β̂, L and σ̂² of the last successful evaluate() (copied). */
  fitState(): GaussianFitState {
    const p = this.lastP, bw = this.lastBw;
    const betaCentered = Float64Array.from(this.u.subarray(0, p));
    const L = Float64Array.from(this.L.subarray(0, p * (bw + 1)));
    bandedBackT(L, p, bw, betaCentered);
    const betaHat = betaCentered.map((b) => b + this.yMean);
    const rss = Math.max(this.yty - this.lastYPy, 0);
    return { p, bw, L, betaHat, betaCentered, yMean: this.yMean, sigma2: rss / this.design.m };
  }
}

/**
 * Log marginal likelihood of a knot set under the unit-information g-prior (He, Yang & Kang,
 * arXiv 2405.13353, §2): β | ξ, σ ~ N(0, σ² m (BᵀB)⁻¹), π(σ) ∝ 1/σ, so
 *     log p(y | ξ) = −(p/2)·log(1+m) − (m/2)·log S_ξ + const,
 *     S_ξ = yᵀy − (m/(m+1))·yᵀP_ξ y,
 * with yᵀP_ξ y = ‖L⁻¹Bᵀy‖² from the banded Cholesky BᵀB = LLᵀ. The authors' code uses the
 * large-m form −(p/2)·log m − (m/2)·log RSS_ξ ('large-m').
 */
import { bandedBackT, bandedForward } from '../core/banded/banded-solve.js';
import { factorBanded } from './banded-factor.js';
import type { CoordinateRows, SplineDesign } from './spline-design.js';

export type MarginalVariant = 'exact' | 'large-m';

/** What the last evaluation left behind, for β draws and fitted values. */
export interface GaussianFitState {
  p: number;
  bw: number;
  /** Cholesky factor of BᵀB (band layout, p·(bw+1)). */
  L: Float64Array;
  /** Least-squares coefficients β̂ (length p). */
  betaHat: Float64Array;
  /** RSS/m. */
  sigma2: number;
}

/**
 * The g-prior marginal scorer for one chain (scratch buffers are reused between evaluations).
 * @example new GaussianMarginal(design, y).evaluate([rows]) // log p(y | ξ) + const
 */
export class GaussianMarginal {
  readonly yty: number;
  private L = new Float64Array(0);
  private u = new Float64Array(0);
  private lastP = 0;
  private lastBw = 0;
  private lastYPy = 0;

  constructor(readonly design: SplineDesign, readonly y: Float64Array, readonly variant: MarginalVariant = 'exact') {
    let s = 0;
    for (let i = 0; i < y.length; i++) s += y[i] * y[i];
    this.yty = s;
  }

  /** log p(y | ξ) up to a constant, or −Infinity outside the support (p ≥ m or singular BᵀB). */
  evaluate(coords: CoordinateRows[]): number {
    const m = this.design.m;
    const g = this.design.gram(coords, null, this.y);
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
    return this.score(p, yPy);
  }

  /** The score from p and yᵀPy (exposed for the exact-posterior enumeration and tests). */
  score(p: number, yPy: number): number {
    const m = this.design.m;
    if (this.variant === 'exact') {
      const S = this.yty - (m / (m + 1)) * yPy;
      return -0.5 * p * Math.log1p(m) - 0.5 * m * Math.log(S);
    }
    const rss = Math.max(this.yty - yPy, this.yty * 1e-15);
    return -0.5 * p * Math.log(m) - 0.5 * m * Math.log(rss);
  }

  /** β̂, L and σ̂² of the last successful evaluate() (copied). */
  fitState(): GaussianFitState {
    const p = this.lastP, bw = this.lastBw;
    const betaHat = Float64Array.from(this.u.subarray(0, p));
    const L = Float64Array.from(this.L.subarray(0, p * (bw + 1)));
    bandedBackT(L, p, bw, betaHat);
    const rss = Math.max(this.yty - this.lastYPy, 0);
    return { p, bw, L, betaHat, sigma2: rss / this.design.m };
  }
}

/**
 * f at the probe points for the chain's current state — the posterior mean of f given ξ
 * (Gaussian: the flat-intercept posterior mean of β; Poisson, binomial: the MLE through the
 * inverse link) — recorded per iteration for split-R̂ and ESS of f.
 */
import { GaussianMarginal } from '../gaussian-marginal.js';
import type { GlmEbic, GlmFamily } from '../glm-ebic.js';
import { posteriorMeanBeta } from '../posterior-draws.js';
import { evaluateSpline } from '../spline-eval.js';
import type { Replica } from './move-context.js';

export class ProbeValues {
  /** f at the probes for the state last passed to update. */
  readonly values: Float64Array;
  private readonly knotVectors: Float64Array[];

  constructor(private readonly probes: Float64Array[], private readonly degrees: readonly number[], candidates: readonly number[], private readonly family: GlmFamily) {
    this.values = new Float64Array(probes.length > 0 ? probes[0].length : 0);
    this.knotVectors = degrees.map((q, j) => new Float64Array(candidates[j] + 2 * q + 2));
  }

  /** Recompute for the replica's state; the scorer's last evaluation must be of that state. */
  update(scorer: GaussianMarginal | GlmEbic, rep: Replica): void {
    const nProbe = this.values.length;
    if (nProbe === 0) return;
    const m = scorer.design.m;
    const beta = scorer instanceof GaussianMarginal ? posteriorMeanBeta(scorer.fitState(), m) : scorer.fitState(rep.rows).betaHat;
    const kv = this.knotVectors.map((buf, j) => buf.subarray(0, rep.sets[j].knotVector(this.degrees[j], buf)));
    evaluateSpline(this.probes, kv, this.degrees as number[], beta, this.values, nProbe);
    for (let i = 0; i < nProbe; i++) {
      const v = this.values[i];
      this.values[i] = this.family === 'poisson' ? Math.exp(v) : this.family === 'binomial' ? 1 / (1 + Math.exp(-v)) : v;
    }
  }
}

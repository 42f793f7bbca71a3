/**
 * The exact knot-set posterior on a small grid, by enumerating all 2^n subsets (d = 1):
 *     π(ξ | y) ∝ C(n, k)^{−γ} · exp(score(ξ)),
 * with the same score the sampler uses (g-prior marginal or EBIC). It is the oracle the sampler
 * is tested against, and a reference for tiny problems. Knot sets whose design is singular (or
 * has p ≥ m) get probability 0, as in the sampler.
 */
import { badArgument } from '../core/errors.js';
import { checkInt } from '../core/validate.js';
import { checkKernels } from '../kernels/check-kernels.js';
import type { CpuKernels } from '../kernels/kernels.js';
import { checkChainProblem } from './check-chain.js';
import { GaussianMarginal } from './gaussian-marginal.js';
import { GlmEbic } from './glm-ebic.js';
import { KnotSet } from './knot-set.js';
import type { ChainProblem } from './rjmcmc-chain.js';
import { logChoose } from './special-functions.js';
import { allocRows, SplineDesign } from './spline-design.js';

export interface ExactKnotPosterior {
  /** Subset bitmasks (bit i = grid index i is a knot), one per entry. */
  masks: Int32Array;
  /** Posterior probability of each subset (sums to 1). */
  prob: Float64Array;
  /** Marginal posterior of k: probK[k], k = 0..n. */
  probK: Float64Array;
}

/** Enumerate the posterior of problem (d = 1, candidates[0] ≤ 16; fixedK restricts to that k). */
export function exactKnotPosterior(problem: ChainProblem, kernels: CpuKernels): ExactKnotPosterior {
  checkChainProblem('problem', problem);
  checkKernels('kernels', kernels);
  if (problem.xs.length !== 1) throw badArgument('exactKnotPosterior supports one coordinate only');
  const n = checkInt('candidates[0]', problem.candidates[0], 1, 16);
  const q = problem.degrees[0];
  const m = problem.y.length;
  const design = new SplineDesign(kernels, problem.xs, problem.degrees);
  const scorer = problem.family === 'gaussian' && problem.marginal !== 'ebic'
    ? new GaussianMarginal(design, problem.y, problem.marginal)
    : new GlmEbic(design, problem.y, problem.family, problem.trials);
  const rows = [allocRows(m, q)];
  const t = new Float64Array(n + 2 * q + 2);
  const count = 1 << n;
  const masks = new Int32Array(count);
  const logPost = new Float64Array(count);
  for (let mask = 0; mask < count; mask++) {
    masks[mask] = mask;
    const idx: number[] = [];
    for (let i = 0; i < n; i++) if (mask & (1 << i)) idx.push(i);
    if (problem.fixedK && idx.length !== problem.fixedK[0]) { logPost[mask] = -Infinity; continue; }
    const set = new KnotSet(n, idx);
    const nt = set.knotVector(q, t);
    design.computeRows(0, t, nt, rows[0]);
    logPost[mask] = scorer.evaluate(rows) - problem.gamma * logChoose(n, idx.length);
  }
  let max = -Infinity;
  for (const v of logPost) max = Math.max(max, v);
  const prob = new Float64Array(count);
  let z = 0;
  for (let i = 0; i < count; i++) { prob[i] = Math.exp(logPost[i] - max); z += prob[i]; }
  const probK = new Float64Array(n + 1);
  for (let i = 0; i < count; i++) {
    prob[i] /= z;
    probK[popcount(i)] += prob[i];
  }
  return { masks, prob, probK };
}

function popcount(x: number): number {
  let c = 0;
  while (x) { x &= x - 1; c++; }
  return c;
}

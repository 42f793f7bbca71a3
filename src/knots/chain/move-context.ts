/**
 * What every move of the knot sampler shares: the chain's seeded draws, its design and scorer,
 * the model's settings, and one tempered copy of the chain's state (a replica). A move proposes
 * a knot set for one coordinate, scores it (`scoreProposal`), tests it (`metropolisAccepts`) and,
 * if accepted, makes it the replica's state (`adoptProposal`). Moves return their type, with
 * ACCEPTED added when the state changed.
 */
import type { Rng } from '../../core/rng.js';
import type { GaussianMarginal } from '../gaussian-marginal.js';
import type { GlmEbic } from '../glm-ebic.js';
import type { KnotProposals } from '../knot-proposals.js';
import type { KnotSet } from '../knot-set.js';
import type { MoveScheme } from '../move-probabilities.js';
import type { CoordinateRows, SplineDesign } from '../spline-design.js';

export const MOVE_BIRTH = 0, MOVE_DEATH = 1, MOVE_RELOCATE = 2, MOVE_NULL = 3, MOVE_PAIR = 4,
  MOVE_TWIN_BIRTH = 5, MOVE_TWIN_DEATH = 6, MOVE_NEIGHBOUR_BIRTH = 7, MOVE_NEIGHBOUR_DEATH = 8, MOVE_MODE_JUMP = 9;
/** Added to a move type when the move changed the state (a power of two above every type). */
export const ACCEPTED = 16;

export interface MoveContext {
  readonly rng: Rng;
  readonly design: SplineDesign;
  /** log p(y | ξ) (Gaussian marginal) or the EBIC score of a design's rows. */
  readonly scorer: GaussianMarginal | GlmEbic;
  readonly degrees: readonly number[];
  readonly gamma: number;
  readonly c: number;
  readonly scheme: MoveScheme;
  /** Fixed-k mode: no move changes k. */
  readonly fixed: boolean;
  /** Birth and relocation targets per coordinate. */
  readonly proposals: readonly KnotProposals[];
  /** Scratch knot vector, long enough for any coordinate's full grid. */
  readonly t: Float64Array;
}

/** One tempered copy of the chain's state. */
export interface Replica {
  sets: KnotSet[];
  rows: CoordinateRows[];
  /** Per coordinate, the rows of the proposal scored last. */
  spare: CoordinateRows[];
  /** rows with one coordinate swapped for a proposal's spare rows. */
  view: CoordinateRows[];
  /** log p(y | ξ) (or EBIC score) of the state. */
  current: number;
  /** log π(ξ) = −γ Σ_j log C(n_j, k_j). */
  logPrior: number;
}

/**
 * The score of the replica's state with coordinate j's knot vector replaced by ctx.t[0..nt);
 * the proposal's rows are left in rep.spare[j] for adoptProposal.
 */
export function scoreProposal(ctx: MoveContext, rep: Replica, j: number, nt: number): number {
  ctx.design.computeRows(j, ctx.t, nt, rep.spare[j]);
  rep.view[j] = rep.spare[j];
  const value = ctx.scorer.evaluate(rep.view);
  rep.view[j] = rep.rows[j];
  return value;
}

/**
 * The Metropolis–Hastings test for a replica at inverse temperature beta:
 * log α = beta·(Δ log-likelihood + Δ log-prior) + log q(reverse) − log q(forward).
 * A proposal outside the support (score −Infinity or NaN) is rejected without a draw.
 */
export function metropolisAccepts(rng: Rng, beta: number, proposed: number, current: number, logPriorDelta: number, logProposal: number): boolean {
  if (!(proposed > -Infinity)) return false;
  const logAlpha = beta * (proposed - current + logPriorDelta) + logProposal;
  return Math.log(rng.uniformOpen()) < logAlpha;
}

/** Make the proposal scored last for coordinate j (its rows in rep.spare[j]) the replica's state. */
export function adoptProposal(rep: Replica, j: number, proposed: number, logPriorDelta: number): void {
  const tmp = rep.rows[j]; rep.rows[j] = rep.spare[j]; rep.spare[j] = tmp;
  rep.view[j] = rep.rows[j];
  rep.current = proposed;
  rep.logPrior += logPriorDelta;
}

/** Write the knot vector (boundary 0 and 1 repeated degree+1 times) of sorted grid indices of a grid of n into t; returns its length. */
export function knotVectorOf(indices: readonly number[], n: number, degree: number, t: Float64Array): number {
  let o = 0;
  for (let r = 0; r <= degree; r++) t[o++] = 0;
  for (const i of indices) t[o++] = (i + 1) / (n + 1);
  for (let r = 0; r <= degree; r++) t[o++] = 1;
  return o;
}

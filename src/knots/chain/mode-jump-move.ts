/**
 * Mode jumps between neighbouring numbers of knots (after Tjelmeland & Hegstad 2001, "Mode
 * jumping proposals in MCMC", Scand. J. Statist.): one move that changes k by one *and* carries
 * every other knot over to another remembered good state, so that a chain can cross between
 * posterior families that single births and deaths join only through several worse states.
 *
 * Anchors. During burn-in the chain remembers, per coordinate j and per k, the best state it has
 * visited (highest log posterior): the anchor A_k. After burn-in the anchors are frozen, so the
 * recorded chain is an ordinary time-homogeneous Metropolis–Hastings chain (adapting during
 * burn-in only, which is then discarded, leaves the stationary distribution alone).
 *
 * The move, for a state ξ with k knots on coordinate j:
 *   - ξ must lie near A_k: |ξ_i − A_k,i| ≤ r grid steps for every sorted position i (else null);
 *     δ = ξ − A_k are its offsets;
 *   - pick B uniformly among the anchors A_{k−1}, A_{k+1} that exist;
 *   - B = A_{k+1}: the knot of B with no partner in A_k (the one whose removal leaves B closest to
 *     A_k, position e) gets a fresh offset u uniform in {−r..r}; ξ' = B + (δ with u inserted at e);
 *   - B = A_{k−1}: drop position e of ξ, where e is the knot of A_k with no partner in B;
 *     ξ' = B + (δ without e);
 *   - ξ' must be strictly increasing and on the grid (else null).
 * The reverse of a move up is the move down from ξ' (which lies near B with the same offsets) and
 * vice versa, so q(ξ → ξ') = u's probability 1/(2r+1) (up only) / #anchors beside A_k, and the
 * acceptance carries the prior ratio and that proposal ratio. The map is a bijection between
 * (ξ, u) and ξ' on the grid: no Jacobian.
 *
 * Why: on knot case 3 (data seed 1, γ = 2) the posterior holds k = 4 states with a narrow jump pair
 * and k = 5 states with a wider pair, a knot near 0.27 and the 0.5 and 0.7 knots shifted; a single
 * birth loses 5–7 log units (docs/knots.md). A mode jump moves all five knots at once.
 */
import type { Rng } from '../../core/rng.js';
import { logPriorRatio } from '../move-probabilities.js';
import { ACCEPTED, adoptProposal, knotVectorOf, metropolisAccepts, MOVE_MODE_JUMP, scoreProposal, type MoveContext, type Replica } from './move-context.js';

export interface ModeJumpOptions {
  /** Probability per iteration. */
  probability: number;
  /** r: how far (grid steps) each knot may sit from its anchor's, and the range of a new knot's offset. */
  radius: number;
}

/** The best state per coordinate and k seen so far (frozen after burn-in). */
export class ModeAnchors {
  private readonly best: Map<number, { indices: number[]; value: number }>[];
  private frozen = false;

  constructor(coordinates: number) {
    this.best = Array.from({ length: coordinates }, () => new Map());
  }

  /** Remember the replica's state where it beats the anchor at its k (no-op once frozen). */
  observe(rep: Replica): void {
    if (this.frozen) return;
    const value = rep.current + rep.logPrior;
    if (!(value > -Infinity)) return;
    for (let j = 0; j < this.best.length; j++) {
      const set = rep.sets[j];
      const held = this.best[j].get(set.k);
      if (held === undefined || value > held.value) this.best[j].set(set.k, { indices: set.indices.slice(), value });
    }
  }

  freeze(): void { this.frozen = true; }

  /** The anchor with k knots on coordinate j, or undefined. */
  at(j: number, k: number): readonly number[] | undefined {
    return this.best[j].get(k)?.indices;
  }

  /** The anchors with k − 1 and k + 1 knots on coordinate j that exist. */
  beside(j: number, k: number): (readonly number[])[] {
    const out: (readonly number[])[] = [];
    const below = this.at(j, k - 1), above = this.at(j, k + 1);
    if (below !== undefined) out.push(below);
    if (above !== undefined) out.push(above);
    return out;
  }
}

/**
 * The position e in `larger` (one knot more than `smaller`) whose removal leaves the other knots
 * closest to `smaller` in total absolute offset (ties: the lowest e). A function of the two
 * anchors only, so a jump and its reverse agree on it.
 */
export function unpairedPosition(larger: readonly number[], smaller: readonly number[]): number {
  let bestE = 0, bestCost = Infinity;
  for (let e = 0; e < larger.length; e++) {
    let cost = 0;
    for (let i = 0; i < smaller.length; i++) cost += Math.abs(larger[i < e ? i : i + 1] - smaller[i]);
    if (cost < bestCost) { bestCost = cost; bestE = e; }
  }
  return bestE;
}

/**
 * The jump of sorted grid indices xi (near anchor `from`) to anchor `to` (one knot more or one
 * fewer), on a grid of n with radius r; u is the new knot's offset (used for a jump up only).
 * Returns the new sorted indices, or null when xi is not near `from` or the result is not
 * strictly increasing on the grid.
 */
export function modeJumpTarget(xi: readonly number[], from: readonly number[], to: readonly number[], u: number, n: number, r: number): number[] | null {
  const k = xi.length;
  if (from.length !== k || Math.abs(to.length - k) !== 1) return null;
  const offsets: number[] = new Array(k);
  for (let i = 0; i < k; i++) {
    offsets[i] = xi[i] - from[i];
    if (Math.abs(offsets[i]) > r) return null;
  }
  if (to.length > k) offsets.splice(unpairedPosition(to, from), 0, u);
  else offsets.splice(unpairedPosition(from, to), 1);
  const next = to.map((b, i) => b + offsets[i]);
  for (let i = 0; i < next.length; i++) {
    if (next[i] < 0 || next[i] >= n || (i > 0 && next[i] <= next[i - 1])) return null;
  }
  return next;
}

/**
 * log q(reverse) − log q(forward) of a jump from k knots (beside = #anchors next to A_k) to
 * k' = k ± 1 knots (besideTarget = #anchors next to A_k').
 */
export function modeJumpLogProposal(k: number, kNew: number, beside: number, besideTarget: number, r: number): number {
  const newKnot = Math.log(2 * r + 1);
  return Math.log(beside) - Math.log(besideTarget) + (kNew > k ? newKnot : -newKnot);
}

/** Draw the new knot's offset u uniform in {−r..r}. */
function drawOffset(rng: Rng, r: number): number {
  return rng.int(2 * r + 1) - r;
}

/** A mode jump on coordinate j with radius r (free k only). */
export function modeJumpMove(ctx: MoveContext, rep: Replica, beta: number, j: number, anchors: ModeAnchors, r: number): number {
  const set = rep.sets[j];
  const k = set.k, n = set.n;
  const from = anchors.at(j, k);
  if (from === undefined) return MOVE_MODE_JUMP;
  const targets = anchors.beside(j, k);
  if (targets.length === 0) return MOVE_MODE_JUMP;
  const to = targets[ctx.rng.int(targets.length)];
  const u = to.length > k ? drawOffset(ctx.rng, r) : 0;
  const next = modeJumpTarget(set.indices, from, to, u, n, r);
  if (next === null) return MOVE_MODE_JUMP;
  const logProposal = modeJumpLogProposal(k, next.length, targets.length, anchors.beside(j, next.length).length, r);
  const logPriorDelta = logPriorRatio(k, next.length, n, ctx.gamma);
  const proposed = scoreProposal(ctx, rep, j, knotVectorOf(next, n, ctx.degrees[j], ctx.t));
  if (!metropolisAccepts(ctx.rng, beta, proposed, rep.current, logPriorDelta, logProposal)) return MOVE_MODE_JUMP;
  for (const i of set.indices.slice()) set.remove(i);
  for (const i of next) set.add(i);
  adoptProposal(rep, j, proposed, logPriorDelta);
  return MOVE_MODE_JUMP + ACCEPTED;
}

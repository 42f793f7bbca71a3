/**
 * Birth and death with neighbour relocation: a knot is added (or removed) and the knots either
 * side of it are redrawn from their full conditionals over a local window, in one move.
 *
 * Why: when adding a knot pays only once the knots beside it have moved too (a ramp that becomes
 * a kink plus a shifted knot), every single birth loses against the current state and is almost
 * never accepted, while the state it leads to — after the neighbours settle — is as good. Here
 * the neighbours settle inside the move, so its acceptance compares the two settled states.
 *
 * Birth from ξ (k knots), ½ of the move's iterations:
 *   1. t uniform among the n − k free grid points; ξ ∪ {t}.
 *   2. redraw t's left neighbour L (if any), then its right neighbour R (if any). Redrawing a
 *      knot s means: its window is {s + h·i : |i| ≤ w} (h = stride, w = reach) strictly between
 *      its two neighbours in the current state; every window state is scored and one is drawn
 *      with probability ∝ π(·)^β (all have the same k, so the prior cancels).
 * Death from ξ (k knots), the other ½: remove a uniformly chosen knot t, then redraw the knots
 * that were its left and right neighbours, left first, the same way. The reverse birth must find
 * t free and strictly between the redrawn neighbours (else the path has no reverse: rejected).
 *
 * Each path has exactly one reverse path (the same t, the neighbours redrawn back: a window
 * {s' + h·i} holds s whenever s' = s + h·i₀, |i₀| ≤ w, and the neighbour bounds of the reverse
 * step contain the old position), so the Metropolis–Hastings ratio of the path,
 *   π(ξ')^β q(reverse path) / (π(ξ)^β q(path)),  q = (choice of t)·Π (window draw probabilities),
 * gives detailed balance path by path (Green 1995; Tierney 1998 on path-wise acceptance), and
 * so for the move. Cost: up to 4·(2w + 1) evaluations per move (the forward windows and the
 * reverse path's windows), hence a small probability per iteration.
 */
import { logSumExp } from '../../core/stats/log-sum-exp.js';
import { logPriorRatio } from '../move-probabilities.js';
import { ACCEPTED, adoptProposal, knotVectorOf, metropolisAccepts, MOVE_NEIGHBOUR_BIRTH, MOVE_NEIGHBOUR_DEATH, scoreProposal, type MoveContext, type Replica } from './move-context.js';
import { drawGibbs } from './pair-move.js';

/** Probability per iteration, window half-width w (in strides) and stride h (grid steps). */
export interface NeighbourMoveOptions {
  probability: number;
  reach: number;
  stride: number;
}

/**
 * The window of the knot at position p of the sorted grid indices `list` (grid of n): the grid
 * points s + stride·i, |i| ≤ reach, strictly between list[p − 1] (or −1) and list[p + 1] (or n).
 * Always holds s itself.
 */
export function neighbourWindow(list: readonly number[], p: number, n: number, opts: Pick<NeighbourMoveOptions, 'reach' | 'stride'>): number[] {
  const s = list[p];
  const lo = p > 0 ? list[p - 1] : -1, hi = p + 1 < list.length ? list[p + 1] : n;
  const out: number[] = [];
  for (let i = -opts.reach; i <= opts.reach; i++) {
    const w = s + opts.stride * i;
    if (w > lo && w < hi) out.push(w);
  }
  return out;
}

/** The result of redrawing one knot: log of the probability of the chosen (or given) position and the score of the state with it. */
interface Redraw { logProbability: number; score: number }

/**
 * Redraw the knot at position p of `list` (changed in place) from its window at inverse
 * temperature beta: drawn when `to` is −1, else set to `to` (a reverse path: only its
 * probability is wanted). Null when no window state has positive probability.
 */
function redraw(ctx: MoveContext, rep: Replica, beta: number, j: number, list: number[], p: number, opts: NeighbourMoveOptions, to: number): Redraw | null {
  const n = rep.sets[j].n, q = ctx.degrees[j];
  const window = neighbourWindow(list, p, n, opts);
  const scores = new Float64Array(window.length);
  const weights = new Float64Array(window.length);
  window.forEach((w, c) => {
    list[p] = w;
    scores[c] = scoreProposal(ctx, rep, j, knotVectorOf(list, n, q, ctx.t));
    weights[c] = scores[c] > -Infinity ? beta * scores[c] : -Infinity;
  });
  const logZ = logSumExp(weights);
  if (!(logZ > -Infinity)) return null;
  const chosen = to >= 0 ? window.indexOf(to) : drawGibbs(scores, window.length, beta, ctx.rng.uniform());
  list[p] = window[chosen];
  return { logProbability: weights[chosen] - logZ, score: scores[chosen] };
}

/**
 * Redraw the neighbours of the gap or new knot in `list`: the knot at position `left` (or −1:
 * none), then the one at `right` (or −1). Returns the summed log probability and, on a forward
 * path, the score of the final state (null: a window with no positive state). On a reverse path
 * `to` gives the positions to redraw them to; its final state is the chain's current one, so
 * its score is not needed (NaN).
 */
function redrawNeighbours(ctx: MoveContext, rep: Replica, beta: number, j: number, list: number[], left: number, right: number, opts: NeighbourMoveOptions, to: [number, number] | null): Redraw | null {
  let logProbability = 0, score = NaN;
  for (const [p, target] of [[left, to?.[0] ?? -1], [right, to?.[1] ?? -1]] as const) {
    if (p < 0) continue;
    const r = redraw(ctx, rep, beta, j, list, p, opts, target);
    if (r === null) return null;
    logProbability += r.logProbability;
    score = r.score;
  }
  if (to === null && Number.isNaN(score)) score = scoreProposal(ctx, rep, j, knotVectorOf(list, rep.sets[j].n, ctx.degrees[j], ctx.t));
  return { logProbability, score };
}

/** A birth or death with neighbour relocation (½ each) on coordinate j of replica rep. */
export function neighbourMove(ctx: MoveContext, rep: Replica, beta: number, j: number, opts: NeighbourMoveOptions): number {
  const { rng } = ctx;
  const set = rep.sets[j];
  const k = set.k, n = set.n;
  const birth = rng.uniform() < 0.5;
  const type = birth ? MOVE_NEIGHBOUR_BIRTH : MOVE_NEIGHBOUR_DEATH;
  let next: number[], logProposal: number, proposed: number;
  if (birth) {
    if (k >= n) return type;
    const t = set.randomUnused(rng);
    next = [...set.indices, t].sort((a, b) => a - b);
    const at = next.indexOf(t);
    const L = at > 0 ? next[at - 1] : -1, R = at + 1 < next.length ? next[at + 1] : -1;
    const forward = redrawNeighbours(ctx, rep, beta, j, next, L >= 0 ? at - 1 : -1, R >= 0 ? at + 1 : -1, opts, null);
    if (forward === null) return type;
    proposed = forward.score;
    // The reverse path: remove t from the proposal and redraw its neighbours back to L and R.
    const back = next.filter((i) => i !== t);
    const reverse = redrawNeighbours(ctx, rep, beta, j, back, L >= 0 ? at - 1 : -1, R >= 0 ? at : -1, opts, [L, R]);
    if (reverse === null) return type;
    logProposal = Math.log(n - k) - Math.log(k + 1) + reverse.logProbability - forward.logProbability;
  } else {
    if (k === 0) return type;
    const at = rng.int(k);
    const t = set.indices[at];
    const L = at > 0 ? set.indices[at - 1] : -1, R = at + 1 < k ? set.indices[at + 1] : -1;
    next = set.indices.filter((i) => i !== t);
    const forward = redrawNeighbours(ctx, rep, beta, j, next, L >= 0 ? at - 1 : -1, R >= 0 ? at : -1, opts, null);
    if (forward === null) return type;
    // The reverse birth at t needs t free and strictly between the redrawn neighbours.
    if ((L >= 0 && next[at - 1] >= t) || (R >= 0 && next[at] <= t)) return type;
    proposed = forward.score;
    const back = [...next.slice(0, at), t, ...next.slice(at)];
    const reverse = redrawNeighbours(ctx, rep, beta, j, back, L >= 0 ? at - 1 : -1, R >= 0 ? at + 1 : -1, opts, [L, R]);
    if (reverse === null) return type;
    logProposal = Math.log(k) - Math.log(n - k + 1) + reverse.logProbability - forward.logProbability;
  }
  const logPriorDelta = logPriorRatio(k, next.length, n, ctx.gamma);
  if (!metropolisAccepts(rng, beta, proposed, rep.current, logPriorDelta, logProposal)) return type;
  // Score the proposal once more: its rows go to rep.spare[j] and the scorer holds its fit.
  const rescored = scoreProposal(ctx, rep, j, knotVectorOf(next, n, ctx.degrees[j], ctx.t));
  for (const i of set.indices.slice()) set.remove(i);
  for (const i of next) set.add(i);
  adoptProposal(rep, j, rescored, logPriorDelta);
  return type + ACCEPTED;
}

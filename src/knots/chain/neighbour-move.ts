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
 *   2. redraw t's left neighbours (depth of them, nearest first), then its right ones. Redrawing a
 *      knot s means: its window is s and s ± o for the offsets o, strictly between its two
 *      neighbours in the current state; every window state is scored and one is drawn with
 *      probability ∝ π(·)^β (all have the same k, so the prior cancels).
 * Death from ξ (k knots), the other ½: remove a uniformly chosen knot t, then redraw the knots
 * that were its neighbours the same way. The reverse birth must find t free and strictly between
 * the redrawn neighbours.
 *
 * Each path has one reverse path: the same t removed (added) and the same knots redrawn back to
 * where they were. The offsets are symmetric, so a redrawn knot's old position lies in its new
 * window unless a neighbour redrawn before it now bounds the window short of it; then (and when
 * a death's t is no longer between its neighbours) the path has no reverse and is rejected. The
 * Metropolis–Hastings ratio of the path,
 *   π(ξ')^β q(reverse path) / (π(ξ)^β q(path)),  q = (choice of t)·Π (window draw probabilities),
 * gives detailed balance path by path (Green 1995; Tierney 1998 on path-wise acceptance), and
 * so for the move. Cost: up to 4·depth·(2·#offsets + 1) evaluations per move (the forward
 * windows and the reverse path's), hence a small probability per iteration.
 */
import { logSumExp } from '../../core/stats/log-sum-exp.js';
import { logPriorRatio } from '../move-probabilities.js';
import { ACCEPTED, adoptProposal, knotVectorOf, metropolisAccepts, MOVE_NEIGHBOUR_BIRTH, MOVE_NEIGHBOUR_DEATH, scoreProposal, type MoveContext, type Replica } from './move-context.js';
import { drawGibbs } from './pair-move.js';

/**
 * Probability per iteration; the window offsets o_1 < o_2 < ... (grid steps: a knot s is redrawn
 * among s and s ± o_i, e.g. [1, 2, 3, 5, 8, 13, 21, 34, 55]: fine steps near s for a jump pair,
 * long ones for a knot that must shift far); and how many knots each side of the new (or
 * removed) knot are redrawn (depth, default 1).
 */
export interface NeighbourMoveOptions {
  probability: number;
  offsets: readonly number[];
  depth?: number;
}

/**
 * The window of the knot at position p of the sorted grid indices `list` (grid of n): s and
 * s ± o for every offset o, those strictly between list[p − 1] (or −1) and list[p + 1] (or n),
 * in increasing order. Always holds s; since the offsets are symmetric, the window of s ± o
 * holds s too (bounds permitting), which is what makes each redraw reversible.
 */
export function neighbourWindow(list: readonly number[], p: number, n: number, offsets: readonly number[]): number[] {
  const s = list[p];
  const lo = p > 0 ? list[p - 1] : -1, hi = p + 1 < list.length ? list[p + 1] : n;
  const out: number[] = [];
  for (let i = offsets.length - 1; i >= 0; i--) if (s - offsets[i] > lo) out.push(s - offsets[i]);
  out.push(s);
  for (const o of offsets) if (s + o < hi) out.push(s + o);
  return out;
}

/** The result of redrawing knots: log of the probability of the chosen (or given) positions, and the score of the state with them. */
interface Redraw { logProbability: number; score: number }

/**
 * Redraw the knot at position p of `list` (changed in place) from its window at inverse
 * temperature beta: drawn when `to` is −1, else set to `to` (a reverse path: only its
 * probability is wanted; −Infinity when `to` is outside the window). Null when no window state
 * has positive probability.
 */
function redraw(ctx: MoveContext, rep: Replica, beta: number, j: number, list: number[], p: number, opts: NeighbourMoveOptions, to: number): Redraw | null {
  const n = rep.sets[j].n, q = ctx.degrees[j];
  const window = neighbourWindow(list, p, n, opts.offsets);
  if (to >= 0 && !window.includes(to)) return { logProbability: -Infinity, score: NaN };
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
 * Redraw the knots at `positions` of `list`, in that order. Returns the summed log probability
 * and, on a forward path, the score of the final state (null: a window with no positive state).
 * On a reverse path `to` gives the positions to redraw them to; its final state is the chain's
 * current one, so its score is not needed (NaN), and a target outside its window gives
 * probability 0 (the forward path has no reverse).
 */
function redrawKnots(ctx: MoveContext, rep: Replica, beta: number, j: number, list: number[], positions: readonly number[], opts: NeighbourMoveOptions, to: readonly number[] | null): Redraw | null {
  let logProbability = 0, score = NaN;
  for (let i = 0; i < positions.length; i++) {
    const r = redraw(ctx, rep, beta, j, list, positions[i], opts, to === null ? -1 : to[i]);
    if (r === null) return null;
    logProbability += r.logProbability;
    if (logProbability === -Infinity) return r;
    score = r.score;
  }
  if (to === null && positions.length === 0) score = scoreProposal(ctx, rep, j, knotVectorOf(list, rep.sets[j].n, ctx.degrees[j], ctx.t));
  return { logProbability, score };
}

/**
 * Positions of the knots redrawn around the new knot (or the gap) at position `at` of a list of
 * `length` knots: the left ones nearest first, then the right ones nearest first, `depth` each
 * side. `gap`: the list lacks the knot at `at` (so the right ones start at `at`).
 */
function redrawPositions(at: number, length: number, depth: number, gap: boolean): number[] {
  const out: number[] = [];
  for (let i = 1; i <= depth && at - i >= 0; i++) out.push(at - i);
  const first = gap ? at : at + 1;
  for (let i = 0; i < depth && first + i < length; i++) out.push(first + i);
  return out;
}

/** A birth or death with neighbour relocation (½ each) on coordinate j of replica rep. */
export function neighbourMove(ctx: MoveContext, rep: Replica, beta: number, j: number, opts: NeighbourMoveOptions): number {
  const { rng } = ctx;
  const set = rep.sets[j];
  const k = set.k, n = set.n, depth = opts.depth ?? 1;
  const birth = rng.uniform() < 0.5;
  const type = birth ? MOVE_NEIGHBOUR_BIRTH : MOVE_NEIGHBOUR_DEATH;
  let next: number[], logProposal: number, proposed: number;
  if (birth) {
    if (k >= n) return type;
    const t = set.randomUnused(rng);
    next = [...set.indices, t].sort((a, b) => a - b);
    const at = next.indexOf(t);
    const moved = redrawPositions(at, next.length, depth, false);
    const original = moved.map((p) => next[p]);
    const forward = redrawKnots(ctx, rep, beta, j, next, moved, opts, null);
    if (forward === null) return type;
    proposed = forward.score;
    // The reverse path: a death of t (at the same position) that redraws the same knots back.
    const back = next.filter((i) => i !== t);
    const reverse = redrawKnots(ctx, rep, beta, j, back, redrawPositions(at, back.length, depth, true), opts, original);
    if (reverse === null) return type;
    logProposal = Math.log(n - k) - Math.log(k + 1) + reverse.logProbability - forward.logProbability;
  } else {
    if (k === 0) return type;
    const at = rng.int(k);
    const t = set.indices[at];
    next = set.indices.filter((i) => i !== t);
    const moved = redrawPositions(at, next.length, depth, true);
    const original = moved.map((p) => next[p]);
    const forward = redrawKnots(ctx, rep, beta, j, next, moved, opts, null);
    if (forward === null) return type;
    // The reverse birth at t needs t free and strictly between the redrawn neighbours.
    if ((at > 0 && next[at - 1] >= t) || (at < next.length && next[at] <= t)) return type;
    proposed = forward.score;
    const back = [...next.slice(0, at), t, ...next.slice(at)];
    const reverse = redrawKnots(ctx, rep, beta, j, back, redrawPositions(at, back.length, depth, false), opts, original);
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

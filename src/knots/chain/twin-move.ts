/**
 * Twin births and deaths: two knots at most r grid steps apart, with no knot between them, added
 * or removed in one move (½ each).
 *
 * Birth: a uniform among the n − k free points, b = a + o with o uniform in {−r..−1, 1..r} (off
 * the grid, on a knot or with a knot between: null move); the set {a, b} arises from a first or
 * from b first, so q = 2/((n−k)·2r) = 1/((n−k)·r). Death: one of the P twin pairs of the set
 * (neighbours at most r apart), uniformly, q = 1/P. The acceptance carries the prior ratio
 * C(n, k)^γ / C(n, k±2)^γ and these proposal probabilities.
 *
 * Why: a jump in a linear spline is such a pair. A chain holding one knot there (a kink) gains
 * the pair in one move, where two single births would each pay the prior's price before the
 * pair pays back.
 */
import { logPriorRatio } from '../move-probabilities.js';
import { ACCEPTED, adoptProposal, knotVectorOf, metropolisAccepts, MOVE_TWIN_BIRTH, MOVE_TWIN_DEATH, scoreProposal, type MoveContext, type Replica } from './move-context.js';

/** Neighbouring knots at most r grid steps apart in sorted indices. */
function twinPairCount(indices: readonly number[], r: number): number {
  let count = 0;
  for (let i = 0; i + 1 < indices.length; i++) if (indices[i + 1] - indices[i] <= r) count++;
  return count;
}

/** A twin birth or death on coordinate j with radius r. */
export function twinMove(ctx: MoveContext, rep: Replica, beta: number, j: number, r: number): number {
  const { rng } = ctx;
  const set = rep.sets[j];
  const k = set.k, n = set.n;
  const idx = set.indices;
  let next: number[], logProposal: number, type: number;
  if (rng.uniform() < 0.5) {
    type = MOVE_TWIN_BIRTH;
    if (k + 2 > n) return type;
    const a = set.randomUnused(rng);
    const o = 1 + rng.int(r);
    const b = rng.uniform() < 0.5 ? a - o : a + o;
    if (b < 0 || b >= n || set.isUsed(b)) return type;
    const lo = Math.min(a, b), hi = Math.max(a, b);
    if (idx.some((i) => i > lo && i < hi)) return type;
    next = [...idx, a, b].sort((x, y) => x - y);
    logProposal = -Math.log(twinPairCount(next, r)) + Math.log((n - k) * r);
  } else {
    type = MOVE_TWIN_DEATH;
    const count = twinPairCount(idx, r);
    if (count === 0) return type;
    let pick = rng.int(count), at = 0;
    for (let i = 0; i + 1 < k; i++) if (idx[i + 1] - idx[i] <= r && pick-- === 0) { at = i; break; }
    next = idx.filter((_, i) => i !== at && i !== at + 1);
    logProposal = -Math.log((n - k + 2) * r) + Math.log(count);
  }
  const proposed = scoreProposal(ctx, rep, j, knotVectorOf(next, n, ctx.degrees[j], ctx.t));
  const logPriorDelta = logPriorRatio(0, next.length, n, ctx.gamma) - logPriorRatio(0, k, n, ctx.gamma);
  if (!metropolisAccepts(rng, beta, proposed, rep.current, logPriorDelta, logProposal)) return type;
  for (const i of idx.slice()) set.remove(i);
  for (const i of next) set.add(i);
  adoptProposal(rep, j, proposed, logPriorDelta);
  return type + ACCEPTED;
}

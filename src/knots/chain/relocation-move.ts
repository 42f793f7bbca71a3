/**
 * Relocation of one knot: a uniformly chosen knot moves to a target from the proposal mixture
 * (knot-proposals.ts: uniform, near the knot, BARS). k and the prior are unchanged; the
 * acceptance carries the ratio of the two target probabilities (equal for uniform targets).
 */
import { ACCEPTED, adoptProposal, metropolisAccepts, MOVE_NULL, MOVE_RELOCATE, scoreProposal, type MoveContext, type Replica } from './move-context.js';

/** A relocation on coordinate j (requires 0 < k < n). */
export function relocationMove(ctx: MoveContext, rep: Replica, beta: number, j: number): number {
  const set = rep.sets[j];
  const proposals = ctx.proposals[j];
  const drop = set.indices[ctx.rng.int(set.k)];
  const add = proposals.drawRelocation(ctx.rng, set, drop);
  if (add < 0) return MOVE_NULL;
  const logProposal = Math.log(proposals.relocationProbability(set, drop, add)) - Math.log(proposals.relocationProbability(set, add, drop));
  const proposed = scoreProposal(ctx, rep, j, set.knotVector(ctx.degrees[j], ctx.t, add, drop));
  if (!metropolisAccepts(ctx.rng, beta, proposed, rep.current, 0, logProposal)) return MOVE_RELOCATE;
  set.remove(drop);
  set.add(add);
  adoptProposal(rep, j, proposed, 0);
  return MOVE_RELOCATE + ACCEPTED;
}

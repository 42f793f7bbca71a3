/**
 * Birth and death of one knot (Green 1995). A birth adds a target t drawn from the proposal
 * mixture (knot-proposals.ts); a death removes a uniformly chosen knot. The acceptance carries
 * the prior ratio C(n, k)^γ / C(n, k±1)^γ and the proposal ratio: b_k·q(t | ξ) one way,
 * d_{k+1}/(k+1) the other (move-probabilities.ts has b_k and d_k).
 */
import { birthProbability, deathProbability, logPriorRatio } from '../move-probabilities.js';
import { ACCEPTED, adoptProposal, metropolisAccepts, MOVE_BIRTH, MOVE_DEATH, MOVE_NULL, scoreProposal, type MoveContext, type Replica } from './move-context.js';

/** A birth on coordinate j, proposed with probability b (= b_k). */
export function birthMove(ctx: MoveContext, rep: Replica, beta: number, j: number, b: number): number {
  const set = rep.sets[j];
  const k = set.k, n = set.n;
  const add = ctx.proposals[j].drawBirth(ctx.rng, set);
  if (add < 0) return MOVE_NULL;
  const logPriorDelta = logPriorRatio(k, k + 1, n, ctx.gamma);
  const logProposal = Math.log(deathProbability(k + 1, n, ctx.gamma, ctx.c, ctx.scheme) / (k + 1))
    - Math.log(b * ctx.proposals[j].birthProbability(set, add, -1));
  const proposed = scoreProposal(ctx, rep, j, set.knotVector(ctx.degrees[j], ctx.t, add, -1));
  // (Under 'prior-free' moves with uniform targets, logPriorDelta + logProposal = 0.)
  if (!metropolisAccepts(ctx.rng, beta, proposed, rep.current, logPriorDelta, logProposal)) return MOVE_BIRTH;
  set.add(add);
  adoptProposal(rep, j, proposed, logPriorDelta);
  return MOVE_BIRTH + ACCEPTED;
}

/** A death on coordinate j (k ≥ 1), proposed with probability dk (= d_k). */
export function deathMove(ctx: MoveContext, rep: Replica, beta: number, j: number, dk: number): number {
  const set = rep.sets[j];
  const k = set.k, n = set.n;
  const drop = set.indices[ctx.rng.int(k)];
  const logPriorDelta = logPriorRatio(k, k - 1, n, ctx.gamma);
  const logProposal = Math.log(birthProbability(k - 1, n, ctx.gamma, ctx.c, ctx.scheme) * ctx.proposals[j].birthProbability(set, drop, drop))
    - Math.log(dk / k);
  const proposed = scoreProposal(ctx, rep, j, set.knotVector(ctx.degrees[j], ctx.t, -1, drop));
  if (!metropolisAccepts(ctx.rng, beta, proposed, rep.current, logPriorDelta, logProposal)) return MOVE_DEATH;
  set.remove(drop);
  adoptProposal(rep, j, proposed, logPriorDelta);
  return MOVE_DEATH + ACCEPTED;
}

/**
 * The pair move: a Gibbs update of two neighbouring knots together.
 *
 * Why: a jump in a linear spline is two adjacent knots, and a posterior can hold it either as a
 * narrow pair (a step) or as a wide pair (a ramp, often with an extra knot beside it). Moving
 * between the two takes both knots moving at once; one knot at a time passes through states much
 * worse than either, so a chain of single-knot moves switches between them a handful of times in
 * thousands of iterations.
 *
 * The move: choose the pair (ξ_i, ξ_{i+1}) uniformly among the k − 1 neighbouring pairs and a
 * block offset o uniformly in {0..B−1}. The candidates are every pair (a, b) with
 *   prev < a < b < next      (prev, next: the knots either side of the pair, or −1 and n),
 *   b − a ≤ W                (maxWidth),
 *   a + b in the block of B consecutive sums that holds ξ_i + ξ_{i+1} under offset o,
 * the current pair among them (a current width above W: null move). Draw one with probability
 * ∝ π(ξ with the pair replaced)^β. From the drawn state the same pair index, the same offset,
 * the same neighbours and the same block give the same candidate set, so this is an exact
 * Gibbs step on that set: acceptance 1, detailed balance with respect to π^β.
 * (Tierney 1994 on mixing Gibbs blocks into a Metropolis–Hastings sampler; the random block
 * offset is what lets a pair's sum cross block edges.)
 *
 * Cost: up to B·W/2 likelihood evaluations, so it runs with a small probability per iteration.
 */
import { ACCEPTED, adoptProposal, MOVE_NULL, MOVE_PAIR, scoreProposal, type MoveContext, type Replica } from './move-context.js';

/** Probability per iteration, maximum width W and sum-block size B (grid steps). */
export interface PairMoveOptions {
  probability: number;
  maxWidth: number;
  block: number;
}

/**
 * The candidate pairs for the pair at position `pairIndex` (0-based, < k − 1) of the sorted
 * knot indices under block offset `offset` (0 ≤ offset < block), written into `out` as
 * [a0, b0, a1, b1, ...]; returns the number of pairs (0: the current width exceeds maxWidth).
 * The current pair is always among them when the count is positive.
 */
export function pairCandidates(indices: readonly number[], n: number, pairIndex: number, offset: number, opts: Pick<PairMoveOptions, 'maxWidth' | 'block'>, out: number[]): number {
  out.length = 0;
  const lo = indices[pairIndex], hi = indices[pairIndex + 1];
  if (hi - lo > opts.maxWidth) return 0;
  const prev = pairIndex > 0 ? indices[pairIndex - 1] : -1;
  const next = pairIndex + 2 < indices.length ? indices[pairIndex + 2] : n;
  const B = opts.block;
  const sumStart = Math.floor((lo + hi + offset) / B) * B - offset;
  for (let s = sumStart; s < sumStart + B; s++) {
    // a + b = s and b − a = w have integer solutions only when w ≡ s (mod 2).
    for (let w = 2 - (s & 1); w <= opts.maxWidth; w += 2) {
      const a = (s - w) / 2, b = (s + w) / 2;
      if (a > prev && b < next) out.push(a, b);
    }
  }
  return out.length / 2;
}

/**
 * The knot vector (boundary knots repeated degree+1 times) of the sorted knot indices with the
 * pair at pairIndex replaced by (a, b), where prev < a < b < next; returns its length.
 */
export function pairKnotVector(indices: readonly number[], n: number, degree: number, pairIndex: number, a: number, b: number, t: Float64Array): number {
  let o = 0;
  for (let r = 0; r <= degree; r++) t[o++] = 0;
  for (let p = 0; p < indices.length; p++) {
    const i = p === pairIndex ? a : p === pairIndex + 1 ? b : indices[p];
    t[o++] = (i + 1) / (n + 1);
  }
  for (let r = 0; r <= degree; r++) t[o++] = 1;
  return o;
}

/**
 * Index of a draw from weights ∝ exp(beta·(logp[c] − max)), given a uniform u in [0, 1).
 * Entries of −Infinity get weight 0.
 */
export function drawGibbs(logp: ArrayLike<number>, count: number, beta: number, u: number): number {
  let max = -Infinity;
  for (let c = 0; c < count; c++) if (logp[c] > max) max = logp[c];
  let total = 0;
  for (let c = 0; c < count; c++) total += logp[c] === -Infinity ? 0 : Math.exp(beta * (logp[c] - max));
  let target = u * total;
  for (let c = 0; c < count; c++) {
    const w = logp[c] === -Infinity ? 0 : Math.exp(beta * (logp[c] - max));
    if (target < w) return c;
    target -= w;
  }
  // Rounding: the last candidate with positive weight.
  for (let c = count - 1; c >= 0; c--) if (logp[c] > -Infinity) return c;
  return 0;
}

const pairList: number[] = [];
let pairLogp = new Float64Array(0);

/** A pair move on coordinate j of replica rep: Gibbs on the candidate set at inverse temperature beta. */
export function pairMove(ctx: MoveContext, rep: Replica, beta: number, j: number, pair: PairMoveOptions): number {
  const set = rep.sets[j];
  const k = set.k, n = set.n, q = ctx.degrees[j];
  if (k < 2) return MOVE_NULL;
  const pairIndex = ctx.rng.int(k - 1), offset = ctx.rng.int(pair.block);
  const count = pairCandidates(set.indices, n, pairIndex, offset, pair, pairList);
  if (count === 0) return MOVE_NULL;
  if (pairLogp.length < count) pairLogp = new Float64Array(count);
  const lo = set.indices[pairIndex], hi = set.indices[pairIndex + 1];
  const score = (a: number, b: number): number => scoreProposal(ctx, rep, j, pairKnotVector(set.indices, n, q, pairIndex, a, b, ctx.t));
  for (let c = 0; c < count; c++) {
    const a = pairList[2 * c], b = pairList[2 * c + 1];
    pairLogp[c] = a === lo && b === hi ? rep.current : score(a, b);
  }
  const chosen = drawGibbs(pairLogp, count, beta, ctx.rng.uniform());
  const a = pairList[2 * chosen], b = pairList[2 * chosen + 1];
  if (a === lo && b === hi) return MOVE_PAIR;
  // Score the chosen state last, so that the scorer holds its fit (probes, GLM state).
  const proposed = score(a, b);
  set.remove(lo); set.remove(hi); set.add(a); set.add(b);
  adoptProposal(rep, j, proposed, 0);
  return MOVE_PAIR + ACCEPTED;
}

/**
 * Mode jumps between neighbouring numbers of knots (after Tjelmeland & Hegstad 2001, "Mode
 * jumping proposals in MCMC", Scand. J. Statist.): one move that changes k by one *and* carries
 * every other knot over to another remembered good state, so that a chain can cross between
 * posterior families that single births and deaths join only through several worse states.
 *
 * Anchors. During burn-in the chain remembers, per coordinate j and per key, the best state it
 * has visited (highest log posterior). The key is k, or (with pairWidth w > 0) k and the pattern
 * of narrow gaps (which neighbouring knots are at most w apart), up to 4 patterns per k. After
 * burn-in the anchors are frozen, so the recorded chain is an ordinary time-homogeneous
 * Metropolis–Hastings chain (adapting during burn-in only, which is then discarded, leaves the
 * stationary distribution alone).
 *
 * The move, for a state ξ with k knots on coordinate j (A_k: the anchor of ξ's key):
 *   - ξ must lie near A_k: |ξ_i − A_k,i| ≤ r grid steps for every sorted position i (else null);
 *     δ = ξ − A_k are its offsets;
 *   - pick B uniformly among the other anchors with k − 1, k or k + 1 knots;
 *   - B = A_{k+1}: the knot of B with no partner in A_k (the one whose removal leaves B closest to
 *     A_k, position e) gets a fresh offset u uniform in {−r..r}; ξ' = B + (δ with u inserted at e);
 *   - B = A_{k−1}: drop position e of ξ, where e is the knot of A_k with no partner in B;
 *     ξ' = B + (δ without e);
 *   - B with k knots (another pattern): ξ' = B + δ;
 *   - ξ' must be strictly increasing, on the grid and have B's key (else null: the reverse jump
 *     must start from B).
 * The reverse of a move up is the move down from ξ' (which lies near B with the same offsets) and
 * vice versa, so q(ξ → ξ') = u's probability 1/(2r+1) (up only) / #targets of A_k, and the
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
  /**
   * w > 0: anchors are kept per k *and* per pattern of narrow gaps (neighbouring knots at most w
   * grid steps apart: a jump pair in a linear spline), up to 4 patterns per k, and a jump may also
   * go to another pattern's anchor of the same k (a narrow pair ⇄ a wide one). Absent or 0: one
   * anchor per k.
   */
  pairWidth?: number;
}

/** A remembered state: its k, its key (k and narrow-gap pattern), its sorted grid indices and log posterior. */
export interface ModeAnchor {
  k: number;
  key: string;
  indices: number[];
  value: number;
}

/** Anchors kept per k when they are told apart by their narrow-gap pattern. */
const PATTERNS_PER_K = 4;

/** The best state per coordinate and key seen so far (frozen after burn-in). */
export class ModeAnchors {
  private readonly byKey: Map<string, ModeAnchor>[];
  private frozen = false;

  constructor(coordinates: number, private readonly pairWidth = 0) {
    this.byKey = Array.from({ length: coordinates }, () => new Map());
  }

  /** The key of a sorted knot set: k, and with pairWidth > 0 which neighbouring gaps are narrow. */
  keyOf(indices: readonly number[]): string {
    let key = `${indices.length}:`;
    if (this.pairWidth > 0) for (let i = 1; i < indices.length; i++) key += indices[i] - indices[i - 1] <= this.pairWidth ? '1' : '0';
    return key;
  }

  /** Remember the replica's state where it beats the anchor of its key (no-op once frozen). */
  observe(rep: Replica): void {
    if (this.frozen) return;
    const value = rep.current + rep.logPrior;
    if (!(value > -Infinity)) return;
    for (let j = 0; j < this.byKey.length; j++) {
      const indices = rep.sets[j].indices, k = indices.length, map = this.byKey[j];
      const key = this.keyOf(indices);
      const held = map.get(key);
      if (held !== undefined) {
        if (value > held.value) { held.indices = indices.slice(); held.value = value; }
        continue;
      }
      // A new pattern at this k: kept if there is room, or if it beats the worst one held.
      let worst: ModeAnchor | undefined, count = 0;
      for (const a of map.values()) if (a.k === k) { count++; if (worst === undefined || a.value < worst.value) worst = a; }
      if (count >= PATTERNS_PER_K) {
        if (value <= worst!.value) continue;
        map.delete(worst!.key);
      }
      map.set(key, { k, key, indices: indices.slice(), value });
    }
  }

  freeze(): void { this.frozen = true; }

  /** The anchor with the key of this knot set on coordinate j, or undefined. */
  source(j: number, indices: readonly number[]): ModeAnchor | undefined {
    return this.byKey[j].get(this.keyOf(indices));
  }

  /**
   * Where a jump from anchor a may go: the other anchors of coordinate j with k − 1, k or k + 1
   * knots, ordered by k, then key (a fixed order, so draws are reproducible).
   */
  targets(j: number, a: ModeAnchor): ModeAnchor[] {
    const out: ModeAnchor[] = [];
    for (const b of this.byKey[j].values()) if (b !== a && Math.abs(b.k - a.k) <= 1) out.push(b);
    return out.sort((x, y) => x.k - y.k || (x.key < y.key ? -1 : x.key > y.key ? 1 : 0));
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
 * The jump of sorted grid indices xi (near anchor `from`) to anchor `to` (one knot more, one
 * fewer or as many), on a grid of n with radius r; u is the new knot's offset (a jump up only).
 * Returns the new sorted indices, or null when xi is not near `from` or the result is not
 * strictly increasing on the grid.
 */
export function modeJumpTarget(xi: readonly number[], from: readonly number[], to: readonly number[], u: number, n: number, r: number): number[] | null {
  const k = xi.length;
  if (from.length !== k || Math.abs(to.length - k) > 1) return null;
  const offsets: number[] = new Array(k);
  for (let i = 0; i < k; i++) {
    offsets[i] = xi[i] - from[i];
    if (Math.abs(offsets[i]) > r) return null;
  }
  if (to.length > k) offsets.splice(unpairedPosition(to, from), 0, u);
  else if (to.length < k) offsets.splice(unpairedPosition(from, to), 1);
  const next = to.map((b, i) => b + offsets[i]);
  for (let i = 0; i < next.length; i++) {
    if (next[i] < 0 || next[i] >= n || (i > 0 && next[i] <= next[i - 1])) return null;
  }
  return next;
}

/**
 * log q(reverse) − log q(forward) of a jump from k knots (targets = #targets of the source
 * anchor) to kNew knots (targetsBack = #targets of the target anchor).
 */
export function modeJumpLogProposal(k: number, kNew: number, targets: number, targetsBack: number, r: number): number {
  const newKnot = Math.log(2 * r + 1);
  return Math.log(targets) - Math.log(targetsBack) + (kNew > k ? newKnot : kNew < k ? -newKnot : 0);
}

/** Draw the new knot's offset u uniform in {−r..r}. */
function drawOffset(rng: Rng, r: number): number {
  return rng.int(2 * r + 1) - r;
}

/** A mode jump on coordinate j with radius r (free k only). */
export function modeJumpMove(ctx: MoveContext, rep: Replica, beta: number, j: number, anchors: ModeAnchors, r: number): number {
  const set = rep.sets[j];
  const k = set.k, n = set.n;
  const from = anchors.source(j, set.indices);
  if (from === undefined) return MOVE_MODE_JUMP;
  const targets = anchors.targets(j, from);
  if (targets.length === 0) return MOVE_MODE_JUMP;
  const to = targets[ctx.rng.int(targets.length)];
  const u = to.k > k ? drawOffset(ctx.rng, r) : 0;
  const next = modeJumpTarget(set.indices, from.indices, to.indices, u, n, r);
  // The reverse jump starts from the anchor of next's key: it must be `to`.
  if (next === null || anchors.keyOf(next) !== to.key) return MOVE_MODE_JUMP;
  const logProposal = modeJumpLogProposal(k, next.length, targets.length, anchors.targets(j, to).length, r);
  const logPriorDelta = logPriorRatio(k, next.length, n, ctx.gamma);
  const proposed = scoreProposal(ctx, rep, j, knotVectorOf(next, n, ctx.degrees[j], ctx.t));
  if (!metropolisAccepts(ctx.rng, beta, proposed, rep.current, logPriorDelta, logProposal)) return MOVE_MODE_JUMP;
  for (const i of set.indices.slice()) set.remove(i);
  for (const i of next) set.add(i);
  adoptProposal(rep, j, proposed, logPriorDelta);
  return MOVE_MODE_JUMP + ACCEPTED;
}

/**
 * The sampler's default move probabilities for free k, as a function of the prior exponent γ.
 *
 * At γ ≤ 1 the prior C(n,k)^(−γ) lets k range widely and births and deaths are often accepted:
 * k itself is the slow variable, so births and deaths get c = 0.3 each. At γ > 1 each extra knot
 * costs γ·log((n−k)/(k+1)) log units, k concentrates, most births are rejected, and what mixes
 * slowly is where the knots sit (on knot case 3 at γ = 2, data seed 1, the jump pair's width and
 * the knots near 0.5 and 0.7: `scripts/knots/slow-variables.ts`). There the mix leans toward moves
 * that relocate: with w = min(1, max(0, γ − 1)),
 *   c = 0.3 / max(1, γ),  near proposals 0.3 + 0.3·w,  mode jumps 0.2 + 0.1·w,  twin moves 0.05.
 * At γ ≤ 1 this is the earlier default exactly; at γ = 2 it is c = 0.15, near 0.6, jumps 0.3 —
 * split-R̂ of k under 1.05 in 14 of 20 sets of 8 chains, against none with the earlier mix
 * (docs/knots.md, *The default move mix at γ > 1, measured*).
 * Measured rather than derived: at γ = 0.5 the same γ = 2 mix lowered ESS of k 3x.
 *
 * @example defaultMoveMix(2) // { c: 0.15, near: 0.6, modeJumps: 0.3, twinMoves: 0.05, neighbourMoves: 0.05 }
 */
export interface MoveMix {
  /** Birth and death probability each (balanced moves). */
  c: number;
  /** Share of near targets in birth and relocation proposals. */
  near: number;
  /** Per-iteration probability of a mode jump. */
  modeJumps: number;
  /** Per-iteration probability of a twin birth or death. */
  twinMoves: number;
  /** Per-iteration probability of a neighbour birth or death when turned on without one. */
  neighbourMoves: number;
}

export function defaultMoveMix(gamma: number): MoveMix {
  const w = Math.min(1, Math.max(0, gamma - 1));
  const round = (v: number) => Math.round(v * 1e6) / 1e6; // 0.3 + 0.3·0.5 prints as 0.45
  return { c: round(0.3 / Math.max(1, gamma)), near: round(0.3 + 0.3 * w), modeJumps: round(0.2 + 0.1 * w), twinMoves: 0.05, neighbourMoves: 0.05 };
}

/**
 * BARS-style local proposals (DiMatteo, Genovese & Kass 2001, §2.2) on the candidate grid: a new
 * knot is drawn near an existing knot s from Beta(ν·s, ν·(1−s)) (ν = 50 by default) and rounded
 * to the nearest grid point, mixed with the uniform proposal of the EBARS sampler.
 *
 * Grid index i (value (i+1)/(n+1)) receives the Beta mass of its rounding cell
 * [(i+½)/(n+1), (i+1½)/(n+1)), the end cells extended to 0 and 1, so the proposal probability of
 * every target is exact and the Metropolis–Hastings ratio can use it (a draw that lands on an
 * occupied grid point is a null move: the chain stays, which is still a valid MH step).
 */
import type { Rng } from '../core/rng.js';
import { betaCdf } from './special-functions.js';

export interface LocalProposalOptions {
  /** Probability ρ of a local (rather than uniform) birth or relocation target; default 0.5. */
  probability?: number;
  /** Beta concentration ν; default 50. */
  nu?: number;
}

/** Draw a grid index near grid value s (may be occupied; the caller treats that as a null move). */
export function drawLocalIndex(rng: Rng, s: number, n: number, nu: number): number {
  const v = rng.beta(nu * s, nu * (1 - s));
  const i = Math.round(v * (n + 1)) - 1;
  return Math.min(n - 1, Math.max(0, i));
}

/** P(drawLocalIndex(s) = i): the Beta(ν s, ν(1−s)) mass of grid cell i. */
export function localIndexProbability(i: number, s: number, n: number, nu: number): number {
  const a = nu * s, b = nu * (1 - s);
  const lo = i === 0 ? 0 : (i + 0.5) / (n + 1);
  const hi = i === n - 1 ? 1 : (i + 1.5) / (n + 1);
  return betaCdf(hi, a, b) - betaCdf(lo, a, b);
}

/**
 * Probability that a birth from the current knot set proposes grid index i, with the knot
 * `skip` left out of the set (pass −1 for none; a death's reverse move uses skip = the dying
 * knot): (1−ρ)/(n−k) + ρ·(1/k)·Σ_{s} P(i | s), and 1/(n−k) when ρ = 0 or k = 0.
 */
export function birthTargetProbability(
  set: { n: number; k: number; indices: number[]; value(i: number): number },
  i: number, skip: number, rho: number, nu: number,
): number {
  const k = set.k - (skip >= 0 ? 1 : 0);
  const uniform = 1 / (set.n - k);
  if (rho === 0 || k === 0) return uniform;
  let s = 0;
  for (const idx of set.indices) if (idx !== skip) s += localIndexProbability(i, set.value(idx), set.n, nu);
  return (1 - rho) * uniform + (rho * s) / k;
}

/** Probability that relocating the knot at grid index `from` proposes `to`: (1−ρ)/(n−k) + ρ·P(to | from). */
export function relocateTargetProbability(
  set: { n: number; k: number; value(i: number): number }, to: number, from: number, rho: number, nu: number,
): number {
  return (1 - rho) / (set.n - set.k) + (rho > 0 ? rho * localIndexProbability(to, set.value(from), set.n, nu) : 0);
}

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

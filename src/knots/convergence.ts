/**
 * Convergence verdict of a knot fit from its diagnostics: the thresholds of Vehtari, Gelman,
 * Simpson, Carpenter & Bürkner (2021, Bayesian Analysis, §4) loosened to what a 2-chain,
 * 5000-iteration default run can show: split-R̂ ≤ 1.05 and ESS ≥ 100 for k and for f at every
 * probe point, and every chain accepting at least one proposal after burn-in.
 */
import { badArgument } from '../core/errors.js';

export const RHAT_LIMIT = 1.05;
export const ESS_LIMIT = 100;

export interface ChainMovement {
  /** Accepted proposals after burn-in, per chain. */
  acceptedPerChain: number[];
}

export interface ConvergenceInput extends ChainMovement {
  k: { rhat: number; ess: number }[];
  f: { point: number[]; rhat: number; ess: number }[];
}

/** Human-readable warnings, empty when nothing is wrong. NaN (constant quantity) is not a warning. */
export function convergenceWarnings(d: ConvergenceInput, coordinateNames?: string[]): string[] {
  if (d === null || typeof d !== 'object' || !Array.isArray(d.k) || !Array.isArray(d.f)
    || !Array.isArray(d.acceptedPerChain)) {
    throw badArgument('diagnostics must be an object with arrays k, f and acceptedPerChain (a fit\'s diagnostics)');
  }
  if (coordinateNames !== undefined && !Array.isArray(coordinateNames)) {
    throw badArgument(`coordinateNames must be an array of strings, got ${typeof coordinateNames}`);
  }
  const out: string[] = [];
  const fmt = (v: number, digits: number) => (Number.isFinite(v) ? v.toFixed(digits) : String(v));
  d.acceptedPerChain.forEach((a, c) => {
    if (a === 0) out.push(`chain ${c + 1} never moved after burn-in (no proposal accepted): its draws are one repeated state`);
  });
  d.k.forEach(({ rhat, ess }, j) => {
    const name = coordinateNames?.[j] ?? (d.k.length > 1 ? `k[${j}]` : 'k');
    if (rhat > RHAT_LIMIT) out.push(`split-R̂ of ${name} is ${fmt(rhat, 3)} (> ${RHAT_LIMIT}): the chains disagree about the number of knots`);
    if (ess < ESS_LIMIT) out.push(`ESS of ${name} is ${fmt(ess, 0)} (< ${ESS_LIMIT})`);
  });
  for (const { point, rhat, ess } of d.f) {
    const at = `f(${point.map((v) => v.toPrecision(4)).join(', ')})`;
    if (rhat > RHAT_LIMIT) out.push(`split-R̂ of ${at} is ${fmt(rhat, 3)} (> ${RHAT_LIMIT})`);
    if (ess < ESS_LIMIT) out.push(`ESS of ${at} is ${fmt(ess, 0)} (< ${ESS_LIMIT})`);
  }
  return out;
}

/**
 * Birth and death probabilities of the reversible-jump sampler, and the knot-set prior's log
 * ratio that the acceptance then carries.
 *
 * 'balanced' (default): b_k = c for k < n, d_k = c for k > 0, relocation 1 − b_k − d_k.
 *   The prior ratio π(ξ')/π(ξ) and the proposal ratio enter the acceptance probability
 *   (Green 1995). Birth is proposed as often at γ = 2 as at γ = 1; a birth is then accepted when
 *   its likelihood gain pays for the prior's penalty, which a well-placed knot does.
 *
 * 'prior-free' (He, Yang & Kang, arXiv 2405.13353, §3; the authors' code):
 *     b_k = c·min{1, [(n−k)/(k+1)]^{1−γ}},   d_k = c·min{1, [k/(n−k+1)]^{1−γ}},
 *   chosen so that b_k·π(ξ)/(n−k) = d_{k+1}·π(ξ∪{t})/(k+1): with uniform targets the prior and
 *   proposal cancel and acceptance is the likelihood ratio alone. The price: at γ > 1 a birth is
 *   proposed with probability c·[(n−k)/(k+1)]^{1−γ}, ≈ 0.0006 at k = 1, n = 1000, γ = 2, so a
 *   chain that starts with too few knots almost never proposes the ones it lacks.
 *
 * b_n = 0 and d_0 = 0 in both (the prior-free formula gives 0^0 = 1 at γ = 1, which would propose
 * impossible moves). Both need c ≤ 1/2.
 *
 * @example birthProbability(0, 1000, 1, 0.3) // 0.3
 */
import { checkInt, checkNumber, checkOneOf } from '../core/validate.js';
import { logChoose } from './special-functions.js';

export type MoveScheme = 'balanced' | 'prior-free';

/**
 * The arguments shared by b_k and d_k: a grid of n ≥ 0 points, 0 ≤ k ≤ n knots, γ ≥ 0 and
 * 0 ≤ c ≤ 1/2 (larger c would make b_k + d_k exceed 1). The sampler calls these every
 * iteration, so valid arguments pass one inline test (a few ns); only a failing call pays for
 * the checks that name the argument.
 */
function checkMoveArguments(k: unknown, n: unknown, gamma: unknown, c: unknown, scheme: unknown): void {
  if (Number.isSafeInteger(n) && Number.isInteger(k) && (k as number) >= 0 && (k as number) <= (n as number)
    && typeof gamma === 'number' && gamma >= 0 && gamma < Infinity && typeof c === 'number' && c >= 0 && c <= 0.5
    && (scheme === 'balanced' || scheme === 'prior-free')) return;
  checkInt('n', n, 0);
  checkInt('k', k, 0, n as number);
  checkNumber('gamma', gamma, 0);
  checkNumber('c', c, 0, 0.5);
  checkOneOf('scheme', scheme, ['balanced', 'prior-free']);
}

export function birthProbability(k: number, n: number, gamma: number, c: number, scheme: MoveScheme = 'prior-free'): number {
  checkMoveArguments(k, n, gamma, c, scheme);
  if (k >= n) return 0;
  if (scheme === 'balanced') return c;
  return c * Math.min(1, Math.pow((n - k) / (k + 1), 1 - gamma));
}

/** d_k (see birthProbability). @example deathProbability(0, 1000, 1, 0.3) // 0 */
export function deathProbability(k: number, n: number, gamma: number, c: number, scheme: MoveScheme = 'prior-free'): number {
  checkMoveArguments(k, n, gamma, c, scheme);
  if (k <= 0) return 0;
  if (scheme === 'balanced') return c;
  return c * Math.min(1, Math.pow(k / (n - k + 1), 1 - gamma));
}

/** log π(ξ') − log π(ξ) for a move from k to k' knots on a grid of n, π ∝ C(n, k)^{−γ}. */
export function logPriorRatio(k: number, kNew: number, n: number, gamma: number): number {
  checkInt('n', n, 0);
  checkInt('k', k, 0, n);
  checkInt('kNew', kNew, 0, n);
  checkNumber('gamma', gamma, 0);
  if (k === kNew || gamma === 0) return 0;
  return -gamma * (logChoose(n, kNew) - logChoose(n, k));
}

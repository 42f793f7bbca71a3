/**
 * The negative log-likelihood of one token under the model's logits: −log softmax(logits)[target],
 * computed in float64 with the max subtracted first (no overflow for large logits).
 *
 * @example
 * tokenNll(Float32Array.of(0, 0), 2, 1)   // ln 2
 */
import { badArgument } from '../core/errors.js';
import { checkInt, describe } from '../core/validate.js';

/** −log softmax(logits)[target] over n logits, in float64. */
export function tokenNll(logits: ArrayLike<number>, n: number, target: number): number {
  if (logits === null || typeof logits !== 'object' || typeof logits.length !== 'number') {
    throw badArgument(`logits must be an array of numbers, got ${describe(logits)}`);
  }
  checkInt('n', n, 1, logits.length);
  checkInt('target', target, 0, n - 1);
  let max = -Infinity;
  for (let i = 0; i < n; i++) if (logits[i] > max) max = logits[i];
  let sum = 0;
  for (let i = 0; i < n; i++) sum += Math.exp(logits[i] - max);
  return Math.log(sum) + max - logits[target];
}

/**
 * log Σ exp(xᵢ) without overflow or underflow.
 */
import { badArgument } from '../errors.js';
import { describe } from '../validate.js';

/**
 * log Σᵢ exp(xᵢ), computed as max + log1p(Σ_{i≠argmax} exp(xᵢ − max)) so that neither large
 * nor very negative log-weights overflow or vanish. −Infinity entries (zero weights) are
 * allowed; an empty input or all −Infinity gives −Infinity (the log of an empty sum); any
 * +Infinity gives +Infinity.
 *
 * @param values - log-weights (number[] or typed array); NaN is rejected.
 * @example
 * logSumExp([1000, 1000]);           // → 1000 + log 2
 * logSumExp([Math.log(1), Math.log(3)]);  // → log 4
 */
export function logSumExp(values: ArrayLike<number>): number {
  if (!(Array.isArray(values) || (ArrayBuffer.isView(values) && !(values instanceof DataView)))) {
    throw badArgument(`values must be an array or typed array of numbers, got ${describe(values)}`);
  }
  const n = values.length;
  let max = -Infinity, iMax = -1;
  for (let i = 0; i < n; i++) {
    const v = values[i];
    if (typeof v !== 'number' || Number.isNaN(v)) throw badArgument(`values[${i}] must be a number (not NaN), got ${describe(v)}`);
    if (v > max) { max = v; iMax = i; }
  }
  if (max === Infinity || max === -Infinity) return max;
  let s = 0;
  for (let i = 0; i < n; i++) if (i !== iMax) s += Math.exp(values[i] - max);
  return max + Math.log1p(s);
}

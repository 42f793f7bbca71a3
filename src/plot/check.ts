/**
 * Validation of plot inputs: every problem becomes a SparseInferenceError('BAD_ARGUMENT')
 * naming the offending argument (e.g. `series[1].y[7]`), never a chart full of NaN.
 */
import { checkOptions as checkKnownKeys } from '../core/options.js';
import { badArgument } from '../core/errors.js';
import { checkNumber, describe } from '../core/validate.js';

/** An array-like of finite numbers with at least `minLength` entries (and exactly `length` if given). */
export function checkValues(name: string, a: unknown, opts: { minLength?: number; length?: number; positive?: boolean; axis?: string } = {}): ArrayLike<number> {
  if (a === null || typeof a !== 'object' || typeof (a as ArrayLike<number>).length !== 'number') {
    throw badArgument(`${name} must be an array of numbers, got ${describe(a)}`);
  }
  const arr = a as ArrayLike<number>;
  const min = opts.minLength ?? 1;
  if (arr.length < min) throw badArgument(`${name} must have at least ${min} value${min === 1 ? '' : 's'}, got ${arr.length}`);
  if (opts.length !== undefined && arr.length !== opts.length) {
    throw badArgument(`${name} must have ${opts.length} values, got ${arr.length}`);
  }
  for (let i = 0; i < arr.length; i++) {
    const v = arr[i];
    if (typeof v !== 'number' || !Number.isFinite(v)) throw badArgument(`${name}[${i}] must be a finite number, got ${describe(v)}`);
    if (opts.positive && v <= 0) throw badArgument(`${name}[${i}] must be > 0 on a log axis (${opts.axis}), got ${v}`);
  }
  return arr;
}

/** An explicit axis domain [lo, hi] with lo < hi (and lo > 0 on a log axis). */
export function checkDomain(name: string, d: unknown, log: boolean): [number, number] {
  if (!Array.isArray(d) || d.length !== 2) throw badArgument(`${name} must be [lo, hi], got ${describe(d)}`);
  const lo = checkNumber(`${name}[0]`, d[0], log ? 0 : -Infinity, Infinity, { minExclusive: log });
  const hi = checkNumber(`${name}[1]`, d[1]);
  if (!(hi > lo)) throw badArgument(`${name} must have lo < hi, got [${lo}, ${hi}]`);
  return [lo, hi];
}

/** Optional text (title, axis label): a string or undefined. */
export function checkText(name: string, s: unknown): string | undefined {
  if (s === undefined) return undefined;
  if (typeof s !== 'string') throw badArgument(`${name} must be a string, got ${describe(s)}`);
  return s;
}

/** Chart width/height in pixels, default when undefined. */
export function checkSize(name: string, v: unknown, dflt: number): number {
  return v === undefined ? dflt : checkNumber(name, v, 120, 20000);
}

/** A required options object (or nested record) with only the keys in `validKeys`. */
export function checkOptions(name: string, o: unknown, validKeys: readonly string[]): void {
  if (o === null || typeof o !== 'object') throw badArgument(`${name} must be an options object, got ${describe(o)}`);
  checkKnownKeys(name, o, validKeys);
}

/**
 * Validation of numeric sample arrays for the statistics functions (internal).
 */
import { badArgument } from '../errors.js';
import { describe } from '../validate.js';

/** A readable, indexable sample: number[] or any numeric typed array. */
export type NumericArray = ArrayLike<number>;

/**
 * values must be a number[] or a typed array (not a DataView) of finite numbers, with at least
 * `minLength` elements.
 */
export function checkValues(name: string, values: unknown, minLength = 1): NumericArray {
  const ok = Array.isArray(values) || (ArrayBuffer.isView(values) && !(values instanceof DataView));
  if (!ok) throw badArgument(`${name} must be an array or typed array of numbers, got ${describe(values)}`);
  if (values instanceof BigInt64Array || values instanceof BigUint64Array) {
    throw badArgument(`${name} must hold numbers, not bigints`);
  }
  const a = values as NumericArray;
  if (a.length < minLength) throw badArgument(`${name} must have at least ${minLength} element${minLength === 1 ? '' : 's'}, got ${a.length}`);
  for (let i = 0; i < a.length; i++) {
    const v = a[i];
    if (typeof v !== 'number' || !Number.isFinite(v)) throw badArgument(`${name}[${i}] must be a finite number, got ${describe(v)}`);
  }
  return a;
}

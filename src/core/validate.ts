/**
 * Input validation used by every public entry point. Each check throws
 * SparseInferenceError('BAD_ARGUMENT') with a message that names the argument,
 * so that nothing downstream fails as a WASM trap or silently returns NaN.
 */
import { badArgument } from './errors.js';

export type FloatArray = Float32Array | Float64Array;

/** n must be an integer in [min, max]. */
export function checkInt(name: string, n: unknown, min = 0, max = Number.MAX_SAFE_INTEGER): number {
  if (typeof n !== 'number' || !Number.isInteger(n)) {
    throw badArgument(`${name} must be an integer, got ${describe(n)}`);
  }
  if (n < min || n > max) {
    throw badArgument(`${name} must be in [${min}, ${max}], got ${n}`);
  }
  return n;
}

/** x must be a finite number in [min, max] (bounds inclusive unless told otherwise). */
export function checkNumber(
  name: string, x: unknown, min = -Infinity, max = Infinity,
  opts: { minExclusive?: boolean; maxExclusive?: boolean } = {},
): number {
  if (typeof x !== 'number' || !Number.isFinite(x)) {
    throw badArgument(`${name} must be a finite number, got ${describe(x)}`);
  }
  const lowOk = opts.minExclusive ? x > min : x >= min;
  const highOk = opts.maxExclusive ? x < max : x <= max;
  if (!lowOk || !highOk) {
    const lo = opts.minExclusive ? '(' : '[';
    const hi = opts.maxExclusive ? ')' : ']';
    throw badArgument(`${name} must be in ${lo}${min}, ${max}${hi}, got ${x}`);
  }
  return x;
}

/** Value must be one of the listed choices. */
export function checkOneOf<T extends string>(name: string, value: unknown, choices: readonly T[]): T {
  if (typeof value !== 'string' || !(choices as readonly string[]).includes(value)) {
    throw badArgument(`${name} must be one of ${choices.map((c) => `'${c}'`).join(', ')}, got ${describe(value)}`);
  }
  return value as T;
}

/** a must be a Float32Array (or Float64Array when allowed) of at least `length` elements. */
export function checkFloat32(name: string, a: unknown, length?: number): Float32Array {
  if (!(a instanceof Float32Array)) throw badArgument(`${name} must be a Float32Array, got ${describe(a)}`);
  if (length !== undefined) checkLength(name, a, length);
  return a;
}

export function checkFloat64(name: string, a: unknown, length?: number): Float64Array {
  if (!(a instanceof Float64Array)) throw badArgument(`${name} must be a Float64Array, got ${describe(a)}`);
  if (length !== undefined) checkLength(name, a, length);
  return a;
}

export function checkInt32(name: string, a: unknown, length?: number): Int32Array {
  if (!(a instanceof Int32Array)) throw badArgument(`${name} must be an Int32Array, got ${describe(a)}`);
  if (length !== undefined) checkLength(name, a, length);
  return a;
}

/** Typed array must hold at least `length` elements. */
export function checkLength(name: string, a: ArrayLike<unknown>, length: number): void {
  if (a.length < length) {
    if (ArrayBuffer.isView(a) && a.buffer.byteLength === 0) {
      throw badArgument(`${name} is a detached view (its WASM memory grew after view() was taken): call view() again`);
    }
    throw badArgument(`${name} must have at least ${length} elements, got ${a.length}`);
  }
}

/** Every element must be finite (no NaN, no ±Infinity). O(n): use at API boundaries, not in kernels. */
export function checkFinite(name: string, a: ArrayLike<number>, length = a.length): void {
  for (let i = 0; i < length; i++) {
    const v = a[i];
    if (!Number.isFinite(v)) throw badArgument(`${name}[${i}] must be finite, got ${v}`);
  }
}

/** Every index must be an integer in [0, bound). */
export function checkIndices(name: string, idx: ArrayLike<number>, count: number, bound: number): void {
  for (let i = 0; i < count; i++) {
    const v = idx[i];
    if (!Number.isInteger(v) || v < 0 || v >= bound) {
      throw badArgument(`${name}[${i}] must be an index in [0, ${bound}), got ${v}`);
    }
  }
}

/** Two arrays that must not share memory (an output aliasing an input). */
export function checkNoAlias(nameA: string, a: ArrayBufferView, nameB: string, b: ArrayBufferView): void {
  if (a.buffer !== b.buffer) return;
  const aEnd = a.byteOffset + a.byteLength;
  const bEnd = b.byteOffset + b.byteLength;
  if (a.byteOffset < bEnd && b.byteOffset < aEnd) {
    throw badArgument(`${nameA} must not overlap ${nameB}`);
  }
}

/** A short description of a value for error messages. */
export function describe(v: unknown): string {
  if (v === null) return 'null';
  if (v === undefined) return 'undefined';
  if (typeof v === 'number') return String(v);
  if (typeof v === 'string') return `'${v.length > 40 ? v.slice(0, 40) + '…' : v}'`;
  if (ArrayBuffer.isView(v)) return `${v.constructor.name}(${'length' in v ? String(v.length) : v.byteLength})`;
  if (Array.isArray(v)) return `Array(${v.length})`;
  return typeof v;
}

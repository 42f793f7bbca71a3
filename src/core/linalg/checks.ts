/**
 * Argument checks shared by the dense linear-algebra functions (internal).
 */
import { badArgument } from '../errors.js';
import { checkFinite, checkFloat64, checkInt, checkNoAlias } from '../validate.js';

/**
 * T must be an n*n Float64Array whose lower (or upper) triangle is finite with a non-zero
 * diagonal, i.e. a non-singular triangular matrix. The other triangle is ignored.
 */
export function checkTriangular(name: string, T: unknown, n: number, lower: boolean): Float64Array {
  checkInt('n', n, 1);
  const M = checkFloat64(name, T, n * n);
  for (let i = 0; i < n; i++) {
    const from = lower ? i * n : i * n + i;
    const to = lower ? i * n + i + 1 : (i + 1) * n;
    for (let q = from; q < to; q++) {
      if (!Number.isFinite(M[q])) throw badArgument(`${name}[${i}, ${q - i * n}] must be finite, got ${M[q]}`);
    }
    if (M[i * n + i] === 0) throw badArgument(`${name} is singular: diagonal entry ${name}[${i}, ${i}] is 0`);
  }
  return M;
}

/** b must be a finite Float64Array of length ≥ n. */
export function checkVector(name: string, b: unknown, n: number): Float64Array {
  const v = checkFloat64(name, b, n);
  checkFinite(name, v, n);
  return v;
}

/**
 * Optional output of length ≥ len: allocated when absent; may be the very same array as
 * `sameOk` (in-place use) but must not partially overlap any of `others`.
 */
export function outputArray(
  out: Float64Array | undefined, len: number, sameOk: Float64Array | null,
  others: [string, Float64Array][],
): Float64Array {
  if (out === undefined) return new Float64Array(len);
  checkFloat64('out', out, len);
  for (const [name, a] of others) {
    if (a === sameOk && out === a) continue;
    checkNoAlias('out', out, name, a);
  }
  return out;
}

/**
 * Hostile arguments for the public-API fuzz suite, as fast-check arbitraries. A call's first
 * argument is always one that no export of the library accepts (a non-finite, negative
 * fractional or absurdly large number), so a normal return is "bad input accepted"; the other
 * arguments come from the wider hostile set (wrong types and lengths, NaN/±Inf, empty, huge,
 * null, aborted signals, unknown or out-of-range options).
 */
import fc from 'fast-check';

/** Values that are wrong for every parameter of every export. */
export const NEVER_VALID: fc.Arbitrary<unknown> = fc.constantFrom(NaN, -Infinity, -1.5, 1e300);

const abortedSignal = (): AbortSignal => AbortSignal.abort(new Error('fuzz: aborted before the call'));

/** Everything a careless or hostile caller might pass in any position. */
export const HOSTILE: fc.Arbitrary<unknown> = fc.oneof(
  fc.constantFrom<unknown>(undefined, null, NaN, Infinity, -Infinity, -1, 0, 1.5, 2 ** 31, 2 ** 53, '', 'x', 'fast', true),
  fc.constantFrom(0, 1, 3, 17).map((n) => new Float32Array(n).fill(NaN)),
  fc.constantFrom(0, 1, 5).map((n) => new Float64Array(n).fill(Infinity)),
  fc.constantFrom(0, 2).map((n) => new Int32Array(n).fill(-(2 ** 31))),
  fc.constantFrom<unknown[]>([], [NaN], [1, 2, 3], ['a']),
  fc.constantFrom<object>({}, { bogus: 1 }, { iterations: -1 }, { chains: 1e9 }, { seed: NaN }, { backend: 'nope' }),
  fc.constant(null).map(() => ({ signal: abortedSignal() })),
  fc.constant(null).map(() => abortedSignal()),
);

/**
 * One hostile argument list for a function of `arity` declared parameters: a never-valid first
 * argument and hostile others ('invalid-first'), or hostile values throughout ('any').
 */
export function hostileArgs(arity: number, mode: 'invalid-first' | 'any' = 'invalid-first'): fc.Arbitrary<unknown[]> {
  const n = Math.max(1, Math.min(arity, 6));
  if (mode === 'any') return fc.array(HOSTILE, { minLength: n, maxLength: n + 1 });
  return fc.tuple(NEVER_VALID, fc.array(HOSTILE, { minLength: n - 1, maxLength: n }))
    .map(([first, others]) => [first, ...others]);
}

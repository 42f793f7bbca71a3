/**
 * Options objects: the one shape every public entry point takes for its optional settings.
 *
 * `null` and `undefined` mean "no options" (`{}`); anything that is not a plain object is
 * rejected, and so is a key the function does not know, with the valid keys listed, so that a
 * misspelling such as `{ iteratons: 10 }` fails loudly instead of silently running the default.
 */
import { badArgument } from './errors.js';
import { describe } from './validate.js';

/**
 * Returns `options` (or `{}` for null/undefined) after checking that it is a plain object whose
 * keys are all in `validKeys`. `name` is how the argument is called in messages ('options',
 * 'fitKnots options', ...). An explicit `undefined` under a misspelt key is still rejected.
 *
 * @example
 * const o = checkOptions('fitKnots options', options, ['chains', 'iterations', 'signal']);
 */
export function checkOptions<T extends object>(
  name: string, options: T | null | undefined, validKeys: readonly string[],
): T {
  if (options === null || options === undefined) return {} as T;
  if (typeof options !== 'object' || Array.isArray(options) || ArrayBuffer.isView(options)) {
    throw badArgument(`${name} must be an options object, got ${describe(options)}`);
  }
  for (const key of Object.keys(options)) {
    if (!validKeys.includes(key)) {
      throw badArgument(
        `${name} has an unknown option '${key}'; valid options are ${validKeys.map((k) => `'${k}'`).join(', ')}`,
      );
    }
  }
  return options;
}

/** The options every long-running function accepts: a progress callback and a cancel signal. */
export interface LongRunOptions {
  /** Called with the fraction done in [0, 1] and, where it helps, what is being worked on. */
  onProgress?: (fraction: number, label?: string) => void;
  /** Stops the work within ~250 ms; the promise rejects with code 'ABORTED'. */
  signal?: AbortSignal;
}

/** The keys of LongRunOptions, to spread into a function's list of valid keys. */
export const LONG_RUN_KEYS = ['onProgress', 'signal'] as const;

/**
 * The keys of an options interface, as a list for `checkOptions`. The argument names every key
 * of `T` (each mapped to `true`), so the compiler rejects a list that misses a key the interface
 * gained or names one it lost: the runtime check cannot drift from the type.
 *
 * @example
 * const KMEANS_KEYS = optionKeys<KMeansOptions>({ k: true, seed: true, ... });
 */
export function optionKeys<T extends object>(keys: { [K in keyof Required<T>]: true }): readonly string[] {
  return Object.freeze(Object.keys(keys));
}

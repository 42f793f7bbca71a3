/**
 * Bad input must surface as SparseInferenceError('BAD_ARGUMENT') naming the argument — never
 * a WebAssembly trap (RuntimeError), a TypeError from deep inside, or silent garbage.
 */
import { SparseInferenceError } from '../../src/core/errors.js';

/** Expects fn to throw BAD_ARGUMENT whose message names `argument` (as a whole word). */
export function expectBadArgument(fn: () => unknown, argument: string): void {
  let thrown: unknown = null;
  try {
    fn();
  } catch (e) {
    thrown = e;
  }
  if (thrown === null) throw new Error(`expected a BAD_ARGUMENT error naming '${argument}', but the call returned`);
  if (!(thrown instanceof SparseInferenceError)) {
    throw new Error(`expected SparseInferenceError naming '${argument}', got ${String(thrown)}`);
  }
  if (thrown.code !== 'BAD_ARGUMENT') throw new Error(`expected code BAD_ARGUMENT, got ${thrown.code}: ${thrown.message}`);
  const word = new RegExp(`(^|[^A-Za-z0-9_])${argument.replace(/[*]/g, '\\*')}([^A-Za-z0-9_]|$)`);
  if (!word.test(thrown.message)) {
    throw new Error(`expected the message to name '${argument}', got: ${thrown.message}`);
  }
}

/** expectBadArgument for a call on any backend: fn must throw, or its Promise reject, with BAD_ARGUMENT naming `argument`. */
export async function expectBadArgumentAsync(fn: () => unknown, argument: string): Promise<void> {
  let error: unknown = null;
  try {
    await fn();
  } catch (e) {
    error = e;
  }
  expectBadArgument(() => { if (error !== null) throw error; }, argument);
}

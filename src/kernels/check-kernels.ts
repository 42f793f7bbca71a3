/**
 * Validation of a `kernels` argument: algorithms take a Kernels object (or AsyncKernels where
 * they say so), and anything else — a number, an options object, an unloaded promise — is
 * BAD_ARGUMENT naming the argument instead of a TypeError from deep inside ("allocF32 is not a
 * function"). O(1): looks at the provenance fields and one method.
 */
import { badArgument } from '../core/errors.js';
import { describe } from '../core/validate.js';
import type { Kernels } from './kernels.js';
import type { AsyncKernels } from './async-kernels.js';

function looksLikeKernels(k: unknown): k is { backend: unknown; allocF32: unknown; dot: unknown } {
  return typeof k === 'object' && k !== null && typeof (k as { backend?: unknown }).backend === 'string'
    && typeof (k as { allocF32?: unknown }).allocF32 === 'function' && typeof (k as { dot?: unknown }).dot === 'function';
}

/**
 * k must be Kernels (from createKernels). AsyncKernels pass this check: the entry points that
 * need synchronous kernels say so themselves (UNAVAILABLE, naming their async counterpart).
 */
export function checkKernels(name: string, k: unknown): Kernels {
  if (!looksLikeKernels(k)) {
    throw badArgument(`${name} must be Kernels from createKernels(), got ${k instanceof Promise ? 'a Promise (await createKernels())' : describe(k)}`);
  }
  return k as unknown as Kernels;
}

/** k must be Kernels or AsyncKernels (from createKernels or createAsyncKernels). */
export function checkAnyKernels(name: string, k: unknown): Kernels | AsyncKernels {
  if (!looksLikeKernels(k)) {
    throw badArgument(`${name} must be Kernels or AsyncKernels (createKernels / createAsyncKernels), got ${k instanceof Promise ? 'a Promise (await it)' : describe(k)}`);
  }
  return k as unknown as Kernels | AsyncKernels;
}

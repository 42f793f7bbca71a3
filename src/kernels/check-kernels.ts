/**
 * Validation of a `kernels` argument: algorithms take Kernels (or CpuKernels where they need
 * results at once), and anything else — a number, an options object, an unloaded promise — is
 * BAD_ARGUMENT naming the argument instead of a TypeError from deep inside ("allocF32 is not a
 * function"). O(1): looks at the provenance fields and one method.
 */
import { SparseInferenceError, badArgument } from '../core/errors.js';
import { describe } from '../core/validate.js';
import type { CpuKernels, Kernels } from './kernels.js';

function looksLikeKernels(k: unknown): k is Kernels {
  return typeof k === 'object' && k !== null && typeof (k as { backend?: unknown }).backend === 'string'
    && typeof (k as { allocF32?: unknown }).allocF32 === 'function' && typeof (k as { dot?: unknown }).dot === 'function';
}

/**
 * True for CPU kernels (reference, wasm, threads), whose methods return their results at once.
 * @example const X = isCpuKernels(k) ? k.allocF32(n * d).view() : new Float32Array(n * d);
 */
export function isCpuKernels(k: Kernels): k is CpuKernels {
  // A type guard answers false for anything else, null and undefined included.
  return typeof k === 'object' && k !== null && (k as { cpu?: unknown }).cpu === true;
}

/** k must be Kernels (from createKernels), of any backend. */
export function checkKernels(name: string, k: unknown): Kernels {
  if (!looksLikeKernels(k)) {
    throw badArgument(`${name} must be Kernels from createKernels(), got ${k instanceof Promise ? 'a Promise (await createKernels())' : describe(k)}`);
  }
  return k;
}

/** @deprecated The same as checkKernels (every backend has one interface now). */
export const checkAnyKernels = checkKernels;

/**
 * k must be CPU kernels (reference, wasm, threads): for code that needs kernel results at once.
 * Kernels of another backend (webgpu) are UNAVAILABLE, naming `name`.
 */
export function checkCpuKernels(name: string, k: unknown): CpuKernels {
  const kernels = checkKernels(name, k);
  if (!isCpuKernels(kernels)) throw needsCpuKernels(`${name} (${kernels.backend})`);
  return kernels;
}

/** Thrown by code that needs CPU kernels (results at once) when it is handed others. */
export function needsCpuKernels(what: string): SparseInferenceError {
  return new SparseInferenceError('UNAVAILABLE',
    `${what} needs synchronous kernels (a CPU backend); run it through its async entry point to use an asynchronous backend`);
}

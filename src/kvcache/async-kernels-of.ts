/**
 * Transitional: the kvcache algorithms are one async function each, written against
 * `AsyncKernels`; public entry points that still accept synchronous CPU `Kernels` turn them
 * into the async adapter here, once, at entry (not per call).
 */
import type { Kernels } from '../kernels/kernels.js';
import { isAsyncKernels, toAsyncKernels, type AsyncKernels } from '../kernels/async-kernels.js';
import { checkAnyKernels } from '../kernels/check-kernels.js';

/** `kernels` as AsyncKernels (the same object when it already is). @example const k = asyncKernelsOf(cpu); */
export function asyncKernelsOf(kernels: Kernels | AsyncKernels): AsyncKernels {
  checkAnyKernels('kernels', kernels);
  return isAsyncKernels(kernels) ? kernels : toAsyncKernels(kernels);
}

/**
 * Transitional, until the one `Kernels` interface lands: the kvcache algorithms are one async
 * function each, written against `AsyncKernels`; public entry points that still accept
 * synchronous CPU `Kernels` take them here, once, at entry. CPU kernels already follow the
 * calling convention those functions rely on — every call's result is `await`ed (a value
 * awaits as itself) and their arrays are resident views — so they are used as they are,
 * without the per-call Promise wrapper of `toAsyncKernels`: that is the shape the one
 * interface gives them (CPU backends return R, the GPU a Promise of R).
 */
import type { Kernels } from '../kernels/kernels.js';
import { isAsyncKernels, type AsyncKernels } from '../kernels/async-kernels.js';
import { checkAnyKernels } from '../kernels/check-kernels.js';

/** `kernels` as AsyncKernels (the same object when it already is). @example const k = asyncKernelsOf(cpu); */
export function asyncKernelsOf(kernels: Kernels | AsyncKernels): AsyncKernels {
  checkAnyKernels('kernels', kernels);
  return isAsyncKernels(kernels) ? kernels : (kernels as unknown as AsyncKernels);
}

/**
 * @deprecated createKernels (./create-kernels.ts) gives every backend, webgpu included.
 *
 * createAsyncKernels is createKernels with CPU kernels behind `toAsyncKernels` (their results
 * arrive as promises), kept while code written for the former asynchronous interface moves to
 * `Kernels`: tests use it to drive an algorithm's asynchronous path on a CPU backend.
 */
import { toAsyncKernels, type AsyncKernels } from '../kernels/async-kernels.js';
import { isCpuKernels } from '../kernels/check-kernels.js';
import type { Kernels } from '../kernels/kernels.js';
import { createKernels, type CreateKernelsOptions } from './create-kernels.js';
import { checkOptions } from '../core/options.js';
import { CREATE_KERNELS_KEYS } from './create-kernels.js';

/** @deprecated CreateKernelsOptions. */
export type CreateAsyncKernelsOptions = CreateKernelsOptions;
/** @deprecated CREATE_KERNELS_KEYS. */
export const CREATE_ASYNC_KERNELS_KEYS = CREATE_KERNELS_KEYS;

const deferred = new WeakMap<Kernels, AsyncKernels>();

/** @deprecated createKernels; CPU kernels come behind toAsyncKernels (one wrapper per instance). */
export function createAsyncKernels(options: CreateKernelsOptions = {}): Promise<AsyncKernels> {
  // Bad options throw here, synchronously, as createKernels's do.
  return createKernels(checkOptions('createAsyncKernels options', options, CREATE_KERNELS_KEYS)).then((k) => {
    if (!isCpuKernels(k)) return k;
    let d = deferred.get(k);
    if (!d) deferred.set(k, (d = toAsyncKernels(k)));
    return d;
  });
}

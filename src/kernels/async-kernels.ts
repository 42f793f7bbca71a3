/**
 * Transitional names from when asynchronous kernels had their own interface. Every backend now
 * implements the one `Kernels` interface (kernels.ts): `AsyncKernels` is that interface, and
 * `toAsyncKernels` gives CPU kernels whose results arrive as promises — the GPU's timing on a
 * CPU backend, which tests use to drive an algorithm's asynchronous path bit for bit against
 * its CPU result.
 */
import { describe } from '../core/validate.js';
import { checkKernels, isCpuKernels, needsCpuKernels } from './check-kernels.js';
import { perKernel } from './reference/index.js';
import { outputPositions } from './define-kernel.js';
import type { KernelMethods, KernelName, Kernels, ResidentArray } from './kernels.js';
import { SparseInferenceError, badArgument } from '../core/errors.js';
import { hostResidentArray } from './resident-array.js';

export { isDeviceArray, checkRange, type DeviceArray, type F32Arg, type I32Arg } from './device-array.js';

/** @deprecated Kernels is the one interface for every backend. */
export type AsyncKernels = Kernels;
/** @deprecated KernelMethods. */
export type AsyncKernelFunctions = KernelMethods;

/**
 * Which parameters each kernel writes (indices into its argument list, from the descriptors): a
 * device array in one of these positions is written back after a CPU fallback runs on a host copy.
 */
export const KERNEL_OUTPUTS: Readonly<Record<KernelName, readonly number[]>> = perKernel(outputPositions);

/**
 * True for kernels whose results may arrive later (not CPU kernels).
 * @deprecated `!isCpuKernels(k)`.
 */
export function isAsyncKernels(k: Kernels): boolean {
  return typeof k === 'object' && k !== null && !isCpuKernels(k);
}

/**
 * A ResidentArray over a plain host array.
 * @deprecated Allocate from CPU kernels, or keep host arrays as host arrays.
 */
export function hostResident<T extends Float32Array | Int32Array>(a: T): ResidentArray<T> {
  if (!(a instanceof Float32Array) && !(a instanceof Int32Array)) throw badArgument(`a must be a Float32Array or an Int32Array, got ${describe(a)}`);
  return hostResidentArray<T>((a instanceof Float32Array ? 'f32' : 'i32') as never, a);
}

/**
 * CPU kernels whose results arrive as promises (resolved at once; errors as rejected ones):
 * the webgpu backend's timing on a CPU backend. Device arrays are the backend's own.
 *
 * @example
 * const k = toAsyncKernels(await createKernels({ backend: 'wasm' }));
 * const n = await k.spvmm(x, W, y, rows, cols);
 */
export function toAsyncKernels(kernels: Kernels): Kernels {
  checkKernels('kernels', kernels);
  if (!isCpuKernels(kernels)) throw badArgument('kernels are already asynchronous');
  const fns = {} as Record<string, (...args: unknown[]) => Promise<unknown>>;
  for (const name of Object.keys(KERNEL_OUTPUTS) as KernelName[]) {
    const f = kernels[name] as (...args: unknown[]) => unknown;
    fns[name] = (...args: unknown[]) => {
      try {
        return Promise.resolve(f.apply(kernels, args));
      } catch (e) {
        return Promise.reject(e);
      }
    };
  }
  return {
    ...(fns as unknown as KernelMethods),
    cpu: false,
    backend: kernels.backend,
    variant: kernels.variant,
    native: kernels.native,
    device: kernels.device,
    allocF32: (length: number) => kernels.allocF32(length),
    allocI32: (length: number) => kernels.allocI32(length),
  };
}

/** @deprecated needsCpuKernels (check-kernels.ts). */
export function needsSyncKernels(what: string): SparseInferenceError {
  return needsCpuKernels(what);
}

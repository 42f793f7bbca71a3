/**
 * Calling kernels without knowing whether they are synchronous: the llama runtime issues the
 * same kernel calls on `Kernels` (typed-array arguments, results now) and on `AsyncKernels`
 * (device-array arguments, results as Promises that settle in program order). TypeScript cannot
 * call a union of the two signatures with union arguments, so this view types every kernel as
 * accepting either and returning `unknown` — the caller never uses a result on the hot path
 * except through `issued` callbacks that collect the promises.
 */
import type { Kernels } from '../kernels/kernels.js';
import type { AsyncKernelFunctions, AsyncKernels, DeviceArray } from '../kernels/async-kernels.js';

/** A Float32 buffer the runtime hands to kernels: a (resident) typed array or a device array. */
export type F32Buffer = Float32Array | DeviceArray<Float32Array>;

/** Every kernel, accepting host or device arrays, returning a value or a Promise. */
export type AnyKernels = { [K in keyof AsyncKernelFunctions]: (...args: Parameters<AsyncKernelFunctions[K]>) => unknown };

/** The kernels of either kind, typed for calls with F32Buffer arguments. */
export function asAnyKernels(k: Kernels | AsyncKernels): AnyKernels {
  return k as unknown as AnyKernels;
}

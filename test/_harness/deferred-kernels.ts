/**
 * CPU kernels whose results arrive as promises (resolved at once; errors as rejected ones): the
 * webgpu backend's timing on a CPU backend, so a test can drive an algorithm's asynchronous path
 * and compare it bit for bit with the same algorithm on the CPU kernels themselves. Device
 * arrays are the CPU backend's own (`cpu: false` keeps the algorithms off their host fast paths).
 *
 * @example
 * const k = deferredKernels(await createKernels({ backend: 'wasm' }));
 * const n = await k.spvmm(x, W, y, rows, cols);
 */
import { KERNEL_NAMES, type CpuKernels, type KernelMethods, type Kernels } from '../../src/kernels/kernels.js';

const cache = new WeakMap<CpuKernels, Kernels>();

/** The deferred face of `kernels` (one per instance, so identity comparisons hold). */
export function deferredKernels(kernels: CpuKernels): Kernels {
  if (!kernels.cpu) throw new Error('deferredKernels takes CPU kernels');
  let d = cache.get(kernels);
  if (d !== undefined) return d;
  const methods: Partial<Record<string, (...args: unknown[]) => Promise<unknown>>> = {};
  for (const name of KERNEL_NAMES) {
    const f = kernels[name] as (...args: unknown[]) => unknown;
    methods[name] = (...args) => {
      try {
        return Promise.resolve(f.apply(kernels, args));
      } catch (e) {
        return Promise.reject(e);
      }
    };
  }
  d = {
    ...(methods as KernelMethods),
    cpu: false,
    backend: kernels.backend,
    variant: kernels.variant,
    native: kernels.native,
    device: kernels.device,
    allocF32: (length: number) => kernels.allocF32(length),
    allocI32: (length: number) => kernels.allocI32(length),
  };
  cache.set(kernels, d);
  return d;
}

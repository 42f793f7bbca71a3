/**
 * Argument checks at the entry of a component's `bind` (KvCache, Ffn, Projection): the model
 * always passes valid ones, but a component is public and may be bound by hand.
 */
import { badArgument } from '../core/errors.js';
import { describe } from '../core/validate.js';
import { checkKernels } from '../kernels/check-kernels.js';
import type { Kernels } from '../kernels/kernels.js';
import { isDeviceArray, type F32Arg } from '../kernels/device-array.js';
import { checkLlamaConfig } from './config.js';
import type { ModelShape, ModelWeights } from './components.js';

/** shape must be a model config (makeConfig) and kernels the kernels of some backend. */
export function checkBindArgs(shape: unknown, kernels: unknown): { shape: ModelShape; kernels: Kernels } {
  return { shape: checkLlamaConfig('shape', shape), kernels: checkKernels('kernels', kernels) };
}

/** weights must look like the model's ModelWeights (quantized flag, layer and matvec). */
export function checkModelWeights(weights: unknown): ModelWeights {
  const w = weights as Partial<ModelWeights> | null;
  if (w === null || typeof w !== 'object' || typeof w.quantized !== 'boolean' || typeof w.layer !== 'function' || typeof w.matvec !== 'function') {
    throw badArgument(`weights must be the model's ModelWeights (quantized, layer, matvec), got ${describe(weights)}`);
  }
  return w as ModelWeights;
}

/** a must be a host or device float array of n elements (a per-token argument of a component). */
export function checkComponentArray(what: string, a: F32Arg, n: number): void {
  if (!(a instanceof Float32Array) && !isDeviceArray(a)) throw badArgument(`${what} must be a Float32Array or a device array, got ${describe(a)}`);
  if (a.length !== n) throw badArgument(`${what} must have ${n} elements, got ${a.length}`);
}

/** dst ← src, checked (a device array is read back to the host). */
export async function readInto(what: string, src: F32Arg, dst: Float32Array): Promise<void> {
  checkComponentArray(what, src, dst.length);
  dst.set(src instanceof Float32Array ? src : await src.read());
}

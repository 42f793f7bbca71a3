/**
 * Device arrays of CPU backends live in host memory and expose it as `view()` (valid until the
 * next allocation on the backend); GPU device arrays do not. Code with a fast path over host
 * memory (the model's fused layer and block prefill) asks this.
 *
 * @example
 * const keys = hasView(kv.keys) ? kv.keys.view() : null;   // null on the GPU
 */
import type { DeviceArray } from '../kernels/device-array.js';

/** True when `a` is a device array whose elements can be viewed in place on the host. */
export function hasView<T extends Float32Array | Int32Array>(a: DeviceArray<T> | T): a is DeviceArray<T> & { view(): T } {
  return !ArrayBuffer.isView(a) && typeof (a as { view?: unknown }).view === 'function';
}

/**
 * Input-major copies of a model's stored (out × in) matrices, for the sparse components: spvmm
 * reads the rows of the input channels that survive, so it needs Wᵀ (in × out, row-major).
 * The model's weights are read-only to components, so the copy lives in the component's own
 * device array (uploaded once, at bind).
 */
import type { DeviceArray, F32Arg, Kernels } from '../kernels/kernels.js';
import { isDeviceArray } from '../kernels/device-array.js';
import { transpose } from './sparse-swiglu.js';

/** Wᵀ of the stored rows×cols matrix W, as a device array of `k` (cols×rows). */
export async function inputMajorCopy(k: Kernels, W: F32Arg, rows: number, cols: number): Promise<DeviceArray<Float32Array>> {
  const host = isDeviceArray(W) ? await W.read() : W;
  const t = new Float32Array(rows * cols);
  transpose(host, rows, cols, t);
  const d = k.allocF32(rows * cols);
  d.write(t);
  return d;
}

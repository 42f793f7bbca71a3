/**
 * createAsyncKernels: the asynchronous face of the same backend selection as createKernels
 * (./create-kernels.ts), the only one that can give the webgpu backend (GPU work completes after
 * the call that issues it). CPU backends come behind the trivial async adapter.
 *
 * - `backend: 'webgpu'`: the WebGPU backend, or SparseInferenceError('UNAVAILABLE') listing
 *   why there is no adapter (see backends/webgpu/device.ts for each runtime's requirements).
 * - `backend: 'auto'` (default): the best CPU backend — unless `preferGpu: true`, which puts
 *   webgpu first ([webgpu, wasm, reference]). A GPU is never chosen unasked: for small problems
 *   a CPU is faster, and a software adapter (SwiftShader, lavapipe) is much slower than wasm.
 * - a backend name or a priority list, as for createKernels.
 *
 * Memoised like createKernels: the same options give the same instance (except with 'threads').
 *
 * @example
 * const k = await createAsyncKernels({ preferGpu: true });
 * console.log(k.backend, k.device); // 'webgpu', 'NVIDIA H100 80GB HBM3 (nvidia, hopper)' — or 'wasm', 'wasm (simd)'
 */
import { toAsyncKernels, type AsyncKernels } from '../kernels/async-kernels.js';
import { backendList, createKernels, firstThatLoads, type CreateKernelsOptions } from './create-kernels.js';
import { checkInt, checkOneOf } from '../core/validate.js';
import { badArgument } from '../core/errors.js';
import { acquireGpu, type GpuHandle } from './webgpu/device.js';
import { GpuContext } from './webgpu/gpu-context.js';
import { DEFAULT_CPU_THRESHOLD, webgpuKernels } from './webgpu/kernels.js';
import { checkOptions, optionKeys } from '../core/options.js';
import type { WasmVariant } from './wasm/loader.js';

export interface CreateAsyncKernelsOptions extends CreateKernelsOptions {
  /** With 'auto': try WebGPU first (default false). */
  preferGpu?: boolean;
  /**
   * webgpu: calls whose work (elements streamed) is below this run on the CPU backend when
   * all their arrays are host arrays (default 65536 — a GPU round trip costs about 0.1 ms).
   * 0 sends everything the GPU can run to the GPU (the differential tests do).
   */
  cpuThreshold?: number;
}

/** Every key of CreateAsyncKernelsOptions, for checkOptions. */
export const CREATE_ASYNC_KERNELS_KEYS = optionKeys<CreateAsyncKernelsOptions>({
  backend: true, preferGpu: true, wasmVariant: true, cpuThreshold: true, threads: true, minStreamBytes: true, minFlops: true,
});

const cache = new Map<string, Promise<AsyncKernels>>();
const contexts = new WeakMap<GpuHandle, GpuContext>();

/** Get AsyncKernels from the first backend of `options.backend` that loads here. */
export function createAsyncKernels(options: CreateAsyncKernelsOptions = {}): Promise<AsyncKernels> {
  options = checkOptions('createAsyncKernels options', options, CREATE_ASYNC_KERNELS_KEYS);
  if (options.preferGpu !== undefined && typeof options.preferGpu !== 'boolean') {
    throw badArgument(`preferGpu must be a boolean, got ${typeof options.preferGpu}`);
  }
  const list = backendList(options.backend, options.preferGpu ? ['webgpu', 'wasm', 'reference'] : ['wasm', 'reference']);
  if (options.wasmVariant !== undefined) checkOneOf('wasmVariant', options.wasmVariant, ['simd', 'scalar'] as const);
  const cpuThreshold = checkInt('cpuThreshold', options.cpuThreshold ?? DEFAULT_CPU_THRESHOLD, 0);
  const { preferGpu: _p, cpuThreshold: _c, ...cpuOptions } = options;
  const loaders = list.map((b): [string, () => Promise<AsyncKernels>] => [b, b === 'webgpu'
    ? () => gpu(options.wasmVariant, cpuThreshold)
    : async () => toAsyncKernels(await createKernels({ ...cpuOptions, backend: b }))]);
  if (list.includes('threads')) return firstThatLoads(loaders);
  const key = `${list.join(',')}:${options.wasmVariant ?? ''}:${cpuThreshold}`;
  let p = cache.get(key);
  if (!p) {
    p = firstThatLoads(loaders);
    cache.set(key, p);
    p.catch(() => cache.delete(key));
  }
  return p;
}

async function gpu(wasmVariant: WasmVariant | undefined, cpuThreshold: number): Promise<AsyncKernels> {
  const handle = await acquireGpu();
  let ctx = contexts.get(handle);
  if (!ctx) contexts.set(handle, (ctx = new GpuContext(handle)));
  const cpu = await createKernels({ backend: 'auto', wasmVariant });
  return webgpuKernels(ctx, cpu, { cpuThreshold });
}

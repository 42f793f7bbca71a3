/**
 * createAsyncKernels: the asynchronous kernel set, on the GPU when asked for and available.
 *
 * - `backend: 'webgpu'`: the WebGPU backend, or SparseInferenceError('UNAVAILABLE') listing
 *   why there is no adapter (see backends/webgpu/device.ts for each runtime's requirements).
 * - `backend: 'auto'` (default): the best CPU backend behind the async adapter — unless
 *   `preferGpu: true`, which takes WebGPU when an adapter exists and falls back to the CPU
 *   silently otherwise. A GPU is never chosen unasked: for small problems a CPU is faster,
 *   and a software adapter (SwiftShader, lavapipe) is much slower than wasm.
 * - `backend: 'reference' | 'wasm'`: that CPU backend behind the async adapter.
 *
 * Memoised like createKernels: the same options give the same instance.
 *
 * @example
 * const k = await createAsyncKernels({ preferGpu: true });
 * console.log(k.backend, k.device); // 'webgpu', 'NVIDIA H100 80GB HBM3 (nvidia, hopper)' — or 'wasm', 'wasm (simd)'
 */
import type { BackendName } from './kernels.js';
import { toAsyncKernels, type AsyncKernels } from './async-kernels.js';
import { createKernels } from './create.js';
import { checkInt, checkOneOf } from '../core/validate.js';
import { badArgument } from '../core/errors.js';
import type { WasmVariant } from '../backends/wasm/loader.js';
import { acquireGpu, type GpuHandle } from '../backends/webgpu/device.js';
import { GpuContext } from '../backends/webgpu/gpu-context.js';
import { DEFAULT_CPU_THRESHOLD, webgpuKernels } from '../backends/webgpu/kernels.js';
import { checkOptions, optionKeys } from '../core/options.js';

export interface CreateAsyncKernelsOptions {
  /** 'auto' (default): a CPU backend, or WebGPU with `preferGpu`. */
  backend?: 'auto' | BackendName;
  /** With 'auto': use WebGPU when an adapter exists (default false). */
  preferGpu?: boolean;
  /** The wasm build for the CPU backend (and for webgpu's CPU fallback). */
  wasmVariant?: WasmVariant;
  /**
   * webgpu: calls whose work (elements streamed) is below this run on the CPU backend when
   * all their arrays are host arrays (default 65536 — a GPU round trip costs about 0.1 ms).
   * 0 sends everything the GPU can run to the GPU (the differential tests do).
   */
  cpuThreshold?: number;
}

/** Every key of CreateAsyncKernelsOptions, for checkOptions. */
export const CREATE_ASYNC_KERNELS_KEYS = optionKeys<CreateAsyncKernelsOptions>({ backend: true, preferGpu: true, wasmVariant: true, cpuThreshold: true });

const cache = new Map<string, Promise<AsyncKernels>>();
const contexts = new WeakMap<GpuHandle, GpuContext>();

/** Get an AsyncKernels; the same options return the same (memoised) instance. */
export function createAsyncKernels(options: CreateAsyncKernelsOptions = {}): Promise<AsyncKernels> {
  options = checkOptions('createAsyncKernels options', options, CREATE_ASYNC_KERNELS_KEYS);
  if (options === null || typeof options !== 'object') throw badArgument('options must be an object');
  const backend = checkOneOf('backend', options.backend ?? 'auto', ['auto', 'reference', 'wasm', 'webgpu'] as const);
  if (options.wasmVariant !== undefined) checkOneOf('wasmVariant', options.wasmVariant, ['simd', 'scalar'] as const);
  if (options.preferGpu !== undefined && typeof options.preferGpu !== 'boolean') {
    throw badArgument(`preferGpu must be a boolean, got ${typeof options.preferGpu}`);
  }
  const cpuThreshold = checkInt('cpuThreshold', options.cpuThreshold ?? DEFAULT_CPU_THRESHOLD, 0);
  const preferGpu = options.preferGpu ?? false;
  const key = `${backend}:${preferGpu}:${options.wasmVariant ?? ''}:${cpuThreshold}`;
  let p = cache.get(key);
  if (!p) {
    p = build(backend, preferGpu, options.wasmVariant, cpuThreshold);
    cache.set(key, p);
    p.catch(() => cache.delete(key));
  }
  return p;
}

async function build(backend: 'auto' | BackendName, preferGpu: boolean, wasmVariant: WasmVariant | undefined,
  cpuThreshold: number): Promise<AsyncKernels> {
  if (backend === 'webgpu') return gpu(wasmVariant, cpuThreshold);
  if (backend === 'auto' && preferGpu) {
    try {
      return await gpu(wasmVariant, cpuThreshold);
    } catch {
      // no adapter: the CPU is the best there is
    }
  }
  return toAsyncKernels(await createKernels({ backend, wasmVariant }));
}

async function gpu(wasmVariant: WasmVariant | undefined, cpuThreshold: number): Promise<AsyncKernels> {
  const handle = await acquireGpu();
  let ctx = contexts.get(handle);
  if (!ctx) contexts.set(handle, (ctx = new GpuContext(handle)));
  const cpu = await createKernels({ backend: 'auto', wasmVariant });
  return webgpuKernels(ctx, cpu, { cpuThreshold });
}

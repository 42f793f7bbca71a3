/**
 * Backend selection: the one place that knows every backend, and the one factory for all of
 * them. `createKernels({ backend })` takes a backend name or a priority list (onnxruntime-web's
 * executionProviders): the first backend that loads wins, and when none does the error lists
 * each one's reason.
 *
 *   'auto'       ['wasm', 'reference']: the fastest CPU backend this runtime has; with
 *                `preferGpu: true`, ['webgpu', 'wasm', 'reference']
 *   'reference'  plain TypeScript loops (the oracle)
 *   'wasm'       AssemblyScript SIMD (or scalar: `wasmVariant`)
 *   'threads'    the wasm SIMD kernels on several threads over one shared memory (`threads`,
 *                `minStreamBytes`, `minFlops`); not memoised — dispose() it when done
 *   'webgpu'     WGSL programs on the GPU (`cpuThreshold`); its kernels return promises
 * In a list, 'auto' stands for its backends: `[kernels.backend, 'auto']` is "the same backend as
 * those kernels, else the best CPU one" (a worker re-creating its parent's kernels).
 *
 * The return type says which kind of kernels came back: CpuKernels when only CPU backends were
 * named (results at once), Kernels otherwise (`isCpuKernels(k)` tells them apart at run time).
 * The same options give the same (memoised) kernels, except with 'threads'.
 *
 * @example
 * const k = await createKernels({ backend: ['threads', 'wasm'], threads: 4 }); // wasm where threads are missing
 * const g = await createKernels({ backend: ['webgpu', 'auto'] });              // the GPU, else the best CPU backend
 */
import type { CpuKernels, Kernels } from '../kernels/kernels.js';
import type { WasmVariant } from './wasm/loader.js';
import { referenceKernels, wasmKernels } from './cpu-backends.js';
import { acquireGpu, type GpuHandle } from './webgpu/device.js';
import { GpuContext } from './webgpu/gpu-context.js';
import { DEFAULT_CPU_THRESHOLD, webgpuKernels } from './webgpu/kernels.js';
import { createParallelKernels, type ParallelKernels } from './wasm-threads/create-parallel-kernels.js';
import { SparseInferenceError, badArgument } from '../core/errors.js';
import { checkInt, checkOneOf, describe } from '../core/validate.js';
import { checkOptions, optionKeys } from '../core/options.js';

/** A backend createKernels can be asked for by name. */
export type BackendChoice = 'reference' | 'wasm' | 'threads' | 'webgpu';
/** A backend whose kernels return their results at once. */
export type CpuBackendChoice = Exclude<BackendChoice, 'webgpu'>;

const CHOICES = ['reference', 'wasm', 'threads', 'webgpu'] as const;

export interface CreateKernelsOptions {
  /** A backend, a priority list of backends (first that loads wins), or 'auto' (default). */
  backend?: 'auto' | BackendChoice | readonly (BackendChoice | 'auto')[];
  /** With 'auto': try WebGPU first (default false: a GPU is never chosen unasked). */
  preferGpu?: boolean;
  /** For wasm (and webgpu's CPU fallback): force the 'simd' or 'scalar' build (default: best the runtime accepts). */
  wasmVariant?: WasmVariant;
  /** For threads: threads sharing a split call, the calling thread included (default: the cores, ≤ 16). */
  threads?: number;
  /** For threads: bytes a streaming kernel must stream before it is split (default 4 MiB). */
  minStreamBytes?: number;
  /** For threads: weight-block bytes a quantized matrix product must read before it is split (default 128 KiB). */
  minQuantizedBytes?: number;
  /** For threads: flops an l2sqrBatch/argminL2 call must do before it is split (default 2²²). */
  minFlops?: number;
  /**
   * For webgpu: calls whose work (elements streamed) is below this run on the CPU backend when
   * all their arrays are host arrays (default 65536 — a GPU round trip costs about 0.1 ms).
   * 0 sends everything the GPU can run to the GPU (the differential tests do).
   */
  cpuThreshold?: number;
}

/** Options that can only give CPU kernels. */
export type CreateCpuKernelsOptions = Omit<CreateKernelsOptions, 'backend' | 'preferGpu'> & {
  backend?: 'auto' | CpuBackendChoice | readonly (CpuBackendChoice | 'auto')[];
  preferGpu?: false;
};

/** Every key of CreateKernelsOptions, for checkOptions. */
export const CREATE_KERNELS_KEYS = optionKeys<CreateKernelsOptions>({
  backend: true, preferGpu: true, wasmVariant: true, threads: true, minStreamBytes: true, minQuantizedBytes: true, minFlops: true, cpuThreshold: true,
});
/**
 * The CPU backends among `backends`, in order ('auto' when none is left): for CPU work on behalf
 * of kernels of any backend (a knot chain in a worker re-creating its parent's kernels).
 */
export function cpuBackends(backends: readonly (BackendChoice | 'auto')[]): (CpuBackendChoice | 'auto')[] {
  const cpu = backends.filter((b): b is CpuBackendChoice | 'auto' => b !== 'webgpu');
  return cpu.length > 0 ? cpu : ['auto'];
}

/** The backends `backend` names, in priority order (checked). */
export function backendList(backend: unknown, auto: readonly BackendChoice[]): readonly BackendChoice[] {
  if (backend === undefined || backend === 'auto') return auto;
  if (typeof backend === 'string') return [checkOneOf('backend', backend, CHOICES)];
  if (!Array.isArray(backend) || backend.length === 0) {
    throw badArgument(`backend must be 'auto', a backend name or a non-empty list of them, got ${describe(backend)}`);
  }
  const list = backend.flatMap((b, i) => (b === 'auto' ? auto : [checkOneOf(`backend[${i}]`, b, CHOICES)]));
  return list.filter((b, i) => list.indexOf(b) === i); // each backend once, at its first place
}

/**
 * Try each loader in order; the first that resolves wins. When all fail: one backend's own error
 * as it is, or for several, one UNAVAILABLE error listing each backend's reason.
 */
export async function firstThatLoads<T>(loaders: readonly [string, () => Promise<T>][]): Promise<T> {
  const reasons: string[] = [];
  let only: unknown = null;
  for (const [name, load] of loaders) {
    try {
      return await load();
    } catch (e) {
      if (e instanceof SparseInferenceError && e.code === 'BAD_ARGUMENT') throw e; // a bad option, not a missing backend
      only = e;
      reasons.push(`${name}: ${(e as Error).message}`);
    }
  }
  if (loaders.length === 1) throw only;
  throw new SparseInferenceError('UNAVAILABLE', `no kernel backend loaded (tried ${loaders.map(([n]) => n).join(', ')}): ${reasons.join('; ')}`);
}

const cache = new Map<string, Promise<Kernels>>();
const contexts = new WeakMap<GpuHandle, GpuContext>();

/** Get kernels from the first backend of `options.backend` that loads here. */
export function createKernels(options: CreateKernelsOptions & { backend: 'threads' }): Promise<ParallelKernels>;
export function createKernels(options?: CreateCpuKernelsOptions): Promise<CpuKernels>;
export function createKernels(options?: CreateKernelsOptions): Promise<Kernels>;
export function createKernels(options: CreateKernelsOptions = {}): Promise<Kernels> {
  options = checkOptions('createKernels options', options, CREATE_KERNELS_KEYS);
  if (options.preferGpu !== undefined && typeof options.preferGpu !== 'boolean') {
    throw badArgument(`preferGpu must be a boolean, got ${describe(options.preferGpu)}`);
  }
  const list = backendList(options.backend, options.preferGpu ? ['webgpu', 'wasm', 'reference'] : ['wasm', 'reference']);
  if (options.wasmVariant !== undefined) checkOneOf('wasmVariant', options.wasmVariant, ['simd', 'scalar'] as const);
  const cpuThreshold = checkInt('cpuThreshold', options.cpuThreshold ?? DEFAULT_CPU_THRESHOLD, 0);
  const loaders = list.map((b): [string, () => Promise<Kernels>] => [b, () => loadBackend(b, options, cpuThreshold)]);
  if (list.includes('threads')) return firstThatLoads(loaders); // its own workers each time
  const key = `${list.join(',')}:${options.wasmVariant ?? ''}:${list.includes('webgpu') ? cpuThreshold : ''}`;
  let p = cache.get(key);
  if (!p) {
    p = firstThatLoads(loaders);
    cache.set(key, p);
    p.catch(() => cache.delete(key)); // a failed load may succeed later (e.g. after a polyfill)
  }
  return p;
}

function loadBackend(b: BackendChoice, o: CreateKernelsOptions, cpuThreshold: number): Promise<Kernels> {
  switch (b) {
    case 'reference': return Promise.resolve(referenceKernels());
    case 'wasm': return wasmKernels(o.wasmVariant);
    case 'threads': return createParallelKernels({ threads: o.threads, minStreamBytes: o.minStreamBytes, minQuantizedBytes: o.minQuantizedBytes, minFlops: o.minFlops });
    case 'webgpu': return gpuKernels(o.wasmVariant, cpuThreshold);
  }
}

/** The webgpu backend on the shared GPU device, with the best CPU kernels as its fallback. */
async function gpuKernels(wasmVariant: WasmVariant | undefined, cpuThreshold: number): Promise<Kernels> {
  const handle = await acquireGpu();
  let ctx = contexts.get(handle);
  if (!ctx) contexts.set(handle, (ctx = new GpuContext(handle)));
  const cpu = await createKernels({ backend: 'auto', wasmVariant });
  return webgpuKernels(ctx, cpu, { cpuThreshold });
}

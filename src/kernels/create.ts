/**
 * Backend selection: createKernels({ backend }) returns a memoised, shape-checked Kernels.
 * 'auto' takes wasm (SIMD build when WebAssembly.validate accepts it, else scalar) and falls
 * back to the reference backend when WebAssembly is missing. A backend may implement only
 * some kernels; the rest come from the reference ({ ...reference, ...native }).
 * The webgpu backend is asynchronous: it is created by createAsyncKernels (./create-async.ts);
 * here 'webgpu' rejects with UNAVAILABLE saying why (no adapter, or use createAsyncKernels).
 */
import type { BackendName, KernelFunctions, KernelName, Kernels, ResidentArray } from './kernels.js';
import { KERNEL_NAMES } from './kernels.js';
import { referenceKernelFunctions } from './reference/index.js';
import { withShapeChecks } from './checked.js';
import { loadWasm, wasmSupport, type WasmVariant } from '../backends/wasm/loader.js';
import { WasmHeap } from '../backends/wasm/memory.js';
import { wasmKernelFunctions } from '../backends/wasm/kernels.js';
import { SparseInferenceError, badArgument } from '../core/errors.js';
import { checkInt, checkOneOf } from '../core/validate.js';
import { webgpuMissing } from '../backends/webgpu/device.js';
import { checkOptions, optionKeys } from '../core/options.js';
import { withDispose } from '../core/dispose.js';
import { createAsyncKernels } from './create-async.js';

export interface CreateKernelsOptions {
  /** 'auto' (default) picks the fastest available CPU backend. */
  backend?: 'auto' | BackendName;
  /** For wasm: force the 'simd' or 'scalar' build (default: best the runtime accepts). */
  wasmVariant?: WasmVariant;
}

/** Every key of CreateKernelsOptions, for checkOptions. */
export const CREATE_KERNELS_KEYS = optionKeys<CreateKernelsOptions>({ backend: true, wasmVariant: true });

const cache = new Map<string, Promise<Kernels>>();

/**
 * The longest resident array on any CPU backend: 2³⁰ − 2¹⁴ four-byte elements, what a 4 GiB
 * wasm32 heap can address next to its static data (the reference backend keeps the same limit,
 * so code that runs on one backend runs on the other).
 */
const MAX_RESIDENT_LENGTH = 2 ** 30 - 2 ** 14;

/** Get a Kernels object; the same options return the same (memoised) instance. */
export function createKernels(options: CreateKernelsOptions = {}): Promise<Kernels> {
  options = checkOptions('createKernels options', options, CREATE_KERNELS_KEYS);
  const backend = checkOneOf('backend', options.backend ?? 'auto', ['auto', 'reference', 'wasm', 'webgpu'] as const);
  if (options.wasmVariant !== undefined) checkOneOf('wasmVariant', options.wasmVariant, ['simd', 'scalar'] as const);
  const key = `${backend}:${options.wasmVariant ?? ''}`;
  let p = cache.get(key);
  if (!p) {
    p = build(backend, options.wasmVariant);
    cache.set(key, p);
    p.catch(() => cache.delete(key)); // a failed load may succeed later (e.g. after a polyfill)
  }
  return p;
}

async function build(backend: 'auto' | BackendName, variant?: WasmVariant): Promise<Kernels> {
  switch (backend) {
    case 'reference':
      return referenceKernels();
    case 'wasm':
      return wasmKernels(variant);
    case 'webgpu': {
      // GPU work is asynchronous, so the webgpu backend implements AsyncKernels, not Kernels.
      const missing = await webgpuMissing();
      throw new SparseInferenceError('UNAVAILABLE', missing ?? 'the webgpu backend is asynchronous and has no '
        + "synchronous Kernels: use createAsyncKernels({ backend: 'webgpu' }) (see docs/backends.md)");
    }
    case 'auto':
      return wasmSupport().wasm ? wasmKernels(variant) : referenceKernels();
  }
}

/** The reference backend's resident array: a plain typed array that refuses use after dispose. */
function plainResident<T extends Float32Array | Int32Array | Float64Array>(arr: T): ResidentArray<T> {
  let live: T | null = arr;
  return withDispose({
    length: arr.length,
    view: () => {
      if (live === null) throw badArgument('resident array used after dispose(): allocate a new one');
      return live;
    },
    dispose: () => { live = null; },
  });
}

function referenceKernels(): Kernels {
  return {
    ...withShapeChecks(referenceKernelFunctions),
    backend: 'reference',
    variant: 'js',
    native: [...KERNEL_NAMES],
    allocF32: (n) => plainResident(new Float32Array(checkInt('length', n, 0, MAX_RESIDENT_LENGTH))),
    allocI32: (n) => plainResident(new Int32Array(checkInt('length', n, 0, MAX_RESIDENT_LENGTH))),
    allocF64: (n) => plainResident(new Float64Array(checkInt('length', n, 0, MAX_RESIDENT_LENGTH))),
  };
}

async function wasmKernels(prefer?: WasmVariant): Promise<Kernels> {
  const { exports, variant } = await loadWasm(prefer);
  const heap = new WasmHeap(exports);
  const { fns, native } = wasmKernelFunctions(heap);
  const merged: KernelFunctions = { ...referenceKernelFunctions, ...fns };
  return {
    ...withShapeChecks(merged),
    backend: 'wasm',
    variant,
    native,
    allocF32: (n) => heap.resident<Float32Array>(Float32Array, checkInt('length', n, 0, MAX_RESIDENT_LENGTH)),
    allocI32: (n) => heap.resident<Int32Array>(Int32Array, checkInt('length', n, 0, MAX_RESIDENT_LENGTH)),
    allocF64: (n) => heap.resident<Float64Array>(Float64Array, checkInt('length', n, 0, MAX_RESIDENT_LENGTH)),
  };
}

/** What each backend would give in this runtime, and which kernels it really implements. */
export interface BackendReport {
  backend: BackendName;
  available: boolean;
  variant?: string;
  native: KernelName[];
  reason?: string;
}

/**
 * Try each backend here. `{ webgpu: false }` leaves the GPU stack unloaded (in Node, Dawn
 * prints Vulkan warnings on machines without a GPU) and reports webgpu as not probed.
 * @example (await describeBackends({ webgpu: false })).map((b) => b.backend) // ['reference', 'wasm', 'webgpu']
 */
export async function describeBackends(options: { webgpu?: boolean } = {}): Promise<BackendReport[]> {
  const { webgpu = true } = checkOptions('describeBackends options', options, ['webgpu']);
  const reports: BackendReport[] = [];
  for (const backend of ['reference', 'wasm'] as const) reports.push(await describeOne(backend));
  if (webgpu === false) {
    reports.push({ backend: 'webgpu', available: false, native: [], reason: 'not probed (WebGPU was not requested)' });
    return reports;
  }
  try { // webgpu: asynchronous kernels (createAsyncKernels)
    const g = await createAsyncKernels({ backend: 'webgpu' });
    reports.push({ backend: 'webgpu', available: true, variant: g.variant, native: [...g.native] });
  } catch (e) {
    reports.push({ backend: 'webgpu', available: false, native: [], reason: (e as Error).message });
  }
  return reports;
}

async function describeOne(backend: 'reference' | 'wasm'): Promise<BackendReport> {
  try {
    const k = await createKernels({ backend });
    return { backend, available: true, variant: k.variant, native: [...k.native] };
  } catch (e) {
    return { backend, available: false, native: [], reason: (e as Error).message };
  }
}

export { badArgument };

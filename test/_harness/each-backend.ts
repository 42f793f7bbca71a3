/**
 * Runs one suite against the CPU kernel backends, whose results arrive at once
 * (TensorFlow.js-style shared backend tests): reference, wasm SIMD, wasm scalar.
 *
 *   describeEachCpuBackend('dot', (k, info) => {
 *     it('matches the reference', () => { ... k.dot(x, y, n) ... });
 *   });
 *
 * Suites that await each result run on every backend, threads and webgpu included, with
 * `describeEachBackend` (./every-backend.ts).
 *
 * Each backend's suite first asserts which backend and build variant actually loaded, so a
 * silent fallback (say, to the scalar build or to the reference) cannot pass as the real thing.
 *
 * A backend the *runtime* cannot provide (no WebAssembly, no SIMD) is registered with
 * describe.skip and its reason in the suite name, and the reason is printed. Availability is
 * decided by independent runtime probes, not by loading our own binaries: if the runtime
 * supports SIMD but our SIMD build fails to load, that is a failing test, not a skip.
 */
import { describe, expect, it } from 'vitest';
import { createKernels, type CreateKernelsOptions } from '../../src/backends/create-kernels.js';
import type { BackendName, CpuKernels, Kernels } from '../../src/kernels/kernels.js';
import { SparseInferenceError } from '../../src/core/errors.js';
import { deferredKernels } from './deferred-kernels.js';
import { webgpuMissing } from '../../src/backends/webgpu/device.js';
import { isCpuKernels } from '../../src/kernels/check-kernels.js';

/** What a suite is told about the backend it runs on. */
export interface BackendInfo {
  /** Suite label: 'reference', 'wasm-simd', 'wasm-scalar', ... */
  label: string;
  backend: BackendName;
  variant: string;
  options: CreateKernelsOptions;
  /** True for the oracle itself (differential tests against it would be vacuous). */
  isReference: boolean;
}

export interface BackendEntry extends BackendInfo {
  /** Resolves to null when the runtime can run this backend, else to the reason it cannot. */
  missing(): Promise<string | null>;
}

// A minimal module returning a v128 constant: validates iff the runtime has fixed-width SIMD.
export const SIMD_PROBE = new Uint8Array([
  0, 97, 115, 109, 1, 0, 0, 0, 1, 5, 1, 96, 0, 1, 123, 3, 2, 1, 0, 10, 22, 1, 20, 0,
  253, 12, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 11,
]);
// The smallest valid module: validates iff the runtime has WebAssembly at all.
const EMPTY_MODULE = new Uint8Array([0, 97, 115, 109, 1, 0, 0, 0]);

export function hasWasm(): boolean {
  return typeof WebAssembly === 'object' && typeof WebAssembly.validate === 'function'
    && WebAssembly.validate(EMPTY_MODULE);
}

/** The backends every kernel suite runs on, in order. */
export const CPU_BACKENDS: readonly BackendEntry[] = [
  {
    label: 'reference', backend: 'reference', variant: 'js', isReference: true,
    options: { backend: 'reference' },
    missing: async () => null,
  },
  {
    label: 'wasm-simd', backend: 'wasm', variant: 'simd', isReference: false,
    options: { backend: 'wasm', wasmVariant: 'simd' },
    missing: async () => (!hasWasm() ? 'this runtime has no WebAssembly'
      : !WebAssembly.validate(SIMD_PROBE) ? 'this runtime has no WebAssembly SIMD' : null),
  },
  {
    label: 'wasm-scalar', backend: 'wasm', variant: 'scalar', isReference: false,
    options: { backend: 'wasm', wasmVariant: 'scalar' },
    missing: async () => (hasWasm() ? null : 'this runtime has no WebAssembly'),
  },
];

type Loaded = LoadedBackend<BackendEntry, CpuKernels>;

// Loaded once per test file (top-level await), so suites receive ready kernels synchronously.
const loaded: Loaded[] = await Promise.all(CPU_BACKENDS.map(async (entry): Promise<Loaded> => {
  const reason = await entry.missing();
  if (reason !== null) return { entry, skipped: reason };
  try {
    const k = await createKernels(entry.options);
    if (!isCpuKernels(k)) throw new Error(`${entry.label}: createKernels gave kernels whose results arrive later`);
    return { entry, kernels: k };
  } catch (e) {
    return { entry, failed: e };
  }
}));

/** Stand-in for an unavailable backend: skipped suites never run tests, so any use is a bug. */
function unavailableKernels(label: string, reason: string): CpuKernels {
  return new Proxy({} as CpuKernels, {
    get() {
      throw new SparseInferenceError('UNAVAILABLE', `backend ${label} is unavailable: ${reason}`);
    },
  });
}

/**
 * describe(name) once per backend: `${name} [label]`. fn registers the tests; it receives the
 * loaded kernels and the backend's description.
 */
export function describeEachCpuBackend(name: string, fn: (kernels: CpuKernels, info: BackendInfo) => void): void {
  for (const item of loaded) {
    const { entry } = item;
    const info: BackendInfo = {
      label: entry.label, backend: entry.backend, variant: entry.variant,
      options: entry.options, isReference: entry.isReference,
    };
    describeLoaded(name, item, (k) => {
      it(`loaded backend ${entry.backend}, variant ${entry.variant}`, () => {
        expect(k.backend).toBe(entry.backend);
        expect(k.variant).toBe(entry.variant);
      });
      fn(k, info);
    }, (reason) => fn(unavailableKernels(entry.label, reason), info));
  }
}

// --- Kernels whose results arrive later ------------------------------------------------------
// The same idea for asynchronous results: the CPU backends through deferredKernels, and the
// webgpu backend (cpuThreshold 0, so every GPU-native kernel really runs on the GPU). A missing
// GPU adapter is a skip with its reason — or a failure under SPARSE_INFERENCE_REQUIRE_RUNTIMES=1,
// as CI sets it (CI provides SwiftShader: VK_ICD_FILENAMES, see .ci/run).

/** What an async suite is told about its backend. */
export interface AsyncBackendInfo {
  label: string;
  backend: BackendName;
  options: CreateKernelsOptions;
  isReference: boolean;
}

interface AsyncBackendEntry extends AsyncBackendInfo {
  missing(): Promise<string | null>;
}

export const ASYNC_BACKENDS: readonly AsyncBackendEntry[] = [
  {
    label: 'reference-async', backend: 'reference', isReference: true, options: { backend: 'reference' },
    missing: async () => null,
  },
  {
    label: 'wasm-async', backend: 'wasm', isReference: false, options: { backend: 'wasm' },
    missing: async () => (hasWasm() ? null : 'this runtime has no WebAssembly'),
  },
  {
    label: 'webgpu', backend: 'webgpu', isReference: false, options: { backend: 'webgpu', cpuThreshold: 0 },
    missing: () => webgpuMissing(),
  },
];

type AsyncLoaded = LoadedBackend<AsyncBackendEntry, Kernels>;

/**
 * Loads the async backends (await it at the top of a test file) and returns
 * `describeEachAsyncBackend(name, fn)`, which registers `fn`'s tests once per backend.
 */
export async function loadAsyncBackends(): Promise<(name: string, fn: (k: Kernels, info: AsyncBackendInfo) => void) => void> {
  const requireRuntimes = process.env.SPARSE_INFERENCE_REQUIRE_RUNTIMES === '1';
  const all: AsyncLoaded[] = await Promise.all(ASYNC_BACKENDS.map(async (entry): Promise<AsyncLoaded> => {
    const reason = await entry.missing();
    if (reason !== null) return requireRuntimes ? { entry, failed: new Error(`${entry.label}: ${reason}`) } : { entry, skipped: reason };
    try {
      const k = await createKernels(entry.options);
      return { entry, kernels: isCpuKernels(k) ? deferredKernels(k) : k };
    } catch (e) {
      return { entry, failed: e };
    }
  }));
  return (name, fn) => {
    for (const item of all) {
      const { entry } = item;
      const info: AsyncBackendInfo = { label: entry.label, backend: entry.backend, options: entry.options, isReference: entry.isReference };
      describeLoaded(name, item, (k) => {
        it(`loaded backend ${entry.backend}`, () => { expect(k.backend).toBe(entry.backend); });
        fn(k, info);
      });
    }
  };
}

/** A backend as a test file's load left it: its kernels, the reason it is skipped, or the load error. */
export type LoadedBackend<E extends { label: string }, K> = { entry: E; kernels: K } | { entry: E; skipped: string } | { entry: E; failed: unknown };

/**
 * `describe(`${name} [label]`)` for one backend: skipped with its reason when its runtime is
 * missing, one failing test when it did not load, else `body` with the loaded kernels.
 */
export function describeLoaded<E extends { label: string }, K>(name: string, item: LoadedBackend<E, K>, body: (kernels: K) => void,
  /** Registers the skipped block's tests (so the report lists them); nothing by default. */
  skippedBody: (reason: string) => void = () => {}): void {
  const label = item.entry.label;
  if ('skipped' in item) {
    const reason = item.skipped;
    console.warn(`[skip] ${name} [${label}]: ${reason}`);
    describe.skip(`${name} [${label}] (skipped: ${reason})`, () => skippedBody(reason));
  } else if ('failed' in item) {
    describe(`${name} [${label}]`, () => {
      it('loads (the runtime supports this backend)', () => { throw item.failed; });
    });
  } else {
    const k = item.kernels;
    describe(`${name} [${label}]`, () => body(k));
  }
}

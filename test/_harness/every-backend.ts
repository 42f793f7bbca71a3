/**
 * Runs one suite against every backend: reference, wasm SIMD, wasm scalar, threads (two
 * threads, every call split: size thresholds 0) and webgpu (cpuThreshold 0: every GPU-native
 * kernel on the GPU). Suites await each kernel result (CPU backends return it at once, webgpu a
 * Promise), so one body covers all five.
 *
 *   describeEachBackend('dot', (k, info) => {
 *     it('matches the reference', async () => { ... await k.dot(x, y, n) ... });
 *   });
 *
 * Each backend's suite first asserts which backend and build variant loaded. A backend the
 * runtime cannot provide (no SharedArrayBuffer or workers; no GPU adapter) is registered with
 * describe.skip and its reason — or fails, under SPARSE_INFERENCE_REQUIRE_RUNTIMES=1, as CI sets
 * it (CI provides SwiftShader: VK_ICD_FILENAMES, see .ci/run). Loading costs a thread pool and a
 * GPU device, so only files that import this module pay for them.
 */
import { afterAll, expect, it } from 'vitest';
import { createKernels } from '../../src/backends/create-kernels.js';
import type { Kernels } from '../../src/kernels/kernels.js';
import { webgpuMissing } from '../../src/backends/webgpu/device.js';
import { parallelMissing } from '../../src/backends/wasm-threads/parallel-support.js';
import { CPU_BACKENDS, describeLoaded, type LoadedBackend, type BackendEntry, type BackendInfo } from './each-backend.js';

/** What a suite on any backend is told: its backend, and how far its floats may be from the reference's. */
export interface AnyBackendInfo extends BackendInfo {
  /** Relative float tolerance against the reference (summation order, GPU arithmetic). */
  tolerance: number;
}

const TOLERANCE: Record<string, number> = { reference: 0, 'wasm-simd': 2e-4, 'wasm-scalar': 2e-4, threads: 2e-4, webgpu: 1e-3 };

/** The five backends, in order. */
export const EVERY_BACKEND: readonly BackendEntry[] = [
  ...CPU_BACKENDS,
  {
    label: 'threads', backend: 'wasm', variant: 'simd-shared', isReference: false,
    options: { backend: 'threads', threads: 2, minStreamBytes: 0, minQuantizedBytes: 0, minFlops: 0 },
    missing: async () => parallelMissing(),
  },
  {
    label: 'webgpu', backend: 'webgpu', variant: 'gpu', isReference: false,
    options: { backend: 'webgpu', cpuThreshold: 0 },
    missing: () => webgpuMissing(),
  },
];

type Loaded = LoadedBackend<BackendEntry, Kernels>;

const requireRuntimes = process.env.SPARSE_INFERENCE_REQUIRE_RUNTIMES === '1';

// Loaded once per test file (top-level await), so suites receive ready kernels synchronously.
const loaded: Loaded[] = await Promise.all(EVERY_BACKEND.map(async (entry): Promise<Loaded> => {
  const reason = await entry.missing();
  if (reason !== null) return requireRuntimes ? { entry, failed: new Error(`${entry.label}: ${reason}`) } : { entry, skipped: reason };
  try {
    return { entry, kernels: await createKernels(entry.options) };
  } catch (e) {
    return { entry, failed: e };
  }
}));

// The threads backend is not memoised (its workers must be ended); the others are shared.
afterAll(async () => {
  for (const item of loaded) {
    const k = 'kernels' in item ? item.kernels : null;
    if (k !== null && 'dispose' in k && typeof k.dispose === 'function') await (k.dispose as () => Promise<void>)();
  }
});

/** describe(`${name} [label]`) once per backend; fn registers the tests with the loaded kernels. */
export function describeEachBackend(name: string, fn: (kernels: Kernels, info: AnyBackendInfo) => void): void {
  for (const item of loaded) {
    const { entry } = item;
    const info: AnyBackendInfo = {
      label: entry.label, backend: entry.backend, variant: entry.variant, options: entry.options,
      isReference: entry.isReference, tolerance: TOLERANCE[entry.label],
    };
    describeLoaded(name, item, (k) => {
      it(`loaded backend ${entry.backend}, variant ${entry.variant}`, () => {
        expect([k.backend, k.variant]).toEqual([entry.backend, entry.variant]);
      });
      fn(k, info);
    });
  }
}

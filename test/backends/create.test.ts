/**
 * createKernels: memoised per options, 'auto' picks the wasm SIMD build in this runtime (Node
 * 20 has SIMD), each explicit choice loads what it names, describeBackends tells the truth,
 * and bad options are rejected naming the option.
 */
import { describe, expect, it } from 'vitest';
import { createKernels, cpuBackends } from '../../src/backends/create-kernels.js';
import { isCpuKernels } from '../../src/kernels/check-kernels.js';
import { deferredKernels } from '../_harness/deferred-kernels.js';
import { describeBackends } from '../../src/backends/describe-backends.js';
import { KERNEL_NAMES } from '../../src/kernels/kernels.js';
import { wasmSupport } from '../../src/backends/wasm/loader.js';
import { SparseInferenceError } from '../../src/core/errors.js';
import { describeEnvironment } from '../../src/report/environment.js';
import { expectBadArgument } from '../_harness/bad-input.js';
import { CPU_BACKENDS } from '../_harness/each-backend.js';

describe('createKernels', () => {
  it('returns the same instance for the same options (memoised)', async () => {
    const [a, b] = await Promise.all([createKernels(), createKernels()]);
    expect(a).toBe(b);
    expect(await createKernels({ backend: 'auto' })).toBe(a);
    expect(await createKernels({ backend: 'reference' })).toBe(await createKernels({ backend: 'reference' }));
    expect(await createKernels({ backend: 'wasm', wasmVariant: 'scalar' }))
      .toBe(await createKernels({ backend: 'wasm', wasmVariant: 'scalar' }));
    expect(await createKernels({ backend: 'reference' })).not.toBe(a);
  });

  it('CPU backends are CpuKernels (results at once, device and host memory described); cpuBackends drops webgpu', async () => {
    for (const backend of ['reference', 'wasm'] as const) {
      const k = await createKernels({ backend });
      expect([k.cpu, isCpuKernels(k), typeof k.device]).toEqual([true, true, 'string']);
      const x = Float32Array.of(1, 2, 3);
      expect(k.sum(x, 3)).toBe(6); // a number, not a promise
      const later = deferredKernels(k); // the harness's GPU-timed face of CPU kernels
      expect([later.cpu, isCpuKernels(later)]).toEqual([false, false]);
      await expect(later.sum(x, 3)).resolves.toBe(6);
      await expect(later.sum(x, 4)).rejects.toBeInstanceOf(SparseInferenceError); // errors arrive as rejections
      expect(() => deferredKernels(later as never)).toThrow(/CPU kernels/);
    }
    expect(isCpuKernels(null as never)).toBe(false);
    expect(cpuBackends(['webgpu', 'wasm'])).toEqual(['wasm']);
    expect(cpuBackends(['webgpu'])).toEqual(['auto']);
    expect(cpuBackends(['threads', 'auto'])).toEqual(['threads', 'auto']);
  });

  it('the test harness skips no backend in this runtime (Node 20 has WebAssembly SIMD)', async () => {
    for (const b of CPU_BACKENDS) expect({ label: b.label, missing: await b.missing() }).toEqual({ label: b.label, missing: null });
  });

  it("'auto' picks the wasm SIMD build in this runtime", async () => {
    expect(wasmSupport()).toMatchObject({ wasm: true, simd: true });
    const k = await createKernels({ backend: 'auto' });
    expect(k.backend).toBe('wasm');
    expect(k.variant).toBe('simd');
  });

  it('loads exactly what each explicit option names', async () => {
    const ref = await createKernels({ backend: 'reference' });
    expect([ref.backend, ref.variant]).toEqual(['reference', 'js']);
    const simd = await createKernels({ backend: 'wasm', wasmVariant: 'simd' });
    expect([simd.backend, simd.variant]).toEqual(['wasm', 'simd']);
    const scalar = await createKernels({ backend: 'wasm', wasmVariant: 'scalar' });
    expect([scalar.backend, scalar.variant]).toEqual(['wasm', 'scalar']);
    expect(scalar).not.toBe(simd);
  });

  it('every kernel name is a function on every backend; the foundation kernels are native in wasm', async () => {
    for (const k of [await createKernels({ backend: 'reference' }), await createKernels({ backend: 'wasm' })]) {
      for (const name of KERNEL_NAMES) expect(typeof k[name]).toBe('function');
      for (const n of k.native) expect(KERNEL_NAMES).toContain(n);
    }
    const wasm = await createKernels({ backend: 'wasm' });
    for (const name of ['dot', 'sum', 'axpy', 'gemv', 'gemvT', 'l2sqrBatch', 'argminL2', 'topK', 'softmax', 'rmsnorm', 'rope'] as const) {
      expect(wasm.native).toContain(name);
    }
  });

  it('describeBackends reports what createKernels gives', async () => {
    const reports = await describeBackends();
    const wasm = reports.find((r) => r.backend === 'wasm');
    expect(wasm).toMatchObject({ available: true, variant: 'simd' });
    expect(wasm?.native).toEqual([...(await createKernels({ backend: 'wasm' })).native]);
    expect(reports.find((r) => r.backend === 'reference')).toMatchObject({ available: true, variant: 'js' });
  });

  it('rejects bad options naming the option; webgpu loads exactly where an adapter exists, else UNAVAILABLE', async () => {
    expectBadArgument(() => createKernels({ backend: 'gpu' as never }), 'backend');
    expectBadArgument(() => createKernels({ backend: 'wasm', wasmVariant: 'avx' as never }), 'wasmVariant');
    // The environment probe asks for an adapter on its own path; the factory must agree with it.
    const { webgpu } = await describeEnvironment({ webgpu: true });
    if (webgpu.available) {
      expect((await createKernels({ backend: 'webgpu' })).backend).toBe('webgpu');
    } else {
      await expect(createKernels({ backend: 'webgpu' })).rejects.toMatchObject({ code: 'UNAVAILABLE' });
      await expect(createKernels({ backend: 'webgpu' })).rejects.toBeInstanceOf(SparseInferenceError);
    }
  });
});

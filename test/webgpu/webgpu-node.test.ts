/**
 * The webgpu backend in Node (Dawn; on SwiftShader in CI:
 * VK_ICD_FILENAMES=/usr/lib/chromium/vk_swiftshader_icd.json), what only Node tests: backend
 * selection and its errors, batching into one submission, the CPU threshold, dispatch grids,
 * device array bounds, and the 'no adapter' message (in a child process without a Vulkan
 * driver). The shared differential suite runs on webgpu with every other backend
 * (test/differential/differential.test.ts).
 */
import { describe, expect, it } from 'vitest';
import { execFile } from 'node:child_process';
import { resolve } from 'node:path';
import { SUITE } from '../differential/suite.js';
import { createKernels } from '../../src/backends/create-kernels.js';
import { describeBackends } from '../../src/backends/describe-backends.js';
import { acquireGpu, webgpuMissing } from '../../src/backends/webgpu/device.js';
import { GpuContext } from '../../src/backends/webgpu/gpu-context.js';
import { DEFAULT_CPU_THRESHOLD, WEBGPU_NATIVE, webgpuKernels } from '../../src/backends/webgpu/kernels.js';
import { referenceKernelFunctions as ref } from '../../src/kernels/reference/index.js';
import { KERNEL_NAMES } from '../../src/kernels/kernels.js';
import { isCpuKernels } from '../../src/kernels/check-kernels.js';
import { SparseInferenceError } from '../../src/core/errors.js';
import { Rng } from '../../src/core/rng.js';
import { describeWithRuntime } from '../runtimes/harness.js';

const missing = await webgpuMissing();

describeWithRuntime('webgpu backend in Node', missing, () => {
  it('createKernels picks WebGPU only when told to', async () => {
    const gpu = await createKernels({ backend: 'webgpu' });
    expect([gpu.backend, gpu.variant, gpu.cpu, isCpuKernels(gpu)]).toEqual(['webgpu', 'gpu', false, false]);
    expect(gpu.device.length).toBeGreaterThan(0);
    expect(await createKernels({ backend: 'webgpu' })).toBe(gpu); // memoised
    expect((await createKernels({ backend: 'auto', preferGpu: true })).backend).toBe('webgpu');
    expect((await createKernels({ backend: ['webgpu', 'auto'] })).backend).toBe('webgpu');
    const cpu = await createKernels();
    expect([cpu.backend, cpu.device, cpu.cpu, isCpuKernels(cpu)]).toEqual(['wasm', 'wasm (simd)', true, true]);
    expect([...gpu.native].sort()).toEqual([...WEBGPU_NATIVE].sort());
    for (const name of KERNEL_NAMES) expect(typeof gpu[name]).toBe('function');
    const report = (await describeBackends()).find((r) => r.backend === 'webgpu');
    expect(report).toMatchObject({ available: true, variant: 'gpu', native: [...WEBGPU_NATIVE] });
  });

  it('rejects bad options naming the option', () => {
    const bad = (o: object, name: string) => {
      let err: unknown;
      try { void createKernels(o); } catch (e) { err = e; }
      expect(err).toBeInstanceOf(SparseInferenceError);
      expect((err as SparseInferenceError).code).toBe('BAD_ARGUMENT');
      expect((err as Error).message).toMatch(new RegExp(`^${name}`));
    };
    bad({ backend: 'gpu' }, 'backend');
    bad({ preferGpu: 'yes' }, 'preferGpu');
    bad({ cpuThreshold: -1 }, 'cpuThreshold');
    bad({ cpuThreshold: 1.5 }, 'cpuThreshold');
    bad({ wasmVariant: 'avx' }, 'wasmVariant');
  });

  it('encodes calls issued together into one submission, and sends small host calls to the CPU', async () => {
    const ctx = new GpuContext(await acquireGpu());
    const cpu = await createKernels({ backend: 'wasm' });
    const gpu = webgpuKernels(ctx, cpu, { cpuThreshold: 0 });
    const rows = 20, cols = 12;
    const rng = new Rng(3);
    const W = Float32Array.from({ length: rows * cols }, () => rng.normal());
    const xs = Array.from({ length: 8 }, () => Float32Array.from({ length: cols }, () => rng.normal()));
    const ys = xs.map(() => new Float32Array(rows));
    const before = ctx.submissions;
    await Promise.all(xs.map((x, i) => gpu.gemv(W, x, ys[i], rows, cols)));
    expect(ctx.submissions - before).toBe(1);
    for (let i = 0; i < xs.length; i++) {
      const want = new Float32Array(rows);
      ref.gemv(W, xs[i], want, rows, cols);
      for (let r = 0; r < rows; r++) expect(Math.abs(ys[i][r] - want[r])).toBeLessThan(1e-4);
    }
    // Default threshold: a 240-element host call runs on the CPU (no submission) ...
    const small = webgpuKernels(ctx, cpu, { cpuThreshold: DEFAULT_CPU_THRESHOLD });
    const y = new Float32Array(rows);
    const s0 = ctx.submissions;
    await small.gemv(W, xs[0], y, rows, cols);
    expect(ctx.submissions).toBe(s0);
    const onCpu = new Float32Array(rows);
    cpu.gemv(W, xs[0], onCpu, rows, cols);
    expect(y).toEqual(onCpu); // the very same wasm kernel: bit-identical
    // ... but a device-array argument keeps it on the GPU.
    const dW = small.allocF32(rows * cols);
    dW.write(W);
    await small.gemv(dW, xs[0], y, rows, cols);
    expect(ctx.submissions).toBe(s0 + 1);
    dW.dispose();
  });

  it('folds wide dispatches into 2-D and 3-D grids (limit lowered to 7 groups per dimension)', async () => {
    const ctx = new GpuContext(await acquireGpu());
    ctx.maxGroupsPerDim = 7; // up to 343 groups as 7×7×7: every multi-group dispatch of the suite folds
    const gpu = webgpuKernels(ctx, await createKernels({ backend: 'wasm' }), { cpuThreshold: 0 });
    for (const c of SUITE.filter((c) => c.name.endsWith('(host arrays)'))) await c.run(gpu);
  }, 120_000);

  it('device arrays check their ranges and types', async () => {
    const gpu = await createKernels({ backend: 'webgpu' });
    const a = gpu.allocF32(8);
    expect(() => a.write(new Float32Array(9))).toThrow(/write end/);
    expect(() => a.write(new Float32Array(2), 7)).toThrow(/write end/);
    expect(() => a.write(new Int32Array(2) as never)).toThrow(/src must be a Float32Array/);
    expect(() => a.subarray(3, 2)).toThrow(/subarray end/);
    expect(() => a.subarray(-1)).toThrow(/subarray begin/);
    a.write(Float32Array.of(1, 2, 3), 5);
    expect(Array.from(await a.subarray(5).read())).toEqual([1, 2, 3]);
    a.dispose();
    await expect(gpu.sum(a, 8)).rejects.toThrow(/freed/);
    expect(() => gpu.allocF32(-1)).toThrow(/length/);
    const cpuArray = (await createKernels({ backend: 'wasm' })).allocF32(4);
    await expect(gpu.sum(cpuArray, 4)).rejects.toThrow(/another backend/);
    cpuArray.dispose();
  });
});

describe('webgpu without an adapter', () => {
  it('createKernels fails with UNAVAILABLE saying why', async () => {
    // A child process whose Vulkan loader finds no driver: Dawn has no adapter there.
    const script = `
      import { createKernels } from './src/backends/create-kernels.ts';
      const out = [];
      try { await createKernels({ backend: 'webgpu' }); out.push('resolved'); } catch (e) { out.push(e.code + ': ' + e.message); }
      const auto = await createKernels({ preferGpu: true });
      out.push(auto.backend);
      console.log(JSON.stringify(out));`;
    const repo = resolve(import.meta.dirname, '..', '..');
    const r = await new Promise<{ out: string; err: string }>((done) => {
      execFile(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script],
        { cwd: repo, timeout: 60_000, env: { ...process.env, VK_ICD_FILENAMES: '/nonexistent/icd.json', VK_DRIVER_FILES: '/nonexistent/icd.json' } },
        (_e, out, err) => done({ out, err }));
    });
    const lines = r.out.trim().split('\n');
    const [gpuErr, autoBackend] = JSON.parse(lines[lines.length - 1]) as string[];
    expect(gpuErr).toMatch(/^UNAVAILABLE: webgpu backend unavailable: .*(Dawn found no adapter|could not be loaded)/);
    expect(autoBackend).toBe('wasm'); // preferGpu falls back to the CPU quietly
  }, 90_000);
});

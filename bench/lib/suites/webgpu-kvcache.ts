/**
 * A²ATS on the GPU (part of the webgpu suite): the two-tier cache's decode step and its
 * retrieval, on the webgpu backend through the async entry points (TwoTierKvCache.attendAsync,
 * FastTier.select → Retrieval.selectAll), next to the synchronous cache on wasm SIMD, on
 * the kvcache suite's shape and data (decodeStepSetup: 32 query / 8 KV heads, d = 128, n =
 * 32768, per-head ρ = 0.03 with GQA union, w = 64, s = 8, 1024 centroids).
 *
 * Tasks (same run, wall clock):
 *   a2ats-decode-step  webgpu-gather  full K/V in host memory, selected rows gathered and uploaded (the default)
 *                      webgpu-device  full K/V in GPU memory, only indices uploaded
 *                      wasm           the synchronous cache (inline slow tier)
 *   a2ats-select       all 32 query heads' rotation, LUT (gemv), lutGather, top-k (one topKSelectRows
 *                      per KV head over its g query heads) and union
 *                      in one GPU submission (webgpu) vs wasm; and `webgpu-per-head`: the same
 *                      calls awaited KV head by KV head (8 submissions), to show what batching buys.
 * Before timing, the GPU step is checked against wasm: same selections except at score
 * near-ties, outputs within the GPU attention tolerance.
 *
 * Sizes: n = 32768 on a hardware GPU; 8192 with `quick`; on a software adapter n = 512 with
 * 64 centroids (correctness in a real WebGPU stack, not speed).
 *
 * The GPU caches run on the webgpu backend with its default CPU threshold (the suite's own
 * kernels use 0): the host-side rotations (rope of the g·d queries, the new token's keys) then
 * stay on the CPU instead of costing a GPU round trip each — how the cache is meant to run.
 */
import type { CpuKernels, Kernels } from '../../../src/kernels/kernels.js';
import { createKernels } from '../../../src/backends/create-kernels.js';
import { TwoTierKvCache } from '../../../src/kvcache/two-tier/two-tier-cache.js';
import type { HeadKeys } from '../../../src/kvcache/kv-store.js';
import { sink, type BenchTask, type RatioSpec } from '../harness.js';
import { decodeStepSetup } from './kvcache.js';

export interface GpuKvcacheBench {
  tasks: BenchTask[];
  ratios: RatioSpec[];
  /** Correctness checks (PASS/FAIL lines) and what was measured. */
  notes: string[];
  dispose(): Promise<void>;
}

const EMPTY = new Float32Array(0);

/**
 * Decode-step and selection tasks for `gpu` and `wasm`. `name(kernel, backend, shape)` names
 * tasks as the webgpu suite does.
 * @example const b = await gpuKvcacheBench(gpu, wasm, 'full', 'wasm-simd', name);
 */
export async function gpuKvcacheBench(suiteGpu: Kernels, wasm: CpuKernels, size: 'full' | 'quick' | 'software', wasmLabel: string,
  name: (kernel: string, backend: string, shape: string) => string): Promise<GpuKvcacheBench> {
  // The same adapter and context as the suite's kernels, with the default CPU threshold (see above).
  const gpu = suiteGpu.backend === 'webgpu' ? await createKernels({ backend: 'webgpu', wasmVariant: wasm.variant === 'scalar' ? 'scalar' : 'simd' }) : suiteGpu;
  const setup = size === 'software' ? decodeStepSetup(512, 64) : decodeStepSetup(size === 'quick' ? 8192 : 32768);
  const { nH, nKv, d, g, rho, n, qPre } = setup;
  const shape = `${nH}x${nKv}x${d}_n${n}_rho${rho}`;
  const caches: TwoTierKvCache[] = [];
  const dispose = async () => { for (const c of caches) await c.dispose(); };
  try {
    const cpu = await TwoTierKvCache.create(wasm, setup.options);
    caches.push(cpu);
    const gather = await TwoTierKvCache.create(gpu, { ...setup.options, slowTier: 'gather' });
    caches.push(gather);
    const device = await TwoTierKvCache.create(gpu, { ...setup.options, slowTier: 'device' });
    caches.push(device);
    // Prefill in blocks (appendMany: one code assignment per KV head per 256 tokens).
    const w = nKv * d, B = 1024;
    const kB = new Float32Array(B * w), vB = new Float32Array(B * w);
    const t0 = performance.now();
    for (let a = 0; a < n; a += B) {
      const m = Math.min(B, n - a);
      for (let t = 0; t < m; t++) setup.token(a + t, kB.subarray(t * w, (t + 1) * w), vB.subarray(t * w, (t + 1) * w));
      const kb = kB.subarray(0, m * w), vb = vB.subarray(0, m * w);
      await cpu.appendMany(kb, vb, m);
      await Promise.all([gather.appendMany(kb, vb, m), device.appendMany(kb, vb, m)]);
    }
    const prefillS = (performance.now() - t0) / 1000;

    // Correctness before timing.
    const outW = new Float32Array(nH * d), outG = new Float32Array(nH * d), outD = new Float32Array(nH * d);
    const sW = await cpu.attend(qPre, outW);
    const sG = await gather.attend(qPre, outG);
    const sD = await device.attend(qPre, outD);
    const selected = (c: TwoTierKvCache) => c.fast.selections.map((s) => new Set(s.indices.subarray(0, s.count)));
    const [selW, selG] = [selected(cpu), selected(gather)];
    let differ = 0;
    selW.forEach((s, h) => { for (const j of s) if (!selG[h].has(j)) differ++; });
    const maxDiff = (a: Float32Array) => a.reduce((m, v, i) => Math.max(m, Math.abs(v - outW[i])), 0);
    const notes = [
      `A²ATS decode step ${shape}: prefill of ${n} tokens took ${prefillS.toFixed(1)} s (appendMany in blocks of ${B}: wasm + two GPU caches)`,
      `${differ === 0 ? 'PASS' : 'NOTE'} A²ATS selection webgpu vs wasm: ${differ} of ${selW.reduce((a, s) => a + s.size, 0)} selected tokens differ (allowed only at score near-ties); far tokens per KV head ${sG.farSelected.join(',')} vs ${sW.farSelected.join(',')}`,
      `${differ > 0 || Math.max(maxDiff(outG), maxDiff(outD)) <= 1e-3 ? 'PASS' : 'FAIL'} A²ATS decode-step output webgpu vs wasm: max |Δ| gather ${maxDiff(outG).toExponential(2)}, device ${maxDiff(outD).toExponential(2)} (limit 1e-3 when the selections agree)`,
      `A²ATS: ${sD.farSelected.reduce((a, b) => a + b, 0) / nKv} far tokens per KV head on average; gather uploads ${(sG.slowBytes / 1e6).toFixed(2)} MB of K/V rows per step, device uploads only indices`,
    ];

    const tasks: BenchTask[] = [];
    const step = 'a2ats-decode-step', sel = 'a2ats-select';
    tasks.push({ name: name(step, 'webgpu-gather', shape), bytes: sG.slowBytes, fn: async () => { sink((await gather.attend(qPre, outG)).pos); },
      note: 'selection (1 submission) + gather/upload + far and near attention (1 submission)' });
    // A software adapter takes seconds per step: time the variants only on a hardware GPU.
    const hardware = size !== 'software';
    if (hardware) {
      tasks.push({ name: name(step, 'webgpu-device', shape), fn: async () => { sink((await device.attend(qPre, outD)).pos); },
        note: 'full K/V in GPU memory' });
    }
    tasks.push({ name: name(step, wasmLabel, shape), fn: async () => { sink((await cpu.attend(qPre, outW)).pos); } });
    tasks.push({ name: name(sel, 'webgpu', shape), fn: async () => { sink((await device.fast.select(qPre, n - 1))[0].count); },
      note: `all ${nH} query heads: rotate, LUT, lutGather, topKSelectRows per KV head (${nKv} × 11 dispatches), union; one submission` });
    // The same work awaited KV head by KV head (what issuing head by head costs).
    const stubs: HeadKeys[] = Array.from({ length: nKv }, () => ({ keysPre: EMPTY, keysPost: EMPTY, values: EMPTY, length: n }));
    if (hardware) tasks.push({
      name: name(sel, 'webgpu-per-head', shape), note: `${nKv} submissions, one per KV head`,
      fn: async () => {
        for (let h = 0; h < nKv; h++) {
          sink((await device.fast.retrieval.select(h, stubs[h], { pre: qPre.subarray(h * g * d, (h + 1) * g * d), post: EMPTY, pos: n - 1 })).count);
        }
      },
    });
    tasks.push({ name: name(sel, wasmLabel, shape), fn: async () => { sink((await cpu.fast.select(qPre, n - 1))[0].count); } });
    const r = (a: string, b: string) => (t: (x: string) => { medianMs: number }) => t(a).medianMs / t(b).medianMs;
    const ratios: RatioSpec[] = [
      { name: `A²ATS decode step (n=${n}, ${nH}/${nKv} heads, d=${d}, rho=${rho}): webgpu (K/V on host, gather) vs wasm`, unit: 'x',
        value: r(name(step, wasmLabel, shape), name(step, 'webgpu-gather', shape)) },

      { name: `A²ATS selection (LUT + lutGather + topKSelect + union), all ${nH} heads in one batch: webgpu vs wasm`, unit: 'x',
        value: r(name(sel, wasmLabel, shape), name(sel, 'webgpu', shape)) },
    ];
    if (hardware) {
      ratios.push(
        { name: `A²ATS decode step (n=${n}, ${nH}/${nKv} heads, d=${d}, rho=${rho}): webgpu (K/V on device) vs wasm`, unit: 'x',
          value: r(name(step, wasmLabel, shape), name(step, 'webgpu-device', shape)) },
        { name: 'A²ATS selection on webgpu: all heads in one batch vs KV head by KV head', unit: 'x',
          value: r(name(sel, 'webgpu-per-head', shape), name(sel, 'webgpu', shape)) });
    }
    return { tasks, ratios, notes, dispose };
  } catch (e) {
    await dispose();
    throw e;
  }
}

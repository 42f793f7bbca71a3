/**
 * The parallel suite (issue 8, multi-core): the wasm-threads kernels on 1 and 2 threads, in the
 * same run, on the same resident data in one shared memory — `k.serial` (calling thread only)
 * against `k` (split across the calling thread and one worker) — plus the 2-chain speed-up of the
 * knot sampler's worker_threads chains (src/knots/run-chains.ts).
 *
 * Shapes: gemv 4096×4096 and 8192×4096 (Llama-7B/13B-sized, 64 and 128 MB: DRAM-bound), also
 * 1024² and 2048² (4 and 16 MiB: cache-resident, around the default split threshold), gemvT
 * likewise, spvmm and vmmsp 14336×4096 (Mistral-7B's FFN, 235 MB) at 50% zeros,
 * l2sqrBatch/argminL2 at n = 65536, k = 1024, d = 128 (A2ATS-sized codebook search:
 * compute-bound), and the streaming-read roofline: `sum` over 64 MB on 1 and 2 threads — its
 * ratio is the bandwidth ceiling every memory-bound kernel's speed-up runs into. A CPU probe (an
 * integer loop on 1 and on 2 worker threads) measures how many cores the process really gets, and
 * the knot sampler's chains run sequentially and on worker_threads.
 *
 * Timed with the WALL clock whatever the caller asks: CPU time adds the threads' times up, so
 * it cannot show a parallel speed-up. On a loaded machine the 2-thread numbers are depressed
 * (a busy core delays the worker's half); the load average at start and end is in the notes.
 * The scaling model these numbers feed is in docs/parallel.md.
 *
 * @example
 * const result = await parallelSuite({ quick: true });
 * console.log(formatTable(result));
 */
import { createKernels } from '../../../src/backends/create-kernels.js';
import type { ResidentArray } from '../../../src/kernels/kernels.js';
import { Rng } from '../../../src/core/rng.js';
import { createParallelKernels, type ParallelKernels } from '../../../src/backends/wasm-threads/create-parallel-kernels.js';
import { runChains } from '../../../src/knots/run-chains.js';
import type { ChainProblem } from '../../../src/knots/rjmcmc-chain.js';
import { runSuite, sink, type BenchTask, type RatioSpec, type SuiteOptions, type SuiteResult } from '../harness.js';

const F = 4; // bytes per float32
const THREADS = 2;

async function loadAverage(): Promise<string> {
  try {
    const os = await import('node:os');
    const [a, b, c] = os.loadavg();
    return `${a.toFixed(2)} / ${b.toFixed(2)} / ${c.toFixed(2)} (1/5/15 min) on ${os.availableParallelism()} logical cores`;
  } catch {
    return 'unknown (no node:os)';
  }
}

/** node:worker_threads' Worker where it exists (Node, Deno), else null (browsers). */
async function nodeWorker(): Promise<typeof import('node:worker_threads').Worker | null> {
  try {
    return (await import('node:worker_threads')).Worker;
  } catch {
    return null;
  }
}

/** The same integer loop on `threads` fresh worker threads at once; resolves when all are done. */
function spin(Worker: typeof import('node:worker_threads').Worker, threads: number, iterations: number): Promise<void> {
  const code = `let x = 0; for (let i = 0; i < ${iterations}; i++) x = (x + i * 7) % 1000003;
require('node:worker_threads').parentPort.postMessage(x);`;
  return new Promise((resolve, reject) => {
    let done = 0;
    for (let t = 0; t < threads; t++) {
      const w = new Worker(code, { eval: true });
      w.once('message', () => { void w.terminate(); if (++done === threads) resolve(); });
      w.once('error', reject);
    }
  });
}

/** A small Gaussian knot problem (fixed k = 10 knots among 1000 candidates, m = 500). */
function chainProblem(iterations: number): ChainProblem {
  const m = 500;
  const rng = new Rng(500);
  const x = Float64Array.from({ length: m }, (_, i) => i / (m - 1));
  const y = x.map((v) => 10 * Math.sin(2 * Math.PI * v) + rng.normal(0, 2));
  return {
    xs: [x], y, family: 'gaussian', marginal: 'exact', degrees: [3], candidates: [1000], gamma: 1, c: 0.3,
    fixedK: [10], local: null, burnIn: 0, iterations, probes: [],
  };
}

export async function parallelSuite(opts: SuiteOptions = {}): Promise<SuiteResult> {
  const quick = opts.quick ?? false;
  const chainIterations = quick ? 4000 : 40000;
  const loadStart = await loadAverage();
  const k: ParallelKernels = await createParallelKernels({ threads: THREADS });
  // Thresholds 0: every call is split, so a tiny call measures the cost of starting and joining the worker.
  const eager: ParallelKernels = await createParallelKernels({ threads: THREADS, minStreamBytes: 0, minFlops: 0 });
  const wasm = await createKernels({ backend: 'wasm' });
  const T1 = 'wasm-threads-1', T2 = `wasm-threads-${THREADS}`;
  const name = (kernel: string, label: string, shape: string) => `parallel/${kernel}:${label}:${shape}`;

  const rng = new Rng(20240801);
  const resident: ResidentArray<Float32Array | Int32Array>[] = [];
  const alloc = (kk: ParallelKernels, n: number, zeros = 0): ResidentArray<Float32Array> => {
    const r = kk.allocF32(n);
    resident.push(r);
    const v = r.view();
    for (let i = 0; i < n; i++) v[i] = rng.uniform() < zeros ? 0 : 2 * rng.uniform() - 1;
    return r;
  };

  const tasks: BenchTask[] = [];
  const ratios: RatioSpec[] = [];
  const speedup = (kernel: string, shape: string, note?: string): void => {
    ratios.push({
      name: `${kernel} ${shape}: ${THREADS} threads vs 1`, unit: 'x', note,
      value: (t) => t(name(kernel, T1, shape)).medianMs / t(name(kernel, T2, shape)).medianMs,
    });
  };
  /** The same call on the calling thread (k.serial) and split (k). */
  const pair = (kernel: string, shape: string, bytes: number, flops: number,
    call: (kk: ParallelKernels['serial']) => number | void): void => {
    tasks.push({ name: name(kernel, T1, shape), bytes, flops, fn: () => { sink(Number(call(k.serial) ?? 0)); } });
    tasks.push({ name: name(kernel, T2, shape), bytes, flops, fn: () => { sink(Number(call(k) ?? 0)); } });
    speedup(kernel, shape);
  };

  try {
    // The roofline: a plain streaming read of 64 MB (twice the L3), on 1 and 2 threads.
    const nSum = 16 << 20;
    const xs = alloc(k, nSum);
    pair('sum', '64MB', nSum * F, nSum, (kk) => kk.sum(xs.view(), nSum));

    // Dense matrix-vector products: 4 and 16 MiB (around the default threshold; cache-resident),
    // 64 and 128 MiB (DRAM-bound). gemv is cut by rows, gemvT by input rows with partial sums.
    for (const [rows, cols] of [[1024, 1024], [2048, 2048], [4096, 4096], [8192, 4096]] as const) {
      const W = alloc(k, rows * cols), x = alloc(k, cols), y = alloc(k, rows);
      pair('gemv', `${rows}x${cols}`, rows * cols * F, 2 * rows * cols, (kk) => kk.gemv(W.view(), x.view(), y.view(), rows, cols));
      if (rows === cols) {
        const xt = alloc(k, rows), yt = alloc(k, cols);
        pair('gemvT', `${rows}x${cols}`, rows * cols * F, 2 * rows * cols, (kk) => kk.gemvT(W.view(), xt.view(), yt.view(), rows, cols));
      }
    }
    // The same gemv on the ordinary single-thread wasm backend (its own memory): the shared-memory
    // build on one thread should match it.
    const n4 = 4096;
    const Wp = wasm.allocF32(n4 * n4), xp = wasm.allocF32(n4), yp = wasm.allocF32(n4);
    resident.push(Wp, xp, yp);
    { const v = Wp.view(); for (let i = 0; i < v.length; i++) v[i] = 2 * rng.uniform() - 1; }
    { const v = xp.view(); for (let i = 0; i < v.length; i++) v[i] = 2 * rng.uniform() - 1; }
    tasks.push({
      name: name('gemv', `wasm-${wasm.variant}`, '4096x4096'), bytes: n4 * n4 * F, flops: 2 * n4 * n4,
      fn: () => { wasm.gemv(Wp.view(), xp.view(), yp.view(), n4, n4); sink(yp.view()[0]); },
    });
    ratios.push({
      name: 'gemv 4096x4096: shared-memory build on 1 thread vs the ordinary wasm build', unit: 'x',
      note: 'should be ≈ 1: same code, shared memory costs nothing when one thread runs',
      value: (t) => t(name('gemv', `wasm-${wasm.variant}`, '4096x4096')).medianMs / t(name('gemv', T1, '4096x4096')).medianMs,
    });

    // CHESS sparse products at Mistral-7B FFN size, half the activations zero.
    const hidden = 14336, dim = 4096;
    const Wd = alloc(k, hidden * dim), xsp = alloc(k, hidden, 0.5), ysp = alloc(k, dim);
    pair('spvmm', `${hidden}x${dim}-50%`, hidden * dim * F / 2, hidden * dim, (kk) => kk.spvmm(xsp.view(), Wd.view(), ysp.view(), hidden, dim));
    const xv = alloc(k, dim), sv = alloc(k, hidden, 0.5), outv = alloc(k, hidden);
    pair('vmmsp', `${hidden}x${dim}-50%`, hidden * dim * F / 2, hidden * dim, (kk) => kk.vmmsp(xv.view(), Wd.view(), sv.view(), outv.view(), hidden, dim));

    // Codebook search (compute-bound): every thread streams all k centroids from cache.
    const n = quick ? 8192 : 65536, kc = 1024, d = 128;
    const X = alloc(k, n * d), C = alloc(k, kc * d), out = alloc(k, n * kc);
    const codes = k.allocI32(n); resident.push(codes);
    const dist = alloc(k, n);
    const l2shape = `n${n}-k${kc}-d${d}`;
    pair('l2sqrBatch', l2shape, (n * d + kc * d + n * kc) * F, 2 * n * kc * d, (kk) => kk.l2sqrBatch(X.view(), C.view(), out.view(), n, kc, d));
    pair('argminL2', l2shape, (n * d + kc * d) * F, 2 * n * kc * d, (kk) => kk.argminL2(X.view(), C.view(), codes.view(), dist.view(), n, kc, d));

    // Per-call cost of splitting: a 64×64 gemv (16 KB, in L1/L2), split vs not.
    const Wt = alloc(eager, 64 * 64), xt = alloc(eager, 64), yt = alloc(eager, 64);
    tasks.push({ name: name('gemv', 'wasm-threads-1', '64x64'), fn: () => { eager.serial.gemv(Wt.view(), xt.view(), yt.view(), 64, 64); sink(yt.view()[0]); } });
    tasks.push({ name: name('gemv', `wasm-threads-${THREADS}-split`, '64x64'), fn: () => { eager.gemv(Wt.view(), xt.view(), yt.view(), 64, 64); sink(yt.view()[0]); } });
    ratios.push({
      name: 'cost of splitting one call (start + join one worker)', unit: 'µs',
      note: '64×64 gemv split minus not split: the Atomics round trip',
      value: (t) => 1000 * (t(name('gemv', `wasm-threads-${THREADS}-split`, '64x64')).medianMs - t(name('gemv', 'wasm-threads-1', '64x64')).medianMs),
    });

    // How many cores this process really gets now: one busy thread vs two at once. On an idle
    // 2-core machine 2.0; when other processes keep a core busy, closer to 1 — and every
    // 2-thread speed-up above is capped by it.
    const Worker = await nodeWorker();
    if (Worker !== null) {
      const loop = quick ? 2e7 : 5e7;
      tasks.push({ name: name('cpu-probe', '1-thread', `${loop}`), fn: () => spin(Worker, 1, loop), note: 'integer loop on 1 worker' });
      tasks.push({ name: name('cpu-probe', '2-threads', `${loop}`), fn: () => spin(Worker, 2, loop), note: 'the same loop on 2 workers at once' });
      ratios.push({
        name: 'cores available to this process (2 × t1 / t2 of the CPU probe)', unit: 'cores',
        note: 'caps every 2-thread speed-up in this run',
        value: (t) => 2 * t(name('cpu-probe', '1-thread', `${loop}`)).medianMs / t(name('cpu-probe', '2-threads', `${loop}`)).medianMs,
      });
    }

    // Knot-sampler chains: 2 chains one after another vs on 2 worker_threads (each worker
    // starts its own runtime and kernels; that start-up is part of the measured time).
    if (Worker !== null) {
      const problem = chainProblem(chainIterations);
      const chainShape = `2chains-${chainIterations}it-k10`;
      let seed = 1;
      tasks.push({
        name: name('rjmcmc', 'sequential', chainShape), note: 'runChains({ parallel: false })',
        fn: async () => { sink((await runChains(problem, { chains: 2, seed: seed++, kernels: wasm, parallel: false }))[0].logScore[0]); },
      });
      tasks.push({
        name: name('rjmcmc', 'worker-threads', chainShape), note: 'runChains({ parallel: true }): one worker per chain',
        fn: async () => { sink((await runChains(problem, { chains: 2, seed: seed++, kernels: wasm, parallel: true }))[0].logScore[0]); },
      });
      const startup = chainProblem(1);
      tasks.push({
        name: name('rjmcmc', 'worker-threads', '2chains-1it'), note: 'start-up alone: 2 workers, their kernels, 1 iteration',
        fn: async () => { sink((await runChains(startup, { chains: 2, seed: seed++, kernels: wasm, parallel: true }))[0].logScore[0]); },
      });
      ratios.push({
        name: `knot sampler ${chainShape}: worker_threads vs sequential`, unit: 'x',
        value: (t) => t(name('rjmcmc', 'sequential', chainShape)).medianMs / t(name('rjmcmc', 'worker-threads', chainShape)).medianMs,
      });
      ratios.push({
        name: `knot sampler ${chainShape}: same, worker start-up subtracted`, unit: 'x',
        note: 'what longer chains approach',
        value: (t) => t(name('rjmcmc', 'sequential', chainShape)).medianMs
          / (t(name('rjmcmc', 'worker-threads', chainShape)).medianMs - t(name('rjmcmc', 'worker-threads', '2chains-1it')).medianMs),
      });
    }

    // Where the memory-bound kernels sit against the same-run roofline.
    for (const label of [T1, T2]) {
      ratios.push({
        name: `gemv 4096x4096 on ${label}: fraction of the same-thread-count streaming read`, unit: 'of roofline',
        value: (t) => t(name('gemv', label, '4096x4096')).gbPerS! / t(name('sum', label, '64MB')).gbPerS!,
      });
    }
    ratios.push({
      name: `l2sqrBatch ${l2shape} on ${THREADS} threads`, unit: 'GFLOP/s',
      value: (t) => t(name('l2sqrBatch', T2, l2shape)).gflopPerS!,
    });

    const result = await runSuite('parallel', tasks, {
      ...opts, clock: 'wall', ratios,
      notes: [
        `wall clock (CPU time sums the threads and cannot show a speed-up); ${THREADS} threads = the calling thread + 1 worker`,
        `load average at start: ${loadStart}`,
        'each pair of tasks runs the same kernels on the same resident data in one shared memory: '
          + 'k.serial (calling thread only) vs k (split at ≥ 4 MiB streamed / 2^22 flops, the defaults)',
        ...(quick ? [`QUICK: l2sqrBatch/argminL2 at n = ${n} instead of 65536, chains of ${chainIterations} iterations`] : []),
      ],
    });
    result.notes.push(`load average at end: ${await loadAverage()}`);
    const st = k.stats();
    result.notes.push(`the worker ran ${st.chunksOnWorkers} of ${st.chunks} chunks of the split calls `
      + `(${(100 * st.chunksOnWorkers / Math.max(1, st.chunks)).toFixed(0)}%; 50% = an equal share)`);
    return result;
  } finally {
    for (const r of resident) r.dispose();
    await Promise.all([k.dispose(), eager.dispose()]);
  }
}

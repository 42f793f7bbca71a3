/**
 * createParallelKernels: the wasm SIMD kernels on several threads over ONE shared
 * WebAssembly.Memory. The shared-memory build (asconfig target "simd-shared") is compiled once
 * and instantiated on the calling thread and on `threads − 1` workers; all instances see the same
 * linear memory, so resident arrays (weights, KV caches, codebooks) are shared, never copied.
 * Large sum/gemv/gemvT/spvmm/vmmsp/l2sqrBatch/argminL2 and quantized matrix-product calls are cut into chunks that the
 * calling thread and the workers claim as they become free (parallel-kernel-functions.ts,
 * thread-pool.ts); every other kernel, and calls below the size thresholds, run on the calling
 * thread. Calls stay synchronous: the workers are woken and joined through Atomics on a shared
 * control block, not messages. Results depend on the call only, never on the thread count.
 *
 * Scaling (docs/parallel.md): streaming kernels (gemv & co.) are bounded by memory bandwidth,
 * so their speed-up is the ratio of the bandwidth several cores can draw to what one core draws
 * (often 1.2–1.8x on desktop parts, whatever the core count); l2sqrBatch/argminL2 are
 * compute-bound and scale with the cores the process actually gets.
 *
 * Reference: the WebAssembly threads proposal (shared memory, atomics, wait/notify),
 * https://github.com/WebAssembly/threads; dynamic scheduling as OpenMP's schedule(dynamic).
 */
import type { CpuKernelMethods, CpuKernels, KernelFunctions, KernelName } from '../../kernels/kernels.js';
import { referenceKernelFunctions } from '../../kernels/reference/index.js';
import { composeDecoderLayer } from '../../kernels/reference/decoder-layer.js';
import { withShapeChecks } from '../../kernels/checked.js';
import { wasmKernelFunctions } from '../wasm/kernels.js';
import { wasmExports } from '../wasm/loader.js';
import { SparseInferenceError } from '../../core/errors.js';
import { checkInt, checkNumber } from '../../core/validate.js';
import { SharedWasmHeap } from './shared-heap.js';
import { asyncDisposeSymbol } from '../../core/dispose.js';
import { ThreadPool, type PoolStats } from './thread-pool.js';
import { workerSpawner, type WorkerHandle } from './spawn-worker.js';
import { CONTROL_BYTES, SPIN } from './worker-source.js';
import { parallelMissing, sharedBuildBytes } from './parallel-support.js';
import { PARALLEL_KERNELS, parallelKernelFunctions } from './parallel-kernel-functions.js';
import { importNodeBuiltin } from '../../core/node-builtin.js';
import { checkOptions, optionKeys } from '../../core/options.js';

export interface CreateParallelKernelsOptions {
  /**
   * Threads that share a split call, the calling thread included (so threads − 1 workers are
   * started). Integer in [1, 64]; default: the machine's logical cores (at most 16).
   * Results do not depend on it: a call is cut the same way whatever the thread count.
   */
  threads?: number;
  /**
   * sum, gemv, gemvT, spvmm and vmmsp are split only when they stream at least this many bytes
   * (default 4 MiB, ~0.1–0.2 ms on one core). Below it, waking a sleeping worker (a futex wake,
   * 5–50 µs before it runs) is a large part of the call; see docs/parallel.md to tune it.
   */
  minStreamBytes?: number;
  /**
   * The quantized matrix products (gemvQ4_1, gemvQ8_0, gemvQ4_1Q8_1, gemvQ8_0Q8_1 and their gemm
   * forms) are split when their weight blocks take at least this many bytes (default 128 KiB,
   * ~20 µs on one core). They decode and multiply every byte (~5–7 GB/s of blocks per core for
   * the int8 ones) instead of streaming it, so a worker pays off on far smaller calls than a
   * float gemv: SmolLM2-135M's q, o, gate, up and down products (0.2–0.55 MB) split, not only its classifier.
   * The gemm forms count their blocks once per vector (bytes·n): each vector multiplies every block.
   */
  minQuantizedBytes?: number;
  /** l2sqrBatch and argminL2 are split only at 2·n·k·d ≥ this (default 2²² flops, ~0.13 ms on one core). */
  minFlops?: number;
  /**
   * Polls an idle worker makes for the next call before it sleeps (default 2000, a few µs), so
   * calls issued back to back (a decode step's gate and up products) find it awake instead of
   * paying a futex wake. 0 sleeps at once. Longer polling burns a core between calls: on this
   * shared 2-core machine 20000 polls decoded SmolLM2 slower than 0 or 2000 (docs/llama.md).
   */
  spinPolls?: number;
}

/** Every key of CreateParallelKernelsOptions, for checkOptions. */
export const CREATE_PARALLEL_KERNELS_KEYS = optionKeys<CreateParallelKernelsOptions>({
  threads: true, minStreamBytes: true, minQuantizedBytes: true, minFlops: true, spinPolls: true,
});

/** Kernels whose large calls run on several threads. Call dispose() when done with them (or `await using`). */
export interface ParallelKernels extends CpuKernels {
  readonly backend: 'wasm';
  /** 'simd-shared': the SIMD build compiled for a shared memory. */
  readonly variant: string;
  /** Threads a split call uses now, the calling thread included (1 after dispose()). */
  readonly threads: number;
  /** Kernels that are split across threads above the size thresholds. */
  readonly parallel: readonly KernelName[];
  /**
   * The same kernels on the calling thread only, over the same memory and resident arrays
   * (shape-checked like the rest): for calls known to be small, and for like-for-like
   * one-thread measurements.
   */
  readonly serial: CpuKernelMethods;
  /**
   * Split calls so far, their chunks, and how many of those the workers ran — on a loaded
   * machine (or a browser tab in the background) workers get fewer chunks and the calling
   * thread more; a worker that never gets a core shows up here as chunksOnWorkers = 0.
   */
  stats(): PoolStats;
  /**
   * Stops the workers. Resident arrays stay valid and every kernel keeps working, on the
   * calling thread alone. Idempotent. (In Node and Deno the workers never keep the process
   * alive, so a forgotten dispose() does not hang it, but it leaks the threads until exit.)
   */
  dispose(): Promise<void>;
  [Symbol.asyncDispose](): Promise<void>;
}

/** Initial and maximum pages of the shared memory: must match asconfig.json (16 and 65536 = 4 GiB). */
const INITIAL_PAGES = 16;
const MAXIMUM_PAGES = 65536;

const DEFAULT_MIN_STREAM_BYTES = 1 << 22;
const DEFAULT_MIN_QUANTIZED_BYTES = 1 << 17;
const DEFAULT_MIN_FLOPS = 1 << 22;
const DEFAULT_SPIN_POLLS = 2000;
const MAX_THREADS = 64;

async function defaultThreads(): Promise<number> {
  const nav = (globalThis as { navigator?: { hardwareConcurrency?: number } }).navigator;
  let n = nav?.hardwareConcurrency;
  if (!n) {
    try {
      const os = await importNodeBuiltin<typeof import('node:os')>('os');
      n = typeof os.availableParallelism === 'function' ? os.availableParallelism() : os.cpus().length;
    } catch {
      n = 1;
    }
  }
  return Math.max(1, Math.min(16, n));
}

/**
 * Start the wasm-threads backend. Throws SparseInferenceError: BAD_ARGUMENT for bad options,
 * UNAVAILABLE where the runtime lacks shared memory, wasm threads or workers (say why).
 * Unlike createKernels it is not memoised: each call starts its own workers and memory.
 *
 * @example
 * const k = await createParallelKernels({ threads: 2 });
 * const W = k.allocF32(4096 * 4096), x = k.allocF32(4096), y = k.allocF32(4096);
 * // ... fill W.view(), x.view() ...
 * k.gemv(W, x, y, 4096, 4096); // rows cut into chunks, shared by 2 threads
 * await k.dispose();
 */
export async function createParallelKernels(options: CreateParallelKernelsOptions = {}): Promise<ParallelKernels> {
  options = checkOptions('createParallelKernels options', options, CREATE_PARALLEL_KERNELS_KEYS);
  const threads = options.threads === undefined ? await defaultThreads() : checkInt('threads', options.threads, 1, MAX_THREADS);
  const thresholds = {
    minStreamBytes: checkNumber('minStreamBytes', options.minStreamBytes ?? DEFAULT_MIN_STREAM_BYTES, 0),
    minQuantizedBytes: checkNumber('minQuantizedBytes', options.minQuantizedBytes ?? DEFAULT_MIN_QUANTIZED_BYTES, 0),
    minFlops: checkNumber('minFlops', options.minFlops ?? DEFAULT_MIN_FLOPS, 0),
  };
  const spinPolls = checkInt('spinPolls', options.spinPolls ?? DEFAULT_SPIN_POLLS, 0, 2 ** 30);
  const missing = parallelMissing();
  if (missing !== null) throw new SparseInferenceError('UNAVAILABLE', `wasm-threads backend unavailable: ${missing}`);

  const module = await WebAssembly.compile(sharedBuildBytes());
  const memory = new WebAssembly.Memory({ initial: INITIAL_PAGES, maximum: MAXIMUM_PAGES, shared: true });
  const abort = (_msg: number, _file: number, line: number, col: number) => {
    throw new SparseInferenceError('BAD_ARGUMENT', `wasm kernel aborted at ${line}:${col}`);
  };
  const instance = await WebAssembly.instantiate(module, { env: { memory, abort } });
  const exports = wasmExports(instance.exports, memory, ['rowNorms']);

  // Workers start before the first allocation: instantiating the module (re)writes its data
  // segments (static data below the heap), harmless only while nothing runs.
  const ctl = new Int32Array(new SharedArrayBuffer(CONTROL_BYTES));
  ctl[SPIN] = spinPolls;
  const workers = await startWorkers(threads - 1, module, memory, ctl);
  const pool = new ThreadPool(ctl, workers, instance.exports);

  const heap = new SharedWasmHeap(exports, memory);
  const { fns: serial, native } = wasmKernelFunctions(heap);
  const oneThread: KernelFunctions = { ...referenceKernelFunctions, ...serial };
  const merged: KernelFunctions = { ...oneThread, ...parallelKernelFunctions(heap, pool, thresholds, serial) };
  // decoderLayer is one call on one thread; a layer whose FFN matrices are large enough to split
  // runs as separate calls instead, so its gemv calls are shared by the threads.
  const layerByCalls = composeDecoderLayer(merged);
  merged.decoderLayer = (x, W, keys, keysPre, values, scratch, pos, s) =>
    (pool.threads > 1 && 4 * s.hiddenDim * s.dim >= thresholds.minStreamBytes ? layerByCalls : oneThread.decoderLayer)(
      x, W, keys, keysPre, values, scratch, pos, s);
  return {
    ...withShapeChecks(merged),
    cpu: true,
    backend: 'wasm',
    variant: 'simd-shared',
    native,
    get device() { return `wasm (simd-shared, ${pool.threads} threads)`; },
    parallel: PARALLEL_KERNELS,
    serial: withShapeChecks(oneThread),
    get threads() { return pool.threads; },
    allocF32: (n) => heap.resident<Float32Array>(Float32Array, checkInt('length', n, 0)),
    allocI32: (n) => heap.resident<Int32Array>(Int32Array, checkInt('length', n, 0)),
    allocF64: (n) => heap.resident<Float64Array>(Float64Array, checkInt('length', n, 0)),
    stats: () => pool.stats(),
    dispose: () => pool.dispose(),
    [asyncDisposeSymbol]: () => pool.dispose(),
  };
}

async function startWorkers(count: number, module: WebAssembly.Module, memory: WebAssembly.Memory,
  ctl: Int32Array): Promise<WorkerHandle[]> {
  if (count === 0) return [];
  const spawn = await workerSpawner();
  if (typeof spawn === 'string') throw new SparseInferenceError('UNAVAILABLE', `wasm-threads backend unavailable: ${spawn}`);
  const started = await Promise.allSettled(
    Array.from({ length: count }, () => spawn({ module, memory, ctl })));
  const failed = started.find((s): s is PromiseRejectedResult => s.status === 'rejected');
  const ok = started.flatMap((s) => (s.status === 'fulfilled' ? [s.value] : []));
  if (failed) {
    await Promise.all(ok.map((h) => h.dispose()));
    throw new SparseInferenceError('UNAVAILABLE', `wasm-threads worker failed to start: ${(failed.reason as Error).message}`,
      { cause: failed.reason });
  }
  return ok;
}

/**
 * Several chains from different seeds. In Node they run in parallel on worker_threads (one
 * worker per chain, each with its own kernels); where workers are unavailable (browsers, Deno
 * without node:worker_threads, or when `parallel: false`) they run one after another on the
 * calling thread. Both paths give identical records for the same seeds.
 */
import { badArgument, SparseInferenceError, throwIfAborted } from '../core/errors.js';
import { checkOptions, optionKeys } from '../core/options.js';
import { Rng } from '../core/rng.js';
import { checkInt, describe } from '../core/validate.js';
import { checkKernels } from '../kernels/check-kernels.js';
import type { Kernels } from '../kernels/kernels.js';
import { checkChainProblem } from './check-chain.js';
import { runChainAsync, type ChainProblem, type ChainRecord } from './rjmcmc-chain.js';
import { importNodeBuiltin } from '../core/node-builtin.js';

export interface RunChainsOptions {
  chains: number;
  seed: number;
  kernels: Kernels;
  /** 'auto' (default): workers in Node when there are ≥ 2 chains; true: require them; false: sequential. */
  parallel?: boolean | 'auto';
  /** At most this many worker threads at once (default: one per chain); later chains wait for a free one. */
  threads?: number;
  onProgress?: (fraction: number) => void;
  signal?: AbortSignal;
}

/** Chains of one run (fitKnots' limit too). */
const MAX_CHAINS = 64;

const RUN_CHAINS_KEYS = optionKeys<RunChainsOptions>({
  chains: true, seed: true, kernels: true, parallel: true, threads: true, onProgress: true, signal: true,
});

/** Seeds of the chains: derived from one seed, distinct, reproducible. */
export function chainSeeds(seed: number, chains: number): number[] {
  checkInt('chains', chains, 1, MAX_CHAINS);
  const rng = new Rng(seed);
  return Array.from({ length: chains }, () => rng.nextU32() * 1024 + (rng.nextU32() >>> 22));
}

/** Run the chains; resolves to their records in seed order. */
export async function runChains(problem: ChainProblem, opts: RunChainsOptions): Promise<ChainRecord[]> {
  checkChainProblem('problem', problem);
  if (opts === null || opts === undefined) throw badArgument('runChains options must be an object with chains, seed and kernels');
  checkOptions<RunChainsOptions>('runChains options', opts, RUN_CHAINS_KEYS);
  checkKernels('kernels', opts.kernels);
  if (opts.parallel !== undefined && typeof opts.parallel !== 'boolean' && opts.parallel !== 'auto') {
    throw badArgument(`parallel must be true, false or 'auto', got ${describe(opts.parallel)}`);
  }
  if (opts.threads !== undefined) checkInt('threads', opts.threads, 1, MAX_CHAINS);
  const seeds = chainSeeds(opts.seed, opts.chains);
  const parallel = opts.parallel ?? 'auto';
  if (parallel !== false && opts.chains > 1) {
    const workers = await workerSupport();
    if (workers !== null) return runInWorkers(problem, seeds, opts, workers);
    if (parallel === true) throw new SparseInferenceError('UNAVAILABLE', 'parallel chains need node:worker_threads, which this runtime lacks');
  }
  const records: ChainRecord[] = [];
  for (let c = 0; c < seeds.length; c++) {
    throwIfAborted(opts.signal, 'knot sampler');
    records.push(await runChainAsync(problem, seeds[c], opts.kernels, {
      signal: opts.signal,
      onProgress: opts.onProgress && ((f) => opts.onProgress!((c + f) / seeds.length)),
    }));
  }
  return records;
}

interface WorkerSupport {
  Worker: typeof import('node:worker_threads').Worker;
  /** Worker entry: a file URL (built package) or bootstrap code (TypeScript sources). */
  entry: URL | string;
  eval: boolean;
}

/** The worker constructor and entry, or null where worker_threads cannot run the chain code. */
async function workerSupport(): Promise<WorkerSupport | null> {
  const isNode = typeof process !== 'undefined' && typeof process.versions?.node === 'string';
  if (!isNode) return null;
  try {
    const { Worker } = await importNodeBuiltin<typeof import('node:worker_threads')>('worker_threads');
    const here = import.meta.url;
    if (!here.endsWith('.ts')) return { Worker, entry: new URL('./chain-worker.js', here), eval: false };
    // Running from TypeScript sources (tests, tsx): register tsx's loader inside the worker first.
    const { createRequire } = await importNodeBuiltin<typeof import('node:module')>('module');
    const { pathToFileURL } = await importNodeBuiltin<typeof import('node:url')>('url');
    let api: string;
    try { api = createRequire(here).resolve('tsx/esm/api').replace(/\.cjs$/, '.mjs'); } catch { return null; }
    const worker = new URL('./chain-worker.ts', here).href;
    const code = `import(${JSON.stringify(pathToFileURL(api).href)}).then((t) => { t.register(); return import(${JSON.stringify(worker)}); });`;
    return { Worker, entry: code, eval: true };
  } catch {
    return null;
  }
}

function runInWorkers(problem: ChainProblem, seeds: number[], opts: RunChainsOptions, ws: WorkerSupport): Promise<ChainRecord[]> {
  throwIfAborted(opts.signal, 'knot sampler');
  const progress = new Array<number>(seeds.length).fill(0);
  const backend = opts.kernels.backend; // each worker loads the same backend (or the best CPU one)
  const threads = Math.min(seeds.length, opts.threads ?? seeds.length);
  const workers: import('node:worker_threads').Worker[] = [];
  return new Promise<ChainRecord[]>((resolve, reject) => {
    const records = new Array<ChainRecord | undefined>(seeds.length);
    let done = 0, finished = false;
    const stop = (err: Error | null) => {
      if (finished) return;
      finished = true;
      opts.signal?.removeEventListener('abort', onAbort);
      for (const w of workers) void w.terminate();
      if (err) reject(err); else resolve(records as ChainRecord[]);
    };
    const onAbort = () => stop(new SparseInferenceError('ABORTED', 'knot sampler was aborted', { cause: opts.signal?.reason }));
    opts.signal?.addEventListener('abort', onAbort);
    // Chain c runs on its own worker; a finished chain hands its thread to the next waiting one.
    const start = (c: number) => {
      const w = new ws.Worker(ws.entry, { workerData: { problem, seed: seeds[c], backend }, eval: ws.eval });
      workers.push(w);
      w.on('message', (msg: { type: string; fraction?: number; record?: ChainRecord; message?: string; code?: string }) => {
        if (msg.type === 'progress') {
          progress[c] = msg.fraction!;
          opts.onProgress?.(progress.reduce((a, b) => a + b, 0) / seeds.length);
        } else if (msg.type === 'done') {
          records[c] = msg.record!;
          void w.terminate();
          if (++done === seeds.length) stop(null);
          else if (workers.length < seeds.length && !finished) start(workers.length);
        } else {
          const code = (msg.code ?? 'NOT_CONVERGED') as ConstructorParameters<typeof SparseInferenceError>[0];
          stop(new SparseInferenceError(code, msg.message ?? 'chain worker failed'));
        }
      });
      w.on('error', (e) => stop(new SparseInferenceError('UNAVAILABLE', `chain worker failed: ${e.message}`, { cause: e })));
      w.on('exit', (codeNum) => { if (!finished && records[c] === undefined) stop(new SparseInferenceError('UNAVAILABLE', `chain worker exited with code ${codeNum}`)); });
    };
    for (let c = 0; c < threads; c++) start(c);
  });
}

/**
 * Several chains from different seeds, each with its own kernels on its own worker where the
 * runtime has one: Web Workers (module workers) in browsers and Deno, worker_threads in Node.
 * Without workers (or with `parallel: false`, or when a Web Worker cannot load its entry, as in
 * a bundle whose bundler does not follow `new URL('./chain-web-worker.js', import.meta.url)`)
 * they run one after another on the calling thread. Every path gives identical records for the
 * same seeds.
 */
import { badArgument, SparseInferenceError, throwIfAborted } from '../core/errors.js';
import { checkOptions, optionKeys } from '../core/options.js';
import { Rng } from '../core/rng.js';
import { checkInt, describe } from '../core/validate.js';
import { checkKernels } from '../kernels/check-kernels.js';
import type { CpuKernels } from '../kernels/kernels.js';
import { checkChainProblem } from './check-chain.js';
import { runChainAsync, type ChainProblem, type ChainRecord } from './rjmcmc-chain.js';
import { importNodeBuiltin } from '../core/node-builtin.js';
import type { ChainWorkerInput } from './chain-web-worker.js';

export interface RunChainsOptions {
  chains: number;
  seed: number;
  kernels: CpuKernels;
  /**
   * 'auto' (default): workers when there are ≥ 2 chains (Web Workers only where this module runs
   * from its own file, not from a bundle); true: require them; false: sequential.
   */
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
    const spawn = webWorkerSpawner(parallel === true) ?? await nodeWorkerSpawner();
    if (spawn !== null) {
      const records = await runInWorkers(problem, seeds, opts, spawn);
      if (records !== null) return records;
      if (parallel === true) throw new SparseInferenceError('UNAVAILABLE', 'parallel chains: the chain worker could not be started (its entry did not load)');
    } else if (parallel === true) {
      throw new SparseInferenceError('UNAVAILABLE', 'parallel chains need Web Workers or node:worker_threads, which this runtime lacks');
    }
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

/** Messages from a chain worker (both entries use the same protocol). */
interface WorkerMessage { type: string; fraction?: number; record?: ChainRecord; message?: string; code?: string }

/** Callbacks of one started worker; fail(err, started): started = it had posted a message. */
interface WorkerEvents { message(msg: WorkerMessage): void; fail(err: Error): void }

/** Starts a worker on one chain; returns its terminate function. */
type Spawn = (input: ChainWorkerInput, events: WorkerEvents) => () => void;

/**
 * Web Workers (browsers, Deno): a module worker on chain-web-worker, or null where there is no
 * Worker. Unless forced (parallel: true), only when this module runs from its own file (Deno,
 * an import map, a CDN, a dev server): inside a bundle the entry beside it usually does not
 * exist, and trying it would log a failed request on every fit.
 */
function webWorkerSpawner(force: boolean): Spawn | null {
  const WebWorker = (globalThis as { Worker?: new (url: URL, opts: { type: 'module' }) => WebWorkerLike }).Worker;
  if (typeof WebWorker !== 'function') return null;
  if (!force && !/\/run-chains\.[jt]s$/.test(new URL(import.meta.url).pathname)) return null;
  // The literal pattern lets bundlers that understand it (Vite, webpack 5) emit the worker entry.
  const entry = import.meta.url.endsWith('.ts')
    ? new URL('./chain-web-worker.ts', import.meta.url)
    : new URL('./chain-web-worker.js', import.meta.url);
  return (input, events) => {
    const w = new WebWorker(entry, { type: 'module' });
    w.onmessage = (e) => events.message(e.data as WorkerMessage);
    w.onerror = (e) => { e.preventDefault?.(); events.fail(new Error(e.message || 'the worker entry did not load')); };
    w.postMessage(input);
    return () => w.terminate();
  };
}

interface WebWorkerLike {
  onmessage: ((e: { data: unknown }) => void) | null;
  onerror: ((e: { message?: string; preventDefault?: () => void }) => void) | null;
  postMessage(message: unknown): void;
  terminate(): void;
}

/** Node's worker_threads, or null where they cannot run the chain code. */
async function nodeWorkerSpawner(): Promise<Spawn | null> {
  const ws = await workerSupport();
  if (ws === null) return null;
  return (input, events) => {
    const w = new ws.Worker(ws.entry, { workerData: input, eval: ws.eval });
    let exited = false;
    w.on('message', (msg: WorkerMessage) => events.message(msg));
    w.on('error', (e) => events.fail(new Error(e.message)));
    w.on('exit', (code) => { if (!exited) events.fail(new Error(`chain worker exited with code ${code}`)); });
    return () => { exited = true; void w.terminate(); };
  };
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

/**
 * Run the chains on workers, at most opts.threads at once. Resolves to the records, or to null
 * when the first worker failed before posting anything (its entry did not load): the caller then
 * runs the chains on this thread.
 */
function runInWorkers(problem: ChainProblem, seeds: number[], opts: RunChainsOptions, spawn: Spawn): Promise<ChainRecord[] | null> {
  throwIfAborted(opts.signal, 'knot sampler');
  const progress = new Array<number>(seeds.length).fill(0);
  const backend = opts.kernels.backend; // each worker loads the same backend (or the best CPU one)
  const threads = Math.min(seeds.length, opts.threads ?? seeds.length);
  const terminators: (() => void)[] = [];
  let heard = false;
  return new Promise<ChainRecord[] | null>((resolve, reject) => {
    const records = new Array<ChainRecord | undefined>(seeds.length);
    let done = 0, finished = false;
    const stop = (err: Error | null, result: ChainRecord[] | null = null) => {
      if (finished) return;
      finished = true;
      opts.signal?.removeEventListener('abort', onAbort);
      for (const t of terminators) t();
      if (err) reject(err); else resolve(result);
    };
    const onAbort = () => stop(new SparseInferenceError('ABORTED', 'knot sampler was aborted', { cause: opts.signal?.reason }));
    opts.signal?.addEventListener('abort', onAbort);
    // Chain c runs on its own worker; a finished chain hands its thread to the next waiting one.
    const start = (c: number) => {
      const terminate = spawn({ problem, seed: seeds[c], backend }, {
        message: (msg) => {
          heard = true;
          if (msg.type === 'progress') {
            progress[c] = msg.fraction!;
            opts.onProgress?.(progress.reduce((a, b) => a + b, 0) / seeds.length);
          } else if (msg.type === 'done') {
            records[c] = msg.record!;
            terminate();
            if (++done === seeds.length) stop(null, records as ChainRecord[]);
            else if (terminators.length < seeds.length && !finished) start(terminators.length);
          } else {
            const code = (msg.code ?? 'NOT_CONVERGED') as ConstructorParameters<typeof SparseInferenceError>[0];
            stop(new SparseInferenceError(code, msg.message ?? 'chain worker failed'));
          }
        },
        fail: (e) => {
          if (records[c] !== undefined) return;
          if (!heard) stop(null, null); // the entry did not load: no worker will; run in-thread
          else stop(new SparseInferenceError('UNAVAILABLE', `chain worker failed: ${e.message}`, { cause: e }));
        },
      });
      terminators.push(terminate);
    };
    for (let c = 0; c < threads; c++) start(c);
  });
}

/**
 * Web Worker entry (browsers, Deno): runs one knot-sampler chain and posts the record back
 * (typed arrays transferred, not copied). The parent posts one message,
 * { problem, seed, backend }; this worker answers { type: 'progress', fraction } messages, then
 * { type: 'done', record } or { type: 'error', message, code }. The same protocol as the
 * worker_threads entry (chain-worker.ts), without any Node module.
 */
import type { BackendName } from '../kernels/kernels.js';
import { createKernels, cpuBackends } from '../backends/create-kernels.js';
import { SparseInferenceError } from '../core/errors.js';
import { runChain, type ChainProblem, type ChainRecord } from './rjmcmc-chain.js';

/** What the parent posts. */
export interface ChainWorkerInput {
  problem: ChainProblem;
  seed: number;
  backend: BackendName;
}

/** The buffers of a record, to transfer rather than copy. */
export function recordBuffers(record: ChainRecord): ArrayBuffer[] {
  return [
    ...record.k, ...record.knotOffsets, ...record.knotIndex,
    record.logScore, record.accepted, record.moveType, record.probe,
  ].map((a) => a.buffer as ArrayBuffer);
}

interface WorkerScope {
  onmessage: ((e: { data: ChainWorkerInput }) => void) | null;
  postMessage(message: unknown, transfer?: ArrayBuffer[]): void;
}

/**
 * Whether this code runs in a worker (the DOM lib types globalThis as a Window, whose
 * onmessage/postMessage differ from a worker's, so the scope is recognised at run time).
 */
function isWorkerScope(g: object): g is WorkerScope {
  return 'WorkerGlobalScope' in g && typeof g.WorkerGlobalScope === 'function';
}

// Only inside a worker: a page or test that merely imports this file installs nothing.
const global: object = globalThis;
if (isWorkerScope(global)) {
  const scope = global;
  scope.onmessage = (e) => {
    scope.onmessage = null; // one chain per worker
    void run(scope, e.data);
  };
}

async function run(scope: WorkerScope, { problem, seed, backend }: ChainWorkerInput): Promise<void> {
  try {
    const kernels = await createKernels({ backend: cpuBackends([backend, 'auto']) }); // a GPU's chains run on the CPU
    let last = -1;
    const record = runChain(problem, seed, kernels, {
      onProgress: (fraction) => {
        if (fraction - last >= 0.01 || fraction === 1) { last = fraction; scope.postMessage({ type: 'progress', fraction }); }
      },
    });
    scope.postMessage({ type: 'done', record }, recordBuffers(record));
  } catch (e) {
    scope.postMessage({ type: 'error', message: (e as Error).message, code: e instanceof SparseInferenceError ? e.code : undefined });
  }
}

/**
 * Starting one kernel worker in whatever runtime this is: node:worker_threads where it exists
 * (Node, and Deno's Node compatibility layer; the worker is unref'd, so a pool that is never
 * closed cannot keep the process alive — Deno's Web Workers cannot be unref'd), a module Web
 * Worker from a Blob URL elsewhere (browsers). Either way the worker gets the compiled
 * module, the shared memory and its slot of the control block, and the returned promise
 * settles when it has instantiated the module (or failed to).
 */
import { NODE_WORKER_SOURCE, WEB_WORKER_SOURCE } from './worker-source.js';
import { importNodeBuiltin } from '../../core/node-builtin.js';

/** What a worker is started with (all of it is shared, not copied: Module, shared Memory, SAB). */
export interface WorkerStart {
  module: WebAssembly.Module;
  memory: WebAssembly.Memory;
  /** The control block (worker-source.ts), shared by every thread. */
  ctl: Int32Array;
}

/** A started worker. */
export interface WorkerHandle {
  dispose(): Promise<void>;
}

export type SpawnWorker = (start: WorkerStart) => Promise<WorkerHandle>;

type WorkerMessage = { type: 'ready' } | { type: 'exit' } | { type: 'error'; message: string };

/** Node, or a runtime that emulates it (Deno sets process.versions.node and has node:worker_threads). */
function hasNodeWorkers(): boolean {
  const p = (globalThis as { process?: { versions?: { node?: string } } }).process;
  return typeof p?.versions?.node === 'string';
}

/** A spawner for this runtime, or the reason there is none. */
export async function workerSpawner(): Promise<SpawnWorker | string> {
  if (hasNodeWorkers()) {
    let WorkerCtor: typeof import('node:worker_threads').Worker;
    try {
      WorkerCtor = (await importNodeBuiltin<typeof import('node:worker_threads')>('worker_threads')).Worker;
    } catch (e) {
      return `node:worker_threads is unavailable (${(e as Error).message})`;
    }
    return (start) => spawnNode(WorkerCtor, start);
  }
  const g = globalThis as { Worker?: typeof Worker; Blob?: typeof Blob; URL?: typeof URL };
  if (typeof g.Worker !== 'function' || typeof g.Blob !== 'function' || typeof g.URL?.createObjectURL !== 'function') {
    return 'this runtime has no Web Workers (or no Blob URLs to start them from)';
  }
  return spawnWeb;
}

function spawnNode(WorkerCtor: typeof import('node:worker_threads').Worker, start: WorkerStart): Promise<WorkerHandle> {
  return new Promise((resolve, reject) => {
    const w = new WorkerCtor(NODE_WORKER_SOURCE, { eval: true, workerData: start });
    const handle: WorkerHandle = { dispose: async () => { await w.terminate(); } };
    let settled = false;
    const fail = (message: string) => {
      if (settled) return;
      settled = true;
      void w.terminate();
      reject(new Error(message));
    };
    const onMessage = (m: WorkerMessage) => {
      if (m.type === 'error') { fail(m.message); return; }
      if (m.type !== 'ready' || settled) return;
      settled = true;
      // A 'message' listener keeps the worker referenced; after it, unref lets the process exit
      // even if dispose() is never called (the worker then sleeps in Atomics.wait until exit).
      w.off('message', onMessage);
      w.unref();
      resolve(handle);
    };
    w.on('message', onMessage);
    // Kept for the worker's whole life: an 'error' event without a listener would crash the process.
    w.on('error', (e) => fail(e.message));
    w.once('exit', (code) => fail(`worker exited with code ${code} before it was ready`));
  });
}

function spawnWeb(start: WorkerStart): Promise<WorkerHandle> {
  const url = URL.createObjectURL(new Blob([WEB_WORKER_SOURCE], { type: 'text/javascript' }));
  return new Promise<WorkerHandle>((resolve, reject) => {
    const w = new Worker(url, { type: 'module' });
    const handle: WorkerHandle = { dispose: async () => { w.terminate(); } };
    w.onmessage = (e: MessageEvent<WorkerMessage>) => {
      if (e.data.type === 'ready') resolve(handle);
      else if (e.data.type === 'error') { w.terminate(); reject(new Error(e.data.message)); }
    };
    w.onerror = (e: ErrorEvent) => { e.preventDefault?.(); w.terminate(); reject(new Error(e.message || 'worker failed to start')); };
    w.postMessage(start);
  }).finally(() => URL.revokeObjectURL(url));
}

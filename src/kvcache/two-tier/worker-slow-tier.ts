/**
 * The slow tier in a worker thread (Node worker_threads + SharedArrayBuffer): the full K/V lives
 * in the worker's own backend memory; appends are staged in the shared link and shipped with the
 * next request; `attend` posts the selections and resolves when the worker has written outputs
 * and log-sum-exps — meanwhile the caller is free (the paper's heterogeneous split: the fast
 * tier works on sinks + window while the slow tier attends to the retrieved far tokens).
 *
 * The worker runs InThreadSlowTier with the same backend and build as the caller's kernels, so
 * results are identical to the in-thread slow tier.
 *
 * @example
 * const slow = await WorkerSlowTier.create(kernels, { nHeads: 32, nKvHeads: 8, headDim: 128, capacity: 32768 });
 * slow.append(kPost, v);
 * await slow.attend(req);
 * await slow.dispose();
 */
// Type-only at the top: the module is loaded lazily in create(), so bundling the library for a
// browser never pulls in node:worker_threads.
import type { Worker } from 'node:worker_threads';
import type { Kernels } from '../../kernels/kernels.js';
import { SparseInferenceError, badArgument } from '../../core/errors.js';
import { checkInt } from '../../core/validate.js';
import { DONE, ERR, OP, OP_APPEND, OP_ATTEND, OP_CLEAR, OP_EXIT, REQ, STAGED, linkLayout, type LinkViews } from './link.js';
import { checkSlowTierShape, type SlowTier, type SlowTierRequest, type SlowTierShape } from './slow-tier.js';
import { importNodeBuiltin } from '../../core/node-builtin.js';
import { asyncDisposeSymbol } from '../../core/dispose.js';
import { checkOptions, optionKeys } from '../../core/options.js';

/** Options of WorkerSlowTier.create. */
export interface WorkerSlowTierOptions {
  /** Tokens staged before a forced flush (default 256). */
  stage?: number;
}

/** Every key of WorkerSlowTierOptions, for checkOptions. */
export const WORKER_SLOW_TIER_KEYS = optionKeys<WorkerSlowTierOptions>({ stage: true });

/** A SlowTier whose K/V and attention live in a worker thread (see the file header). */
export class WorkerSlowTier implements SlowTier {
  readonly shape: Readonly<SlowTierShape>;
  private readonly v: LinkViews;
  private seq = 0;
  private staged = 0;
  private len = 0;
  private busy = false;
  private lastError = '';
  private closed = false;

  private constructor(private readonly worker: Worker, shape: SlowTierShape, buffer: SharedArrayBuffer, private readonly stage: number) {
    this.shape = Object.freeze({ ...shape });
    this.v = linkLayout(shape, stage, buffer).views!;
    worker.on('message', (m: { type: string; message?: string }) => { if (m.type === 'error') this.lastError = m.message ?? ''; });
  }

  /** Start the worker and wait until its kernels are loaded. */
  static async create(kernels: Kernels, shape: SlowTierShape, opts: WorkerSlowTierOptions = {}): Promise<WorkerSlowTier> {
    checkSlowTierShape(shape);
    const stage = checkInt('stage', checkOptions('WorkerSlowTier options', opts, WORKER_SLOW_TIER_KEYS).stage ?? 256, 1);
    if (typeof SharedArrayBuffer === 'undefined') throw new SparseInferenceError('UNAVAILABLE', 'SharedArrayBuffer is not available in this runtime');
    if (kernels.backend === 'webgpu') throw badArgument('the worker slow tier runs CPU kernels (reference or wasm)');
    const { bytes } = linkLayout(shape, stage);
    const buffer = new SharedArrayBuffer(bytes);
    const here = import.meta.url;
    // From the TypeScript sources (tests, tsx) the worker registers tsx's loader before importing
    // its entry; from dist the entry is plain JavaScript.
    const isTs = here.endsWith('.ts');
    const entry = new URL(isTs ? './slow-tier-worker.ts' : './slow-tier-worker.js', here).href;
    const boot = isTs
      ? `import('tsx/esm/api').then((m) => { m.register(); return import(${JSON.stringify(entry)}); })`
      : `import(${JSON.stringify(entry)})`;
    const { Worker } = await importNodeBuiltin<typeof import('node:worker_threads')>('worker_threads');
    const worker = new Worker(boot, {
      eval: true,
      workerData: { shape, stage, buffer, backend: kernels.backend, wasmVariant: kernels.backend === 'wasm' ? kernels.variant : undefined },
    });
    await new Promise<void>((resolve, reject) => {
      const onMsg = (m: { type: string }) => { if (m.type === 'ready') { cleanup(); resolve(); } };
      const onErr = (e: Error) => { cleanup(); reject(new SparseInferenceError('UNAVAILABLE', `slow-tier worker failed to start: ${e.message}`, { cause: e })); };
      const cleanup = () => { worker.off('message', onMsg); worker.off('error', onErr); };
      worker.on('message', onMsg);
      worker.on('error', onErr);
    });
    return new WorkerSlowTier(worker, shape, buffer, stage);
  }

  get length(): number {
    return this.len;
  }

  append(kPost: Float32Array, v: Float32Array): void {
    const { nKvHeads, headDim: d, capacity } = this.shape;
    this.alive();
    if (this.len >= capacity) throw badArgument(`slow tier is full (capacity ${capacity})`);
    if (this.staged === this.stage) this.flushSync();
    const w = nKvHeads * d;
    this.v.stageK.set(kPost.subarray(0, w), this.staged * w);
    this.v.stageV.set(v.subarray(0, w), this.staged * w);
    this.staged++;
    this.len++;
  }

  clear(): void {
    this.alive();
    this.staged = 0;
    this.len = 0;
    this.post(OP_CLEAR);
    this.waitSync();
  }

  /** Post the request; resolves once the worker has written req.out and req.lse. */
  async attend(req: SlowTierRequest): Promise<void> {
    this.alive();
    const { nHeads, nKvHeads, headDim: d, capacity } = this.shape;
    const v = this.v;
    v.qPost.set(req.qPost.subarray(0, nHeads * d));
    for (let h = 0; h < nKvHeads; h++) {
      const c = req.counts[h];
      if (!Number.isInteger(c) || c < 0 || c > capacity) throw badArgument(`counts[${h}] must be in [0, ${capacity}], got ${c}`);
      v.counts[h] = c;
      v.selections.set(req.selections[h].subarray(0, c), h * capacity);
    }
    this.post(OP_ATTEND);
    // Atomics.waitAsync (ES2024, Node ≥ 16) waits without blocking the caller's event loop.
    while (Atomics.load(v.ctrl, DONE) !== this.seq) {
      const r = Atomics.waitAsync(v.ctrl, DONE, Atomics.load(v.ctrl, DONE));
      if (r.async) await r.value;
    }
    this.busy = false;
    this.checkError();
    req.out.set(v.out.subarray(0, nHeads * d));
    req.lse.set(v.lse.subarray(0, nHeads));
  }

  async dispose(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    Atomics.store(this.v.ctrl, OP, OP_EXIT);
    Atomics.store(this.v.ctrl, REQ, ++this.seq);
    Atomics.notify(this.v.ctrl, REQ);
    await this.worker.terminate();
  }

  [asyncDisposeSymbol](): Promise<void> { return this.dispose(); }

  private post(op: number): void {
    if (this.busy) throw badArgument('the slow tier is busy: await the previous attend() first');
    this.busy = true;
    Atomics.store(this.v.ctrl, STAGED, this.staged);
    this.staged = 0;
    Atomics.store(this.v.ctrl, OP, op);
    Atomics.store(this.v.ctrl, REQ, ++this.seq);
    Atomics.notify(this.v.ctrl, REQ);
  }

  private flushSync(): void {
    this.post(OP_APPEND);
    this.waitSync();
  }

  /** Block until the worker finished the current request (Atomics.wait is allowed on Node's main thread). */
  private waitSync(): void {
    while (Atomics.load(this.v.ctrl, DONE) !== this.seq) Atomics.wait(this.v.ctrl, DONE, Atomics.load(this.v.ctrl, DONE), 1000);
    this.busy = false;
    this.checkError();
  }

  private checkError(): void {
    if (Atomics.load(this.v.ctrl, ERR) !== 0) {
      Atomics.store(this.v.ctrl, ERR, 0);
      throw new SparseInferenceError('BAD_ARGUMENT', `slow-tier worker failed${this.lastError ? `: ${this.lastError}` : ''}`);
    }
  }

  private alive(): void {
    if (this.closed) throw badArgument('slow tier was disposed');
  }
}

/**
 * Runs one kernel call as a job of chunks on the calling thread and the workers, through Atomics
 * on the shared control block (layout in worker-source.ts) — no messages, so a call stays
 * synchronous and costs microseconds, not a postMessage round trip through the event loop.
 *
 * The calling thread opens the job (writes the descriptor, sets CLAIM, bumps GO and wakes the
 * workers), claims chunks itself like any worker, then waits until every chunk has completed.
 * Chunks go to whichever thread is free (dynamic scheduling, as OpenMP's schedule(dynamic)):
 * on a loaded machine a worker that gets no core for a while claims fewer chunks and the call
 * still finishes in about the one-thread time, where a fixed half per thread would wait for it.
 *
 * Waiting: the calling thread polls COMPLETED for a while (the last chunks finish about when its
 * own do), then sleeps in Atomics.wait where the runtime allows it (Node, Deno, workers); a
 * browser's main thread may not block and keeps polling. Idle workers sleep in Atomics.wait.
 */
import { SparseInferenceError } from '../../core/errors.js';
import type { WorkerHandle } from './spawn-worker.js';
import {
  ARGS, CHUNK, CLAIM, COMPLETED, CONST, EXIT, FAILED, GO, LENGTH, MAX_ARGS, MAX_CHUNKS, MODES, MULTS, OFFSET, OP, OPS,
  RESULTS_BYTE, SLOT, TOTAL, WORKER_CHUNKS, type OpName,
} from './worker-source.js';

/** Polls of COMPLETED before the calling thread goes to sleep in Atomics.wait. */
const SPIN_POLLS = 2000;

/**
 * One argument of a job: a constant; a pointer that moves perElement bytes per element of the
 * cut (so it points at the chunk's start); a pointer that moves perChunk bytes per chunk index
 * (the chunk's own output slot); or the chunk's length.
 */
export type JobArg = number | { base: number; perElement: number } | { base: number; perChunk: number } | 'length';

/** A kernel call cut into chunks of `chunk` elements of `total`. */
export interface Job {
  op: OpName;
  total: number;
  chunk: number;
  args: JobArg[];
}

/** Whether this thread may block in Atomics.wait (false on a browser's main thread). */
export function canBlock(): boolean {
  try {
    // The value differs, so this returns 'not-equal' at once where waiting is allowed, and
    // throws a TypeError where this thread may not block.
    Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 1, 0);
    return true;
  } catch {
    return false;
  }
}

/** What the pool has done so far (see ParallelKernels.stats). */
export interface PoolStats {
  /** Kernel calls run as jobs of chunks. */
  jobs: number;
  /** Chunks of those jobs, on all threads. */
  chunks: number;
  /** Chunks the workers ran (the rest ran on the calling thread). */
  chunksOnWorkers: number;
}

export class ThreadPool {
  private closed = false;
  private jobs = 0;
  private chunks = 0;
  private readonly blocking = canBlock();
  private readonly results: Float64Array;
  private readonly fns: ((...a: number[]) => number | undefined)[];

  /**
   * ctl: the control block the workers were started with; exports: the calling thread's instance
   * of the same module (it runs chunks too).
   */
  constructor(private readonly ctl: Int32Array, private readonly workers: WorkerHandle[], exports: object) {
    this.results = new Float64Array(ctl.buffer, ctl.byteOffset + RESULTS_BYTE, MAX_CHUNKS);
    const e = exports as Record<string, (...a: number[]) => number | undefined>;
    this.fns = OPS.map((name) => (name ? e[name] : () => 0));
  }

  /** Threads a job runs on now: the calling thread plus the workers (1 after close). */
  get threads(): number {
    return this.closed ? 1 : this.workers.length + 1;
  }

  /**
   * Run the job to completion; returns each chunk's return value (a view, valid until the next
   * job). Throws UNAVAILABLE when a chunk threw, after every chunk has finished.
   */
  run(job: Job): Float64Array {
    const ctl = this.ctl;
    const count = Math.ceil(job.total / job.chunk);
    if (count > MAX_CHUNKS || job.args.length > MAX_ARGS) throw new Error(`internal: job ${job.op} is too large`);
    ctl[OP] = OPS.indexOf(job.op);
    ctl[TOTAL] = job.total;
    ctl[CHUNK] = job.chunk;
    for (let j = 0; j < MAX_ARGS; j++) {
      const a = j < job.args.length ? job.args[j] : 0;
      // Pointers ≥ 2 GiB wrap to negative i32s; wasm reads the same 32 bits back.
      if (typeof a === 'number') { ctl[MODES + j] = CONST; ctl[ARGS + j] = a; }
      else if (a === 'length') { ctl[MODES + j] = LENGTH; ctl[ARGS + j] = 0; }
      else if ('perElement' in a) { ctl[MODES + j] = OFFSET; ctl[ARGS + j] = a.base; ctl[MULTS + j] = a.perElement; }
      else { ctl[MODES + j] = SLOT; ctl[ARGS + j] = a.base; ctl[MULTS + j] = a.perChunk; }
    }
    Atomics.store(ctl, FAILED, 0);
    Atomics.store(ctl, COMPLETED, 0);
    this.jobs++;
    this.chunks += count;
    Atomics.store(ctl, CLAIM, count); // chunk 0 of `count`: the job is open (publishes the descriptor)
    if (!this.closed && this.workers.length > 0) {
      Atomics.add(ctl, GO, 1);
      Atomics.notify(ctl, GO);
    }
    this.help();
    let polls = 0;
    for (;;) {
      const done = Atomics.load(ctl, COMPLETED);
      if (done === count) break;
      if (this.blocking && ++polls > SPIN_POLLS) Atomics.wait(ctl, COMPLETED, done);
    }
    if (Atomics.load(ctl, FAILED) !== 0) {
      throw new SparseInferenceError('UNAVAILABLE', `wasm-threads: a chunk of ${job.op} failed`);
    }
    return this.results.subarray(0, count);
  }

  /** The workers' claim loop (HELP in worker-source.ts), on the calling thread. */
  private help(): void {
    const ctl = this.ctl;
    for (;;) {
      const claim = Atomics.load(ctl, CLAIM);
      const c = claim >>> 16;
      if (c >= (claim & 0xffff)) return;
      if (Atomics.compareExchange(ctl, CLAIM, claim, claim + 0x10000) !== claim) continue;
      const chunk = ctl[CHUNK], start = c * chunk, len = Math.min(chunk, ctl[TOTAL] - start);
      const arg = (j: number): number => {
        const mode = ctl[MODES + j];
        return mode === CONST ? ctl[ARGS + j] : mode === OFFSET ? ctl[ARGS + j] + start * ctl[MULTS + j]
          : mode === LENGTH ? len : ctl[ARGS + j] + c * ctl[MULTS + j];
      };
      try {
        this.results[c] = this.fns[ctl[OP]](arg(0), arg(1), arg(2), arg(3), arg(4), arg(5), arg(6), arg(7)) ?? 0;
      } catch {
        Atomics.store(ctl, FAILED, 1);
      }
      Atomics.add(ctl, COMPLETED, 1);
    }
  }

  stats(): PoolStats {
    return { jobs: this.jobs, chunks: this.chunks, chunksOnWorkers: Atomics.load(this.ctl, WORKER_CHUNKS) };
  }

  /** Stop every worker (EXIT, wake, terminate). Jobs then run on the calling thread alone. Idempotent. */
  async dispose(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    Atomics.store(this.ctl, EXIT, 1);
    Atomics.add(this.ctl, GO, 1);
    Atomics.notify(this.ctl, GO);
    await Promise.all(this.workers.map((h) => h.dispose()));
  }
}

/**
 * The code each worker runs, as source text. Keeping it a self-contained string (no imports)
 * lets one worker start the same way from TypeScript sources, the built package, a bundle,
 * Deno or a browser: Node evaluates it (`new Worker(code, { eval: true })`), browsers load it
 * from a Blob URL. The worker receives the compiled shared-memory module, the shared
 * WebAssembly.Memory and the control block, instantiates the module once, then serves jobs.
 *
 * The control block is an Int32Array over a SharedArrayBuffer, shared by every thread:
 *   [GO]        bumped by the calling thread when a job is open (workers sleep on it)
 *   [EXIT]      1: workers leave their loop
 *   [CLAIM]     (next chunk << 16) | chunk count: a thread owns chunk c once its
 *               compareExchange moves CLAIM from c to c + 1; c = count means all are taken
 *   [COMPLETED] chunks finished (the calling thread sleeps on it)   [FAILED] 1 if a chunk threw
 *   [OP] export to run (OPS)   [TOTAL] elements to cut   [CHUNK] elements per chunk
 *   [ARGS+j], [MODES+j], [MULTS+j], j < 8: argument j of chunk c (start = c·CHUNK, len = its size) is
 *               MODES 0: ARGS;  1: ARGS + start·MULTS (a pointer into the chunk);  2: len;
 *               3: ARGS + c·MULTS (the chunk's own output slot, e.g. a partial sum)
 *   [WORKER_CHUNKS] chunks run by workers since the start (a diagnostic: ParallelKernels.stats)
 *   [SPIN]      polls of GO an idle worker makes before it sleeps in Atomics.wait (set once)
 *   then a Float64Array of each chunk's return value (RESULTS_BYTE, MAX_CHUNKS entries).
 * A thread that has claimed chunk c of the open job knows the job cannot change under it: the
 * calling thread rewrites the descriptor only after every chunk has completed. So a worker that
 * wakes late simply finds nothing to claim, or helps with whatever job is open then.
 * Workers never allocate: every pointer they get was allocated by the calling thread.
 */
import type { KernelName } from '../../kernels/kernels.js';
import { perKernel, type KernelsSplitBy } from '../../kernels/reference/index.js';

export const GO = 0, EXIT = 1, CLAIM = 2, COMPLETED = 3, FAILED = 4, OP = 5, TOTAL = 6, CHUNK = 7;
export const ARGS = 8, MODES = 16, MULTS = 24, WORKER_CHUNKS = 32, SPIN = 33;
/** The most arguments a job passes. */
export const MAX_ARGS = 8;
/** Byte offset of the per-chunk results (float64) in the control block. */
export const RESULTS_BYTE = 192;
/** The most chunks a job may have (≥ TARGET_CHUNKS in chunking.ts). */
export const MAX_CHUNKS = 64;
/** Bytes of the control block. */
export const CONTROL_BYTES = RESULTS_BYTE + 8 * MAX_CHUNKS;

/** Argument modes (see above). */
export const CONST = 0, OFFSET = 1, LENGTH = 2, SLOT = 3;

/**
 * The kernels this backend splits: those whose descriptor says their work falls into rows or
 * partial results (WorkSplit). parallel-kernel-functions.ts must implement exactly these (its
 * return type is Pick<KernelFunctions, SplitKernel>), so a kernel declared splittable is a `tsc`
 * error there until it is split; a 'whole' kernel runs on the calling thread as on wasm.
 */
export type SplitKernel = KernelsSplitBy<'rows' | 'partials'>;

/**
 * Worker exports named otherwise than their kernel: the point-block loops that take the centroid
 * norms, computed once per call on the calling thread. Every other split kernel's chunks run the
 * export of the kernel's own name.
 */
const CHUNK_EXPORTS = { l2sqrBatch: ['l2sqrBatchRows'], argminL2: ['argminL2Rows'] } as const;

/** Exports a worker may run. */
export type OpName = Exclude<SplitKernel, keyof typeof CHUNK_EXPORTS> | (typeof CHUNK_EXPORTS)[keyof typeof CHUNK_EXPORTS][number];

/** For every kernel, the exports its chunks run on the workers, or null when it runs whole. */
export const WORKER_OPS: { readonly [K in KernelName]: readonly OpName[] | null } = perKernel((d) => {
  if (d.split === 'whole') return null;
  return (CHUNK_EXPORTS as Partial<Record<KernelName, readonly OpName[]>>)[d.name] ?? [d.name as OpName];
});

/** The same exports by op code (index; 0 is unused), derived from WORKER_OPS. */
export const OPS: readonly ('' | OpName)[] = ['', ...Object.values(WORKER_OPS).flatMap((ops) => ops ?? [])];

/**
 * Claim and run chunks of the open job until none is left. The calling thread runs the same
 * loop (ThreadPool.help in thread-pool.ts mirrors it line for line, without counting).
 */
const HELP = `
function help(ctl, results, fns, counter) {
  for (;;) {
    const claim = Atomics.load(ctl, ${CLAIM});
    const c = claim >>> 16;
    if (c >= (claim & 0xffff)) return;
    if (Atomics.compareExchange(ctl, ${CLAIM}, claim, claim + 0x10000) !== claim) continue;
    const chunk = ctl[${CHUNK}], start = c * chunk, len = Math.min(chunk, ctl[${TOTAL}] - start);
    const arg = (j) => {
      const mode = ctl[${MODES} + j];
      return mode === ${CONST} ? ctl[${ARGS} + j] : mode === ${OFFSET} ? ctl[${ARGS} + j] + start * ctl[${MULTS} + j]
        : mode === ${LENGTH} ? len : ctl[${ARGS} + j] + c * ctl[${MULTS} + j];
    };
    try {
      results[c] = fns[ctl[${OP}]](arg(0), arg(1), arg(2), arg(3), arg(4), arg(5), arg(6), arg(7)) ?? 0;
    } catch (e) {
      Atomics.store(ctl, ${FAILED}, 1);
    }
    if (counter) Atomics.add(ctl, ${WORKER_CHUNKS}, 1);
    Atomics.add(ctl, ${COMPLETED}, 1);
    Atomics.notify(ctl, ${COMPLETED});
  }
}
`;

/** The serving loop, shared by both prologues; `post` sends a message to the creating thread. */
const SERVE = `${HELP}
const OPS = ${JSON.stringify(OPS)};
async function serve(data, post) {
  const { module, memory, ctl } = data;
  const results = new Float64Array(ctl.buffer, ctl.byteOffset + ${RESULTS_BYTE}, ${MAX_CHUNKS});
  let fns;
  try {
    const abort = () => { throw new Error('wasm kernel aborted'); };
    const instance = await WebAssembly.instantiate(module, { env: { memory, abort } });
    fns = OPS.map((name) => (name ? instance.exports[name] : null));
  } catch (e) {
    post({ type: 'error', message: String(e && e.message || e) });
    return;
  }
  let seen = Atomics.load(ctl, ${GO});
  post({ type: 'ready' });
  for (;;) {
    // Poll a while before sleeping: in a decode step the next call comes within microseconds,
    // and a futex wake costs more than a short chunk.
    for (let i = ctl[${SPIN}]; i > 0 && Atomics.load(ctl, ${GO}) === seen; i--);
    Atomics.wait(ctl, ${GO}, seen);
    seen = Atomics.load(ctl, ${GO});
    if (Atomics.load(ctl, ${EXIT}) !== 0) break;
    help(ctl, results, fns, true);
  }
  post({ type: 'exit' });
}
`;

/** Source for node:worker_threads (`eval: true`; workerData carries the start message). */
export const NODE_WORKER_SOURCE = `${SERVE}
const { parentPort, workerData } = require('node:worker_threads');
serve(workerData, (m) => parentPort.postMessage(m)); // with no listener left, the thread ends after EXIT
`;

/** Source for a Web Worker (module type, from a Blob URL; the first message carries the start data). */
export const WEB_WORKER_SOURCE = `${SERVE}
self.onmessage = (e) => { self.onmessage = null; serve(e.data, (m) => self.postMessage(m)).then(() => self.close()); };
`;

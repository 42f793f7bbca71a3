/**
 * One Lloyd iteration of k-means (Lloyd 1982), in two parts:
 *
 * - the assignment — every point to its nearest centroid with `kernels.argminL2`, the O(n·k·d)
 *   part, which runs wherever the kernels run (WASM, or the GPU for `AsyncKernels`);
 * - the update (`lloydUpdate`) — each centroid becomes the mean of its points, O(n·d) float64
 *   sums on the host.
 *
 * `lloydIteration` is both, written once for synchronous and asynchronous kernels (a generator
 * for `driveSync`/`driveAsync`, see kernels/maybe-async.ts); `lloydStep` is the synchronous
 * form on resident buffers. Each returns the exact objective of the centroids *before* the
 * update, Σ_i ‖x_i − c_{code_i}‖², the centroid shift Σ_c ‖Δc‖², and the clusters left empty
 * (their centroids are unchanged; the caller re-seeds them).
 *
 * @example
 * const { objective, shift, empty } = lloydStep(kernels, X, C, codes, dist, n, k, d, sums, counts);
 */
import { checkFloat32, checkFloat64, checkIndices, checkInt, checkInt32 } from '../core/validate.js';
import { checkKernels } from '../kernels/check-kernels.js';
import type { CpuKernels, ResidentArray } from '../kernels/kernels.js';
import type { AsyncKernels } from '../kernels/async-kernels.js';
import type { HostMirror } from '../kernels/host-mirror.js';
import { eitherKernels, settle, type Step } from '../kernels/maybe-async.js';
import { throwIfAborted } from '../core/errors.js';
import { checkOptions, optionKeys } from '../core/options.js';

/**
 * Multiply-adds of one assignment block (2^26): ~10–20 ms of argminL2 on one CPU core, so a
 * long assignment (16384 × 1024 × 128 is 32 blocks) can be paused and aborted between blocks.
 */
export const ASSIGN_BLOCK_WORK = 1 << 26;

/** Block sizes are rounded up to a multiple of this many rows. */
const BLOCK_ALIGN = 64;

/** How an assignment is sliced: `signal` is checked between blocks of ~`blockWork` multiply-adds. */
export interface AssignOptions {
  signal?: AbortSignal;
  /** Multiply-adds per block (default ASSIGN_BLOCK_WORK), rounded up to a multiple of 64 rows. */
  blockWork?: number;
}
const ASSIGN_KEYS = optionKeys<AssignOptions>({ signal: true, blockWork: true });

/** Objective before the update, centroid shift, and empty clusters of one Lloyd step. */
export interface LloydStepResult {
  objective: number;
  shift: number;
  empty: number[];
}

/**
 * The update half of a Lloyd step, on the host: c_j ← mean of the points coded j (float64
 * sums), for every non-empty cluster.
 *
 * x: n*d points; c: k*d centroids (updated in place); codes: n (from the assignment against
 * these centroids); sums: k*d and counts: k are scratch.
 *
 * @example
 * kernels.argminL2(x, c, codes, dist, n, k, d);
 * const { objective, shift, empty } = lloydUpdate(x, c, codes, n, k, d, sums, counts);
 */
export function lloydUpdate(x: Float32Array, c: Float32Array, codes: Int32Array, n: number, k: number, d: number,
  sums: Float64Array, counts: Int32Array): LloydStepResult {
  checkInt('n', n, 0); checkInt('k', k, 1); checkInt('d', d, 1);
  checkFloat32('x', x, n * d); checkFloat32('c', c, k * d); checkInt32('codes', codes, n);
  checkFloat64('sums', sums, k * d); checkInt32('counts', counts, k);
  checkIndices('codes', codes, n, k);
  sums.fill(0, 0, k * d); counts.fill(0, 0, k);
  let objective = 0;
  for (let i = 0; i < n; i++) {
    const j = codes[i];
    counts[j]++;
    const xo = i * d, co = j * d;
    for (let t = 0; t < d; t++) {
      const v = x[xo + t];
      const e = v - c[co + t];
      objective += e * e;
      sums[co + t] += v;
    }
  }
  let shift = 0;
  const empty: number[] = [];
  for (let j = 0; j < k; j++) {
    if (counts[j] === 0) { empty.push(j); continue; }
    const inv = 1 / counts[j];
    for (let t = 0; t < d; t++) {
      const nv = sums[j * d + t] * inv;
      const e = nv - c[j * d + t];
      shift += e * e;
      c[j * d + t] = nv;
    }
  }
  return { objective, shift, empty };
}

/**
 * One Lloyd step on synchronous kernels and resident buffers.
 * X: n*d, C: k*d (updated in place), codes/dist: n; sums: k*d and counts: k are scratch.
 */
export function lloydStep(kernels: CpuKernels, X: ResidentArray<Float32Array>, C: ResidentArray<Float32Array>,
  codes: ResidentArray<Int32Array>, dist: ResidentArray<Float32Array>, n: number, k: number, d: number,
  sums: Float64Array, counts: Int32Array): LloydStepResult {
  checkKernels('kernels', kernels);
  kernels.argminL2(X.view(), C.view(), codes.view(), dist.view(), n, k, d);
  return lloydUpdate(X.view(), C.view(), codes.view(), n, k, d, sums, counts);
}

/**
 * One Lloyd step on synchronous or asynchronous kernels, as a generator (run it with
 * `driveSync` or `driveAsync`). The host copy of C is the truth: it is pushed before the
 * assignment, the codes are pulled after it, and the update writes the host copy. The
 * distances stay where the kernel wrote them (`dist.arg()`, e.g. for a `topK` of the farthest
 * points); their host copy is not refreshed.
 *
 * X: n*d (host copy holds the points), C: k*d, codes/dist: n; sums: k*d and counts: k scratch.
 * The assignment runs in row blocks (`assignInBlocks`): between blocks the generator pauses
 * and checks `options.signal`, so an async driver can abort inside one long iteration.
 * On the webgpu backend argminL2's float32 distances are summed in another order than on the
 * CPU, so a point at a near-tie (two centroids within float rounding) may get the other code.
 *
 * @example
 * const step = await driveAsync(lloydIteration(gpu, X, C, codes, dist, n, k, d, sums, counts));
 */
export function* lloydIteration(kernels: AsyncKernels, X: HostMirror<Float32Array>, C: HostMirror<Float32Array>,
  codes: HostMirror<Int32Array>, dist: HostMirror<Float32Array>, n: number, k: number, d: number,
  sums: Float64Array, counts: Int32Array, options?: AssignOptions): Generator<Step, LloydStepResult, unknown> {
  checkInt('n', n, 1); checkInt('k', k, 1, n); checkInt('d', d, 1); // when driven: the body runs then
  const opts = checkOptions('lloydIteration options', options, ASSIGN_KEYS);
  if (opts.blockWork !== undefined) checkInt('blockWork', opts.blockWork, 1);
  // Mirror arguments are resident views on sync kernels and device arrays on async ones —
  // what each kind takes; AsyncKernels' signature admits both, and settle() either result.
  C.push();
  yield* assignInBlocks(kernels, X, C, codes, dist, n, k, d, opts);
  yield* codes.pull();
  return lloydUpdate(X.host(), C.host(), codes.host(), n, k, d, sums, counts);
}

/**
 * The assignment `argminL2(X, C, codes, dist, n, k, d)` as consecutive row blocks of about
 * `blockWork` multiply-adds (a multiple of 64 rows), with a pause (a plain `yield`) and a check
 * of `signal` between blocks. Each row's code and distance depend on that row, C, and — on
 * kernels that take rows in small groups — the row's place in its group, which 64-row
 * alignment keeps as in one call: the result is the one call's, bit for bit. C must already be pushed; codes and dist stay where the kernel
 * wrote them (pull them to read on the host).
 */
export function* assignInBlocks(kernels: AsyncKernels, X: HostMirror<Float32Array>, C: HostMirror<Float32Array>,
  codes: HostMirror<Int32Array>, dist: HostMirror<Float32Array>, n: number, k: number, d: number,
  options: AssignOptions = {}): Generator<Step, void, unknown> {
  const kx = eitherKernels(kernels);
  // Whole multiples of 64 rows: kernels that work on small groups of rows (wasm: 4 at a time,
  // the last n mod 4 alone, in another summation order) then group every row as one call would.
  const rows = Math.ceil(Math.max(1, Math.floor((options.blockWork ?? ASSIGN_BLOCK_WORK) / (k * d))) / BLOCK_ALIGN) * BLOCK_ALIGN;
  for (let r0 = 0; r0 < n; r0 += rows) {
    if (r0 > 0) { throwIfAborted(options.signal, 'kmeans'); yield; }
    const r1 = Math.min(n, r0 + rows);
    // arg() afresh per block: on wasm a view detaches if memory grew during the last call.
    yield* settle(kx.argminL2(X.arg().subarray(r0 * d, r1 * d), C.arg(), codes.arg().subarray(r0, r1),
      dist.arg().subarray(r0, r1), r1 - r0, k, d));
  }
}

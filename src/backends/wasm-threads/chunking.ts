/**
 * How a split kernel call is cut into chunks. The cut depends only on the call's shape — never
 * on how many threads there are — so a call gives the same bits on 1, 2 or 16 threads (and
 * after dispose()), even for the kernels whose result depends on the cut (sum, vmmsp).
 *
 * Chunks are claimed one at a time by whichever thread is free (see thread-pool.ts), so they
 * are several per thread: a thread that is descheduled, or a slower core, simply claims fewer
 * of them instead of holding everyone up with a fixed half of the work.
 */

/** About this many chunks per call: 16 per thread on 2 threads, 2 per thread on 16. */
export const TARGET_CHUNKS = 32;

/**
 * Elements per chunk for `total` elements: a multiple of `unit` (where the single-thread kernel
 * starts a block, so the cut does not change any block's arithmetic), at least `minElements`
 * (so each chunk's work dwarfs the cost of claiming it), about total / target otherwise.
 * The chunks are [c·size, min(total, (c+1)·size)) for c < ceil(total / size) ≤ target.
 *
 * @example chunkSize(4096, 7, 1)     // 133 = 19·7: 31 chunks of 4096 rows
 * @example chunkSize(4096, 16, 1024) // 1024: 4 column chunks of at least 1024
 */
export function chunkSize(total: number, unit: number, minElements: number, target = TARGET_CHUNKS): number {
  const size = Math.max(Math.ceil(total / target), minElements, 1);
  return Math.ceil(size / unit) * unit;
}

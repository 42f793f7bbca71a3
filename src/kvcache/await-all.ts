/**
 * The values of kernel calls issued back to back: a GPU backend returns Promises (one wait for
 * all of them), a CPU backend the values themselves (returned as they are, without building a
 * Promise per value — a decode step issues dozens of calls).
 */
import type { Awaitable } from '../core/awaitable.js';

/** @example const lse = await awaitAll(heads.map((h) => kernels.selectiveAttention(...))); */
export function awaitAll<T>(results: readonly Awaitable<T>[]): Awaitable<T[]> {
  for (const r of results) if (r instanceof Promise) return Promise.all(results);
  return results as T[];
}

/**
 * A chain of kernel calls that hand arrays to one another (gemv → siluThreshold → vmmsp → spvmm),
 * issued on synchronous or asynchronous kernels from one generator body (kernels/maybe-async.ts).
 *
 * - `together`: every array passed from one call to the next is a device array, so the calls
 *   are issued back to back — on webgpu, all in one submission with no read-back in between —
 *   and awaited together at the end.
 * - otherwise each call is settled before the next is issued: on webgpu a host output array is
 *   filled only when its call completes, so a later call must not be issued (and upload it)
 *   before then.
 * On synchronous kernels both run each call at once, in order, with the same results.
 *
 * @example
 * const [, kept] = yield* issueCalls(isDeviceArray(gate), [
 *   () => k.gemv(W, x, gate, rows, cols),
 *   () => k.siluThreshold(gate, t, rows),
 * ]);
 */
import { settle, settleAll, type Step } from '../kernels/maybe-async.js';

type Results<T extends readonly (() => unknown)[]> = { -readonly [I in keyof T]: Awaited<ReturnType<T[I]>> };

/** Issue `calls` in order (see the module comment) and return their results, in order. */
export function* issueCalls<const T extends readonly (() => unknown)[]>(together: boolean, calls: T): Generator<Step, Results<T>, unknown> {
  const results: unknown[] = [];
  if (together) {
    for (const c of calls) results.push(c());
    return (yield* settleAll(results)) as Results<T>; // Promise.all observes every rejection
  }
  for (const c of calls) results.push(yield* settle(c()));
  return results as Results<T>;
}

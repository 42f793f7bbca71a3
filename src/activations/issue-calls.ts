/**
 * A chain of kernel calls that hand arrays to one another (gemv → siluThreshold → vmmsp → spvmm),
 * issued on any kernels.
 *
 * - `together`: every array passed from one call to the next is a device array, so the calls
 *   are issued back to back — on webgpu, all in one submission with no read-back in between —
 *   and awaited together at the end.
 * - otherwise each call is awaited before the next is issued: on webgpu a host output array is
 *   filled only when its call completes, so a later call must not be issued (and upload it)
 *   before then.
 * On CPU kernels both run each call at once, in order, with the same results.
 *
 * @example
 * const [, kept] = await issueCalls(isDeviceArray(gate), [
 *   () => k.gemv(W, x, gate, rows, cols),
 *   () => k.siluThreshold(gate, t, rows),
 * ]);
 */
type Results<T extends readonly (() => unknown)[]> = { -readonly [I in keyof T]: Awaited<ReturnType<T[I]>> };

/** Issue `calls` in order (see the module comment) and resolve to their results, in order. */
export async function issueCalls<const T extends readonly (() => unknown)[]>(together: boolean, calls: T): Promise<Results<T>> {
  const results: unknown[] = [];
  if (together) {
    for (const c of calls) results.push(c());
    return (await Promise.all(results)) as Results<T>; // Promise.all observes every rejection
  }
  for (const c of calls) results.push(await c());
  return results as Results<T>;
}

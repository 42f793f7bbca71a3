/**
 * One algorithm body for synchronous and asynchronous kernels.
 *
 * Algorithms that should run on the GPU as well as on the CPU write their body once, as a
 * generator, and wrap each kernel call in `yield* settle(...)`. With synchronous `Kernels`
 * the call returns its value and `settle` hands it straight back (the generator never
 * suspends for it); with `AsyncKernels` the call returns a Promise, `settle` yields it, and
 * the async driver resumes the generator with the resolved value. The same generator also
 * yields plain `undefined` between units of work (to let progress render and `signal` fire),
 * which both drivers treat as a pause.
 *
 *   function* steps(k: Kernels | AsyncKernels) {
 *     const nnz = yield* settle(k.spvmm(x, W, y, rows, cols)); // a number either way
 *     ...
 *   }
 *   driveSync(steps(cpuKernels));              // throws UNAVAILABLE if handed AsyncKernels
 *   await driveAsync(steps(gpuKernels));       // awaits each kernel, yields to the event loop
 *
 * Host typed arrays are valid arguments of both interfaces, so `k.argminL2(X, C, codes, dist,
 * n, kk, d)` type-checks for `k: Kernels | AsyncKernels` without casts.
 */
import { needsSyncKernels } from './async-kernels.js';

/** What such a generator yields: a pending kernel result, or nothing (a pause). */
export type Step = PromiseLike<unknown> | undefined | void;

function isThenable(v: unknown): v is PromiseLike<unknown> {
  return typeof v === 'object' && v !== null && typeof (v as { then?: unknown }).then === 'function';
}

/**
 * The value of a kernel call made on sync or async kernels: `yield* settle(k.dot(x, y, n))`.
 * Yields the promise (for the driver to await) only when there is one.
 */
export function* settle<T>(value: T | PromiseLike<T>): Generator<Step, T, unknown> {
  if (isThenable(value)) return (yield value) as T;
  return value;
}

/**
 * Run a generator to completion synchronously. Pauses are skipped; a pending kernel result
 * (the generator was given asynchronous kernels) throws UNAVAILABLE naming `what`.
 */
export function driveSync<R>(gen: Generator<Step, R, unknown>, what = 'this algorithm'): R {
  let r = gen.next();
  while (!r.done) {
    if (isThenable(r.value)) {
      void Promise.resolve(r.value).catch(() => {}); // the result is abandoned; keep it from being unhandled
      throw needsSyncKernels(what);
    }
    r = gen.next();
  }
  return r.value;
}

/**
 * Run a generator to completion: await each pending kernel result and resume with its value
 * (or throw its error into the generator); at each pause, `onPause` (default: yield to the
 * event loop once).
 */
export async function driveAsync<R>(gen: Generator<Step, R, unknown>,
  onPause: () => Promise<void> = () => new Promise((done) => setTimeout(done, 0))): Promise<R> {
  let r = gen.next();
  while (!r.done) {
    if (isThenable(r.value)) {
      let value: unknown;
      try {
        value = await r.value;
      } catch (e) {
        r = gen.throw(e);
        continue;
      }
      r = gen.next(value);
    } else {
      await onPause();
      r = gen.next();
    }
  }
  return r.value;
}

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
import { describe } from '../core/validate.js';
import { badArgument } from '../core/errors.js';
import type { Kernels } from './kernels.js';
import { needsCpuKernels } from './check-kernels.js';

/**
 * Kernels of either kind, typed for one algorithm body. TypeScript cannot call a union of the
 * sync and async signatures with union arguments; the AsyncKernels signatures accept both
 * argument kinds (typed arrays, which is all a body hands synchronous kernels, and device
 * arrays), and `settle`/`settleAll` accept both kinds of result (a value, or a Promise), so
 * calling through them is sound for both.
 * @example const nnz = yield* settle(eitherKernels(k).spvmm(x, W, y, rows, cols));
 */
export function eitherKernels(kernels: Kernels): Kernels {
  return kernels;
}

/** What such a generator yields: a pending kernel result, or nothing (a pause). */
export type Step = PromiseLike<unknown> | undefined | void;

/** True for a pending kernel result (anything with a `then` method). */
export function isThenable(v: unknown): v is PromiseLike<unknown> {
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
/** gen must be an algorithm body (a generator object), not a value or a generator function. */
function checkGenerator(gen: unknown): void {
  if (gen === null || typeof gen !== 'object' || typeof (gen as { next?: unknown }).next !== 'function') {
    throw badArgument(`gen must be a generator (call the generator function first), got ${describe(gen)}`);
  }
}

export function driveSync<R>(gen: Generator<Step, R, unknown>, what = 'this algorithm'): R {
  checkGenerator(gen);
  let r = gen.next();
  while (!r.done) {
    if (isThenable(r.value)) {
      void Promise.resolve(r.value).catch(() => {}); // the result is abandoned; keep it from being unhandled
      throw needsCpuKernels(what);
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
  checkGenerator(gen);
  if (typeof onPause !== 'function') throw badArgument(`onPause must be a function, got ${describe(onPause)}`);
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

/*
 * Issuing many kernel calls before waiting for any. The webgpu backend puts every call issued in one turn of the event loop into one GPU
 * submission, so a decode step should issue the work of all its heads and only then wait.
 * Two helpers make that expressible without writing the body twice:
 *
 * - `settleAll(results)`: the values of several calls issued back to back — one wait for all of
 *   them on async kernels (nothing at all on sync kernels, whose results are already values).
 * - `interleave(bodies)`: runs several generator bodies side by side. Each advances until it
 *   waits for a kernel result; then the waits of all of them are yielded as one, and each body
 *   resumes with its own result (or its own error). On sync kernels no body ever waits, so the
 *   bodies simply run one after the other, in order — exactly the plain loop.
 *
 * @example
 * // All KV heads of a layer: every head's calls go into one submission per round.
 * const selections = yield* interleave(heads.map((h) => retrieval.selectSteps(h, keys[h], queries[h])));
 */

/**
 * The values of kernel calls issued back to back: returned as they are when none is pending
 * (sync kernels), else one wait for all of them (rejects with the first error).
 * @example const lse = yield* settleAll(heads.map((h) => k.selectiveAttention(...)));
 */
export function* settleAll<T>(results: readonly (T | PromiseLike<T>)[]): Generator<Step, T[], unknown> {
  if (!Array.isArray(results)) throw badArgument(`results must be an array, got ${describe(results)}`);
  if (!results.some(isThenable)) return results as T[];
  return yield* settle(Promise.all(results));
}

/**
 * Run generator bodies side by side (see the file header); returns their results in order.
 * When one body throws, the others are closed (their `finally` blocks run) and the error
 * propagates.
 * @example const [a, b] = yield* interleave([stepsOfHead(0), stepsOfHead(1)]);
 */
export function* interleave<R>(bodies: readonly Generator<Step, R, unknown>[]): Generator<Step, R[], unknown> {
  const n = bodies.length;
  const results = new Array<R>(n);
  const done = new Array<boolean>(n).fill(false);
  // What each body resumes with: the value of its last wait, or an error to throw into it.
  const resume: ({ ok: true; value: unknown } | { ok: false; error: unknown })[] = bodies.map(() => ({ ok: true, value: undefined }));
  let live = n;
  let waits: (PromiseLike<unknown> | undefined)[] = [];
  try {
    while (live > 0) {
      waits = new Array(n).fill(undefined);
      let waiting = false;
      for (let i = 0; i < n; i++) {
        if (done[i]) continue;
        const r0 = resume[i];
        const r = r0.ok ? bodies[i].next(r0.value) : bodies[i].throw(r0.error);
        resume[i] = { ok: true, value: undefined };
        if (r.done) { results[i] = r.value; done[i] = true; live--; continue; }
        if (isThenable(r.value)) { waits[i] = r.value; waiting = true; }
        // A plain pause: the body resumes in the next round.
      }
      if (waiting) {
        const settled = yield* settle(Promise.allSettled(waits.map((w) => w ?? undefined)));
        for (let i = 0; i < n; i++) {
          if (waits[i] === undefined) continue;
          const s = settled[i];
          resume[i] = s.status === 'fulfilled' ? { ok: true, value: s.value } : { ok: false, error: s.reason };
        }
        waits = [];
      } else if (live > 0) {
        yield; // every live body paused: pass the pause on
      }
    }
  } finally {
    if (live > 0) {
      // A body threw (or the caller stopped early): nothing will await what the others issued.
      for (const w of waits) if (w) void Promise.resolve(w).catch(() => {});
      for (let i = 0; i < n; i++) if (!done[i]) bodies[i].return(undefined as R);
    }
  }
  return results;
}

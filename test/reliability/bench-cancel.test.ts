/**
 * Benchmark loops cancel: runSuite aborted 100 ms into a run of many rounds rejects with ABORTED
 * within 250 ms of the scheduled abort (tinybench gets the signal; the harness checks it
 * between tasks and after each).
 */
import { expect, it } from 'vitest';
import { runSuite } from '../../bench/lib/harness.js';
import { SparseInferenceError } from '../../src/core/errors.js';

it('runSuite rejects within 250 ms of an abort at 100 ms', async () => {
  const x = new Float64Array(20_000).map((_, i) => i);
  const work = () => { let s = 0; for (let i = 0; i < x.length; i++) s += Math.sqrt(x[i]); return s; }; // ~0.05 ms
  const ac = new AbortController();
  const scheduled = performance.now() + 100;
  setTimeout(() => ac.abort(), 100);
  const tasks = ['a', 'b', 'c'].map((name) => ({ name, fn: () => { work(); } }));
  let error: unknown = null;
  try {
    await runSuite('cancel-test', tasks, { rounds: 50, timeMs: 150, clock: 'wall', signal: ac.signal });
  } catch (e) {
    error = e;
  }
  const latency = performance.now() - scheduled;
  console.log(`abort latency runSuite: ${latency.toFixed(0)} ms`);
  expect(error).toBeInstanceOf(SparseInferenceError);
  expect((error as SparseInferenceError).code).toBe('ABORTED');
  expect(latency).toBeLessThan(250);
});

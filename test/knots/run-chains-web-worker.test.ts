/**
 * runChains where a global Worker exists but its entry does not load (a bundle whose bundler did
 * not emit chain-web-worker.js): with parallel 'auto' the chains run in-thread with the same
 * records; with parallel: true it throws UNAVAILABLE. (Working Web Workers: test/runtimes,
 * Deno and Chromium.)
 */
import { afterEach, expect, it } from 'vitest';
import { createKernels } from '../../src/backends/create-kernels.js';
import { runChains } from '../../src/knots/run-chains.js';
import type { ChainProblem } from '../../src/knots/rjmcmc-chain.js';
import { SparseInferenceError } from '../../src/core/errors.js';

/** A Worker whose module fails to load: an error event, asynchronously, and never a message. */
class UnloadableWorker {
  static made = 0;
  onmessage: ((e: { data: unknown }) => void) | null = null;
  onerror: ((e: { message?: string; preventDefault?: () => void }) => void) | null = null;
  static urls: string[] = [];
  constructor(url: URL) {
    UnloadableWorker.made++;
    UnloadableWorker.urls.push(url.href);
    setTimeout(() => this.onerror?.({ message: `404 ${url.pathname}`, preventDefault: () => {} }), 5);
  }
  postMessage(): void {}
  terminate(): void {}
}

const g = globalThis as { Worker?: unknown };
afterEach(() => { delete g.Worker; UnloadableWorker.made = 0; UnloadableWorker.urls = []; });

function problem(): ChainProblem {
  const m = 80, x = new Float64Array(m), y = new Float64Array(m);
  for (let i = 0; i < m; i++) { x[i] = ((i * 13) % m) / m; y[i] = Math.abs(x[i] - 0.4) + 0.1 * Math.sin(17 * i); }
  return { xs: [x], y, family: 'gaussian', marginal: 'exact', degrees: [1], candidates: [20], gamma: 1, c: 0.3, fixedK: null, local: null, burnIn: 100, iterations: 400, probes: [] };
}

it("falls back to in-thread chains (same records) when the worker entry does not load, parallel 'auto'", async () => {
  const kernels = await createKernels({ backend: 'reference' });
  const sequential = await runChains(problem(), { chains: 3, seed: 2, kernels, parallel: false });
  g.Worker = UnloadableWorker;
  const auto = await runChains(problem(), { chains: 3, seed: 2, kernels });
  expect(UnloadableWorker.made).toBeGreaterThan(0);
  expect(auto.map((r) => Array.from(r.logScore))).toEqual(sequential.map((r) => Array.from(r.logScore)));
  for (const u of UnloadableWorker.urls) expect(new URL(u).pathname).toMatch(/\/knots\/chain-web-worker\.ts$/);
});

it('throws UNAVAILABLE with parallel: true when the worker entry does not load', async () => {
  const kernels = await createKernels({ backend: 'reference' });
  g.Worker = UnloadableWorker;
  const err = await runChains(problem(), { chains: 2, seed: 2, kernels, parallel: true }).catch((e: unknown) => e);
  expect(err).toBeInstanceOf(SparseInferenceError);
  expect((err as SparseInferenceError).code).toBe('UNAVAILABLE');
  expect((err as Error).message).toMatch(/entry did not load/);
});

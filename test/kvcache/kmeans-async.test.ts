/**
 * k-means (and codebook training) on asynchronous kernels — one async function for every
 * backend. On every async backend the run is compared with kmeans on the matching synchronous
 * CPU backend, same seed:
 * - the CPU backends behind the async adapter (reference-async, wasm-async): bit-identical
 *   results (centroids, codes, inertia, history, iterations, re-seeds);
 * - webgpu (cpuThreshold 0, so every argminL2/topK really runs on the GPU): on
 *   well-separated data identical codes and re-seed counts, centroids within 1e-5 relative
 *   (GPU float32 distances differ from the CPU's only by rounding).
 * Also: progress and AbortSignal on the async path, and bad input.
 */
import { describe, expect, it } from 'vitest';
import { createKernels } from '../../src/backends/create-kernels.js';
import type { Kernels } from '../../src/kernels/kernels.js';
import { Rng } from '../../src/core/rng.js';
import { kmeans, objective, type KMeansOptions, type KMeansResult } from '../../src/kvcache/kmeans.js';
import { trainCodebook } from '../../src/kvcache/train-codebook.js';
import { loadAsyncBackends } from '../_harness/each-backend.js';
import { expectBadArgument } from '../_harness/bad-input.js';

const describeEachAsyncBackend = await loadAsyncBackends();
const syncKernels: Record<string, Kernels> = {
  reference: await createKernels({ backend: 'reference' }),
  wasm: await createKernels({ backend: 'wasm' }),
};

/** `groups` Gaussian blobs (centres ~N(0, spread²), unit noise) in d dims; point i is in blob i mod groups. */
function blobs(n: number, d: number, groups: number, seed: number, spread = 4): Float32Array {
  const rng = new Rng(seed);
  const centers = Array.from({ length: groups }, () => Array.from({ length: d }, () => rng.normal() * spread));
  return Float32Array.from({ length: n * d }, (_, i) => centers[Math.floor(i / d) % groups][i % d] + rng.normal());
}

async function expectRejectsBadArgument(p: Promise<unknown>, argument: string): Promise<void> {
  const e = await p.then(() => null, (err: unknown) => err);
  expectBadArgument(() => { if (e !== null) throw e; }, argument);
}

/** Exact equality of every field, element by element (bit-identical for floats). */
function expectIdentical(got: KMeansResult, want: KMeansResult): void {
  expect(Array.from(got.codes)).toEqual(Array.from(want.codes));
  expect(Array.from(got.centroids)).toEqual(Array.from(want.centroids));
  expect(got.inertia).toBe(want.inertia);
  expect(got.history).toEqual(want.history);
  expect({ it: got.iterations, conv: got.converged, re: got.reseeded })
    .toEqual({ it: want.iterations, conv: want.converged, re: want.reseeded });
}

/** Same codes and re-seeds; centroids, inertia and history within `rel` relative. */
function expectClose(got: KMeansResult, want: KMeansResult, rel: number): void {
  expect(Array.from(got.codes)).toEqual(Array.from(want.codes));
  expect({ it: got.iterations, conv: got.converged, re: got.reseeded })
    .toEqual({ it: want.iterations, conv: want.converged, re: want.reseeded });
  let worst = 0;
  for (let i = 0; i < want.centroids.length; i++) {
    worst = Math.max(worst, Math.abs(got.centroids[i] - want.centroids[i]) / (Math.abs(want.centroids[i]) + 1e-6));
  }
  expect(worst).toBeLessThanOrEqual(rel);
  expect(Math.abs(got.inertia - want.inertia)).toBeLessThanOrEqual(rel * want.inertia);
  expect(got.history.length).toBe(want.history.length);
  got.history.forEach((h, i) => expect(Math.abs(h - want.history[i])).toBeLessThanOrEqual(rel * want.history[i]));
}

describeEachAsyncBackend('kmeans on asynchronous kernels', (k: Kernels, info) => {
  // The synchronous oracle: the same CPU backend (webgpu's CPU fallback is wasm).
  const sync = syncKernels[info.backend === 'reference' ? 'reference' : 'wasm'];
  const exact = info.backend !== 'webgpu';
  const compare = (got: KMeansResult, want: KMeansResult) => (exact ? expectIdentical(got, want) : expectClose(got, want, 1e-5));

  it('Lloyd with k-means++ seeding matches kmeans on the CPU kernels (n·k·d = 131072)', async () => {
    const n = 1024, d = 16, kk = 8;
    const x = blobs(n, d, kk, 21);
    const opts: KMeansOptions = { k: kk, seed: 5, maxIterations: 25 };
    const got = await kmeans(k, x, n, d, opts);
    const want = await kmeans(sync, x, n, d, opts);
    compare(got, want);
    expect(got.converged).toBe(true);
    expect(got.inertia).toBe(objective(x, n, d, got.centroids, got.codes));
    // The blobs are recovered: points of one blob (i mod kk) share a code, blobs differ.
    for (let i = kk; i < n; i++) expect(got.codes[i]).toBe(got.codes[i % kk]);
    expect(new Set(Array.from(got.codes)).size).toBe(kk);
  });

  it('Lloyd from given centroids, at a fixed iteration count, matches kmeans on the CPU kernels', async () => {
    const n = 600, d = 8, kk = 12;
    const x = blobs(n, d, 12, 22, 6);
    const init = Float32Array.from(x.subarray(0, kk * d), (v) => v + 0.5);
    const opts: KMeansOptions = { k: kk, init, maxIterations: 4, tolerance: 0 };
    const got = await kmeans(k, x, n, d, opts);
    compare(got, await kmeans(sync, x, n, d, opts));
    expect(got.iterations).toBe(4);
  });

  it('mini-batch k-means matches kmeans on the CPU kernels', async () => {
    const n = 2048, d = 16, kk = 8;
    const x = blobs(n, d, kk, 23);
    const opts: KMeansOptions = { k: kk, seed: 7, miniBatch: { batchSize: 512, iterations: 6 } };
    const got = await kmeans(k, x, n, d, opts);
    const want = await kmeans(sync, x, n, d, opts);
    compare(got, want);
    expect(got.iterations).toBe(6);
    const seedOnly = await kmeans(sync, x, n, d, { k: kk, seed: 7, maxIterations: 0 });
    expect(got.inertia).toBeLessThanOrEqual(seedOnly.inertia);
  });

  it('re-seeds an emptied cluster at the farthest point, as on the CPU kernels', async () => {
    const n = 512, d = 16, kk = 8;
    const x = blobs(n, d, 4, 24, 8);
    const init = new Float32Array(kk * d);
    for (let c = 0; c < kk; c++) init.set(x.subarray(c * d, (c + 1) * d), c * d);
    init.fill(1e4, 2 * d, 4 * d); // centroids 2 and 3 are far from every point: empty after the first assignment
    const opts: KMeansOptions = { k: kk, init, maxIterations: 12 };
    const got = await kmeans(k, x, n, d, opts);
    const want = await kmeans(sync, x, n, d, opts);
    expect(want.reseeded).toBeGreaterThanOrEqual(2);
    compare(got, want);
    for (let i = 2 * d; i < 4 * d; i++) expect(Math.abs(got.centroids[i])).toBeLessThan(100);
  });

  it('trainCodebook (query-aware) matches the synchronous run', async () => {
    const n = 512, d = 8, size = 16;
    const rng = new Rng(25);
    const x = blobs(n, d, size, 26, 6);
    const L = new Float64Array(d * d);
    for (let i = 0; i < d; i++) for (let j = 0; j <= i; j++) L[i * d + j] = i === j ? 0.5 + rng.uniform() : rng.normal() * 0.3;
    const opts = { size, seed: 3, factor: L, maxIterations: 15 };
    const got = await trainCodebook(k, x, n, d, opts);
    const want = await trainCodebook(sync, x, n, d, opts);
    compare(got.kmeans, want.kmeans);
    if (exact) expect(Array.from(got.codebook.centroids)).toEqual(Array.from(want.codebook.centroids));
    else {
      got.codebook.centroids.forEach((v, i) => expect(Math.abs(v - want.codebook.centroids[i]))
        .toBeLessThanOrEqual(1e-4 * (Math.abs(want.codebook.centroids[i]) + 1)));
    }
  });

  it('reports progress and honours an AbortSignal (before, from a callback, from a timer)', async () => {
    const n = 400, d = 4;
    const x = blobs(n, d, 3, 27);
    const seen: [number, string][] = [];
    await kmeans(k, x, n, d, { k: 3, seed: 1, maxIterations: 5, tolerance: 0, onProgress: (f, l) => seen.push([f, l]) });
    // Seeding reports only when a pick takes long enough to pause (time-based), so skip its labels.
    expect(seen.find(([, l]) => !l.startsWith('seeding'))?.[1]).toBe('lloyd 1/5');
    expect(seen[seen.length - 1]).toEqual([1, 'done']);
    for (let i = 1; i < seen.length; i++) expect(seen[i][0]).toBeGreaterThanOrEqual(seen[i - 1][0]);

    const before = new AbortController();
    before.abort();
    await expect(kmeans(k, x, n, d, { k: 3, signal: before.signal })).rejects.toMatchObject({ code: 'ABORTED' });

    const inCallback = new AbortController();
    const labels: string[] = [];
    await expect(kmeans(k, x, n, d, {
      k: 3, maxIterations: 50, tolerance: 0, signal: inCallback.signal,
      onProgress: (_f, l) => { labels.push(l); if (l === 'lloyd 2/50') inCallback.abort(); },
    })).rejects.toMatchObject({ code: 'ABORTED' });
    expect(labels.filter((l) => !l.startsWith('seeding'))).toEqual(['lloyd 1/50', 'lloyd 2/50']);

    // A timer can only fire if the run yields to the event loop (at its pauses, or while awaiting
    // the GPU): without that, 1e9 mini-batches would not end before the test's time limit.
    const timer = new AbortController();
    setTimeout(() => timer.abort(), 0);
    await expect(kmeans(k, x, n, d, {
      k: 3, seed: 2, miniBatch: { batchSize: 8, iterations: 1e9 }, signal: timer.signal,
    })).rejects.toMatchObject({ code: 'ABORTED' });
  }, 30_000);

  it('rejects bad input with BAD_ARGUMENT naming the argument', async () => {
    const x = blobs(10, 2, 2, 1);
    await expectRejectsBadArgument(kmeans(k, x, 10, 2, { k: 11 }), 'k');
    await expectRejectsBadArgument(kmeans(k, x, 10, 2, { k: 0 }), 'k');
    await expectRejectsBadArgument(kmeans(k, x, 11, 2, { k: 2 }), 'points');
    await expectRejectsBadArgument(kmeans(k, Float32Array.from(x).fill(NaN, 3, 4), 10, 2, { k: 2 }), 'points');
    await expectRejectsBadArgument(kmeans(k, x, 10, 2, { k: 2, tolerance: -1 }), 'tolerance');
    await expectRejectsBadArgument(kmeans(k, x, 10, 2, { k: 2, init: new Float32Array(3) }), 'init');
    await expectRejectsBadArgument(kmeans(k, x, 10, 2, { k: 2, miniBatch: { batchSize: 0, iterations: 3 } }), 'miniBatch.batchSize');
    await expectRejectsBadArgument(trainCodebook(k, x, 10, 2, { size: 2, factor: new Float64Array(3) }), 'factor');
  });
});

describe('kmeans kernels argument', () => {
  it('rejects a missing kernels object with BAD_ARGUMENT naming it', async () => {
    const x = blobs(10, 2, 2, 1);
    await expectRejectsBadArgument(kmeans(null as unknown as Kernels, x, 10, 2, { k: 2 }), 'kernels');
    await expectRejectsBadArgument(kmeans(undefined as unknown as Kernels, x, 10, 2, { k: 2 }), 'kernels');
  });
});

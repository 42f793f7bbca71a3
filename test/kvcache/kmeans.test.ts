/**
 * k-means (seeding, Lloyd, re-seeding, mini-batch) and the query-aware transform:
 * Lloyd's objective never increases; H = I gives plain k-means exactly; a cluster that empties
 * is re-seeded; the result is deterministic in the seed; abort and progress work; bad input fails.
 */
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { createKernels } from '../../src/backends/create-kernels.js';
import { Rng } from '../../src/core/rng.js';
import { SparseInferenceError } from '../../src/core/errors.js';
import { kmeans, objective } from '../../src/kvcache/kmeans.js';
import { trainCodebook } from '../../src/kvcache/train-codebook.js';
import { expectBadArgument } from '../_harness/bad-input.js';

const kernels = await createKernels({ backend: 'wasm' });

/** Clustered test data: `groups` Gaussian blobs in d dims. */
function blobs(n: number, d: number, groups: number, seed: number): Float32Array {
  const rng = new Rng(seed);
  const centers = Array.from({ length: groups }, () => Array.from({ length: d }, () => rng.normal() * 4));
  return Float32Array.from({ length: n * d }, (_, i) => centers[Math.floor(i / d) % groups][i % d] + rng.normal());
}

describe('kmeans', () => {
  it('Lloyd objective is non-increasing and the final inertia matches the codes', async () => {
    await fc.assert(fc.asyncProperty(fc.integer({ min: 20, max: 400 }), fc.integer({ min: 1, max: 24 }), fc.integer({ min: 1, max: 12 }), fc.nat(),
      async (n, d, k, seed) => {
        const kk = Math.min(k, n);
        const x = blobs(n, d, 5, seed);
        const r = await kmeans(kernels, x, n, d, { k: kk, seed, maxIterations: 30, tolerance: 0 });
        for (let i = 1; i < r.history.length; i++) {
          expect(r.history[i]).toBeLessThanOrEqual(r.history[i - 1] * (1 + 1e-5) + 1e-6);
        }
        expect(r.inertia).toBeCloseTo(objective(x, n, d, r.centroids, r.codes), 6);
        // Each code is the nearest centroid (brute force, float64).
        for (let i = 0; i < n; i += 7) {
          let best = Infinity;
          for (let c = 0; c < kk; c++) {
            let s = 0;
            for (let t = 0; t < d; t++) s += (x[i * d + t] - r.centroids[c * d + t]) ** 2;
            best = Math.min(best, s);
          }
          let mine = 0;
          for (let t = 0; t < d; t++) mine += (x[i * d + t] - r.centroids[r.codes[i] * d + t]) ** 2;
          expect(mine).toBeLessThanOrEqual(best * (1 + 1e-4) + 1e-5);
        }
      }), { numRuns: 25 });
  });

  it('recovers well-separated blobs, stops on tolerance, and is deterministic in the seed', async () => {
    const x = blobs(600, 8, 4, 3);
    const a = await kmeans(kernels, x, 600, 8, { k: 4, seed: 9 });
    const b = await kmeans(kernels, x, 600, 8, { k: 4, seed: 9 });
    expect(a.converged).toBe(true);
    expect(a.iterations).toBeLessThan(300);
    expect(Array.from(a.codes)).toEqual(Array.from(b.codes));
    // Points of one blob (i mod 4) share a code.
    for (let i = 4; i < 600; i++) expect(a.codes[i]).toBe(a.codes[i % 4]);
  });

  it('re-seeds a cluster that became empty at the point farthest from its centroid', async () => {
    const n = 50, d = 2;
    const x = blobs(n, d, 2, 4);
    const init = new Float32Array(3 * d);
    init.set([x[0], x[1], x[2], x[3]]);
    init.set([1e4, 1e4], 4); // far from every point: empty after the first assignment
    const r = await kmeans(kernels, x, n, d, { k: 3, init, maxIterations: 10 });
    expect(r.reseeded).toBeGreaterThan(0);
    expect(new Set(Array.from(r.codes)).size).toBe(3);
    for (let t = 0; t < 2; t++) expect(Math.abs(r.centroids[4 + t])).toBeLessThan(100);
  });

  it('mini-batch k-means lowers the objective below its k-means++ start', async () => {
    const x = blobs(3000, 16, 10, 5);
    const seedOnly = await kmeans(kernels, x, 3000, 16, { k: 10, seed: 2, maxIterations: 0 });
    const mb = await kmeans(kernels, x, 3000, 16, { k: 10, seed: 2, miniBatch: { batchSize: 256, iterations: 30 } });
    expect(mb.iterations).toBe(30);
    expect(mb.inertia).toBeLessThan(seedOnly.inertia);
  });

  it('reports progress and honours an AbortSignal', async () => {
    const x = blobs(500, 4, 3, 6);
    const seen: string[] = [];
    await kmeans(kernels, x, 500, 4, { k: 3, onProgress: (_f, l) => seen.push(l), maxIterations: 5, tolerance: 0 });
    expect(seen.some((l) => l.startsWith('lloyd'))).toBe(true);
    const ac = new AbortController();
    ac.abort();
    await expect(kmeans(kernels, x, 500, 4, { k: 3, signal: ac.signal })).rejects.toMatchObject({ code: 'ABORTED' });
  });

  it('rejects bad input with errors naming the argument', async () => {
    const x = blobs(10, 2, 2, 1);
    const bad = async (f: () => Promise<unknown>, name: string) => {
      const e = await f().then(() => null, (err) => err);
      expect(e).toBeInstanceOf(SparseInferenceError);
      expect((e as Error).message).toContain(name);
    };
    await bad(() => kmeans(kernels, x, 10, 2, { k: 11 }), 'k');
    await bad(() => kmeans(kernels, x, 10, 2, { k: 0 }), 'k');
    await bad(() => kmeans(kernels, x, 11, 2, { k: 2 }), 'points');
    await bad(() => kmeans(kernels, Float32Array.from(x).fill(NaN, 3, 4), 10, 2, { k: 2 }), 'points');
    await bad(() => kmeans(kernels, x, 10, 2, { k: 2, tolerance: -1 }), 'tolerance');
    await bad(() => kmeans(kernels, x, 10, 2, { k: 2, init: new Float32Array(3) }), 'init');
    await bad(() => kmeans(kernels, x, 10, 2, { k: 2, miniBatch: { batchSize: 0, iterations: 3 } }), 'miniBatch.batchSize');
  });
});

describe('query-aware codebooks (trainCodebook)', () => {
  it('H = I gives plain k-means exactly', async () => {
    const n = 400, d = 12;
    const x = blobs(n, d, 6, 8);
    const I = new Float64Array(d * d);
    for (let i = 0; i < d; i++) I[i * d + i] = 1;
    const plain = await trainCodebook(kernels, x, n, d, { size: 8, seed: 3, maxIterations: 20 });
    const ident = await trainCodebook(kernels, x, n, d, { size: 8, seed: 3, maxIterations: 20, factor: I });
    const direct = await kmeans(kernels, x, n, d, { k: 8, seed: 3, maxIterations: 20 });
    expect(plain.codebook.queryAware).toBe(false);
    expect(Array.from(plain.codebook.centroids)).toEqual(Array.from(direct.centroids));
    expect(Array.from(ident.codebook.centroids)).toEqual(Array.from(direct.centroids));
    expect(Array.from(ident.kmeans.codes)).toEqual(Array.from(direct.codes));
  });

  it('maps whitened centroids back (c = c′L⁻¹) and encodes by argmin (k − c)H(k − c)ᵀ', async () => {
    const n = 300, d = 6;
    const rng = new Rng(11);
    const x = blobs(n, d, 4, 12);
    // A random SPD metric H = L Lᵀ.
    const L = new Float64Array(d * d);
    for (let i = 0; i < d; i++) for (let j = 0; j <= i; j++) L[i * d + j] = i === j ? 0.5 + rng.uniform() : rng.normal() * 0.5;
    const { codebook, kmeans: km } = await trainCodebook(kernels, x, n, d, { size: 10, seed: 1, factor: L, maxIterations: 15 });
    for (let i = 0; i < codebook.whitened.length; i++) expect(codebook.whitened[i]).toBeCloseTo(km.centroids[i], 3);
    const H = new Float64Array(d * d);
    for (let a = 0; a < d; a++) for (let b = 0; b < d; b++) for (let t = 0; t < d; t++) H[a * d + b] += L[a * d + t] * L[b * d + t];
    const codes = new Int32Array(n);
    codebook.encode(kernels, x, n, codes);
    const hdist = (i: number, c: number) => {
      let s = 0;
      for (let a = 0; a < d; a++) for (let b = 0; b < d; b++) {
        s += (x[i * d + a] - codebook.centroids[c * d + a]) * H[a * d + b] * (x[i * d + b] - codebook.centroids[c * d + b]);
      }
      return s;
    };
    for (let i = 0; i < n; i++) {
      let best = Infinity;
      for (let c = 0; c < 10; c++) best = Math.min(best, hdist(i, c));
      expect(hdist(i, codes[i])).toBeLessThanOrEqual(best * (1 + 1e-4) + 1e-5);
    }
  });
});

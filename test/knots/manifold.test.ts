/**
 * Manifold denoising pieces: PCA and ISOMAP embeddings, distances to the true manifolds, and a
 * small end-to-end denoising run.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { createKernels } from '../../src/backends/create-kernels.js';
import type { CpuKernels } from '../../src/kernels/kernels.js';
import { Rng } from '../../src/core/rng.js';
import { pcaEmbedding } from '../../src/knots/manifold/pca-embedding.js';
import { isomapEmbedding, knnGraph } from '../../src/knots/manifold/isomap-embedding.js';
import { symmetricEigen } from '../../src/knots/manifold/symmetric-eigen.js';
import { meanSquaredDistance, spiralData, spiralDistance2, swissRollDistance2 } from '../../src/knots/manifold/manifold-generators.js';
import { denoiseManifold } from '../../src/knots/manifold/denoise-manifold.js';
import { expectBadArgument } from '../_harness/bad-input.js';

let kernels: CpuKernels;
beforeAll(async () => { kernels = await createKernels({ backend: 'reference' }); });

function spearman(a: ArrayLike<number>, b: ArrayLike<number>): number {
  const rank = (v: ArrayLike<number>) => {
    const idx = Array.from({ length: v.length }, (_, i) => i).sort((i, j) => v[i] - v[j]);
    const r = new Float64Array(v.length);
    idx.forEach((i, k) => { r[i] = k; });
    return r;
  };
  const ra = rank(a), rb = rank(b), n = a.length;
  let s = 0;
  for (let i = 0; i < n; i++) s += (ra[i] - rb[i]) ** 2;
  return 1 - (6 * s) / (n * (n * n - 1));
}

describe('embeddings', () => {
  it('symmetricEigen reproduces A = VΛVᵀ with orthonormal V', () => {
    const rng = new Rng(2);
    const n = 6;
    const A = new Float64Array(n * n);
    for (let i = 0; i < n; i++) for (let j = 0; j <= i; j++) { const v = rng.normal(); A[i * n + j] = v; A[j * n + i] = v; }
    const { values, vectors } = symmetricEigen(A, n);
    for (let i = 1; i < n; i++) expect(values[i]).toBeLessThanOrEqual(values[i - 1]);
    for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) {
      let s = 0, o = 0;
      for (let k = 0; k < n; k++) { s += vectors[i * n + k] * values[k] * vectors[j * n + k]; o += vectors[k * n + i] * vectors[k * n + j]; }
      expect(Math.abs(s - A[i * n + j])).toBeLessThan(1e-10);
      expect(Math.abs(o - (i === j ? 1 : 0))).toBeLessThan(1e-10);
    }
  });

  it('PCA of points along a line recovers the position along it', () => {
    const rng = new Rng(3);
    const n = 200, t = Float64Array.from({ length: n }, () => rng.uniform() * 10);
    const pts = new Float64Array(3 * n);
    for (let i = 0; i < n; i++) { pts[3 * i] = 1 + 2 * t[i]; pts[3 * i + 1] = -t[i] + rng.normal(0, 0.01); pts[3 * i + 2] = 0.5 * t[i]; }
    const u = pcaEmbedding(pts, n, 3, 1);
    expect(Math.abs(spearman(u, t))).toBeGreaterThan(0.999);
  });

  it('ISOMAP unrolls a spiral (embedding monotone in θ) where PCA cannot', () => {
    const rng = new Rng(4);
    const n = 1500, theta = Float64Array.from({ length: n }, () => 6 * Math.PI * rng.uniform());
    const pts = new Float64Array(2 * n);
    theta.forEach((t, i) => { const r = 2 * (t + 4) ** 0.7; pts[2 * i] = r * Math.cos(t); pts[2 * i + 1] = r * Math.sin(t); });
    expect(Math.abs(spearman(isomapEmbedding(pts, n, 2, 1, { neighbors: 7 }), theta))).toBeGreaterThan(0.999);
    expect(Math.abs(spearman(pcaEmbedding(pts, n, 2, 1), theta))).toBeLessThan(0.9);
  });

  it('joins a disconnected neighbour graph by its shortest bridge, and rejects bad neighbour counts', () => {
    const pts = Float64Array.from([0, 0, 0.1, 0, 0.2, 0, 100, 0, 100.1, 0, 100.2, 0]);
    const g = knnGraph(pts, 6, 2, 2);
    const bridge = Array.from(g.targets.subarray(g.offsets[2], g.offsets[3]));
    expect(bridge).toContain(3); // 0.2 ↔ 100 is the shortest edge between the clusters
    const u = isomapEmbedding(pts, 6, 2, 1, { neighbors: 2 });
    expect(Math.abs(Math.abs(u[3] - u[2]) - 99.8)).toBeLessThan(1e-6);
    expectBadArgument(() => knnGraph(pts, 6, 2, 6), 'neighbors');
  });
});

describe('distances to the true manifolds', () => {
  it('are zero on the manifold and the offset along the normal off it', () => {
    for (const t of [0.3, 4, 10, 17]) {
      const r = 2 * (t + 4) ** 0.7;
      expect(spiralDistance2(r * Math.cos(t), r * Math.sin(t))).toBeLessThan(1e-12);
      // tangent (dr/dt·cos − r sin, dr/dt·sin + r cos); move 0.05 along the unit normal
      const dr = 1.4 * (t + 4) ** -0.3;
      const tx = dr * Math.cos(t) - r * Math.sin(t), ty = dr * Math.sin(t) + r * Math.cos(t);
      const L = Math.hypot(tx, ty);
      expect(spiralDistance2(r * Math.cos(t) - 0.05 * ty / L, r * Math.sin(t) + 0.05 * tx / L)).toBeCloseTo(0.0025, 6);
    }
    const t = 2 * Math.PI;
    expect(swissRollDistance2(3 * t * Math.cos(t), 10, 3 * t * Math.sin(t))).toBeLessThan(1e-12);
    expect(swissRollDistance2(3 * t * Math.cos(t), 23, 3 * t * Math.sin(t))).toBeCloseTo(4, 9);
  });
});

describe('denoiseManifold', () => {
  it('cuts the mean squared distance of a noisy spiral by a large factor', async () => {
    const { noisy } = spiralData(1000, 0.2, 5);
    const before = meanSquaredDistance(noisy, 2);
    const { denoised, embedding } = await denoiseManifold(noisy, 2, {
      dim: 1, neighbors: 7, iterations: 600, burnIn: 600, chains: 1, parallel: false, draws: 40, kernels,
    });
    expect(embedding.length).toBe(1000);
    expect(meanSquaredDistance(denoised, 2)).toBeLessThan(before / 5);
  }, 60_000);

  it('validates its input', async () => {
    const err = async (fn: () => Promise<unknown>, name: string) => {
      let e: unknown = null;
      try { await fn(); } catch (x) { e = x; }
      expectBadArgument(() => { if (e) throw e; }, name);
    };
    const pts = new Float64Array(40);
    await err(() => denoiseManifold(pts.subarray(0, 39), 2, { dim: 1 }), 'points');
    await err(() => denoiseManifold(pts, 2, { dim: 3 as never }), 'dim');
    await err(() => denoiseManifold(pts.subarray(0, 10), 2, { dim: 1 }), 'points');
    await err(() => denoiseManifold(Float64Array.from(pts, (v, i) => (i === 3 ? NaN : v)), 2, { dim: 1 }), 'points');
    await err(() => denoiseManifold(pts, 2, { dim: 1, embedding: 'tsne' as never }), 'embedding');
  });
});

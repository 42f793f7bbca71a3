/**
 * The peer adapters behind the `peers` benchmark suite compute what they claim, checked against
 * the reference backend: the hand-encoded ONNX model runs in onnxruntime-web (both spellings),
 * tfjs' XNNPACK product and tf.topk, the sort-based top-K baselines, and one ml-kmeans Lloyd
 * iteration against our lloydStep. Bad arguments to the model encoder are rejected.
 */
import { describe, expect, it } from 'vitest';
import { createKernels } from '../../src/backends/create-kernels.js';
import { Rng } from '../../src/core/rng.js';
import { SparseInferenceError } from '../../src/core/errors.js';
import { onnxMatMulModel } from '../../bench/lib/peers/onnx-matmul-model.js';
import { transpose } from '../../bench/lib/peers/matmul-peer.js';
import { loadOrtWasmPeers } from '../../bench/lib/peers/ort-wasm-peer.js';
import { loadTfjsWasmPeer } from '../../bench/lib/peers/tfjs-wasm-peer.js';
import { loadMlKmeansPeer, toRows } from '../../bench/lib/peers/ml-kmeans-peer.js';
import { sortTopK } from '../../bench/lib/peers/sort-top-k.js';
import { lloydStep } from '../../src/kvcache/lloyd-step.js';

const rng = new Rng(7);
const random = (n: number) => Float32Array.from({ length: n }, () => 2 * rng.uniform() - 1);

/** Reference y = W·x with |terms| for the tolerance. */
async function referenceGemv(W: Float32Array, x: Float32Array, rows: number, cols: number) {
  const ref = await createKernels({ backend: 'reference' });
  const y = new Float32Array(rows);
  ref.gemv(W, x, y, rows, cols);
  const scale = Float32Array.from({ length: rows }, (_, i) => {
    let s = 0;
    for (let j = 0; j < cols; j++) s += Math.abs(W[i * cols + j] * x[j]);
    return s;
  });
  return { y, scale };
}

function expectClose(got: Float32Array, want: Float32Array, scale: Float32Array) {
  expect(got).toHaveLength(want.length);
  for (let i = 0; i < want.length; i++) expect(Math.abs(got[i] - want[i])).toBeLessThanOrEqual(1e-5 * scale[i] + 1e-6);
}

describe('onnxMatMulModel', () => {
  it('rejects bad arguments with the library error naming them', () => {
    const bad = (spec: Parameters<typeof onnxMatMulModel>[0], pattern: RegExp) => {
      let err: unknown;
      try { onnxMatMulModel(spec); } catch (e) { err = e; }
      expect(err).toBeInstanceOf(SparseInferenceError);
      expect((err as SparseInferenceError).code).toBe('BAD_ARGUMENT');
      expect((err as Error).message).toMatch(pattern);
    };
    bad({ op: 'MatMul', m: 1, k: 2, n: 3, weights: new Float32Array(5) }, /^weights must be a Float32Array of k\*n = 6/);
    bad({ op: 'MatMul', m: 0, k: 2, n: 3, weights: new Float32Array(6) }, /^m /);
    bad({ op: 'Conv' as 'MatMul', m: 1, k: 2, n: 3, weights: new Float32Array(6) }, /^op /);
    bad({ op: 'GemmTransB', m: 1, k: 1.5, n: 3, weights: new Float32Array(6) }, /^k /);
  });

  it('runs in onnxruntime-web (one thread) and matches the reference gemv in both spellings', async () => {
    const { peers } = await loadOrtWasmPeers();
    expect(peers.map((p) => p.name)).toEqual(['ort-wasm-matmul', 'ort-wasm-gemm']);
    const rows = 37, cols = 45; // not multiples of any panel width
    const W = random(rows * cols), x = random(cols);
    const { y, scale } = await referenceGemv(W, x, rows, cols);
    for (const p of peers) {
      const prod = await p.product(x, W, 1, cols, rows);
      expectClose(await prod.output(), y, scale);
      await prod.run();
      await prod.dispose();
    }
  });
});

describe('tfjs-backend-wasm peer', () => {
  it('XNNPACK product matches the reference, and tf.topk gives the reference top-K', async () => {
    const tfjs = await loadTfjsWasmPeer();
    expect(tfjs.name).toBe('tfjs-wasm');
    const rows = 33, cols = 29;
    const W = random(rows * cols), x = random(cols);
    const { y, scale } = await referenceGemv(W, x, rows, cols);
    const prod = await tfjs.product(x, W, 1, cols, rows);
    expectClose(await prod.output(), y, scale);
    prod.dispose();

    const v = random(1000), k = 17;
    const ref = await createKernels({ backend: 'reference' });
    const want = new Int32Array(k);
    ref.topK(v, v.length, k, want);
    const top = tfjs.topK(v, k);
    expect(Array.from(top.indices())).toEqual(Array.from(want));
    top.dispose();
  });
});

describe('sort-based top-K baselines', () => {
  it('give the reference indices (by index sort) and values (by typed-array sort)', async () => {
    const ref = await createKernels({ backend: 'reference' });
    for (const [n, k] of [[1, 1], [17, 5], [1000, 40], [1000, 1000]] as const) {
      const x = random(n);
      const want = new Int32Array(k);
      ref.topK(x, n, k, want);
      const s = sortTopK(n);
      const idx = new Int32Array(k), vals = new Float32Array(k);
      s.byIndexSort(x, k, idx);
      s.byValueSort(x, k, vals);
      expect(Array.from(idx)).toEqual(Array.from(want));
      expect(Array.from(vals)).toEqual(Array.from(want, (i) => x[i]));
    }
  });

  it('transpose turns n×k into k×n', () => {
    expect(Array.from(transpose(Float32Array.from([1, 2, 3, 4, 5, 6]), 2, 3))).toEqual([1, 4, 2, 5, 3, 6]);
  });
});

describe('ml-kmeans peer', () => {
  it('one Lloyd iteration from the same centroids assigns points as our lloydStep does, and runs exactly the iterations asked', async () => {
    const k = await createKernels({ backend: 'reference' });
    const n = 300, d = 5, kk = 7;
    const X = random(n * d), C0 = X.slice(0, kk * d);
    const Xr = k.allocF32(n * d), Cr = k.allocF32(kk * d), codes = k.allocI32(n), dist = k.allocF32(n);
    Xr.view().set(X); Cr.view().set(C0);
    lloydStep(k, Xr, Cr, codes, dist, n, kk, d, new Float64Array(kk * d), new Int32Array(kk));
    const peer = await loadMlKmeansPeer();
    const one = peer.fit(toRows(X, n, d), toRows(C0, kk, d), 1);
    expect(one.iterations).toBe(1);
    expect(one.clusters).toEqual(Array.from(codes.view()));
    expect(peer.fit(toRows(X, n, d), toRows(C0, kk, d), 9).iterations).toBe(9); // tolerance −1: never stops early
  });
});

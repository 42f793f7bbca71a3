/**
 * The NaN policy on the asynchronous backends, WebGPU included (SwiftShader in CI): top-K ranks
 * NaN below −Infinity and writes every slot, and argminL2 rejects non-finite host data naming
 * the array and element, exactly as on the CPU backends. NaN or ±Infinity in *device* X or C
 * also rejects with BAD_ARGUMENT naming the same element (the CPU adapters check the data as on
 * the host; the webgpu program finds the element behind a non-finite distance), and on webgpu
 * the outputs are then the documented ones, never stale: a NaN distance never wins, ±Infinity
 * ranks as a number, a point whose every distance is NaN gets code −1 and distance NaN.
 */
import { expect, it } from 'vitest';
import { loadAsyncBackends } from '../_harness/each-backend.js';
import { SparseInferenceError } from '../../src/core/errors.js';

const describeEachAsyncBackend = await loadAsyncBackends();

/** What `call` threw or rejected with, or null when it succeeded. */
async function failure(call: () => unknown): Promise<unknown> {
  try {
    await call();
    return null;
  } catch (e) {
    return e;
  }
}

/** Finite and infinite values by value (ties to the lower index), then the NaNs by index. */
function oracleTopK(x: Float32Array, k: number): number[] {
  const numbers: number[] = [], nans: number[] = [];
  x.forEach((v, i) => (Number.isNaN(v) ? nans : numbers).push(i));
  numbers.sort((a, b) => (x[a] === x[b] ? a - b : x[a] > x[b] ? -1 : 1));
  return [...numbers, ...nans].slice(0, k);
}

describeEachAsyncBackend('NaN policy (async)', (k) => {
  it('topK, topKSelect and topKSelectRows rank NaN below −Infinity', async () => {
    const pattern = [NaN, 2, -Infinity, NaN, 0, Infinity, -0, 1, NaN];
    for (const n of [5, 64, 5000]) {
      const x = Float32Array.from({ length: n }, (_, i) => pattern[(i * 7) % pattern.length]);
      for (const kk of [1, Math.ceil(n / 3), n]) {
        const want = oracleTopK(x, kk);
        const top = new Int32Array(kk).fill(-1), sel = new Int32Array(kk).fill(-1), rows = new Int32Array(2 * kk).fill(-1);
        const x2 = new Float32Array(2 * n); x2.set(x); x2.set(x, n);
        await Promise.all([k.topK(x, n, kk, top), k.topKSelect(x, n, kk, sel), k.topKSelectRows(x2, 2, n, kk, rows)]);
        const set = [...want].sort((a, b) => a - b);
        expect(Array.from(top)).toEqual(want);
        expect(Array.from(sel)).toEqual(set);
        expect(Array.from(rows)).toEqual([...set, ...set]);
      }
    }
  });

  it('argminL2 rejects NaN and ±Infinity in host X or C (BAD_ARGUMENT naming the element), leaving codes unwritten', async () => {
    for (const [n, kk, d] of [[3, 2, 4], [512, 16, 32]]) {
      for (const bad of [NaN, Infinity, -Infinity]) {
        for (const which of ['X', 'C'] as const) {
          const X = Float32Array.from({ length: n * d }, (_, i) => Math.sin(i));
          const C = Float32Array.from({ length: kk * d }, (_, i) => Math.cos(i));
          const at = which === 'X' ? n * d - 1 : 1;
          (which === 'X' ? X : C)[at] = bad;
          const codes = new Int32Array(n).fill(-7), dist = new Float32Array(n);
          const err = await failure(() => k.argminL2(X, C, codes, dist, n, kk, d));
          expect(err, `${which}[${at}] = ${bad}, n=${n}`).toBeInstanceOf(SparseInferenceError);
          expect((err as SparseInferenceError).code).toBe('BAD_ARGUMENT');
          expect((err as Error).message).toContain(`${which}[${at}]`);
          expect(Array.from(codes).every((c) => c === -7)).toBe(true);
        }
      }
    }
  });

  it('argminL2 on device arrays: NaN or ±Infinity in X or C rejects naming the element; webgpu writes defined codes', async () => {
    for (const [n, kk, d] of [[3, 2, 4], [100, 20, 33]]) {
      const X0 = Float32Array.from({ length: n * d }, (_, i) => Math.sin(i));
      const C0 = Float32Array.from({ length: kk * d }, (_, i) => Math.cos(i));
      for (const bad of [NaN, Infinity, -Infinity]) for (const which of ['X', 'C'] as const) {
        const X = X0.slice(), C = C0.slice();
        const row = which === 'X' ? n - 1 : kk - 1; // the last point, or the last centroid
        (which === 'X' ? X : C)[row * d + 1] = bad;
        const dX = k.allocF32(n * d), dC = k.allocF32(kk * d), dCodes = k.allocI32(n), dDist = k.allocF32(n);
        dX.write(X); dC.write(C); dCodes.write(new Int32Array(n).fill(-7)); dDist.write(new Float32Array(n).fill(7));
        const err = await failure(() => k.argminL2(dX, dC, dCodes, dDist, n, kk, d));
        expect(err, `${bad} in ${which}, n=${n}`).toBeInstanceOf(SparseInferenceError);
        expect((err as SparseInferenceError).code).toBe('BAD_ARGUMENT');
        expect((err as Error).message).toContain(`${which}[${row * d + 1}]`);
        if (k.variant === 'gpu') {
          // Oracle: the nearest centroid among those at a non-NaN distance (±Infinity ranks as a
          // number, ties to the lower index), in float64.
          const codes = await dCodes.read(), dist = await dDist.read();
          for (let i = 0; i < n; i++) {
            let best = Infinity, bestJ = -1;
            for (let j = 0; j < kk; j++) {
              let s2 = 0;
              for (let t = 0; t < d; t++) s2 += (X[i * d + t] - C[j * d + t]) ** 2;
              if (!Number.isNaN(s2) && (bestJ < 0 || s2 < best)) { best = s2; bestJ = j; }
            }
            expect(codes[i], `point ${i}`).toBe(bestJ);
            if (bestJ < 0) expect(dist[i]).toBeNaN();
            else if (!Number.isFinite(best)) expect(dist[i]).toBe(best);
            else expect(dist[i]).toBeCloseTo(best, 3);
          }
        }
        for (const a of [dX, dC, dCodes, dDist]) a.dispose();
      }
    }
  });
});

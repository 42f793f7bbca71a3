/**
 * The top-K NaN policy on the asynchronous backends, WebGPU included (SwiftShader in CI): NaN
 * ranks below −Infinity and every slot is written, exactly as on the CPU backends.
 */
import { expect, it } from 'vitest';
import { loadAsyncBackends } from '../_harness/each-backend.js';

const describeEachAsyncBackend = await loadAsyncBackends();

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
});

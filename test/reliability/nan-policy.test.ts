/**
 * The NaN/Inf policy of the kernels (docs/architecture.md), on every backend: in top-K NaN ranks
 * below −Infinity, every output slot is written (never stale scratch), and argminL2 rejects
 * non-finite input. The oracle is written here independently of the reference backend.
 */
import { expect, it } from 'vitest';
import fc from 'fast-check';
import { describeEachCpuBackend } from '../_harness/each-backend.js';
import { expectBadArgument } from '../_harness/bad-input.js';

/** Ranks by hand: finite and infinite values by value (ties to the lower index), then the NaNs by index. */
function oracleTopK(x: Float32Array, n: number, k: number): number[] {
  const numbers: number[] = [], nans: number[] = [];
  for (let i = 0; i < n; i++) (Number.isNaN(x[i]) ? nans : numbers).push(i);
  numbers.sort((a, b) => (x[a] === x[b] ? a - b : x[a] > x[b] ? -1 : 1));
  return [...numbers, ...nans].slice(0, k);
}

const VALUES = [NaN, -Infinity, Infinity, 0, -0, 1, -1, 2.5, 1e-30];

describeEachCpuBackend('NaN policy', (k) => {
  it('topKSelect after a NaN sum writes indices, not stale scratch (issue regression)', () => {
    k.sum(new Float32Array(64).fill(NaN), 64);
    const out = new Int32Array(5).fill(-7);
    k.topKSelect(new Float32Array(50).fill(NaN), 50, 5, out);
    expect(Array.from(out)).toEqual([0, 1, 2, 3, 4]);
  });

  it('topK, topKSelect and topKSelectRows rank NaN below −Infinity at every size', () => {
    fc.assert(fc.property(
      fc.constantFrom(1, 5, 17, 64, 300, 20000),
      fc.array(fc.constantFrom(...VALUES), { minLength: 1, maxLength: 9 }),
      fc.nat(), fc.nat(),
      (n, pattern, shift, kSeed) => {
        const x = new Float32Array(n);
        for (let i = 0; i < n; i++) x[i] = pattern[(i * 7 + shift) % pattern.length];
        const kk = 1 + (kSeed % n);
        const want = oracleTopK(x, n, kk);
        const top = new Int32Array(kk).fill(-1), sel = new Int32Array(kk).fill(-1), rows = new Int32Array(2 * kk).fill(-1);
        k.topK(x, n, kk, top);
        k.topKSelect(x, n, kk, sel);
        const x2 = new Float32Array(2 * n); x2.set(x); x2.set(x, n);
        k.topKSelectRows(x2, 2, n, kk, rows);
        expect(Array.from(top)).toEqual(want);
        const set = [...want].sort((a, b) => a - b);
        expect(Array.from(sel)).toEqual(set);
        expect(Array.from(rows)).toEqual([...set, ...set]);
      }), { numRuns: 60, seed: 14 });
  });

  it('argminL2 rejects NaN and ±Infinity in X or C, naming the argument', () => {
    const X = new Float32Array([0, 1, NaN, 2]), C = new Float32Array([0, 0, 1, 1]);
    expectBadArgument(() => k.argminL2(X, C, new Int32Array(2), new Float32Array(2), 2, 2, 2), 'X');
    const C2 = new Float32Array([0, Infinity, 1, 1]);
    expectBadArgument(() => k.argminL2(new Float32Array(4), C2, new Int32Array(2), new Float32Array(2), 2, 2, 2), 'C');
  });
});

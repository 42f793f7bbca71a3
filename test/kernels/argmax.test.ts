/**
 * argmax (greedy choice) on every backend: the reference as oracle on values drawn from a small
 * set (ties everywhere, ±Infinity), closed forms at every position of every SIMD lane and tail,
 * NaN reported by position, and bad input.
 */
import { expect, it } from 'vitest';
import fc from 'fast-check';
import { describeEachBackend } from '../_harness/every-backend.js';
import { TAIL_SIZES, size } from '../_harness/arbitraries.js';
import { expectBadArgumentAsync } from '../_harness/bad-input.js';
import { referenceKernelFunctions as ref } from '../../src/kernels/reference/index.js';

/** Values with many exact ties, and both infinities. */
const TIED_VALUES = [-Infinity, -2, -1, -0, 0, 1, 2, Infinity];

describeEachBackend('argmax', (k) => {
  it('matches the reference on tie-heavy values (the first maximum wins)', async () => {
    await fc.assert(fc.asyncProperty(size(300), fc.integer({ min: 0, max: 2 ** 31 - 1 }), async (n, seed) => {
      let s = seed;
      const x = Float32Array.from({ length: n }, () => TIED_VALUES[(s = (s * 1103515245 + 12345) >>> 0) % TIED_VALUES.length]);
      expect(await k.argmax(x, n)).toBe(ref.argmax(x, n));
    }), { numRuns: 60 });
  });

  it('finds a lone maximum, and the first of two equal ones, at every position (lanes and tails)', async () => {
    for (const n of [...TAIL_SIZES, 40]) {
      for (let p = 0; p < n; p++) {
        const x = Float32Array.from({ length: n }, (_, i) => -((i * 7) % 5) - 1); // all below 0
        x[p] = 3;
        expect(await k.argmax(x, n), `n = ${n}, maximum at ${p}`).toBe(p);
        for (const q of [p + 1, p + 4, n - 1]) {
          if (q <= p || q >= n) continue;
          x[q] = 3;
          expect(await k.argmax(x, n), `n = ${n}, ties at ${p} and ${q}`).toBe(p);
          x[q] = -1;
        }
      }
    }
  });

  it('counts −Infinity as a value and reads only n elements', async () => {
    expect(await k.argmax(new Float32Array(9).fill(-Infinity), 9)).toBe(0);
    const x = Float32Array.from([1, 2, 3, 4, 5, 6, 7, 8, 99]);
    expect(await k.argmax(x, 8)).toBe(7);
    expect(await k.argmax(x, 1)).toBe(0);
  });

  it('a large device array: the maximum near the end', async () => {
    const n = (1 << 16) + 37;
    const r = k.allocF32(n);
    try {
      r.write(Float32Array.from({ length: n }, (_, i) => (i === n - 5 ? 2 : Math.sin(i))));
      expect(await k.argmax(r, n)).toBe(n - 5);
    } finally {
      r.dispose();
    }
  });

  it('a NaN is BAD_ARGUMENT naming the first one, wherever it lies', async () => {
    for (const [n, at] of [[1, 0], [9, 0], [9, 5], [33, 32], [64, 17]]) {
      const x = Float32Array.from({ length: n }, (_, i) => i);
      x[at] = NaN;
      if (at + 3 < n) x[at + 3] = NaN;
      await expect(Promise.resolve().then(() => k.argmax(x, n)), `n = ${n}`).rejects.toThrow(new RegExp(`^x\\[${at}\\] is NaN`));
    }
  });

  it('rejects bad input with BAD_ARGUMENT naming the argument', async () => {
    const x = new Float32Array(8);
    await expectBadArgumentAsync(() => k.argmax(x, 0), 'n');
    await expectBadArgumentAsync(() => k.argmax(x, 9), 'x');
    await expectBadArgumentAsync(() => k.argmax(x, 2.5), 'n');
    await expectBadArgumentAsync(() => k.argmax(new Int32Array(8) as never, 8), 'x');
    await expectBadArgumentAsync(() => k.argmax(null as never, 1), 'x');
  });
});

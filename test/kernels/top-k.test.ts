/**
 * topK (indices of the k largest, best first, equal values by lower index) on every backend.
 * The tie rule makes the answer unique, so indices must equal the reference's exactly — also
 * on data made of a few repeated levels, ±0 and ±Infinity.
 */
import { expect, it } from 'vitest';
import fc from 'fast-check';
import { describeEachCpuBackend } from '../_harness/each-backend.js';
import { describeEachBackend } from '../_harness/every-backend.js';
import { floatSpec, floats, size } from '../_harness/arbitraries.js';
import { PLACEMENTS, runPlaced } from '../_harness/placement.js';
import { expectBadArgumentAsync } from '../_harness/bad-input.js';
import { referenceKernelFunctions as ref } from '../../src/kernels/reference/index.js';

describeEachCpuBackend('topK', (k, info) => {
  if (!info.isReference) {
    for (const placement of PLACEMENTS) {
      it(`matches the reference exactly, ties included (${placement} arrays)`, () => {
        fc.assert(fc.property(size(), floatSpec, fc.double({ min: 0, max: 1, noNaN: true }), fc.nat(3),
          (n, spec, frac, extra) => {
            const kk = Math.min(n, Math.round(frac * n));
            const x = floats(n, spec);
            const out = new Int32Array(kk + extra).fill(-5);
            const expected = new Int32Array(kk);
            ref.topK(x, n, kk, expected);
            const { after } = runPlaced(k, placement, [x, out] as const, (xx, o) => k.topK(xx, n, kk, o));
            expect(Array.from(after[1].subarray(0, kk))).toEqual(Array.from(expected));
            expect(Array.from(after[1].subarray(kk))).toEqual(new Array(extra).fill(-5));
          }));
      });
    }
  }
});

describeEachBackend('topK: closed forms and bad input', (k) => {
  it('orders best first and breaks ties by lower index: ±0, ±Infinity and repeats', async () => {
    const x = Float32Array.from([0, -0, Infinity, 2, -Infinity, 2, Infinity, -1, 0, 2]);
    const out = new Int32Array(10);
    await k.topK(x, 10, 10, out);
    expect(Array.from(out)).toEqual([2, 6, 3, 5, 9, 0, 1, 8, 7, 4]);
    const three = new Int32Array(3);
    await k.topK(x, 10, 3, three);
    expect(Array.from(three)).toEqual([2, 6, 3]);
  });

  it('with all values equal returns 0..k−1', async () => {
    for (const [n, kk] of [[1, 1], [17, 5], [300, 64], [300, 300]]) {
      const out = new Int32Array(kk);
      await k.topK(new Float32Array(n).fill(1.5), n, kk, out);
      expect(Array.from(out)).toEqual(Array.from({ length: kk }, (_, i) => i));
    }
  });

  it('k = 0 writes nothing', async () => {
    const out = Int32Array.from([7]);
    await k.topK(Float32Array.from([1, 2]), 2, 0, out);
    expect(out[0]).toBe(7);
  });

  it('rejects bad input with BAD_ARGUMENT naming the argument', async () => {
    const x = new Float32Array(5), out = new Int32Array(5);
    await expectBadArgumentAsync(() => k.topK(x, 5, 6, out), 'k');
    await expectBadArgumentAsync(() => k.topK(x, 5, -1, out), 'k');
    await expectBadArgumentAsync(() => k.topK(x, 5, 2.5, out), 'k');
    await expectBadArgumentAsync(() => k.topK(x, 6, 2, out), 'x');
    await expectBadArgumentAsync(() => k.topK(x, 5, 3, new Int32Array(2)), 'out');
    await expectBadArgumentAsync(() => k.topK(x, 5, 3, new Float32Array(3) as never), 'out');
    await expectBadArgumentAsync(() => k.topK(x, NaN, 3, out), 'n');
  });
});

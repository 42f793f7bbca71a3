/**
 * axpy (y += a·x) on every backend: differential against the reference, elements past n
 * untouched, closed forms, and bad input.
 */
import { expect, it } from 'vitest';
import fc from 'fast-check';
import { describeEachCpuBackend } from '../_harness/each-backend.js';
import { describeEachBackend } from '../_harness/every-backend.js';
import { floatSpec, floats, size } from '../_harness/arbitraries.js';
import { assertClose } from '../_harness/tolerance.js';
import { PLACEMENTS, runPlaced } from '../_harness/placement.js';
import { expectBadArgumentAsync } from '../_harness/bad-input.js';
import { referenceKernelFunctions as ref } from '../../src/kernels/reference/index.js';

const scalar = fc.double({ min: -1e3, max: 1e3, noNaN: true }).map(Math.fround);

describeEachCpuBackend('axpy', (k, info) => {
  if (!info.isReference) {
    for (const placement of PLACEMENTS) {
      it(`matches the reference (${placement} arrays)`, () => {
        fc.assert(fc.property(size(), scalar, floatSpec, floatSpec, fc.nat(5), (n, a, sx, sy, extra) => {
          const x = floats(n + extra, sx);
          const y = floats(n + extra, { ...sy, seed: sy.seed + 1 });
          const expected = y.slice();
          ref.axpy(a, x, expected, n);
          const { after } = runPlaced(k, placement, [x, y] as const, (xx, yy) => k.axpy(a, xx, yy, n));
          for (let i = 0; i < n; i++) {
            assertClose(after[1][i], expected[i], Math.abs(y[i]) + Math.abs(a * x[i]), `y[${i}], n = ${n}`);
          }
          for (let i = n; i < y.length; i++) expect(Object.is(after[1][i], y[i])).toBe(true);
          expect(after[0]).toEqual(x); // x is read-only
        }));
      });
    }
  }
});

describeEachBackend('axpy: closed forms and bad input', (k) => {
  it('adds exactly when every product and sum is representable', async () => {
    for (const n of [1, 3, 4, 5, 15, 16, 17, 33, 100]) {
      const x = Float32Array.from({ length: n }, (_, i) => i - 7);
      const y = Float32Array.from({ length: n }, (_, i) => 2 * i);
      await k.axpy(-0.5, x, y, n);
      expect(Array.from(y)).toEqual(Array.from({ length: n }, (_, i) => 2 * i - 0.5 * (i - 7)));
    }
  });

  it('rejects bad input with BAD_ARGUMENT naming the argument', async () => {
    const a = new Float32Array(8);
    await expectBadArgumentAsync(() => k.axpy(1, a, new Float32Array(4), 8), 'y');
    await expectBadArgumentAsync(() => k.axpy(1, new Float32Array(4), a, 8), 'x');
    await expectBadArgumentAsync(() => k.axpy(NaN, a, a.slice(), 8), 'a');
    await expectBadArgumentAsync(() => k.axpy(Infinity, a, a.slice(), 8), 'a');
    await expectBadArgumentAsync(() => k.axpy(1, a, a.slice(), 0.5), 'n');
    await expectBadArgumentAsync(() => k.axpy(1, a, a.slice(), -8), 'n');
    await expectBadArgumentAsync(() => k.axpy(1, a, [0] as never, 1), 'y');
  });
});

/**
 * dot on every backend: differential against the float64 reference (plain and resident
 * arrays, arrays longer than n), closed forms, and bad input.
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

describeEachCpuBackend('dot', (k, info) => {
  if (!info.isReference) {
    for (const placement of PLACEMENTS) {
      it(`matches the reference (${placement} arrays)`, () => {
        fc.assert(fc.property(size(), floatSpec, floatSpec, fc.nat(5), (n, sx, sy, extra) => {
          const x = floats(n + extra, sx);
          const y = floats(n + extra, { ...sy, seed: sy.seed + 1 });
          const { result } = runPlaced(k, placement, [x, y] as const, (a, b) => k.dot(a, b, n));
          let terms = 0;
          for (let i = 0; i < n; i++) terms += Math.abs(x[i] * y[i]);
          assertClose(result, ref.dot(x, y, n), terms, `dot, n = ${n}`);
        }));
      });
    }
  }
});

describeEachBackend('dot: closed forms and bad input', (k) => {
  it('equals Σ i for x = 0..n−1, y = 1 (exact in float32), for every n up to 300', async () => {
    for (let n = 0; n <= 300; n++) {
      const x = Float32Array.from({ length: n }, (_, i) => i);
      const y = new Float32Array(n).fill(1);
      expect(await k.dot(x, y, n)).toBe((n * Math.max(n - 1, 0)) / 2);
    }
  });

  it('reads only the first n elements', async () => {
    const x = Float32Array.from([1, 2, 3, 4, 5, 1e30, NaN]);
    const y = Float32Array.from([1, 1, 1, 1, 1, 1e30, NaN]);
    expect(await k.dot(x, y, 5)).toBe(15);
    expect(await k.dot(x, y, 0)).toBe(0);
  });

  it('rejects bad input with BAD_ARGUMENT naming the argument', async () => {
    const a = new Float32Array(8);
    await expectBadArgumentAsync(() => k.dot(a, a, 9), 'x');
    await expectBadArgumentAsync(() => k.dot(a, new Float32Array(4), 8), 'y');
    await expectBadArgumentAsync(() => k.dot(a, a, 2.5), 'n');
    await expectBadArgumentAsync(() => k.dot(a, a, -1), 'n');
    await expectBadArgumentAsync(() => k.dot(a, a, NaN), 'n');
    await expectBadArgumentAsync(() => k.dot(new Float64Array(8) as never, a, 8), 'x');
    await expectBadArgumentAsync(() => k.dot(a, [1, 2, 3] as never, 3), 'y');
    await expectBadArgumentAsync(() => k.dot(a, a, '8' as never), 'n');
  });
});

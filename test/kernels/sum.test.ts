/**
 * sum (the streaming-read kernel) on every backend: differential against the float64
 * reference, closed forms, and bad input.
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

describeEachCpuBackend('sum', (k, info) => {
  if (!info.isReference) {
    for (const placement of PLACEMENTS) {
      it(`matches the reference (${placement} arrays)`, () => {
        fc.assert(fc.property(size(), floatSpec, fc.nat(5), (n, spec, extra) => {
          const x = floats(n + extra, spec);
          const { result } = runPlaced(k, placement, [x] as const, (a) => k.sum(a, n));
          let terms = 0;
          for (let i = 0; i < n; i++) terms += Math.abs(x[i]);
          assertClose(result, ref.sum(x, n), terms, `sum, n = ${n}`);
        }));
      });
    }
  }
});

describeEachBackend('sum: closed forms and bad input', (k) => {
  it('equals n(n−1)/2 for x = 0..n−1 (exact in float32), for every n up to 300', async () => {
    for (let n = 0; n <= 300; n++) {
      expect(await k.sum(Float32Array.from({ length: n }, (_, i) => i), n)).toBe((n * Math.max(n - 1, 0)) / 2);
    }
  });

  it('sums a large device array (every SIMD block and the tail)', async () => {
    const n = (1 << 16) + 37;
    const r = k.allocF32(n);
    try {
      r.write(Float32Array.from({ length: n }, (_, i) => (i % 7) - 3)); // integers: every partial sum is exact
      let expected = 0;
      for (let i = 0; i < n; i++) expected += (i % 7) - 3;
      expect(await k.sum(r, n)).toBe(expected);
    } finally {
      r.dispose();
    }
  });

  it('rejects bad input with BAD_ARGUMENT naming the argument', async () => {
    const a = new Float32Array(8);
    await expectBadArgumentAsync(() => k.sum(a, 9), 'x');
    await expectBadArgumentAsync(() => k.sum(a, 1.5), 'n');
    await expectBadArgumentAsync(() => k.sum(a, -3), 'n');
    await expectBadArgumentAsync(() => k.sum(a, Infinity), 'n');
    await expectBadArgumentAsync(() => k.sum(new Int32Array(8) as never, 8), 'x');
    await expectBadArgumentAsync(() => k.sum(null as never, 0), 'x');
  });
});

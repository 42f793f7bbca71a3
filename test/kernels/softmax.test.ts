/**
 * softmax on every backend: differential against the float64 reference (separate output and
 * out = x in place), sums to 1, shift invariance, extreme logits, and bad input.
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

describeEachCpuBackend('softmax', (k, info) => {
  if (!info.isReference) {
    for (const placement of PLACEMENTS) {
      for (const inPlace of [false, true]) {
        it(`matches the reference (${placement} arrays, ${inPlace ? 'out = x' : 'separate out'})`, () => {
          fc.assert(fc.property(size(), floatSpec, fc.nat(3), (n, spec, extra) => {
            const x = floats(n + extra, spec);
            const expected = new Float32Array(n);
            ref.softmax(x, expected, n);
            const out = new Float32Array(n + extra).fill(-1);
            const after = inPlace
              ? runPlaced(k, placement, [x] as const, (xx) => k.softmax(xx, xx, n)).after[0]
              : runPlaced(k, placement, [x, out] as const, (xx, o) => k.softmax(xx, o, n)).after[1];
            for (let i = 0; i < n; i++) assertClose(after[i], expected[i], Math.abs(expected[i]), `out[${i}], n = ${n}`);
            for (let i = n; i < n + extra; i++) expect(after[i]).toBe(inPlace ? x[i] : -1);
          }));
        });
      }
    }
  }
});

describeEachBackend('softmax: closed forms and bad input', (k) => {
  it('sums to 1, is invariant to adding a constant, and survives extreme logits', async () => {
    for (const n of [1, 5, 16, 33, 300]) {
      const x = floats(n, { seed: n, kind: 'mixed', spread: 2 });
      const p = new Float32Array(n), q = new Float32Array(n);
      await k.softmax(x, p, n);
      await k.softmax(x.map((v) => v + 50), q, n);
      let s = 0;
      for (let i = 0; i < n; i++) {
        s += p[i];
        assertClose(q[i], p[i], p[i], `shifted out[${i}]`);
      }
      expect(Math.abs(s - 1)).toBeLessThan(1e-5);
    }
    const big = new Float32Array(3);
    await k.softmax(Float32Array.from([1e30, -1e30, 1e30]), big, 3);
    expect(Array.from(big)).toEqual([0.5, 0, 0.5]);
  });

  it('rejects bad input with BAD_ARGUMENT naming the argument', async () => {
    const x = new Float32Array(4);
    await expectBadArgumentAsync(() => k.softmax(x, x, 0), 'n');
    await expectBadArgumentAsync(() => k.softmax(x, x, 5), 'x');
    await expectBadArgumentAsync(() => k.softmax(x, new Float32Array(3), 4), 'out');
    await expectBadArgumentAsync(() => k.softmax(x, x, 1.5), 'n');
    await expectBadArgumentAsync(() => k.softmax(new Float64Array(4) as never, x, 4), 'x');
  });
});

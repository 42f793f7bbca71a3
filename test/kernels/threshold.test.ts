/**
 * threshold (TEAL input sparsification: out = v where |v| ≥ t and v ≠ 0, else 0; returns the
 * zeros) on every backend: differential against the reference, the exact rule (ties kept, exact
 * and signed zeros counted), elements past n untouched, closed forms, and bad input.
 */
import { expect, it } from 'vitest';
import fc from 'fast-check';
import { describeEachCpuBackend } from '../_harness/each-backend.js';
import { describeEachBackend } from '../_harness/every-backend.js';
import { floatSpec, floats, size } from '../_harness/arbitraries.js';
import { PLACEMENTS, runPlaced } from '../_harness/placement.js';
import { expectBadArgumentAsync } from '../_harness/bad-input.js';
import { referenceKernelFunctions as ref } from '../../src/kernels/reference/index.js';

const T = fc.oneof(fc.constantFrom(0, 0.5, 1, 2, -1, Infinity), fc.double({ min: 0, max: 3, noNaN: true }));

describeEachCpuBackend('threshold', (k, info) => {
  if (!info.isReference) {
    for (const placement of PLACEMENTS) {
      it(`matches the reference bit for bit (${placement} arrays)`, () => {
        fc.assert(fc.property(size(), floatSpec, fc.nat(5), T, (n, sv, extra, t) => {
          const v = floats(n + extra, sv);
          const out = new Float32Array(n + extra).fill(7);
          const want = out.slice();
          const zeros = ref.threshold(v, t, want, n);
          const { result, after } = runPlaced(k, placement, [v, out] as const, (vv, oo) => k.threshold(vv, t, oo, n));
          expect(result).toBe(zeros);
          expect(after[0]).toEqual(v); // v is read-only
          for (let i = 0; i < out.length; i++) expect(Object.is(after[1][i], want[i])).toBe(true);
        }));
      });
    }
  }
});

describeEachBackend('threshold: closed forms and bad input', (k) => {
  it('keeps v_i where |v_i| ≥ t (ties kept), writes 0 elsewhere, and counts every zero written', async () => {
    await fc.assert(fc.asyncProperty(size(), floatSpec, T, async (n, sv, t) => {
      const v = floats(n + 1, sv);
      const out = new Float32Array(n + 1).fill(7);
      const zeros = await k.threshold(v, t, out, n);
      let want = 0;
      for (let i = 0; i < n; i++) {
        const keep = Math.abs(v[i]) >= t && v[i] !== 0;
        if (!keep) want++;
        expect(Object.is(out[i], keep ? v[i] : 0)).toBe(true);
      }
      expect(zeros).toBe(want);
      expect(out[n]).toBe(7);
    }));
  });

  it('closed forms: ties, exact and signed zeros, t = 0 and t = ∞', async () => {
    const v = Float32Array.of(0, -0, 0.5, -0.5, 0.25, -2, 1e-30);
    const out = new Float32Array(7);
    expect(await k.threshold(v, 0.5, out, 7)).toBe(4);
    expect(Array.from(out)).toEqual([0, 0, 0.5, -0.5, 0, -2, 0]);
    expect(await k.threshold(v, 0, out, 7)).toBe(2); // t = 0 keeps every nonzero value
    expect(Object.is(out[1], 0)).toBe(true); // −0 is written as +0
    expect(await k.threshold(v, Infinity, out, 7)).toBe(7);
    expect(await k.threshold(v, 1, out, 0)).toBe(0);
  });

  it('rejects bad input naming the argument', async () => {
    const a = new Float32Array(8);
    await expectBadArgumentAsync(() => k.threshold(new Float32Array(4), 0.1, a, 8), 'v');
    await expectBadArgumentAsync(() => k.threshold(a, 0.1, new Float32Array(4), 8), 'out');
    await expectBadArgumentAsync(() => k.threshold(a, NaN, a.slice(), 8), 't');
    await expectBadArgumentAsync(() => k.threshold(a, '1' as never, a.slice(), 8), 't');
    await expectBadArgumentAsync(() => k.threshold(a, 0.1, a.slice(), -1), 'n');
  });
});

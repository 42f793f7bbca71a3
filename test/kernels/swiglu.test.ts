/**
 * swiglu (gate ← SiLU(gate)·up) on every backend: differential against the reference, the
 * float32 rounding order of llama2.c, elements past n untouched, closed forms, and bad input.
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

describeEachCpuBackend('swiglu', (k, info) => {
  if (!info.isReference) {
    for (const placement of PLACEMENTS) {
      it(`matches the reference (${placement} arrays)`, () => {
        fc.assert(fc.property(size(), floatSpec, floatSpec, fc.nat(5), (n, sg, su, extra) => {
          const gate = floats(n + extra, sg);
          const up = floats(n + extra, { ...su, seed: su.seed + 1 });
          const expected = gate.slice();
          ref.swiglu(expected, up, n);
          const { after } = runPlaced(k, placement, [gate, up] as const, (g, u) => k.swiglu(g, u, n));
          for (let i = 0; i < n; i++) assertClose(after[0][i], expected[i], Math.abs(expected[i]), `gate[${i}], n = ${n}`);
          for (let i = n; i < gate.length; i++) expect(Object.is(after[0][i], gate[i])).toBe(true);
          expect(after[1]).toEqual(up); // up is read-only
        }));
      });
    }
  }
});

describeEachBackend('swiglu: closed forms and bad input', (k, info) => {
  it('rounds SiLU to float32 before the product, as llama2.c does', async () => {
    const g = new Float32Array([0, 1, -1, 3.5, -20, 20]);
    const u = new Float32Array([5, 3, -2, 0.1, 7, -0.5]);
    const got = g.slice();
    await k.swiglu(got, u, g.length);
    for (let i = 0; i < g.length; i++) {
      const silu = Math.fround(g[i] / (1 + Math.exp(-g[i])));
      expect(got[i]).toBeCloseTo(Math.fround(silu * u[i]), 6);
    }
    expect(got[0]).toBe(0); // SiLU(0) = 0
    if (info.isReference) expect(got[1]).toBe(Math.fround(Math.fround(1 / (1 + Math.exp(-1))) * 3));
  });

  it('rejects bad input naming the argument', async () => {
    const a = new Float32Array(8);
    await expectBadArgumentAsync(() => k.swiglu(new Float32Array(4), a, 8), 'gate');
    await expectBadArgumentAsync(() => k.swiglu(a, new Float32Array(4), 8), 'up');
    await expectBadArgumentAsync(() => k.swiglu(a, a.slice(), -1), 'n');
    await expectBadArgumentAsync(() => k.swiglu(a, a.slice(), 1.5), 'n');
  });
});

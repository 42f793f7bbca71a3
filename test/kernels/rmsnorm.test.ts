/**
 * rmsnorm on every backend: differential against the float64 reference (separate output and
 * out = x in place), closed forms, and bad input.
 */
import { expect, it } from 'vitest';
import fc from 'fast-check';
import { describeEachCpuBackend } from '../_harness/each-backend.js';
import { describeEachBackend } from '../_harness/every-backend.js';
import { floatSpec, floats, size, uniforms } from '../_harness/arbitraries.js';
import { assertClose } from '../_harness/tolerance.js';
import { PLACEMENTS, runPlaced } from '../_harness/placement.js';
import { expectBadArgumentAsync } from '../_harness/bad-input.js';
import { referenceKernelFunctions as ref } from '../../src/kernels/reference/index.js';

const epsilon = fc.constantFrom(1e-6, 1e-5, 0.1);

describeEachCpuBackend('rmsnorm', (k, info) => {
  if (!info.isReference) {
    for (const placement of PLACEMENTS) {
      for (const inPlace of [false, true]) {
        it(`matches the reference (${placement} arrays, ${inPlace ? 'out = x' : 'separate out'})`, () => {
          fc.assert(fc.property(size(), floatSpec, fc.nat(), epsilon, (n, spec, wseed, eps) => {
            const x = floats(n, spec);
            const w = uniforms(n, wseed, -2, 2);
            const expected = new Float32Array(n);
            ref.rmsnorm(x, w, expected, n, eps);
            const after = inPlace
              ? runPlaced(k, placement, [x, w] as const, (xx, ww) => k.rmsnorm(xx, ww, xx, n, eps)).after[0]
              : runPlaced(k, placement, [x, w, new Float32Array(n)] as const,
                (xx, ww, o) => k.rmsnorm(xx, ww, o, n, eps)).after[2];
            for (let i = 0; i < n; i++) assertClose(after[i], expected[i], Math.abs(expected[i]), `out[${i}], n = ${n}`);
          }));
        });
      }
    }
  }
});

describeEachBackend('rmsnorm: closed forms and bad input', (k) => {
  it('a constant vector c with unit weights maps to c/sqrt(c² + eps); weights scale the output', async () => {
    for (const n of [1, 4, 7, 33]) {
      const out = new Float32Array(n);
      await k.rmsnorm(new Float32Array(n).fill(3), new Float32Array(n).fill(1), out, n, 0);
      for (const v of out) expect(v).toBeCloseTo(1, 6);
      await k.rmsnorm(new Float32Array(n).fill(-2), new Float32Array(n).fill(0.5), out, n, 12);
      for (const v of out) expect(v).toBeCloseTo((0.5 * -2) / 4, 6);
    }
  });

  it('rejects bad input with BAD_ARGUMENT naming the argument', async () => {
    const x = new Float32Array(4), w = new Float32Array(4);
    await expectBadArgumentAsync(() => k.rmsnorm(x, w, x, 4, -1e-5), 'eps');
    await expectBadArgumentAsync(() => k.rmsnorm(x, w, x, 4, NaN), 'eps');
    await expectBadArgumentAsync(() => k.rmsnorm(x, new Float32Array(3), x, 4, 1e-5), 'w');
    await expectBadArgumentAsync(() => k.rmsnorm(x, w, new Float32Array(3), 4, 1e-5), 'out');
    await expectBadArgumentAsync(() => k.rmsnorm(x, w, x, 0, 1e-5), 'n');
    await expectBadArgumentAsync(() => k.rmsnorm(x, w, x, 5, 1e-5), 'x');
  });
});

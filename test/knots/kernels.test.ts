/**
 * The knots kernels (bsplineBasis, bandedGram) on every backend: differential against the
 * reference, the reference against independent oracles (dense B-spline matrix, dense BᵀWB, the
 * core banded normal equations), and bad input.
 */
import { expect, it } from 'vitest';
import fc from 'fast-check';
import { describeEachCpuBackend } from '../_harness/each-backend.js';
import { expectBadArgument } from '../_harness/bad-input.js';
import { referenceKernelFunctions as ref } from '../../src/kernels/reference/index.js';
import { Rng } from '../../src/core/rng.js';
import { bsplineBasis as denseBasis, bsplineKnotVector } from '../../src/knots/bspline-basis.js';
import { bandedNormalEquations } from '../../src/core/banded/sparse-rows.js';

const SIZES = [1, 3, 4, 5, 7, 8, 9, 15, 16, 17, 31, 32, 33, 64, 257];

function randomProblem(seed: number, n: number, degree: number, k: number) {
  const rng = new Rng(seed);
  const knots = Array.from({ length: k }, () => 0.01 + 0.98 * rng.uniform());
  if (k >= 2 && degree >= 1 && rng.uniform() < 0.5) knots[1] = knots[0]; // a repeated knot
  const t = bsplineKnotVector(knots, degree);
  const x = Float64Array.from({ length: n }, () => rng.uniform() * 1.2 - 0.1); // some outside [0, 1]
  return { knots, t, x, rng };
}

describeEachCpuBackend('knots kernels', (kern, info) => {
  it('bsplineBasis matches the dense basis (R-validated) and, off the reference, the reference exactly', () => {
    fc.assert(fc.property(fc.constantFrom(...SIZES), fc.integer({ min: 0, max: 5 }), fc.integer({ min: 0, max: 12 }), fc.nat(1e6),
      (n, degree, k, seed) => {
        const { knots, t, x } = randomProblem(seed, n, degree, k);
        const first = new Int32Array(n), values = new Float64Array(n * (degree + 1));
        kern.bsplineBasis(x, n, t, t.length, degree, first, values);
        const dense = denseBasis(x, knots, { degree });
        for (let i = 0; i < n; i++) {
          for (let c = 0; c < dense.cols; c++) {
            const a = c - first[i];
            const got = a >= 0 && a <= degree ? values[i * (degree + 1) + a] : 0;
            expect(Math.abs(got - dense.values[i * dense.cols + c])).toBeLessThan(1e-12);
          }
        }
        if (!info.isReference) {
          const f2 = new Int32Array(n), v2 = new Float64Array(n * (degree + 1));
          ref.bsplineBasis(x, n, t, t.length, degree, f2, v2);
          expect(Array.from(first)).toEqual(Array.from(f2));
          for (let i = 0; i < v2.length; i++) expect(Math.abs(values[i] - v2[i])).toBeLessThanOrEqual(1e-14);
        }
      }), { numRuns: 60 });
  });

  it('bandedGram equals the dense BᵀWB and Bᵀ(Wz), and the core banded normal equations', () => {
    fc.assert(fc.property(fc.constantFrom(...SIZES), fc.integer({ min: 0, max: 4 }), fc.integer({ min: 0, max: 8 }), fc.nat(1e6), fc.boolean(),
      (n, degree, k, seed, weighted) => {
        const { t, x, rng } = randomProblem(seed, n, degree, k);
        const w = degree + 1, p = t.length - degree - 1;
        const first = new Int32Array(n), values = new Float64Array(n * w);
        ref.bsplineBasis(x, n, t, t.length, degree, first, values);
        const z = Float64Array.from({ length: n }, () => rng.normal());
        const wts = weighted ? Float64Array.from({ length: n }, () => rng.uniform() * 2) : null;
        const band = new Float64Array(p * w), btz = new Float64Array(p);
        expect(kern.bandedGram(first, values, n, w, wts, z, p, band, btz)).toBe(-1);
        // dense oracle
        const G = new Float64Array(p * p), bz = new Float64Array(p);
        for (let i = 0; i < n; i++) {
          const wi = wts ? wts[i] : 1;
          for (let a = 0; a < w; a++) {
            bz[first[i] + a] += wi * values[i * w + a] * z[i];
            for (let b = 0; b < w; b++) G[(first[i] + a) * p + first[i] + b] += wi * values[i * w + a] * values[i * w + b];
          }
        }
        for (let r = 0; r < p; r++) {
          expect(Math.abs(btz[r] - bz[r])).toBeLessThan(1e-9 * (1 + Math.abs(bz[r])));
          for (let d = 0; d <= Math.min(degree, r); d++) expect(Math.abs(band[r * w + d] - G[r * p + r - d])).toBeLessThan(1e-9 * (1 + Math.abs(G[r * p + r - d])));
        }
        const ne = bandedNormalEquations(first, values, z, n, p, degree, wts ? { weights: wts } : {});
        for (let r = 0; r < p; r++) for (let d = 0; d <= Math.min(degree, r); d++) expect(Math.abs(band[r * w + d] - ne.gram[r * w + d])).toBeLessThan(1e-9);
      }), { numRuns: 60 });
  });

  it('with resident arguments (allocF64/allocI32) both kernels give the plain-argument results, also after memory grows', () => {
    if (kern.allocF64 === undefined) return; // optional: such a backend is given plain arrays
    const n = 257, degree = 3, w = degree + 1;
    const { t, x, rng } = randomProblem(7, n, degree, 9);
    const p = t.length - degree - 1;
    const z = Float64Array.from({ length: n }, () => rng.normal());
    const first = new Int32Array(n), values = new Float64Array(n * w), band = new Float64Array(p * w), btz = new Float64Array(p);
    ref.bsplineBasis(x, n, t, t.length, degree, first, values);
    ref.bandedGram(first, values, n, w, null, z, p, band, btz);
    const rx = kern.allocF64(n), rz = kern.allocF64(n), rFirst = kern.allocI32(n), rValues = kern.allocF64(n * w);
    const rBand = kern.allocF64(p * w), rBtz = kern.allocF64(p);
    rx.view().set(x); rz.view().set(z);
    const big = kern.allocF32(1 << 22); // grows wasm memory: earlier views detach, view() re-takes them
    kern.bsplineBasis(rx.view(), n, t, t.length, degree, rFirst.view(), rValues.view());
    expect(kern.bandedGram(rFirst.view(), rValues.view(), n, w, null, rz.view(), p, rBand.view(), rBtz.view())).toBe(-1);
    expect(Array.from(rFirst.view())).toEqual(Array.from(first));
    rValues.view().forEach((v, i) => expect(Math.abs(v - values[i])).toBeLessThanOrEqual(1e-14));
    rBand.view().forEach((v, i) => expect(Math.abs(v - band[i])).toBeLessThanOrEqual(1e-12 * (1 + Math.abs(band[i]))));
    rBtz.view().forEach((v, i) => expect(Math.abs(v - btz[i])).toBeLessThanOrEqual(1e-12 * (1 + Math.abs(btz[i]))));
    expect(rx.view()).toEqual(x); // inputs untouched
    for (const r of [rx, rz, rFirst, rValues, rBand, rBtz, big]) r.dispose();
    expect(() => rx.view()).toThrow(/dispose/);
  });

  it('bandedGram reports a row outside [0, p) instead of writing out of bounds', () => {
    const first = Int32Array.of(0, 3), values = new Float64Array(4).fill(1), z = new Float64Array(2);
    expectBadArgument(() => kern.bandedGram(first, values, 2, 2, null, z, 4, new Float64Array(8), new Float64Array(4)), 'first');
  });

  it('rejects bad shapes with BAD_ARGUMENT naming the argument', () => {
    const t = bsplineKnotVector([0.5], 3);
    const x = new Float64Array(4), first = new Int32Array(4), values = new Float64Array(16);
    expectBadArgument(() => kern.bsplineBasis(x, 5, t, t.length, 3, first, values), 'x');
    expectBadArgument(() => kern.bsplineBasis(x, 4, t, t.length, 3, first, new Float64Array(15)), 'values');
    expectBadArgument(() => kern.bsplineBasis(x, 4, t, t.length, 3, new Int32Array(3), values), 'first');
    expectBadArgument(() => kern.bsplineBasis(x, 4, t, 5, 3, first, values), 'nt');
    expectBadArgument(() => kern.bsplineBasis(x, 4, new Float64Array(9), 9, 3, first, values), 't');
    expectBadArgument(() => kern.bsplineBasis(new Float32Array(4) as never, 4, t, t.length, 3, first, values), 'x');
    expectBadArgument(() => kern.bsplineBasis(x, 4, t, t.length, 21, first, values), 'degree');
    expectBadArgument(() => kern.bandedGram(first, values, 4, 4, null, new Float64Array(3), 5, new Float64Array(20), new Float64Array(5)), 'z');
    expectBadArgument(() => kern.bandedGram(first, values, 4, 4, new Float64Array(2), x, 5, new Float64Array(20), new Float64Array(5)), 'weights');
    expectBadArgument(() => kern.bandedGram(first, values, 4, 4, null, x, 5, new Float64Array(19), new Float64Array(5)), 'band');
    expectBadArgument(() => kern.bandedGram(first, values, 4, 4, null, x, 3, new Float64Array(20), new Float64Array(5)), 'p');
  });
});

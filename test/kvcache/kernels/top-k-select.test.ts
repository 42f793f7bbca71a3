/**
 * topKSelect (the k largest as a set, in increasing index order; ties to the lower index) on
 * every backend: exactly the reference's set — on small sizes that hit SIMD tails, on large n
 * (the sampled-threshold path), on ties, on sorted input, and on input built so the sample
 * misjudges the threshold (the fallback path).
 */
import { expect, it } from 'vitest';
import fc from 'fast-check';
import { describeEachCpuBackend } from '../../_harness/each-backend.js';
import { floatSpec, floats, size } from '../../_harness/arbitraries.js';
import { PLACEMENTS, runPlaced } from '../../_harness/placement.js';
import { expectBadArgument } from '../../_harness/bad-input.js';
import { referenceKernelFunctions as ref } from '../../../src/kernels/reference/index.js';
import { Rng } from '../../../src/core/rng.js';

/** Independent oracle: the topK kernel's set (best first), sorted by index. */
function oracle(x: Float32Array, n: number, k: number): number[] {
  const out = new Int32Array(k);
  ref.topK(x, n, k, out);
  return Array.from(out).sort((a, b) => a - b);
}

describeEachCpuBackend('topKSelect', (k, info) => {
  if (!info.isReference) {
    for (const placement of PLACEMENTS) {
      it(`matches the reference set exactly (${placement} arrays)`, () => {
        fc.assert(fc.property(size(), floatSpec, fc.double({ min: 0, max: 1, noNaN: true }), fc.nat(3), (n, spec, frac, extra) => {
          const kk = Math.min(n, Math.round(frac * n));
          const x = floats(n, spec);
          const out = new Int32Array(kk + extra).fill(-5);
          const expected = new Int32Array(kk);
          ref.topKSelect(x, n, kk, expected);
          const { after } = runPlaced(k, placement, [x, out] as const, (xx, o) => k.topKSelect(xx, n, kk, o));
          expect(Array.from(after[1].subarray(0, kk))).toEqual(Array.from(expected));
          expect(Array.from(after[1].subarray(kk))).toEqual(new Array(extra).fill(-5));
        }), { numRuns: 60 });
      });
    }
  }

  it('equals the topK set on large n (sampled-threshold path), with and without ties', () => {
    fc.assert(fc.property(fc.integer({ min: 4096, max: 40000 }), fc.double({ min: 0.001, max: 0.2, noNaN: true }), floatSpec,
      (n, frac, spec) => {
        const kk = Math.max(1, Math.floor(frac * n));
        const x = floats(n, spec);
        const out = new Int32Array(kk);
        k.topKSelect(x, n, kk, out);
        expect(Array.from(out)).toEqual(oracle(x, n, kk));
      }), { numRuns: 12 });
  });

  it('handles sorted (adversarial for heaps) and constant input', () => {
    const n = 20000;
    const inc = Float32Array.from({ length: n }, (_, i) => i * 0.5);
    const dec = Float32Array.from({ length: n }, (_, i) => -i);
    for (const [x, kk] of [[inc, 600], [dec, 600], [new Float32Array(n).fill(3), 777]] as const) {
      const out = new Int32Array(kk);
      k.topKSelect(x, n, kk, out);
      expect(Array.from(out)).toEqual(oracle(x, n, kk));
    }
  });

  it('falls back correctly when the strided sample overestimates the threshold', () => {
    // Large values exactly at the 1024 sampled positions: the sample says τ = 10, but k = 2000
    // elements are needed, so only the full radix pass can find the rest.
    const n = 8192, kk = 2000;
    const rng = new Rng(5);
    const x = Float32Array.from({ length: n }, () => rng.uniform() * 9);
    for (let s = 0; s < 1024; s++) x[Math.floor(s * (n / 1024))] = 10;
    const out = new Int32Array(kk);
    k.topKSelect(x, n, kk, out);
    expect(Array.from(out)).toEqual(oracle(x, n, kk));
  });

  it('treats -0 and +0 as equal (ties by index) and orders ±Infinity', () => {
    const x = Float32Array.from([0, -0, Infinity, 2, -Infinity, 2, Infinity, -1, -0, 2]);
    for (let kk = 0; kk <= 10; kk++) {
      const out = new Int32Array(kk);
      k.topKSelect(x, 10, kk, out);
      expect(Array.from(out)).toEqual(oracle(x, 10, kk));
    }
  });

  it('rejects bad input with BAD_ARGUMENT naming the argument', () => {
    const x = new Float32Array(5), out = new Int32Array(5);
    expectBadArgument(() => k.topKSelect(x, 5, 6, out), 'k');
    expectBadArgument(() => k.topKSelect(x, 5, -1, out), 'k');
    expectBadArgument(() => k.topKSelect(x, 6, 2, out), 'x');
    expectBadArgument(() => k.topKSelect(x, 5, 3, new Int32Array(2)), 'out');
    expectBadArgument(() => k.topKSelect(x, NaN, 3, out), 'n');
  });
});

/**
 * lutGather (out[j] = table[codes[j]]) on every backend: a pure gather, so outputs must equal
 * the reference bit for bit; out-of-range codes (negative or ≥ tableSize) raise BAD_ARGUMENT
 * instead of reading past the table.
 */
import { expect, it } from 'vitest';
import fc from 'fast-check';
import { describeEachCpuBackend } from '../../_harness/each-backend.js';
import { floatSpec, floats, size } from '../../_harness/arbitraries.js';
import { PLACEMENTS, runPlaced } from '../../_harness/placement.js';
import { expectBadArgument } from '../../_harness/bad-input.js';
import { referenceKernelFunctions as ref } from '../../../src/kernels/reference/index.js';
import { Rng } from '../../../src/core/rng.js';

describeEachCpuBackend('lutGather', (k, info) => {
  if (!info.isReference) {
    for (const placement of PLACEMENTS) {
      it(`matches the reference exactly (${placement} arrays)`, () => {
        fc.assert(fc.property(size(), fc.integer({ min: 1, max: 5000 }), floatSpec, fc.nat(), fc.nat(3),
          (n, tableSize, spec, seed, extra) => {
            const table = floats(tableSize, spec);
            const rng = new Rng(seed);
            const codes = Int32Array.from({ length: n + extra }, () => rng.int(tableSize));
            const expected = new Float32Array(n);
            ref.lutGather(table, tableSize, codes, n, expected);
            const out = new Float32Array(n + extra).fill(-7);
            const { after } = runPlaced(k, placement, [table, codes, out] as const, (t, c, o) => k.lutGather(t, tableSize, c, n, o));
            expect(Array.from(after[2].subarray(0, n))).toEqual(Array.from(expected));
            expect(Array.from(after[2].subarray(n))).toEqual(new Array(extra).fill(-7));
          }), { numRuns: 60 });
      });
    }
  }

  it('gathers by code (closed form)', () => {
    const table = Float32Array.from([10, 11, 12]);
    const out = new Float32Array(6);
    k.lutGather(table, 3, Int32Array.from([2, 0, 1, 1, 2, 0]), 6, out);
    expect(Array.from(out)).toEqual([12, 10, 11, 11, 12, 10]);
  });

  it('rejects codes outside the table and bad sizes with BAD_ARGUMENT', () => {
    const table = new Float32Array(4), out = new Float32Array(8);
    for (const bad of [4, -1, 1 << 30]) {
      const codes = Int32Array.from([0, 1, 2, 3, bad, 0, 1, 2]);
      expectBadArgument(() => k.lutGather(table, 4, codes, 8, out), 'codes');
    }
    expectBadArgument(() => k.lutGather(table, 5, new Int32Array(2), 2, out), 'table');
    expectBadArgument(() => k.lutGather(table, 0, new Int32Array(2), 2, out), 'tableSize');
    expectBadArgument(() => k.lutGather(table, 4, new Int32Array(2), 3, out), 'codes');
    expectBadArgument(() => k.lutGather(table, 4, new Int32Array(9), 9, out), 'out');
  });
});

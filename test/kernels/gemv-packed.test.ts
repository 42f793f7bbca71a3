/**
 * packGemv + gemvPacked on every backend: the packed layout against its closed form, the product
 * against the float64 row-major reference gemv at random shapes and at every partial panel ×
 * column-block boundary (255, 256, 257, 513 columns), outputs past `rows` untouched, and bad input.
 */
import { expect, it } from 'vitest';
import fc from 'fast-check';
import { describeEachCpuBackend } from '../_harness/each-backend.js';
import { TAIL_SIZES, floatSpec, floats, size, type FloatSpec } from '../_harness/arbitraries.js';
import { assertClose } from '../_harness/tolerance.js';
import { PLACEMENTS, runPlaced, type Placement } from '../_harness/placement.js';
import { expectBadArgument } from '../_harness/bad-input.js';
import { referenceKernelFunctions as ref } from '../../src/kernels/reference/index.js';
import { packedGemvLength } from '../../src/kernels/packed-gemv-length.js';
import type { CpuKernels } from '../../src/kernels/kernels.js';

function check(k: CpuKernels, placement: Placement, rows: number, cols: number, sw: FloatSpec, sx: FloatSpec): void {
  const W = floats(rows * cols, sw);
  const x = floats(cols, { ...sx, seed: sx.seed + 1 });
  const expected = new Float32Array(rows);
  ref.gemv(W, x, expected, rows, cols);
  const P = new Float32Array(packedGemvLength(rows, cols)).fill(NaN); // every element must be written
  const packed = runPlaced(k, placement, [W, P] as const, (w, p) => k.packGemv(w, p, rows, cols)).after[1];
  const y = new Float32Array(rows + 3).fill(-7); // 3 sentinels past the end
  const { after } = runPlaced(k, placement, [packed, x, y] as const, (p, xx, yy) => k.gemvPacked(p, xx, yy, rows, cols));
  for (let r = 0; r < rows; r++) {
    let terms = 0;
    for (let c = 0; c < cols; c++) terms += Math.abs(W[r * cols + c] * x[c]);
    assertClose(after[2][r], expected[r], terms, `y[${r}] (${rows}×${cols}, ${placement})`);
  }
  expect(Array.from(after[2].subarray(rows))).toEqual([-7, -7, -7]);
}

describeEachCpuBackend('gemvPacked', (k, info) => {
  it('packGemv writes the documented layout (blocks of 256 columns, 16-row panels, zero lanes)', () => {
    for (const [rows, cols] of [[1, 1], [5, 3], [16, 256], [17, 257], [40, 600]] as const) {
      const W = Float32Array.from({ length: rows * cols }, (_, i) => i + 1);
      const P = new Float32Array(packedGemvLength(rows, cols)).fill(NaN);
      k.packGemv(W, P, rows, cols);
      const panels = Math.ceil(rows / 16);
      for (let r = 0; r < panels * 16; r++) {
        for (let c = 0; c < cols; c++) {
          const k0 = Math.floor(c / 256) * 256, kc = Math.min(256, cols - k0);
          const at = k0 * panels * 16 + Math.floor(r / 16) * kc * 16 + (c - k0) * 16 + (r % 16);
          expect(P[at], `P for W[${r}][${c}] (${rows}×${cols})`).toBe(r < rows ? W[r * cols + c] : 0);
        }
      }
    }
  });

  if (!info.isReference) {
    for (const placement of PLACEMENTS) {
      it(`matches the reference gemv at random shapes (${placement} arrays)`, () => {
        fc.assert(fc.property(size(150), size(600), floatSpec, floatSpec,
          (rows, cols, sw, sx) => check(k, placement, rows, cols, sw, sx)), { numRuns: 60 });
      });
      it(`matches the reference for rows 1..33 × tail and block-boundary widths (${placement} arrays)`, () => {
        const spec: FloatSpec = { seed: 3, kind: 'mixed', spread: 2 };
        for (const rows of [1, 2, 15, 16, 17, 31, 32, 33]) {
          for (const cols of [...TAIL_SIZES, 255, 256, 257, 513]) check(k, placement, rows, cols, spec, spec);
        }
      });
    }
  }

  it('handles empty shapes: rows = 0 writes nothing; cols = 0 writes zeros', () => {
    const y = Float32Array.from([5, 5]);
    k.gemvPacked(new Float32Array(0), new Float32Array(3), y, 0, 3);
    expect(Array.from(y)).toEqual([5, 5]);
    k.gemvPacked(new Float32Array(0), new Float32Array(0), y, 2, 0);
    expect(Array.from(y)).toEqual([0, 0]);
  });

  it('rejects bad input with BAD_ARGUMENT naming the argument', () => {
    const W = new Float32Array(12), P = new Float32Array(packedGemvLength(3, 4)), x = new Float32Array(4), y = new Float32Array(3);
    expectBadArgument(() => k.packGemv(new Float32Array(11), P, 3, 4), 'W');
    expectBadArgument(() => k.packGemv(W, new Float32Array(12), 3, 4), 'P');
    expectBadArgument(() => k.packGemv(W, P, 3, -4), 'cols');
    expectBadArgument(() => k.gemvPacked(new Float32Array(12), x, y, 3, 4), 'P');
    expectBadArgument(() => k.gemvPacked(P, new Float32Array(3), y, 3, 4), 'x');
    expectBadArgument(() => k.gemvPacked(P, x, new Float32Array(2), 3, 4), 'y');
    expectBadArgument(() => k.gemvPacked(P, x, y, 3.5, 4), 'rows');
    expectBadArgument(() => k.gemvPacked(P, x, y, 2 ** 20, 2 ** 20), 'rows*cols');
  });
});

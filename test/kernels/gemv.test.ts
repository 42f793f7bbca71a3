/**
 * gemv (y = W·x) on every backend: differential against the float64 reference at random shapes
 * and at every row remainder of the 7- and 4-row blocks × every column tail, outputs past
 * `rows` untouched, closed forms, and bad input.
 */
import { expect, it } from 'vitest';
import fc from 'fast-check';
import { describeEachCpuBackend } from '../_harness/each-backend.js';
import { describeEachBackend } from '../_harness/every-backend.js';
import { TAIL_SIZES, floatSpec, floats, size, type FloatSpec } from '../_harness/arbitraries.js';
import { assertClose } from '../_harness/tolerance.js';
import { PLACEMENTS, runPlaced, type Placement } from '../_harness/placement.js';
import { expectBadArgumentAsync } from '../_harness/bad-input.js';
import { referenceKernelFunctions as ref } from '../../src/kernels/reference/index.js';
import type { CpuKernels } from '../../src/kernels/kernels.js';

function check(k: CpuKernels, placement: Placement, rows: number, cols: number, sw: FloatSpec, sx: FloatSpec): void {
  const W = floats(rows * cols, sw);
  const x = floats(cols, { ...sx, seed: sx.seed + 1 });
  const y = new Float32Array(rows + 3).fill(-7); // 3 sentinels past the end
  const expected = new Float32Array(rows);
  ref.gemv(W, x, expected, rows, cols);
  const { after } = runPlaced(k, placement, [W, x, y] as const, (w, xx, yy) => k.gemv(w, xx, yy, rows, cols));
  for (let r = 0; r < rows; r++) {
    let terms = 0;
    for (let c = 0; c < cols; c++) terms += Math.abs(W[r * cols + c] * x[c]);
    assertClose(after[2][r], expected[r], terms, `y[${r}] (${rows}×${cols}, ${placement})`);
  }
  expect(Array.from(after[2].subarray(rows))).toEqual([-7, -7, -7]);
}

describeEachCpuBackend('gemv', (k, info) => {
  if (!info.isReference) {
    for (const placement of PLACEMENTS) {
      it(`matches the reference at random shapes (${placement} arrays)`, () => {
        fc.assert(fc.property(size(150), size(150), floatSpec, floatSpec,
          (rows, cols, sw, sx) => check(k, placement, rows, cols, sw, sx)));
      });
      it(`matches the reference for rows 1..16 × every tail width (${placement} arrays)`, () => {
        const spec: FloatSpec = { seed: 1, kind: 'mixed', spread: 2 };
        for (let rows = 1; rows <= 16; rows++) for (const cols of TAIL_SIZES) check(k, placement, rows, cols, spec, spec);
      });
    }
  }
});

describeEachBackend('gemv: closed forms and bad input', (k) => {
  it('W = identity gives y = x; a row of ones gives Σx (exact)', async () => {
    for (const n of [1, 4, 7, 8, 9, 14, 15, 33]) {
      const I = new Float32Array(n * n);
      for (let i = 0; i < n; i++) I[i * n + i] = 1;
      const x = Float32Array.from({ length: n }, (_, i) => 3 * i - 5);
      const y = new Float32Array(n);
      await k.gemv(I, x, y, n, n);
      expect(Array.from(y)).toEqual(Array.from(x));
      const ones = new Float32Array(n).fill(1);
      const s = new Float32Array(1);
      await k.gemv(ones, x, s, 1, n);
      expect(s[0]).toBe(x.reduce((a, b) => a + b, 0));
    }
  });

  it('handles empty shapes: rows = 0 writes nothing; cols = 0 writes zeros', async () => {
    const y = Float32Array.from([5, 5]);
    await k.gemv(new Float32Array(0), new Float32Array(3), y, 0, 3);
    expect(Array.from(y)).toEqual([5, 5]);
    await k.gemv(new Float32Array(0), new Float32Array(0), y, 2, 0);
    expect(Array.from(y)).toEqual([0, 0]);
  });

  it('rejects bad input with BAD_ARGUMENT naming the argument', async () => {
    const W = new Float32Array(12), x = new Float32Array(4), y = new Float32Array(3);
    await expectBadArgumentAsync(() => k.gemv(new Float32Array(11), x, y, 3, 4), 'W');
    await expectBadArgumentAsync(() => k.gemv(W, new Float32Array(3), y, 3, 4), 'x');
    await expectBadArgumentAsync(() => k.gemv(W, x, new Float32Array(2), 3, 4), 'y');
    await expectBadArgumentAsync(() => k.gemv(W, x, y, 3.5, 4), 'rows');
    await expectBadArgumentAsync(() => k.gemv(W, x, y, 3, -4), 'cols');
    await expectBadArgumentAsync(() => k.gemv(W, x, y, 3, NaN), 'cols');
    await expectBadArgumentAsync(() => k.gemv(W, x, y, 2 ** 20, 2 ** 20), 'rows*cols');
    await expectBadArgumentAsync(() => k.gemv(Array.from(W) as never, x, y, 3, 4), 'W');
  });
});

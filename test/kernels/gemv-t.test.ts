/**
 * gemvT (y = x·W) on every backend: differential against the float64 reference (including
 * inputs with many exact zeros, which the kernels skip), outputs past `cols` untouched,
 * closed forms, and bad input.
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
  const x = floats(rows, { ...sx, seed: sx.seed + 1 });
  const y = new Float32Array(cols + 3).fill(NaN).fill(-7, cols); // garbage in y must be overwritten
  const expected = new Float32Array(cols);
  ref.gemvT(W, x, expected, rows, cols);
  const { after } = runPlaced(k, placement, [W, x, y] as const, (w, xx, yy) => k.gemvT(w, xx, yy, rows, cols));
  for (let c = 0; c < cols; c++) {
    let terms = 0;
    for (let r = 0; r < rows; r++) terms += Math.abs(x[r] * W[r * cols + c]);
    assertClose(after[2][c], expected[c], terms, `y[${c}] (${rows}×${cols}, ${placement})`);
  }
  expect(Array.from(after[2].subarray(cols))).toEqual([-7, -7, -7]);
}

describeEachCpuBackend('gemvT', (k, info) => {
  if (!info.isReference) {
    for (const placement of PLACEMENTS) {
      it(`matches the reference at random shapes (${placement} arrays)`, () => {
        fc.assert(fc.property(size(150), size(150), floatSpec, floatSpec,
          (rows, cols, sw, sx) => check(k, placement, rows, cols, sw, sx)));
      });
      it(`matches the reference for rows 1..9 × every tail width (${placement} arrays)`, () => {
        const spec: FloatSpec = { seed: 2, kind: 'zeros', spread: 2 };
        for (let rows = 1; rows <= 9; rows++) for (const cols of TAIL_SIZES) check(k, placement, rows, cols, spec, spec);
      });
    }
  }
});

describeEachBackend('gemvT: closed forms and bad input', (k) => {
  it('x = e_r picks row r of W (exact)', async () => {
    const rows = 6, cols = 11;
    const W = Float32Array.from({ length: rows * cols }, (_, i) => i * 0.25 - 3);
    for (let r = 0; r < rows; r++) {
      const x = new Float32Array(rows);
      x[r] = 1;
      const y = new Float32Array(cols);
      await k.gemvT(W, x, y, rows, cols);
      expect(Array.from(y)).toEqual(Array.from(W.subarray(r * cols, (r + 1) * cols)));
    }
  });

  it('x = 0 gives y = 0 and rows = 0 gives y = 0', async () => {
    const y = new Float32Array(5).fill(3);
    await k.gemvT(new Float32Array(10), new Float32Array(2), y, 2, 5);
    expect(Array.from(y)).toEqual([0, 0, 0, 0, 0]);
    y.fill(3);
    await k.gemvT(new Float32Array(0), new Float32Array(0), y, 0, 5);
    expect(Array.from(y)).toEqual([0, 0, 0, 0, 0]);
  });

  it('rejects bad input with BAD_ARGUMENT naming the argument', async () => {
    const W = new Float32Array(12), x = new Float32Array(3), y = new Float32Array(4);
    await expectBadArgumentAsync(() => k.gemvT(new Float32Array(11), x, y, 3, 4), 'W');
    await expectBadArgumentAsync(() => k.gemvT(W, new Float32Array(2), y, 3, 4), 'x');
    await expectBadArgumentAsync(() => k.gemvT(W, x, new Float32Array(3), 3, 4), 'y');
    await expectBadArgumentAsync(() => k.gemvT(W, x, y, 3, 4.25), 'cols');
    await expectBadArgumentAsync(() => k.gemvT(W, x, y, -1, 4), 'rows');
    await expectBadArgumentAsync(() => k.gemvT(W, x, y, 2 ** 16, 2 ** 16), 'rows*cols');
    await expectBadArgumentAsync(() => k.gemvT(W, new Int32Array(3) as never, y, 3, 4), 'x');
  });
});

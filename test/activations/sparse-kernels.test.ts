/**
 * spvmm and vmmsp on every backend. The oracles are *dense* products of the masked inputs
 * (reference gemvT / gemv, float64), so the reference sparse kernels are tested too; shapes hit
 * every SIMD tail (widths not multiples of 4, 8 or 64), arrays are passed plain and resident,
 * inputs carry many exact zeros. Also: skipped rows are never read, outputs past the sizes are
 * untouched, returned counts, bad input.
 */
import { expect, it } from 'vitest';
import fc from 'fast-check';
import { describeEachCpuBackend } from '../_harness/each-backend.js';
import { TAIL_SIZES, floatSpec, floats, size, type FloatSpec } from '../_harness/arbitraries.js';
import { assertClose } from '../_harness/tolerance.js';
import { PLACEMENTS, runPlaced, type Placement } from '../_harness/placement.js';
import { expectBadArgument } from '../_harness/bad-input.js';
import { referenceKernelFunctions as ref } from '../../src/kernels/reference/index.js';
import type { CpuKernels } from '../../src/kernels/kernels.js';
import { Rng } from '../../src/core/rng.js';

/** x with a fraction `zeroFrac` of exact zeros. */
function masked(n: number, spec: FloatSpec, zeroFrac: number): Float32Array {
  const v = floats(n, spec);
  const rng = new Rng(spec.seed + 17);
  for (let i = 0; i < n; i++) if (rng.uniform() < zeroFrac) v[i] = 0;
  return v;
}

function checkSpvmm(k: CpuKernels, placement: Placement, rows: number, cols: number, sw: FloatSpec, sx: FloatSpec, zeroFrac: number): void {
  const W = floats(rows * cols, sw);
  const x = masked(rows, { ...sx, seed: sx.seed + 1 }, zeroFrac);
  const y = new Float32Array(cols + 3).fill(NaN).fill(-7, cols); // garbage must be overwritten, the tail kept
  const dense = new Float32Array(cols);
  ref.gemvT(W, x, dense, rows, cols);
  const { result, after } = runPlaced(k, placement, [x, W, y] as const, (xx, ww, yy) => k.spvmm(xx, ww, yy, rows, cols));
  expect(result).toBe(x.filter((v) => v !== 0).length);
  for (let c = 0; c < cols; c++) {
    let terms = 0;
    for (let r = 0; r < rows; r++) terms += Math.abs(x[r] * W[r * cols + c]);
    assertClose(after[2][c], dense[c], terms, `y[${c}] (${rows}×${cols}, ${placement})`);
  }
  expect(Array.from(after[2].subarray(cols))).toEqual([-7, -7, -7]);
}

function checkVmmsp(k: CpuKernels, placement: Placement, rows: number, cols: number, sw: FloatSpec, sx: FloatSpec, zeroFrac: number): void {
  const W = floats(rows * cols, sw);
  const x = floats(cols, { ...sx, seed: sx.seed + 1 });
  const s = masked(rows, { ...sx, seed: sx.seed + 2 }, zeroFrac);
  const out = new Float32Array(rows + 3).fill(NaN).fill(-7, rows);
  const dense = new Float32Array(rows);
  ref.gemv(W, x, dense, rows, cols);
  const { result, after } = runPlaced(k, placement, [x, W, s, out] as const, (xx, ww, ss, oo) => k.vmmsp(xx, ww, ss, oo, rows, cols));
  expect(result).toBe(s.filter((v) => v !== 0).length);
  for (let i = 0; i < rows; i++) {
    if (s[i] === 0) {
      if (!Object.is(after[3][i], 0)) throw new Error(`out[${i}] = ${after[3][i]} where s = 0 (${rows}×${cols}, ${placement})`);
      continue;
    }
    let terms = 0;
    for (let c = 0; c < cols; c++) terms += Math.abs(x[c] * W[i * cols + c]);
    assertClose(after[3][i], dense[i] * s[i], terms * Math.abs(s[i]), `out[${i}] (${rows}×${cols}, ${placement})`);
  }
  expect(Array.from(after[3].subarray(rows))).toEqual([-7, -7, -7]);
}

const zeroFrac = fc.constantFrom(0, 0.1, 0.5, 0.7, 0.95, 1);

describeEachCpuBackend('spvmm / vmmsp', (k) => {
  for (const placement of PLACEMENTS) {
    it(`spvmm equals the dense x·W of the masked input at random shapes (${placement})`, () => {
      fc.assert(fc.property(size(200), size(200), floatSpec, floatSpec, zeroFrac,
        (rows, cols, sw, sx, z) => checkSpvmm(k, placement, rows, cols, sw, sx, z)), { numRuns: 60 });
    });
    it(`vmmsp equals (W·x) ⊙ s with exact zeros where s = 0 at random shapes (${placement})`, () => {
      fc.assert(fc.property(size(200), size(200), floatSpec, floatSpec, zeroFrac,
        (rows, cols, sw, sx, z) => checkVmmsp(k, placement, rows, cols, sw, sx, z)), { numRuns: 60 });
    });
    it(`both are right for rows 1..9 × every tail width, and width 65/127/191 (${placement})`, () => {
      const spec: FloatSpec = { seed: 3, kind: 'mixed', spread: 2 };
      for (let rows = 1; rows <= 9; rows++) {
        for (const cols of [...TAIL_SIZES, 65, 127, 191]) {
          checkSpvmm(k, placement, rows, cols, spec, spec, 0.4);
          checkVmmsp(k, placement, rows, cols, spec, spec, 0.4);
          checkSpvmm(k, placement, cols, rows, spec, spec, 0.4);
          checkVmmsp(k, placement, cols, rows, spec, spec, 0.4);
        }
      }
    });
  }

  it('never reads the weight rows it skips (NaN there does not leak)', () => {
    const rows = 37, cols = 19;
    const x = masked(rows, { seed: 5, kind: 'mixed', spread: 0 }, 0.5);
    const W = floats(rows * cols, { seed: 6, kind: 'mixed', spread: 0 });
    for (let r = 0; r < rows; r++) if (x[r] === 0) W.fill(NaN, r * cols, (r + 1) * cols);
    const y = new Float32Array(cols);
    k.spvmm(x, W, y, rows, cols);
    expect(y.every(Number.isFinite)).toBe(true);
    const xd = floats(cols, { seed: 7, kind: 'mixed', spread: 0 });
    const out = new Float32Array(rows);
    k.vmmsp(xd, W, x, out, rows, cols); // rows with x = 0 are exactly the NaN rows
    expect(out.every(Number.isFinite)).toBe(true);
  });

  it('x = e_r picks row r of W exactly; all-zero and empty inputs give zeros', () => {
    const rows = 6, cols = 11;
    const W = Float32Array.from({ length: rows * cols }, (_, i) => i * 0.25 - 3);
    for (let r = 0; r < rows; r++) {
      const x = new Float32Array(rows); x[r] = 1;
      const y = new Float32Array(cols);
      expect(k.spvmm(x, W, y, rows, cols)).toBe(1);
      expect(Array.from(y)).toEqual(Array.from(W.subarray(r * cols, (r + 1) * cols)));
    }
    const y = new Float32Array(5).fill(3);
    expect(k.spvmm(new Float32Array(4), new Float32Array(20).fill(1), y, 4, 5)).toBe(0);
    expect(Array.from(y)).toEqual([0, 0, 0, 0, 0]);
    const y0 = new Float32Array(3).fill(3);
    expect(k.spvmm(new Float32Array(0), new Float32Array(0), y0, 0, 3)).toBe(0);
    expect(Array.from(y0)).toEqual([0, 0, 0]);
    const out = new Float32Array(4).fill(3);
    expect(k.vmmsp(new Float32Array(5).fill(1), new Float32Array(20).fill(1), new Float32Array(4), out, 4, 5)).toBe(0);
    expect(Array.from(out)).toEqual([0, 0, 0, 0]);
  });

  it('rejects bad shapes and arrays with errors naming the argument', () => {
    const f = new Float32Array(12);
    expectBadArgument(() => k.spvmm(new Float32Array(2), f, new Float32Array(4), 3, 4), 'x');
    expectBadArgument(() => k.spvmm(new Float32Array(3), f, new Float32Array(3), 3, 4), 'y');
    expectBadArgument(() => k.spvmm(new Float32Array(3), new Float32Array(11), new Float32Array(4), 3, 4), 'W');
    expectBadArgument(() => k.spvmm(new Float32Array(3), f, new Float32Array(4), 3.5, 4), 'rows');
    expectBadArgument(() => k.spvmm(new Float32Array(3), f, new Float32Array(4), 3, -1), 'cols');
    expectBadArgument(() => k.spvmm(new Float64Array(3) as unknown as Float32Array, f, new Float32Array(4), 3, 4), 'x');
    expectBadArgument(() => k.vmmsp(new Float32Array(3), f, new Float32Array(4), new Float32Array(3), 3, 4), 'x');
    expectBadArgument(() => k.vmmsp(new Float32Array(4), f, new Float32Array(2), new Float32Array(3), 3, 4), 's');
    expectBadArgument(() => k.vmmsp(new Float32Array(4), f, new Float32Array(3), new Float32Array(2), 3, 4), 'out');
    expectBadArgument(() => k.vmmsp(new Float32Array(4), [] as unknown as Float32Array, new Float32Array(3), new Float32Array(3), 3, 4), 'W');
    expectBadArgument(() => k.vmmsp(new Float32Array(4), f, new Float32Array(3), new Float32Array(3), 3, NaN), 'cols');
  });
});

it('the wasm backend implements spvmm and vmmsp natively', async () => {
  const { createKernels } = await import('../../src/backends/create-kernels.js');
  const k = await createKernels({ backend: 'wasm' });
  expect(k.native).toEqual(expect.arrayContaining(['spvmm', 'vmmsp']));
});

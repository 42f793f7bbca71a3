/**
 * l2sqrBatch (all squared distances, via ‖x‖² − 2x·c + ‖c‖²) on every backend: differential
 * against the direct Σ(x − c)² reference, never negative, zero on the diagonal of X vs X,
 * outputs past n·k untouched, and bad input.
 */
import { expect, it } from 'vitest';
import fc from 'fast-check';
import { describeEachCpuBackend } from '../_harness/each-backend.js';
import { describeEachBackend } from '../_harness/every-backend.js';
import { floatSpec, floats, size, type FloatSpec } from '../_harness/arbitraries.js';
import { assertClose } from '../_harness/tolerance.js';
import { PLACEMENTS, runPlaced, type Placement } from '../_harness/placement.js';
import { expectBadArgumentAsync } from '../_harness/bad-input.js';
import { referenceKernelFunctions as ref } from '../../src/kernels/reference/index.js';
import type { CpuKernels } from '../../src/kernels/kernels.js';
import { expansionTerms } from './_l2-terms.js';

function check(k: CpuKernels, placement: Placement, n: number, kk: number, d: number, sx: FloatSpec, sc: FloatSpec): void {
  const X = floats(n * d, sx);
  const C = floats(kk * d, { ...sc, seed: sc.seed + 1 });
  const out = new Float32Array(n * kk + 2).fill(-1);
  const expected = new Float32Array(n * kk);
  ref.l2sqrBatch(X, C, expected, n, kk, d);
  const { after } = runPlaced(k, placement, [X, C, out] as const, (x, c, o) => k.l2sqrBatch(x, c, o, n, kk, d));
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < kk; j++) {
      const got = after[2][i * kk + j];
      if (!(got >= 0)) throw new Error(`out[${i}, ${j}] = ${got} is negative or NaN`);
      assertClose(got, expected[i * kk + j], expansionTerms(X, C, i, j, d), `out[${i}, ${j}] (n ${n}, k ${kk}, d ${d})`);
    }
  }
  expect(Array.from(after[2].subarray(n * kk))).toEqual([-1, -1]);
}

describeEachCpuBackend('l2sqrBatch', (k, info) => {
  if (!info.isReference) {
    for (const placement of PLACEMENTS) {
      it(`matches the direct Σ(x − c)² at random shapes (${placement} arrays)`, () => {
        fc.assert(fc.property(size(40), size(40), size(150), floatSpec, floatSpec,
          (n, kk, d, sx, sc) => check(k, placement, n, kk, d, sx, sc)));
      });
      it(`matches for n 1..9 × k 1..5 × d ∈ {1, 3, 4, 5, 17} (${placement} arrays)`, () => {
        const spec: FloatSpec = { seed: 3, kind: 'mixed', spread: 2 };
        for (let n = 1; n <= 9; n++) for (let kk = 1; kk <= 5; kk++) {
          for (const d of [1, 3, 4, 5, 17]) check(k, placement, n, kk, d, spec, spec);
        }
      });
    }
  }
});

describeEachBackend('l2sqrBatch: closed forms and bad input', (k) => {
  it('X against itself: symmetric, ≥ 0, and ~0 on the diagonal', async () => {
    const n = 13, d = 19;
    const X = floats(n * d, { seed: 9, kind: 'mixed', spread: 2 });
    const D = new Float32Array(n * n);
    await k.l2sqrBatch(X, X, D, n, n, d);
    for (let i = 0; i < n; i++) {
      assertClose(D[i * n + i], 0, expansionTerms(X, X, i, i, d), `D[${i}, ${i}]`);
      for (let j = 0; j < n; j++) {
        expect(D[i * n + j]).toBeGreaterThanOrEqual(0);
        assertClose(D[i * n + j], D[j * n + i], expansionTerms(X, X, i, j, d), `D[${i}, ${j}] vs D[${j}, ${i}]`);
      }
    }
  });

  it('is exact on small integers: points (0,0), (3,4) vs centroids (0,0), (6,8)', async () => {
    const out = new Float32Array(4);
    await k.l2sqrBatch(Float32Array.from([0, 0, 3, 4]), Float32Array.from([0, 0, 6, 8]), out, 2, 2, 2);
    expect(Array.from(out)).toEqual([0, 100, 25, 25]);
  });

  it('accepts n = 0 and k = 0 (nothing to write)', async () => {
    const out = Float32Array.from([4]);
    await k.l2sqrBatch(new Float32Array(0), new Float32Array(6), out, 0, 2, 3);
    await k.l2sqrBatch(new Float32Array(6), new Float32Array(0), out, 2, 0, 3);
    expect(out[0]).toBe(4);
  });

  it('rejects bad input with BAD_ARGUMENT naming the argument', async () => {
    const X = new Float32Array(6), C = new Float32Array(9), out = new Float32Array(6);
    await expectBadArgumentAsync(() => k.l2sqrBatch(new Float32Array(5), C, out, 2, 3, 3), 'X');
    await expectBadArgumentAsync(() => k.l2sqrBatch(X, new Float32Array(8), out, 2, 3, 3), 'C');
    await expectBadArgumentAsync(() => k.l2sqrBatch(X, C, new Float32Array(5), 2, 3, 3), 'out');
    await expectBadArgumentAsync(() => k.l2sqrBatch(X, C, out, 2, 3, 0), 'd');
    await expectBadArgumentAsync(() => k.l2sqrBatch(X, C, out, 2, 3.5, 3), 'k');
    await expectBadArgumentAsync(() => k.l2sqrBatch(X, C, out, -2, 3, 3), 'n');
    const big = new Float32Array(2 ** 16);
    await expectBadArgumentAsync(() => k.l2sqrBatch(big, big, out, 2 ** 16, 2 ** 16, 1), 'n*k');
  });
});

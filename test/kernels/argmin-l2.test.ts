/**
 * argminL2 (nearest centroid, ties to the lower index) on every backend: differential against
 * the direct reference. Codes must match exactly unless two centroids are within rounding of
 * each other (the expansion ‖x‖² − 2x·c + ‖c‖² may order near-ties differently); then the
 * reference distances at both codes must agree within tolerance. On small-integer data every
 * distance is exact, so codes (ties included) must match exactly.
 */
import { expect, it } from 'vitest';
import fc from 'fast-check';
import { describeEachCpuBackend } from '../_harness/each-backend.js';
import { describeEachBackend } from '../_harness/every-backend.js';
import { floatSpec, floats, size, type FloatSpec } from '../_harness/arbitraries.js';
import { assertClose, closeRel } from '../_harness/tolerance.js';
import { PLACEMENTS, runPlaced, type Placement } from '../_harness/placement.js';
import { expectBadArgumentAsync } from '../_harness/bad-input.js';
import { referenceKernelFunctions as ref } from '../../src/kernels/reference/index.js';
import type { CpuKernels } from '../../src/kernels/kernels.js';
import { expansionTerms } from './_l2-terms.js';

function check(k: CpuKernels, placement: Placement, n: number, kk: number, d: number, sx: FloatSpec, sc: FloatSpec,
  duplicates: boolean): void {
  const X = floats(n * d, sx);
  const C = floats(kk * d, { ...sc, seed: sc.seed + 1 });
  if (duplicates && kk >= 2) C.copyWithin(d, 0, d); // centroid 1 = centroid 0: an exact tie
  const codes = new Int32Array(n + 1).fill(-9);
  const dist = new Float32Array(n + 1).fill(-9);
  const refCodes = new Int32Array(n), refDist = new Float32Array(n), all = new Float32Array(n * kk);
  ref.argminL2(X, C, refCodes, refDist, n, kk, d);
  ref.l2sqrBatch(X, C, all, n, kk, d);
  const { after } = runPlaced(k, placement, [X, C, codes, dist] as const,
    (x, c, co, di) => k.argminL2(x, c, co, di, n, kk, d));
  const exactData = sx.kind === 'levels' && sc.kind === 'levels';
  for (let i = 0; i < n; i++) {
    const got = after[2][i], want = refCodes[i];
    const terms = expansionTerms(X, C, i, want, d);
    if (got !== want) {
      const near = got >= 0 && got < kk && closeRel(all[i * kk + got], all[i * kk + want], terms);
      if (exactData || !near) {
        throw new Error(`codes[${i}] = ${got}, reference ${want} (distances ${all[i * kk + got]} vs ${all[i * kk + want]})`);
      }
    }
    assertClose(after[3][i], refDist[i], terms, `dist[${i}]`);
  }
  expect(after[2][n]).toBe(-9);
  expect(after[3][n]).toBe(-9);
}

describeEachCpuBackend('argminL2', (k, info) => {
  if (!info.isReference) {
    for (const placement of PLACEMENTS) {
      it(`matches the reference at random shapes (${placement} arrays)`, () => {
        fc.assert(fc.property(size(40), size(40), size(150), floatSpec, floatSpec, fc.boolean(),
          (n, kk, d, sx, sc, dup) => check(k, placement, n, kk, d, sx, sc, dup)));
      });
    }
  }
});

describeEachBackend('argminL2: closed forms and bad input', (k) => {
  it('finds each point among centroids that contain it, and breaks exact ties to the lower index', async () => {
    const d = 5;
    const C = Float32Array.from([1, 2, 3, 4, 5, 0, 0, 0, 0, 0, 1, 2, 3, 4, 5, -1, -1, -1, -1, -1]); // c2 = c0
    const X = Float32Array.from([0, 0, 0, 0, 0, 1, 2, 3, 4, 5, -1, -1, -1, -1, -1, 0.6, 1, 1.5, 2, 2.5]);
    const codes = new Int32Array(4), dist = new Float32Array(4);
    await k.argminL2(X, C, codes, dist, 4, 4, d);
    expect(Array.from(codes)).toEqual([1, 0, 3, 0]); // the last point is nearer c0 than c1; c2 ties c0
    expect(Array.from(dist.subarray(0, 3))).toEqual([0, 0, 0]);
  });

  it('rejects bad input with BAD_ARGUMENT naming the argument', async () => {
    const X = new Float32Array(6), C = new Float32Array(9), codes = new Int32Array(2), dist = new Float32Array(2);
    await expectBadArgumentAsync(() => k.argminL2(X, C, codes, dist, 2, 0, 3), 'k');
    await expectBadArgumentAsync(() => k.argminL2(X, C, codes, dist, 2, 3, 0), 'd');
    await expectBadArgumentAsync(() => k.argminL2(X, C, new Int32Array(1), dist, 2, 3, 3), 'codes');
    await expectBadArgumentAsync(() => k.argminL2(X, C, new Float32Array(2) as never, dist, 2, 3, 3), 'codes');
    await expectBadArgumentAsync(() => k.argminL2(X, C, codes, new Float32Array(1), 2, 3, 3), 'dist');
    await expectBadArgumentAsync(() => k.argminL2(X, new Float32Array(8), codes, dist, 2, 3, 3), 'C');
    await expectBadArgumentAsync(() => k.argminL2(new Float32Array(5), C, codes, dist, 2, 3, 3), 'X');
    await expectBadArgumentAsync(() => k.argminL2(X, C, codes, dist, 1.5, 3, 3), 'n');
  });
});

/**
 * topKSelectRows (topKSelect on each row of a rows×n matrix) on every backend: each row's output
 * must be exactly the reference topKSelect of that row — on random shapes and data with ties,
 * ±0, k = 0, k = n and rows = 1 — nothing past rows·k is written, the input is untouched, and
 * bad input is rejected naming the argument. On the reference backend the per-row sets are also
 * checked against an independent oracle (topK's set, sorted by index).
 */
import { expect, it } from 'vitest';
import fc from 'fast-check';
import { describeEachCpuBackend } from '../_harness/each-backend.js';
import { describeEachBackend } from '../_harness/every-backend.js';
import { floatSpec, floats, type FloatSpec } from '../_harness/arbitraries.js';
import { PLACEMENTS, runPlaced } from '../_harness/placement.js';
import { expectBadArgumentAsync } from '../_harness/bad-input.js';
import { referenceKernelFunctions as ref } from '../../src/kernels/reference/index.js';

/** The expected output: reference topKSelect row by row (rows*k). */
function expected(x: Float32Array, rows: number, n: number, k: number): Int32Array {
  const out = new Int32Array(rows * k);
  for (let r = 0; r < rows; r++) ref.topKSelect(x.subarray(r * n, (r + 1) * n), n, k, out.subarray(r * k, (r + 1) * k));
  return out;
}

/** Independent of topKSelect: topK's set (best first, ties to the lower index), sorted by index. */
function oracleRow(x: Float32Array, n: number, k: number): number[] {
  const out = new Int32Array(k);
  ref.topK(x, n, k, out);
  return Array.from(out).sort((a, b) => a - b);
}

/** rows×n values drawn as `spec` says, except that some rows are all equal and some ±0 only. */
function matrix(rows: number, n: number, spec: FloatSpec): Float32Array {
  const x = floats(rows * n, spec);
  for (let r = 0; r < rows; r++) {
    const kind = (spec.seed + r) % 5;
    if (kind === 3) x.fill(1.5, r * n, (r + 1) * n); // all equal: ties to the lowest indices
    if (kind === 4) for (let i = r * n; i < (r + 1) * n; i++) x[i] = (i * 7 + spec.seed) % 3 === 0 ? -0 : 0;
  }
  return x;
}

describeEachCpuBackend('topKSelectRows', (k, info) => {
  const shape = fc.record({
    rows: fc.oneof(fc.constant(1), fc.integer({ min: 1, max: 9 })),
    n: fc.oneof(fc.constantFrom(1, 3, 4, 5, 16, 17, 33), fc.integer({ min: 1, max: 300 })),
    frac: fc.oneof(fc.constantFrom(0, 1), fc.double({ min: 0, max: 1, noNaN: true })),
    extra: fc.nat(3),
  });

  // On the reference itself this would compare its row loop with itself; the oracle test below covers it.
  if (!info.isReference) {
    for (const placement of PLACEMENTS) {
      it(`each row equals topKSelect of that row (${placement} arrays)`, () => {
        fc.assert(fc.property(shape, floatSpec, ({ rows, n, frac, extra }, spec) => {
          const kk = Math.min(n, Math.round(frac * n));
          const x = matrix(rows, n, spec);
          const out = new Int32Array(rows * kk + extra).fill(-5);
          const { after } = runPlaced(k, placement, [x, out] as const, (xx, o) => k.topKSelectRows(xx, rows, n, kk, o));
          expect(Array.from(after[1].subarray(0, rows * kk))).toEqual(Array.from(expected(x, rows, n, kk)));
          expect(Array.from(after[1].subarray(rows * kk))).toEqual(new Array(extra).fill(-5)); // nothing past rows·k
          expect(after[0]).toEqual(x); // x is read-only
        }), { numRuns: 60 });
      });
    }
  }
});

describeEachBackend('topKSelectRows: closed forms and bad input', (k, info) => {
  it('matches the independent oracle (topK set) per row, including large rows on the sampled path', async () => {
    await fc.assert(fc.asyncProperty(fc.integer({ min: 1, max: 3 }), fc.integer({ min: 4096, max: 20000 }),
      fc.double({ min: 0.001, max: 0.2, noNaN: true }), floatSpec, async (rows, n, frac, spec) => {
        const kk = Math.max(1, Math.floor(frac * n));
        const x = matrix(rows, n, spec);
        const out = new Int32Array(rows * kk);
        await k.topKSelectRows(x, rows, n, kk, out);
        for (let r = 0; r < rows; r++) {
          expect(Array.from(out.subarray(r * kk, (r + 1) * kk))).toEqual(oracleRow(x.subarray(r * n, (r + 1) * n), n, kk));
        }
      }), { numRuns: info.isReference ? 4 : 10 });
  });

  it('treats -0 and +0 as equal, orders ±Infinity, and handles k = 0, k = n and rows = 0', async () => {
    const row = [0, -0, Infinity, 2, -Infinity, 2, Infinity, -1, -0, 2];
    const x = Float32Array.from([...row, ...row.map((v) => -v), ...new Array(10).fill(-0)]); // 3 rows of 10
    for (let kk = 0; kk <= 10; kk++) {
      const out = new Int32Array(3 * kk);
      await k.topKSelectRows(x, 3, 10, kk, out);
      for (let r = 0; r < 3; r++) expect(Array.from(out.subarray(r * kk, (r + 1) * kk))).toEqual(oracleRow(x.subarray(r * 10), 10, kk));
    }
    const untouched = Int32Array.of(-1, -1);
    await k.topKSelectRows(new Float32Array(0), 0, 5, 3, untouched);
    await k.topKSelectRows(new Float32Array(0), 4, 0, 0, untouched);
    expect(Array.from(untouched)).toEqual([-1, -1]);
  });

  it('rejects bad input with BAD_ARGUMENT naming the argument', async () => {
    const x = new Float32Array(10), out = new Int32Array(10);
    await expectBadArgumentAsync(() => k.topKSelectRows(x, 2, 5, 6, out), 'k');
    await expectBadArgumentAsync(() => k.topKSelectRows(x, 2, 5, -1, out), 'k');
    await expectBadArgumentAsync(() => k.topKSelectRows(x, 2, 5, 1.5, out), 'k');
    await expectBadArgumentAsync(() => k.topKSelectRows(x, 3, 4, 2, out), 'x'); // 12 > 10
    await expectBadArgumentAsync(() => k.topKSelectRows(x, 2, 5, 3, new Int32Array(5)), 'out'); // 6 > 5
    await expectBadArgumentAsync(() => k.topKSelectRows(x, 2, 5, 3, new Float32Array(6) as never), 'out');
    await expectBadArgumentAsync(() => k.topKSelectRows(new Int32Array(10) as never, 2, 5, 3, out), 'x');
    await expectBadArgumentAsync(() => k.topKSelectRows(x, -1, 5, 3, out), 'rows');
    await expectBadArgumentAsync(() => k.topKSelectRows(x, NaN, 5, 3, out), 'rows');
    await expectBadArgumentAsync(() => k.topKSelectRows(x, 2, NaN, 3, out), 'n');
    await expectBadArgumentAsync(() => k.topKSelectRows(x, 2, -5, 0, out), 'n');
  });
});

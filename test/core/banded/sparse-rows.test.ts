/**
 * bandedNormalEquations and sparseRowsRss: against dense BᵀB, Bᵀy from the same rows, against
 * dense least squares on a real cubic B-spline design (Cox–de Boor, written here as the oracle),
 * exact recovery of a piecewise-linear truth, weights, and bad input.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  bandedCholesky, bandedNormalEquations, bandedSolve, bandedToDense, sparseRowsRss,
} from '../../../src/core/banded/index.js';
import { gram, leastSquares } from '../../../src/core/linalg/index.js';
import { Rng } from '../../../src/core/rng.js';
import { denseMatVec, expectAllClose, expectClose, expectError, maxAbs } from '../helpers.js';

interface Rows { first: Int32Array; values: Float64Array; m: number; p: number; q: number }

function toDense({ first, values, m, p, q }: Rows): Float64Array {
  const B = new Float64Array(m * p);
  for (let r = 0; r < m; r++) for (let a = 0; a <= q; a++) B[r * p + first[r] + a] = values[r * (q + 1) + a];
  return B;
}

/**
 * Design rows of a clamped B-spline basis of degree q with the given interior knots on [0, 1]
 * (Piegl & Tiller, The NURBS Book, Algorithm A2.2). p = knots + q + 1 columns.
 */
function bsplineRows(x: Float64Array, interior: number[], q: number): Rows {
  const U = [...new Array(q + 1).fill(0), ...interior, ...new Array(q + 1).fill(1)];
  const p = interior.length + q + 1;
  const m = x.length;
  const first = new Int32Array(m);
  const values = new Float64Array(m * (q + 1));
  const left = new Float64Array(q + 1), right = new Float64Array(q + 1), N = new Float64Array(q + 1);
  for (let r = 0; r < m; r++) {
    const u = x[r];
    let span = q;
    while (span < p - 1 && u >= U[span + 1]) span++;
    N[0] = 1;
    for (let j = 1; j <= q; j++) {
      left[j] = u - U[span + 1 - j];
      right[j] = U[span + j] - u;
      let saved = 0;
      for (let k = 0; k < j; k++) {
        const t = N[k] / (right[k + 1] + left[j - k]);
        N[k] = saved + right[k + 1] * t;
        saved = left[j - k] * t;
      }
      N[j] = saved;
    }
    first[r] = span - q;
    values.set(N, r * (q + 1));
  }
  return { first, values, m, p, q };
}

function randomRows(rng: Rng, m: number, p: number, q: number): Rows {
  const first = Int32Array.from({ length: m }, () => rng.int(p - q));
  const values = Float64Array.from({ length: m * (q + 1) }, () => rng.uniform());
  return { first, values, m, p, q };
}

describe('bandedNormalEquations', () => {
  it('computes the documented example', () => {
    const { gram: g, xty, yty, bw } = bandedNormalEquations(
      Int32Array.of(0, 0, 0), Float64Array.of(1, 0, 0.5, 0.5, 0, 1), Float64Array.of(1, 2, 3), 3, 2, 1);
    expect(Array.from(g)).toEqual([1.25, 0, 1.25, 0.25]);
    expect(Array.from(xty)).toEqual([2, 4]);
    expect(yty).toBe(14);
    expect(bw).toBe(1);
  });

  it('equals dense BᵀB, Bᵀy, yᵀy for random sparse rows, with and without weights (property)', () => {
    fc.assert(fc.property(
      fc.integer({ min: 0, max: 4 }), fc.integer({ min: 0, max: 20 }), fc.integer({ min: 1, max: 60 }),
      fc.integer({ min: 0, max: 2 ** 31 }),
      (q, extra, m, seed) => {
        const rng = new Rng(seed);
        const p = q + 1 + extra;
        const rows = randomRows(rng, m, p, q);
        const y = Float64Array.from({ length: m }, () => rng.normal());
        const w = Float64Array.from({ length: m }, () => (rng.uniform() < 0.1 ? 0 : rng.uniform() * 3));
        for (const weights of [undefined, w]) {
          const s = weights ?? new Float64Array(m).fill(1);
          // Dense oracle on √w-scaled rows: (√W B)ᵀ(√W B) = BᵀWB.
          const B = toDense(rows);
          const Bw = B.map((v, i) => v * Math.sqrt(s[Math.floor(i / p)]));
          const yw = y.map((v, i) => v * Math.sqrt(s[i]));
          const ne = bandedNormalEquations(rows.first, rows.values, y, m, p, q, { weights });
          expectAllClose(bandedToDense(ne.gram, p, q), gram(Bw, m, p), 1e-13 * m);
          const xty = new Float64Array(p);
          for (let r = 0; r < m; r++) for (let j = 0; j < p; j++) xty[j] += Bw[r * p + j] * yw[r];
          expectAllClose(ne.xty, xty, 1e-13 * m);
          expectClose(ne.yty, yw.reduce((a, v) => a + v * v, 0), 1e-13);
        }
      },
    ), { numRuns: 60 });
  });

  it('cubic B-spline fit via the banded path equals dense QR least squares, RSS included', () => {
    const rng = new Rng(21);
    const m = 400;
    const x = Float64Array.from({ length: m }, () => rng.uniform());
    const y = x.map((t) => Math.sin(2 * Math.PI * t) * 10 + rng.normal() * 2);
    const rows = bsplineRows(x, [0.1, 0.25, 0.4, 0.5, 0.65, 0.8, 0.9], 3);
    const { p, q } = rows;
    // Partition of unity: a sanity check of the oracle basis itself.
    for (let r = 0; r < m; r++) expectClose(rows.values.subarray(r * 4, r * 4 + 4).reduce((a, b) => a + b, 0), 1, 1e-14);
    const ne = bandedNormalEquations(rows.first, rows.values, y, m, p, q);
    const { L, jitter } = bandedCholesky(ne.gram, p, q);
    expect(jitter).toBe(0);
    const beta = bandedSolve(L, ne.xty, p, q);
    const dense = leastSquares(toDense(rows), y, m, p);
    expectAllClose(beta, dense.beta, 1e-11 * dense.condition, Math.max(1, maxAbs(dense.beta)));
    const rss = sparseRowsRss(rows.first, rows.values, y, beta, m, p, q);
    expectClose(rss, dense.rss, 1e-10);
    // The cancellation-prone shortcut yᵀy − βᵀBᵀy agrees here (poor fit), within its precision.
    let btXty = 0;
    for (let j = 0; j < p; j++) btXty += beta[j] * ne.xty[j];
    expectClose(ne.yty - btXty, rss, 1e-8);
  });

  it('linear splines recover a piecewise-linear truth exactly (β = values at the knots)', () => {
    const knots = [0.3, 0.7];
    const truth = (t: number) => (t < 0.3 ? 1 - t / 0.3 * 2 : t < 0.7 ? -1 + (t - 0.3) / 0.4 * 3 : 2 - (t - 0.7) / 0.3);
    const x = Float64Array.from({ length: 50 }, (_, i) => i / 49);
    const y = x.map(truth);
    const rows = bsplineRows(x, knots, 1);
    const ne = bandedNormalEquations(rows.first, rows.values, y, rows.m, rows.p, 1);
    const beta = bandedSolve(bandedCholesky(ne.gram, rows.p, 1).L, ne.xty, rows.p, 1);
    expectAllClose(beta, [truth(0), truth(0.3), truth(0.7), truth(1)], 1e-13);
    expect(sparseRowsRss(rows.first, rows.values, y, beta, rows.m, rows.p, 1)).toBeLessThan(1e-26);
  });

  it('a basis column without data makes BᵀB singular: jitter rescues it, strict mode reports it', () => {
    // All x in [0, 0.2]: the basis functions supported on [0.5, 1] never appear.
    const x = Float64Array.from({ length: 30 }, (_, i) => (i / 29) * 0.2);
    const rows = bsplineRows(x, [0.25, 0.5, 0.75], 1);
    const ne = bandedNormalEquations(rows.first, rows.values, x, rows.m, rows.p, 1);
    expectError(() => bandedCholesky(ne.gram, rows.p, 1, { maxTries: 0 }), 'NOT_CONVERGED', /row 2/);
    expect(bandedCholesky(ne.gram, rows.p, 1).jitter).toBeGreaterThan(0);
  });
});

describe('sparseRowsRss', () => {
  it('equals the dense residual sum of squares (property)', () => {
    fc.assert(fc.property(fc.integer({ min: 0, max: 3 }), fc.integer({ min: 1, max: 40 }), fc.integer({ min: 0, max: 2 ** 31 }), (q, m, seed) => {
      const rng = new Rng(seed);
      const p = q + 1 + rng.int(10);
      const rows = randomRows(rng, m, p, q);
      const y = Float64Array.from({ length: m }, () => rng.normal());
      const beta = Float64Array.from({ length: p }, () => rng.normal());
      const fit = denseMatVec(toDense(rows), beta, m, p);
      const want = y.reduce((s, v, i) => s + (v - fit[i]) ** 2, 0);
      expectClose(sparseRowsRss(rows.first, rows.values, y, beta, m, p, q), want, 1e-13);
    }), { numRuns: 60 });
  });
});

describe('sparse rows: bad input', () => {
  const first = Int32Array.of(0, 1, 1);
  const values = Float64Array.of(1, 0, 0.5, 0.5, 0, 1);
  const y = Float64Array.of(1, 2, 3);
  it('bandedNormalEquations names the bad argument', () => {
    expectError(() => bandedNormalEquations(first, values, y, 0, 3, 1), 'BAD_ARGUMENT', /\bm\b/);
    expectError(() => bandedNormalEquations(first, values, y, 3, 1, 1), 'BAD_ARGUMENT', /\bp\b.*\[2,/);
    expectError(() => bandedNormalEquations(first, values, y, 3, 3, -1), 'BAD_ARGUMENT', /\bq\b/);
    expectError(() => bandedNormalEquations(first, values, y, 3, 3, 1.5), 'BAD_ARGUMENT', /\bq\b/);
    expectError(() => bandedNormalEquations(Int32Array.of(0, 2, 0), values, y, 3, 3, 1), 'BAD_ARGUMENT', /first\[1\] must be in \[0, p − q − 1\] = \[0, 1\]/);
    expectError(() => bandedNormalEquations(Int32Array.of(0, -1, 0), values, y, 3, 3, 1), 'BAD_ARGUMENT', /first\[1\]/);
    expectError(() => bandedNormalEquations([0, 1, 1] as unknown as Int32Array, values, y, 3, 3, 1), 'BAD_ARGUMENT', /first.*Int32Array/);
    expectError(() => bandedNormalEquations(first, values.subarray(0, 5), y, 3, 3, 1), 'BAD_ARGUMENT', /values.*at least 6/);
    expectError(() => bandedNormalEquations(first, Float64Array.of(1, 0, NaN, 0.5, 0, 1), y, 3, 3, 1), 'BAD_ARGUMENT', /values\[2\]/);
    expectError(() => bandedNormalEquations(first, values, Float64Array.of(1, 2), 3, 3, 1), 'BAD_ARGUMENT', /\by\b.*at least 3/);
    expectError(() => bandedNormalEquations(first, values, Float64Array.of(1, -Infinity, 3), 3, 3, 1), 'BAD_ARGUMENT', /y\[1\]/);
    expectError(() => bandedNormalEquations(first, values, y, 3, 3, 1, { weights: Float64Array.of(1, -1, 1) }), 'BAD_ARGUMENT', /opts\.weights\[1\]/);
    expectError(() => bandedNormalEquations(first, values, y, 3, 3, 1, { weights: Float64Array.of(1, 1) }), 'BAD_ARGUMENT', /opts\.weights.*at least 3/);
  });
  it('sparseRowsRss names the bad argument', () => {
    expectError(() => sparseRowsRss(first, values, y, Float64Array.of(1, 2), 3, 3, 1), 'BAD_ARGUMENT', /beta.*at least 3/);
    expectError(() => sparseRowsRss(first, values, y, Float64Array.of(1, NaN, 2), 3, 3, 1), 'BAD_ARGUMENT', /beta\[1\]/);
    expectError(() => sparseRowsRss(Int32Array.of(0, 5, 0), values, y, Float64Array.of(1, 2, 3), 3, 3, 1), 'BAD_ARGUMENT', /first\[1\]/);
  });
});

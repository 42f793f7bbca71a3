/**
 * selectiveAttention on every backend: differential against the float64 reference (strided
 * head layouts, duplicates, any index order), equality with full attention when every index is
 * listed (oracle: the reference gemv + softmax + gemvT kernels), exact merging of two disjoint
 * halves through the log-sum-exp, count = 0, and bad input.
 */
import { expect, it } from 'vitest';
import fc from 'fast-check';
import { describeEachCpuBackend } from '../../_harness/each-backend.js';
import { size, uniforms } from '../../_harness/arbitraries.js';
import { expectBadArgument } from '../../_harness/bad-input.js';
import { PLACEMENTS, runPlaced } from '../../_harness/placement.js';
import { referenceKernelFunctions as ref } from '../../../src/kernels/reference/index.js';
import { Rng } from '../../../src/core/rng.js';

/** Tolerance for output element t: relative to Σ p|v| (the terms of the weighted sum), plus score rounding. */
function within(a: number, b: number, scaleTerms: number): boolean {
  return Math.abs(a - b) <= 2e-5 * scaleTerms + 1e-6;
}

describeEachCpuBackend('selectiveAttention', (k, info) => {
  if (!info.isReference) {
    for (const placement of PLACEMENTS) {
      it(`matches the reference (${placement} arrays; strided heads, duplicates)`, () => {
        fc.assert(fc.property(size(160), fc.integer({ min: 1, max: 300 }), fc.integer({ min: 0, max: 3 }), fc.nat(), fc.integer({ min: 0, max: 400 }),
          (d, rows, headsBefore, seed, count) => {
            const stride = d * (headsBefore + 1);
            const off = headsBefore * d;
            const rng = new Rng(seed);
            const K = uniforms(rows * stride, seed + 1, -1, 1), V = uniforms(rows * stride, seed + 2, -2, 2);
            const q = uniforms(d, seed + 3, -3, 3);
            const idx = Int32Array.from({ length: count }, () => rng.int(rows));
            const expected = new Float32Array(d);
            const scale = 1 / Math.sqrt(d);
            const lseRef = ref.selectiveAttention(q, K.subarray(off), V.subarray(off), idx, count, rows, d, stride, scale, expected);
            const out = new Float32Array(d).fill(9);
            const { result, after } = runPlaced(k, placement, [q, K, V, idx, out] as const,
              (qq, KK, VV, ii, oo) => k.selectiveAttention(qq, KK.subarray(off), VV.subarray(off), ii, count, rows, d, stride, scale, oo));
            if (count === 0) {
              expect(result).toBe(-Infinity);
              expect(Array.from(after[4])).toEqual(new Array(d).fill(0));
              return;
            }
            expect(Math.abs(result - lseRef)).toBeLessThanOrEqual(1e-5 * (1 + Math.abs(lseRef)));
            for (let t = 0; t < d; t++) {
              let terms = 0;
              for (let c = 0; c < count; c++) terms += Math.abs(V[off + idx[c] * stride + t]);
              terms /= count; // p sums to one: Σ p|v| ≤ max|v|, bounded by the mean scale
              if (!within(after[4][t], expected[t], Math.max(terms, 2))) {
                throw new Error(`out[${t}] = ${after[4][t]}, reference ${expected[t]} (d=${d}, count=${count})`);
              }
            }
          }), { numRuns: 50 });
      });
    }
  }

  it('over all indices equals full attention (gemv + softmax + gemvT)', () => {
    for (const [n, d] of [[1, 8], [37, 16], [500, 64], [1000, 128]] as const) {
      const K = uniforms(n * d, n, -1, 1), V = uniforms(n * d, n + 1, -1, 1), q = uniforms(d, n + 2, -4, 4);
      const scale = 1 / Math.sqrt(d);
      const s = new Float32Array(n);
      ref.gemv(K, q, s, n, d);
      for (let j = 0; j < n; j++) s[j] *= scale;
      let max = -Infinity;
      for (let j = 0; j < n; j++) max = Math.max(max, s[j]);
      let z = 0;
      for (let j = 0; j < n; j++) z += Math.exp(s[j] - max);
      const p = new Float32Array(n);
      ref.softmax(s, p, n);
      const full = new Float32Array(d);
      ref.gemvT(V, p, full, n, d);
      const out = new Float32Array(d);
      const lse = k.selectiveAttention(q, K, V, Int32Array.from({ length: n }, (_, j) => j), n, n, d, d, scale, out);
      expect(lse).toBeCloseTo(max + Math.log(z), 4);
      for (let t = 0; t < d; t++) expect(Math.abs(out[t] - full[t])).toBeLessThan(2e-5);
    }
  });

  it('two disjoint halves merge through their log-sum-exps into the whole', () => {
    const n = 300, d = 32;
    const K = uniforms(n * d, 1, -1, 1), V = uniforms(n * d, 2, -1, 1), q = uniforms(d, 3, -5, 5);
    const all = Int32Array.from({ length: n }, (_, j) => j);
    const a = all.filter((j) => j % 3 === 0), b = all.filter((j) => j % 3 !== 0);
    const oa = new Float32Array(d), ob = new Float32Array(d), o = new Float32Array(d);
    const la = k.selectiveAttention(q, K, V, a, a.length, n, d, d, 0.2, oa);
    const lb = k.selectiveAttention(q, K, V, b, b.length, n, d, d, 0.2, ob);
    const l = k.selectiveAttention(q, K, V, all, n, n, d, d, 0.2, o);
    const m = Math.max(la, lb);
    expect(m + Math.log(Math.exp(la - m) + Math.exp(lb - m))).toBeCloseTo(l, 4);
    for (let t = 0; t < d; t++) {
      const merged = (Math.exp(la - l) * oa[t] + Math.exp(lb - l) * ob[t]);
      expect(Math.abs(merged - o[t])).toBeLessThan(1e-5);
    }
  });

  it('rejects bad input with BAD_ARGUMENT naming the argument', () => {
    const d = 4, rows = 3;
    const q = new Float32Array(d), K = new Float32Array(rows * d), V = new Float32Array(rows * d), out = new Float32Array(d);
    const idx = Int32Array.from([0, 2]);
    expectBadArgument(() => k.selectiveAttention(q, K, V, Int32Array.from([0, 3]), 2, rows, d, d, 1, out), 'idx');
    expectBadArgument(() => k.selectiveAttention(q, K, V, Int32Array.from([-1]), 1, rows, d, d, 1, out), 'idx');
    expectBadArgument(() => k.selectiveAttention(q, K, V, idx, 3, rows, d, d, 1, out), 'idx');
    expectBadArgument(() => k.selectiveAttention(q, K.subarray(1), V, idx, 2, rows, d, d, 1, out), 'K');
    expectBadArgument(() => k.selectiveAttention(q, K, V.subarray(2), idx, 2, rows, d, d, 1, out), 'V');
    expectBadArgument(() => k.selectiveAttention(q, K, V, idx, 2, rows, d, d - 1, 1, out), 'stride');
    expectBadArgument(() => k.selectiveAttention(q, K, V, idx, 2, rows, d, d, NaN, out), 'scale');
    expectBadArgument(() => k.selectiveAttention(q, K, V, idx, 2, rows, 0, d, 1, out), 'd');
    expectBadArgument(() => k.selectiveAttention(q, K, V, idx, 2, rows, d, d, 1, new Float32Array(2)), 'out');
    expectBadArgument(() => k.selectiveAttention(new Float32Array(2), K, V, idx, 2, rows, d, d, 1, out), 'q');
  });
});

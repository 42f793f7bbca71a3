/**
 * matmul, transpose, gram: closed forms and algebraic identities.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { gram, matmul, transpose } from '../../../src/core/linalg/index.js';
import { Rng } from '../../../src/core/rng.js';
import { expectAllClose, expectError } from '../helpers.js';

describe('matrix helpers', () => {
  it('compute the documented examples', () => {
    expect(Array.from(matmul(Float64Array.of(1, 2, 3, 4), Float64Array.of(5, 6), 2, 2, 1))).toEqual([17, 39]);
    expect(Array.from(matmul(Float64Array.of(1, 2, 3, 4), Float64Array.of(5, 6, 7, 8), 2, 2, 2))).toEqual([19, 22, 43, 50]);
    expect(Array.from(transpose(Float64Array.of(1, 2, 3, 4, 5, 6), 2, 3))).toEqual([1, 4, 2, 5, 3, 6]);
    expect(Array.from(gram(Float64Array.of(1, 2, 3, 4), 2, 2))).toEqual([10, 14, 14, 20]);
  });

  it('(AB)ᵀ = BᵀAᵀ, gram(X) = XᵀX symmetric, transpose is an involution (property)', () => {
    fc.assert(fc.property(
      fc.integer({ min: 1, max: 9 }), fc.integer({ min: 1, max: 9 }), fc.integer({ min: 1, max: 9 }),
      fc.integer({ min: 0, max: 2 ** 31 }),
      (m, k, n, seed) => {
        const rng = new Rng(seed);
        const A = Float64Array.from({ length: m * k }, () => rng.normal());
        const B = Float64Array.from({ length: k * n }, () => rng.normal());
        const AB = matmul(A, B, m, k, n);
        expectAllClose(transpose(AB, m, n), matmul(transpose(B, k, n), transpose(A, m, k), n, k, m), 1e-14 * k);
        expect(transpose(transpose(A, m, k), k, m)).toEqual(A);
        const G = gram(A, m, k);
        for (let i = 0; i < k; i++) for (let j = 0; j < k; j++) expect(G[i * k + j]).toBe(G[j * k + i]);
        expectAllClose(G, matmul(transpose(A, m, k), A, k, m, k), 1e-14 * m);
      },
    ), { numRuns: 60 });
  });

  it('write into a caller-supplied out and reject overlapping ones', () => {
    const A = Float64Array.of(1, 2, 3, 4);
    const out = new Float64Array(4).fill(99);
    expect(matmul(A, A, 2, 2, 2, out)).toBe(out);
    expect(Array.from(out)).toEqual([7, 10, 15, 22]);
    expectError(() => matmul(A, A, 2, 2, 2, A), 'BAD_ARGUMENT', /out must not overlap A/);
    expectError(() => transpose(A, 2, 2, A), 'BAD_ARGUMENT', /out must not overlap A/);
    expectError(() => gram(A, 2, 2, A), 'BAD_ARGUMENT', /out must not overlap X/);
  });

  it('reject bad input, naming the argument', () => {
    const A = Float64Array.of(1, 2, 3, 4);
    expectError(() => matmul(A, A, 0, 2, 2), 'BAD_ARGUMENT', /\bm\b/);
    expectError(() => matmul(A, A, 2, 2.5, 2), 'BAD_ARGUMENT', /\bk\b/);
    expectError(() => matmul(A, A, 2, 2, 3), 'BAD_ARGUMENT', /\bB\b.*at least 6/);
    expectError(() => matmul(Float64Array.of(1, NaN, 3, 4), A, 2, 2, 2), 'BAD_ARGUMENT', /A\[1\]/);
    expectError(() => matmul(A, A, 2, 2, 2, new Float64Array(3)), 'BAD_ARGUMENT', /\bout\b/);
    expectError(() => transpose(A, 3, 2), 'BAD_ARGUMENT', /\bA\b.*at least 6/);
    expectError(() => transpose(A, 2, -2), 'BAD_ARGUMENT', /\bn\b/);
    expectError(() => gram(A, 2, 3), 'BAD_ARGUMENT', /\bX\b.*at least 6/);
    expectError(() => gram(Float64Array.of(1, 2, Infinity, 4), 2, 2), 'BAD_ARGUMENT', /X\[2\]/);
    expectError(() => gram(new Float32Array(4) as unknown as Float64Array, 2, 2), 'BAD_ARGUMENT', /\bX\b.*Float64Array/);
  });
});

/**
 * gemm, gemmQ4_1, gemmQ8_0 (Y = X·Wᵀ for n vectors) on every backend against the reference,
 * and the reference against n separate gemv calls (the definition).
 */
import { fc, test } from '@fast-check/vitest';
import { expect, it } from 'vitest';
import { describeEachCpuBackend } from '../_harness/each-backend.js';
import { expectBadArgument } from '../_harness/bad-input.js';
import { referenceKernelFunctions as ref } from '../../src/kernels/reference/index.js';
import { quantizedRowWords } from '../../src/kernels/quantized-row-words.js';
import { lcg, randomQuantizedRows } from '../_harness/quantized-rows.js';

const vectors = (n: number, cols: number, rand: () => number) => Float32Array.from({ length: n * cols }, () => rand() * 2 - 1);

it.each([[1, 32, 1], [5, 64, 3], [9, 96, 4], [17, 160, 7]])('reference gemm kernels equal one gemv per vector (rows %i, cols %i, n %i)', (rows, cols, n) => {
  const rand = lcg(rows * 31 + cols + n);
  const X = vectors(n, cols, rand);
  const W = Float32Array.from({ length: rows * cols }, () => rand() - 0.5);
  const Wq4 = randomQuantizedRows('Q4_1', rows, cols, rand), Wq8 = randomQuantizedRows('Q8_0', rows, cols, rand);
  const cases = [
    ['gemm', () => ref.gemm(W, X, Y, rows, cols, n), (x: Float32Array, y: Float32Array) => ref.gemv(W, x, y, rows, cols)],
    ['gemmQ4_1', () => ref.gemmQ4_1(Wq4, X, Y, rows, cols, n), (x: Float32Array, y: Float32Array) => ref.gemvQ4_1(Wq4, x, y, rows, cols)],
    ['gemmQ8_0', () => ref.gemmQ8_0(Wq8, X, Y, rows, cols, n), (x: Float32Array, y: Float32Array) => ref.gemvQ8_0(Wq8, x, y, rows, cols)],
  ] as const;
  const Y = new Float32Array(n * rows);
  for (const [, batched, single] of cases) {
    batched();
    for (let j = 0; j < n; j++) {
      const y = new Float32Array(rows);
      single(X.subarray(j * cols, (j + 1) * cols), y);
      expect([...Y.subarray(j * rows, (j + 1) * rows)]).toEqual([...y]);
    }
  }
});

describeEachCpuBackend('gemm, gemmQ4_1, gemmQ8_0', (k, info) => {
  test.prop([fc.integer({ min: 1, max: 40 }), fc.integer({ min: 1, max: 12 }), fc.integer({ min: 1, max: 9 }), fc.integer()], { numRuns: 30 })(
    'match the reference within float tolerance', (rows, blocks, n, seed) => {
      const cols = 32 * blocks;
      const colsF = cols - (Math.abs(seed) % 7); // float gemm: any width, so SIMD tails are hit
      const rand = lcg(seed);
      const X = vectors(n, cols, rand);
      const sumAbsX = (j: number) => X.subarray(j * cols, (j + 1) * cols).reduce((t, v) => t + Math.abs(v), 0);
      const W = Float32Array.from({ length: rows * colsF }, () => rand() - 0.5);
      const XF = X.subarray(0, n * colsF);
      const Wq4 = randomQuantizedRows('Q4_1', rows, cols, rand), Wq8 = randomQuantizedRows('Q8_0', rows, cols, rand);
      // |w| bounds: 0.5 (float), 15/16 + 1/2 (Q4_1), 127/128 (Q8_0).
      for (const [name, maxW, run] of [
        ['gemm', 0.5, (K: typeof ref, Y: Float32Array) => K.gemm(W, XF, Y, rows, colsF, n)],
        ['gemmQ4_1', 1.5, (K: typeof ref, Y: Float32Array) => K.gemmQ4_1(Wq4, X, Y, rows, cols, n)],
        ['gemmQ8_0', 1, (K: typeof ref, Y: Float32Array) => K.gemmQ8_0(Wq8, X, Y, rows, cols, n)],
      ] as const) {
        const want = new Float32Array(n * rows), got = new Float32Array(n * rows + 2).fill(-7);
        run(ref, want);
        run(k as unknown as typeof ref, got);
        for (let j = 0; j < n; j++) {
          for (let r = 0; r < rows; r++) {
            expect(Math.abs(got[j * rows + r] - want[j * rows + r]), `${info.label} ${name} [${j}][${r}]`).toBeLessThanOrEqual(1e-5 * maxW * sumAbsX(j) + 1e-6);
          }
        }
        expect([...got.subarray(n * rows)]).toEqual([-7, -7]);
      }
    });

  it('rejects bad shapes, naming the argument', () => {
    const W = new Float32Array(4 * 64), X = new Float32Array(3 * 64), Y = new Float32Array(3 * 4);
    expectBadArgument(() => k.gemm(W, X, Y, 4, 64, 4), 'X');
    expectBadArgument(() => k.gemm(W, X, new Float32Array(11), 4, 64, 3), 'Y');
    expectBadArgument(() => k.gemm(W, X, Y, 5, 64, 3), 'W');
    const Wq = new Int32Array(4 * quantizedRowWords('Q4_1', 64));
    expectBadArgument(() => k.gemmQ4_1(Wq, X, Y, 4, 48, 3), 'cols');
    expectBadArgument(() => k.gemmQ8_0(Wq, X, Y, 4, 64, 3), 'W');
    expectBadArgument(() => k.gemmQ4_1(Wq, X, Y, 4, 64, 1.5), 'n');
  });
});

/**
 * The int8-activation products (gemvQ4_1Q8_1, gemvQ8_0Q8_1, gemmQ4_1Q8_1, gemmQ8_0Q8_1) on the
 * wasm-threads backend (thresholds 0: every call is split by rows) on 1, 2 and 3 threads: bit
 * for bit the single-thread wasm SIMD kernel, every output written once (outputs start as NaN,
 * sentinels past the end), resident and copied weights alike.
 */
import { afterAll, describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { createKernels } from '../../src/backends/create-kernels.js';
import { createParallelKernels, type ParallelKernels } from '../../src/backends/wasm-threads/create-parallel-kernels.js';
import { type QuantizedType } from '../../src/kernels/quantized-row-words.js';
import { q8ActivationWords } from '../../src/kernels/q8-activation-words.js';
import { lcg, randomQuantizedRows } from '../_harness/quantized-rows.js';

const single = await createKernels({ backend: 'wasm', wasmVariant: 'simd' });
const pools: ParallelKernels[] = await Promise.all([1, 2, 3].map((threads) =>
  createParallelKernels({ threads, minStreamBytes: 0, minQuantizedBytes: 0, minFlops: 0 })));
afterAll(async () => { await Promise.all(pools.map((k) => k.dispose())); });

/** Random resident-layout rows (finite f16 scales) and n quantized activation vectors. */
function operands(type: QuantizedType, rows: number, cols: number, n: number, seed: number): { W: Int32Array; Xq: Int32Array } {
  const rand = lcg(seed);
  const W = randomQuantizedRows(type, rows, cols, rand, 1);
  const Xq = new Int32Array(n * q8ActivationWords(cols));
  single.quantizeQ8_1(Float32Array.from({ length: n * cols }, () => rand() * 2 - 1), Xq, n * cols);
  return { W, Xq };
}

for (const k of pools) {
  describe(`int8-activation products on wasm-threads, ${k.threads} threads`, () => {
    for (const type of ['Q4_1', 'Q8_0'] as const) {
      const gemv = type === 'Q4_1' ? 'gemvQ4_1Q8_1' : 'gemvQ8_0Q8_1';
      const gemm = type === 'Q4_1' ? 'gemmQ4_1Q8_1' : 'gemmQ8_0Q8_1';
      for (const resident of [true, false]) {
        it(`${gemv} and ${gemm} are bit-identical to the single-thread kernels (${resident ? 'resident' : 'copied'} weights)`, () => {
          fc.assert(fc.property(fc.integer({ min: 1, max: 1200 }), fc.integer({ min: 1, max: 20 }), fc.integer({ min: 1, max: 5 }), fc.integer(),
            (rows, blocks, n, seed) => {
              const cols = 32 * blocks;
              const { W, Xq } = operands(type, rows, cols, n, seed);
              const R = resident ? k.allocI32(W.length) : null;
              R?.view().set(W);
              const Wk = () => R?.view() ?? W;
              const want = new Float32Array(n * rows);
              single[gemm](W, Xq, want, rows, cols, n);
              const Y = new Float32Array(n * rows + 3).fill(NaN);
              Y.fill(-7, n * rows);
              k[gemm](Wk(), Xq, Y, rows, cols, n);
              expect(new Int32Array(Y.buffer, 0, n * rows)).toEqual(new Int32Array(want.buffer));
              expect([...Y.subarray(n * rows)]).toEqual([-7, -7, -7]);
              const wantOne = new Float32Array(rows);
              single[gemv](W, Xq.subarray(0, q8ActivationWords(cols)), wantOne, rows, cols);
              const y = new Float32Array(rows + 3).fill(NaN);
              y.fill(-7, rows);
              k[gemv](Wk(), Xq.subarray(0, q8ActivationWords(cols)), y, rows, cols);
              expect(new Int32Array(y.buffer, 0, rows)).toEqual(new Int32Array(wantOne.buffer));
              expect([...y.subarray(rows)]).toEqual([-7, -7, -7]);
              R?.dispose();
            }), { numRuns: 20 });
        });
      }
    }
  });
}

/**
 * gemvQ4_1 / gemvQ8_0 on the wasm-threads backend (thresholds 0, so every call is split by rows)
 * on 1, 2 and 3 threads: bit for bit the single-thread wasm SIMD kernel, every row written once
 * (outputs start as NaN, with sentinels past the end), resident and copied weights alike. Up to
 * 1500 rows of up to 400 bytes: several 64 KiB chunks per call.
 */
import { afterAll, describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { createKernels } from '../../src/backends/create-kernels.js';
import { createParallelKernels, type ParallelKernels } from '../../src/backends/wasm-threads/create-parallel-kernels.js';
import { type QuantizedType } from '../../src/kernels/quantized-row-words.js';
import { lcg, randomQuantizedRows } from '../_harness/quantized-rows.js';

const single = await createKernels({ backend: 'wasm', wasmVariant: 'simd' });
const pools: ParallelKernels[] = await Promise.all([1, 2, 3].map((threads) =>
  createParallelKernels({ threads, minStreamBytes: 0, minQuantizedBytes: 0, minFlops: 0 })));
afterAll(async () => { await Promise.all(pools.map((k) => k.dispose())); });

/** Random resident-layout rows: bytes random, then every f16 scale set to a finite value. */
function matrix(type: QuantizedType, rows: number, cols: number, seed: number): { W: Int32Array; x: Float32Array } {
  const rand = lcg(seed);
  const W = randomQuantizedRows(type, rows, cols, rand, 1);
  return { W, x: Float32Array.from({ length: cols }, () => rand() * 2 - 1) };
}

for (const k of pools) {
  describe(`quantized gemv on wasm-threads, ${k.threads} threads`, () => {
    for (const type of ['Q4_1', 'Q8_0'] as const) {
      const kernel = type === 'Q4_1' ? 'gemvQ4_1' : 'gemvQ8_0';
      for (const resident of [true, false]) {
        it(`${kernel} is bit-identical to the single-thread kernel (${resident ? 'resident' : 'copied'} weights)`, () => {
          fc.assert(fc.property(fc.integer({ min: 1, max: 1500 }), fc.integer({ min: 1, max: 20 }), fc.integer(), (rows, blocks, seed) => {
            const cols = 32 * blocks;
            const { W, x } = matrix(type, rows, cols, seed);
            const want = new Float32Array(rows);
            single[kernel](W, x, want, rows, cols);
            const y = new Float32Array(rows + 3).fill(NaN);
            y.fill(-7, rows);
            if (resident) {
              const R = k.allocI32(W.length);
              R.view().set(W);
              k[kernel](R.view(), x, y, rows, cols);
              R.dispose();
            } else k[kernel](W, x, y, rows, cols);
            expect(new Int32Array(y.buffer, 0, rows)).toEqual(new Int32Array(want.buffer));
            expect([...y.subarray(rows)]).toEqual([-7, -7, -7]);
          }), { numRuns: 25 });
        });
      }
    }
  });
}

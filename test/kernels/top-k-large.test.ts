/**
 * topK at n ≥ 16384, where the wasm kernel switches from a heap over all of x to selection
 * (topKSelect) followed by ordering the k winners. Data with few levels, ±0 and ±Infinity put
 * the k-th boundary inside runs of equal values, where the tie rule (lower index first) decides.
 */
import { expect, it } from 'vitest';
import { describeEachCpuBackend } from '../_harness/each-backend.js';
import { referenceKernelFunctions as ref } from '../../src/kernels/reference/index.js';
import { Rng } from '../../src/core/rng.js';

function data(n: number, kind: 'levels' | 'signed-zeros' | 'continuous', rng: Rng): Float32Array {
  const x = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    if (kind === 'levels') x[i] = rng.int(7) - 3;
    else if (kind === 'signed-zeros') x[i] = [0, -0, 1, -1, Infinity, -Infinity][rng.int(6)];
    else x[i] = rng.normal();
  }
  return x;
}

describeEachCpuBackend('topK on large n (selection path)', (k, info) => {
  if (info.isReference) return;
  for (const kind of ['levels', 'signed-zeros', 'continuous'] as const) {
    it(`equals the reference exactly on ${kind} data`, () => {
      const rng = new Rng(7);
      for (const n of [16384, 20011]) {
        const x = data(n, kind, rng);
        for (const kk of [0, 1, 40, 1024, 5000, n]) {
          const expected = new Int32Array(kk);
          ref.topK(x, n, kk, expected);
          const out = new Int32Array(kk);
          k.topK(x, n, kk, out);
          expect(Array.from(out), `n=${n} k=${kk}`).toEqual(Array.from(expected));
        }
      }
    });
  }
});

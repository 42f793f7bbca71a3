/**
 * The Lloyd assignment runs in row blocks (assignInBlocks) so that an async run can pause and
 * abort inside one long iteration. Each row's code depends on that row and the centroids only,
 * so the blocked result must equal one whole argminL2 call bit for bit: checked against a
 * hand-written Lloyd loop (one argminL2 call per iteration + lloydUpdate) on sync and async
 * CPU backends, and at tiny block sizes (a few rows, a remainder block) against one block.
 */
import { describe, expect, it } from 'vitest';
import { createKernels } from '../../src/backends/create-kernels.js';
import { deferredKernels } from '../_harness/deferred-kernels.js';
import type { CpuKernels, Kernels } from '../../src/kernels/kernels.js';
import { mirrorF32, mirrorI32 } from '../../src/kernels/host-mirror.js';
import { Rng } from '../../src/core/rng.js';
import { kmeans } from '../../src/kvcache/kmeans.js';
import { lloydIteration, lloydUpdate } from '../../src/kvcache/lloyd-step.js';

function blobs(n: number, d: number, groups: number, seed: number): Float32Array {
  const rng = new Rng(seed);
  const centers = Array.from({ length: groups }, () => Array.from({ length: d }, () => rng.normal() * 4));
  return Float32Array.from({ length: n * d }, (_, i) => centers[Math.floor(i / d) % groups][i % d] + rng.normal());
}

/** Lloyd with one unsliced argminL2 per iteration, from `init`, `iterations` times, then a final assignment. */
function wholeCallLloyd(kernels: CpuKernels, x: Float32Array, n: number, d: number, init: Float32Array, k: number, iterations: number) {
  const c = Float32Array.from(init), codes = new Int32Array(n), dist = new Float32Array(n);
  const sums = new Float64Array(k * d), counts = new Int32Array(k);
  for (let it = 0; it < iterations; it++) {
    kernels.argminL2(x, c, codes, dist, n, k, d);
    const { empty } = lloydUpdate(x, c, codes, n, k, d, sums, counts);
    expect(empty, 'the oracle handles no re-seeding: choose data without empty clusters').toEqual([]);
  }
  kernels.argminL2(x, c, codes, dist, n, k, d);
  return { centroids: c, codes };
}

const n = 6000, d = 64, k = 256; // k·d = 16384: 4096 rows per default block, so 2 blocks
const points = blobs(n, d, k, 3);
const init = points.slice(0, k * d); // point i is in blob i mod k: one seed per blob

describe.each(['reference', 'wasm'] as const)('%s', (backend) => {
  it('kmeans on sync CPU kernels and on the async adapter equal Lloyd with whole argminL2 calls', async () => {
    const kernels = await createKernels({ backend });
    const want = wholeCallLloyd(kernels, points, n, d, init, k, 3);
    const sync = await kmeans(kernels, points, n, d, { k, init, maxIterations: 3, tolerance: 0 });
    const asyncKernels = deferredKernels(kernels);
    const onAsync = await kmeans(asyncKernels, points, n, d, { k, init, maxIterations: 3, tolerance: 0 });
    for (const got of [sync, onAsync]) {
      expect(got.reseeded).toBe(0);
      expect(got.iterations).toBe(3);
      expect(Buffer.from(got.centroids.buffer).equals(Buffer.from(want.centroids.buffer))).toBe(true);
      expect(Buffer.from(got.codes.buffer).equals(Buffer.from(want.codes.buffer))).toBe(true);
    }
  });

  it('lloydIteration: blocks of 64, 128 and 576 rows (and their remainders) equal one block', async () => {
    const m = 999; // every size leaves a remainder block (999 mod 4 = 3: rows the wasm kernel takes alone)
    const run = async (kernels: Kernels, blockWork: number) => {
      const X = mirrorF32(kernels, m * d), C = mirrorF32(kernels, k * d), codes = mirrorI32(kernels, m), dist = mirrorF32(kernels, m);
      X.host().set(points.subarray(0, m * d)); X.push();
      C.host().set(points.subarray(m * d, (m + k) * d));
      const step = await lloydIteration(kernels as Kernels, X, C, codes, dist, m, k, d, new Float64Array(k * d), new Int32Array(k), { blockWork });
      await dist.pull();
      const out = { step, c: Float32Array.from(C.host()), codes: Int32Array.from(codes.host()), dist: Float32Array.from(dist.host()) };
      for (const b of [X, C, codes, dist]) b.dispose();
      return out;
    };
    for (const kernels of [await createKernels({ backend }), deferredKernels(await createKernels({ backend }))]) {
      const one = await run(kernels, m * k * d);
      for (const rows of [1, 100, 555]) { // rounded up to 64, 128, 576 rows
        const got = await run(kernels, rows * k * d);
        expect(got.step).toEqual(one.step);
        expect(Buffer.from(got.codes.buffer).equals(Buffer.from(one.codes.buffer))).toBe(true);
        expect(Buffer.from(got.dist.buffer).equals(Buffer.from(one.dist.buffer))).toBe(true);
        expect(Buffer.from(got.c.buffer).equals(Buffer.from(one.c.buffer))).toBe(true);
      }
    }
  });
});

/**
 * The wasm-threads backend's life cycle: options are validated before anything starts; dispose()
 * ends the workers and leaves working single-thread kernels; memory growth (which does not
 * detach a SharedArrayBuffer) is seen by resident views and by the workers; shape checks still
 * apply; and a process that forgets dispose() still exits (the workers are unref'd).
 */
import { describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { createRequire } from 'node:module';
import { expectBadArgument } from '../_harness/bad-input.js';
import { floats } from '../_harness/arbitraries.js';
import { SparseInferenceError } from '../../src/core/errors.js';
import { createKernels } from '../../src/backends/create-kernels.js';
import { createParallelKernels, type CreateParallelKernelsOptions } from '../../src/backends/wasm-threads/create-parallel-kernels.js';
import { parallelMissing } from '../../src/backends/wasm-threads/parallel-support.js';

const repoRoot = resolve(import.meta.dirname, '..', '..');

async function expectBadOption(options: CreateParallelKernelsOptions, argument: string): Promise<void> {
  let thrown: unknown = null;
  try {
    const k = await createParallelKernels(options);
    await k.dispose();
  } catch (e) {
    thrown = e;
  }
  expect(thrown, `options ${JSON.stringify(options)}`).toBeInstanceOf(SparseInferenceError);
  expect((thrown as SparseInferenceError).code).toBe('BAD_ARGUMENT');
  expect((thrown as Error).message).toContain(argument);
}

describe('wasm-threads life cycle', () => {
  it('is available in Node 20 without flags', () => {
    expect(parallelMissing()).toBeNull();
  });

  it('rejects bad options with BAD_ARGUMENT naming them', async () => {
    for (const threads of [0, -1, 1.5, NaN, Infinity, 65, '2' as unknown as number]) {
      await expectBadOption({ threads }, 'threads');
    }
    await expectBadOption({ minStreamBytes: -1 }, 'minStreamBytes');
    await expectBadOption({ minStreamBytes: NaN }, 'minStreamBytes');
    await expectBadOption({ minFlops: Infinity }, 'minFlops');
    await expectBadOption({ minQuantizedBytes: -1 }, 'minQuantizedBytes');
    await expectBadOption({ minQuantizedBytes: NaN }, 'minQuantizedBytes');
    for (const spinPolls of [-1, 1.5, NaN]) await expectBadOption({ spinPolls }, 'spinPolls');
  });

  it('defaults to one thread per logical core (at most 16)', async () => {
    const k = await createParallelKernels();
    try {
      expect(k.threads).toBe(Math.min(16, availableParallelism()));
    } finally {
      await k.dispose();
    }
  });

  it('dispose() stops the workers; the kernels keep working on the calling thread, with the same bits', async () => {
    const k = await createParallelKernels({ threads: 2, minStreamBytes: 0, minQuantizedBytes: 0 });
    const single = await createKernels({ backend: 'wasm', wasmVariant: 'simd' });
    const rows = 37, cols = 2051;
    const W = k.allocF32(rows * cols), x = k.allocF32(cols);
    W.view().set(floats(rows * cols, { seed: 3, kind: 'mixed', spread: 2 }));
    x.view().set(floats(cols, { seed: 4, kind: 'mixed', spread: 2 }));
    const want = new Float32Array(rows);
    single.gemv(W.view().slice(), x.view().slice(), want, rows, cols);
    const before = new Float32Array(rows), after = new Float32Array(rows);
    expect(k.threads).toBe(2);
    k.gemv(W.view(), x.view(), before, rows, cols);
    await k.dispose();
    await k.dispose(); // idempotent
    expect(k.threads).toBe(1);
    k.gemv(W.view(), x.view(), after, rows, cols);
    expect(Array.from(before)).toEqual(Array.from(want));
    expect(Array.from(after)).toEqual(Array.from(want));
  });

  it('threads: 1 starts no worker and gives the single-thread results', async () => {
    const k = await createParallelKernels({ threads: 1, minStreamBytes: 0, minQuantizedBytes: 0, minFlops: 0 });
    const single = await createKernels({ backend: 'wasm', wasmVariant: 'simd' });
    const n = 50, kk = 9, d = 13;
    const X = floats(n * d, { seed: 1, kind: 'mixed', spread: 0 }), C = floats(kk * d, { seed: 2, kind: 'mixed', spread: 0 });
    const got = new Float32Array(n * kk), want = new Float32Array(n * kk);
    k.l2sqrBatch(X, C, got, n, kk, d);
    single.l2sqrBatch(X, C, want, n, kk, d);
    expect(k.threads).toBe(1);
    expect(Array.from(got)).toEqual(Array.from(want));
    await k.dispose();
  });

  it('sees memory growth: views refresh, old views keep their data, workers read the new pages', async () => {
    const k = await createParallelKernels({ threads: 2, minStreamBytes: 0, minQuantizedBytes: 0 });
    try {
      const single = await createKernels({ backend: 'wasm', wasmVariant: 'simd' });
      const small = k.allocF32(1000);
      const oldView = small.view();
      oldView.set(floats(1000, { seed: 5, kind: 'mixed', spread: 0 }));
      const oldBytes = oldView.buffer.byteLength;
      // 48 MiB more: the 1 MiB initial memory must grow (a SharedArrayBuffer is not detached).
      const rows = 3000, cols = 4096;
      const W = k.allocF32(rows * cols), x = k.allocF32(cols), y = k.allocF32(rows);
      expect(W.view().buffer.byteLength).toBeGreaterThan(oldBytes);
      expect(oldView.buffer.byteLength).toBe(oldBytes); // still attached, old length
      expect(small.view()).not.toBe(oldView); // rebuilt over the new buffer
      expect(Array.from(small.view())).toEqual(Array.from(oldView));
      W.view().set(floats(rows * cols, { seed: 6, kind: 'mixed', spread: 0 }));
      x.view().set(floats(cols, { seed: 7, kind: 'mixed', spread: 0 }));
      y.view().fill(NaN);
      k.gemv(W.view(), x.view(), y.view(), rows, cols); // the worker's rows lie past the old end
      const want = new Float32Array(rows);
      single.gemv(W.view().slice(), x.view().slice(), want, rows, cols);
      expect(Array.from(y.view())).toEqual(Array.from(want));
      W.dispose(); x.dispose(); y.dispose(); small.dispose();
    } finally {
      await k.dispose();
    }
  });

  it('keeps the shape checks of every backend (BAD_ARGUMENT, never a trap)', async () => {
    const k = await createParallelKernels({ threads: 2, minStreamBytes: 0, minQuantizedBytes: 0, minFlops: 0 });
    try {
      const y = new Float32Array(4);
      expectBadArgument(() => k.gemv(new Float32Array(10), new Float32Array(4), y, 4, 4), 'W');
      expectBadArgument(() => k.gemvT(new Float32Array(16), new Float32Array(3), y, 4, 4), 'x');
      expectBadArgument(() => k.spvmm(new Float32Array(4), new Float32Array(16), y, 4, 4.5), 'cols');
      expectBadArgument(() => k.l2sqrBatch(new Float32Array(8), new Float32Array(8), new Float32Array(3), 2, 2, 4), 'out');
      expectBadArgument(() => k.argminL2(new Float32Array(8), new Float32Array(8), new Int32Array(2), new Float32Array(2), 2, 2, 0), 'd');
      expectBadArgument(() => k.allocF32(-1), 'length');
    } finally {
      await k.dispose();
    }
  });

  it('a process that never calls dispose() still exits, and one that does exits too', () => {
    const dir = mkdtempSync(join(tmpdir(), 'wasm-threads-'));
    try {
      const script = join(dir, 'child.mts');
      const entry = pathToFileURL(join(repoRoot, 'src/backends/wasm-threads/create-parallel-kernels.ts')).href;
      // Each pool gets its first job the moment it is ready (that start-up race once lost the
      // job and hung the caller), and the last pool is disposed only in 'dispose' mode.
      writeFileSync(script, `import { createParallelKernels } from ${JSON.stringify(entry)};
const out = [];
for (let i = 0; i < 4; i++) {
  const k = await createParallelKernels({ threads: 2, minStreamBytes: 0, minQuantizedBytes: 0 });
  const y = new Float32Array(64);
  k.gemv(new Float32Array(64 * 64).fill(1), new Float32Array(64).fill(1), y, 64, 64);
  out.push(y[0] + y[63], k.threads);
  if (i < 3 || process.argv[2] === 'dispose') await k.dispose();
}
console.log(out.join(' '));
`);
      const tsx = pathToFileURL(createRequire(import.meta.url).resolve('tsx/esm')).href;
      for (const mode of ['forget', 'dispose']) {
        const t0 = Date.now();
        const r = spawnSync(process.execPath, ['--import', tsx, script, mode], { encoding: 'utf8', timeout: 30_000 });
        expect(r.status, `${mode}: ${r.stderr}`).toBe(0);
        expect(r.stdout.trim()).toBe('128 2 128 2 128 2 128 2');
        expect(Date.now() - t0).toBeLessThan(30_000);
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

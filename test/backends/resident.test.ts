/**
 * Resident arrays on every backend: data survives memory growth through .view() (old views of
 * wasm memory detach, new ones see the same bytes), kernels read and write them in place, a
 * stale (detached) view is a BAD_ARGUMENT and not a trap, and use after dispose() is an error.
 * They are the CPU backends' device arrays: kernels take them directly, as they take views.
 */
import { expect, it } from 'vitest';
import { describeEachCpuBackend } from '../_harness/each-backend.js';
import { expectBadArgument } from '../_harness/bad-input.js';
import { SparseInferenceError } from '../../src/core/errors.js';

describeEachCpuBackend('resident arrays', (k, info) => {
  it('keep their data across memory growth; .view() after growth sees it and kernels use it', () => {
    const n = 1000;
    const a = k.allocF32(n), b = k.allocF32(n), idx = k.allocI32(4);
    try {
      const av = a.view(), bv = b.view();
      for (let i = 0; i < n; i++) { av[i] = i % 10; bv[i] = 1; }
      idx.view().set([3, 1, 4, 1]);
      const before = av.buffer.byteLength;
      // Allocate more than the whole current memory: growth is certain for the wasm backend.
      const big = k.allocF32(Math.ceil(before / 4) + (1 << 20));
      try {
        if (!info.isReference) expect(av.length).toBe(0); // the old view detached
        const av2 = a.view();
        expect(av2.length).toBe(n);
        expect(av2[7]).toBe(7);
        expect(Array.from(idx.view())).toEqual([3, 1, 4, 1]);
        expect(k.dot(a.view(), b.view(), n)).toBe(4500);
        k.axpy(2, b.view(), a.view(), n); // in place, by pointer
        expect(a.view()[9]).toBe(11);
        big.view()[big.length - 1] = 5; // the new block is usable to its last element
        expect(k.sum(big.view().subarray(big.length - 4), 4)).toBe(5);
      } finally {
        big.dispose();
      }
    } finally {
      a.dispose(); b.dispose(); idx.dispose();
    }
  });

  it('freed blocks are reused without corrupting live ones', () => {
    const keep = k.allocF32(64);
    keep.view().fill(2);
    for (let round = 0; round < 50; round++) {
      const tmp = k.allocF32(1000 + round);
      tmp.view().fill(-1);
      tmp.dispose();
    }
    expect(k.sum(keep.view(), 64)).toBe(128);
    keep.dispose();
  });

  if (!info.isReference) {
    it('a stale view (taken before growth) is rejected as BAD_ARGUMENT, not trapped', () => {
      const a = k.allocF32(32);
      a.view().fill(1);
      const stale = a.view();
      const big = k.allocF32(Math.ceil(stale.buffer.byteLength / 4) + (1 << 20));
      try {
        expectBadArgument(() => k.sum(stale, 32), 'x');
        expect(k.sum(a.view(), 32)).toBe(32); // the fresh view works
      } finally {
        big.dispose();
        a.dispose();
      }
    });

    it('view() after dispose() throws SparseInferenceError', () => {
      const a = k.allocF32(8);
      a.dispose();
      expect(() => a.view()).toThrow(SparseInferenceError);
      a.dispose(); // a second dispose is harmless
    });
  }

  it('are device arrays the kernels take in place of their views (whole, subarrays, mixed with host arrays)', async () => {
    const n = 37;
    const x = k.allocF32(n), y = k.allocF32(n);
    try {
      x.write(Float32Array.from({ length: n }, (_, i) => i - 18));
      y.write(Float32Array.from({ length: n }, (_, i) => (i % 5) - 2));
      const host = x.view().slice();
      expect(k.dot(x, y, n)).toBe(k.dot(x.view(), y.view(), n));
      expect(k.dot(x, y.view(), n)).toBe(k.dot(host, y.view(), n));
      k.axpy(0.5, x, y, n); // an in-place output given as a device array
      const want = Float32Array.from({ length: n }, (_, i) => Math.fround((i % 5) - 2 + Math.fround(0.5 * (i - 18))));
      expect(Array.from(y.view())).toEqual(Array.from(want));
      // A subarray is the same memory: writes through either are seen by both.
      const tail = x.subarray(30);
      expect([tail.length, tail.dtype]).toEqual([7, 'f32']);
      expect(k.sum(tail, 7)).toBe(host.subarray(30).reduce((a, b) => a + b, 0));
      tail.write(Float32Array.of(100), 2);
      expect(x.view()[32]).toBe(100);
      expect(Array.from(await tail.read())).toEqual(Array.from(x.view().subarray(30)));
      const copy = k.allocF32(n);
      copy.copyFrom(x);
      expect(Array.from(copy.view())).toEqual(Array.from(x.view()));
      copy.dispose();
      expectBadArgument(() => x.copyFrom(x.subarray(1, 3), 2), 'src');
      // Shape checks see the device array's length, as they see a typed array's.
      expectBadArgument(() => k.dot(tail, y, 8), 'x');
      expectBadArgument(() => k.topK(x, n, 3, k.allocF32(3) as never), 'out');
    } finally {
      x.dispose(); y.dispose();
    }
  });

  it('a device array of another backend, or a freed one, is a BAD_ARGUMENT naming the argument', () => {
    // What the webgpu backend's device arrays look like to a CPU kernel: read/write, no view.
    const foreign = { dtype: 'f32', length: 4, read: async () => new Float32Array(4), write: () => {}, dispose: () => {} };
    expectBadArgument(() => k.sum(foreign as never, 4), 'x');
    const a = k.allocF32(4);
    a.dispose();
    expect(() => k.sum(a, 4)).toThrow(SparseInferenceError);
  });

  it('rejects bad lengths naming the argument', () => {
    expectBadArgument(() => k.allocF32(-1), 'length');
    expectBadArgument(() => k.allocF32(2.5), 'length');
    expectBadArgument(() => k.allocI32(NaN), 'length');
  });
});

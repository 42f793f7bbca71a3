/**
 * Resident arrays cannot lie (issue regressions): a view kept past dispose() is refused
 * by every kernel instead of writing into the array that reuses its memory; a view detached by
 * growth is named as such; sizes the heap cannot address are rejected naming size and argument.
 */
import { expect, it } from 'vitest';
import { describeEachCpuBackend } from '../_harness/each-backend.js';
import { expectBadArgument } from '../_harness/bad-input.js';
import { disposeSymbol } from '../../src/core/dispose.js';

describeEachCpuBackend('resident arrays after dispose, growth and at huge sizes', (k, info) => {
  it('a kernel given a view of a freed array throws and leaves the reusing array alone', () => {
    for (const release of ['dispose', disposeSymbol] as const) {
      const b = k.allocF32(1024);
      const v = b.view();
      b[release]();
      const c = k.allocF32(1024);
      c.view().fill(3);
      expect(() => b.view()).toThrowError(/dispose/);
      if (!info.isReference) expectBadArgument(() => k.axpy(1, c.view(), v, 1024), 'freed');
      expect(c.view().every((x) => x === 3)).toBe(true);
      c.dispose();
    }
  });

  it('allocF32(2**30) and larger are rejected naming the size and the argument', () => {
    for (const n of [2 ** 30, 2 ** 31, 2 ** 32 + 1]) {
      expectBadArgument(() => k.allocF32(n), 'length');
      expect(() => k.allocI32(n)).toThrowError(new RegExp(String(n)));
    }
  });

  if (!info.isReference) {
    it('a view detached by memory growth is named as detached', () => {
      const a = k.allocF32(16);
      const stale = a.view();
      const big = k.allocF32(Math.ceil(stale.buffer.byteLength / 4) + (1 << 20));
      expect(() => k.sum(stale, 16)).toThrowError(/x is a detached view/);
      big.dispose(); a.dispose();
    });
  }
});

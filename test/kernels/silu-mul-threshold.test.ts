/**
 * siluMulThreshold (h = SiLU(gate)·up rounded once from float64; gate ← h; up ← h where
 * |h| ≥ t and h ≠ 0, else 0; returns the zeros) on every backend: differential against the
 * reference, its rounding (one rounding, unlike swiglu's two), closed forms, and bad input.
 */
import { expect, it } from 'vitest';
import fc from 'fast-check';
import { describeEachCpuBackend } from '../_harness/each-backend.js';
import { describeEachBackend } from '../_harness/every-backend.js';
import { floatSpec, floats, size } from '../_harness/arbitraries.js';
import { PLACEMENTS, runPlaced } from '../_harness/placement.js';
import { expectBadArgumentAsync } from '../_harness/bad-input.js';
import { referenceKernelFunctions as ref } from '../../src/kernels/reference/index.js';

const silu64 = (v: number) => v / (1 + Math.exp(-v));
const T = fc.constantFrom(0, 0.01, 0.1, 1, Infinity);

describeEachCpuBackend('siluMulThreshold', (k, info) => {
  if (!info.isReference) {
    for (const placement of PLACEMENTS) {
      it(`matches the reference bit for bit (${placement} arrays)`, () => {
        fc.assert(fc.property(size(), floatSpec, floatSpec, fc.nat(5), T, (n, sg, su, extra, t) => {
          const gate = floats(n + extra, sg), up = floats(n + extra, { ...su, seed: su.seed + 1 });
          const wg = gate.slice(), wu = up.slice();
          const zeros = ref.siluMulThreshold(wg, wu, t, n);
          const { result, after } = runPlaced(k, placement, [gate, up] as const, (g, u) => k.siluMulThreshold(g, u, t, n));
          expect(result).toBe(zeros);
          for (let i = 0; i < gate.length; i++) {
            expect(Object.is(after[0][i], wg[i])).toBe(true);
            expect(Object.is(after[1][i], wu[i])).toBe(true);
          }
        }));
      });
    }
  }
});

// Bit-exact float64 SiLU rounding is a CPU contract: WGSL's exp may be a few ULP off, so webgpu
// is held to the shared differential suite's tolerance instead (test/differential/suite.ts).
describeEachCpuBackend('siluMulThreshold: closed forms', (k) => {
  it('gate gets h = SiLU·up rounded once; up gets h where |h| ≥ t and h ≠ 0; zeros are counted', async () => {
    await fc.assert(fc.asyncProperty(size(), floatSpec, floatSpec, T, async (n, sg, su, t) => {
      const gate = floats(n + 1, sg), up = floats(n + 1, { ...su, seed: su.seed + 1 });
      const g = gate.slice(), u = up.slice();
      const zeros = await k.siluMulThreshold(g, u, t, n);
      let want = 0;
      for (let i = 0; i < n; i++) {
        const h = Math.fround(silu64(gate[i]) * up[i]);
        const keep = Math.abs(h) >= t && h !== 0;
        if (!keep) want++;
        expect(Object.is(g[i], h)).toBe(true);
        expect(Object.is(u[i], keep ? h : 0)).toBe(true);
      }
      expect(zeros).toBe(want);
      expect([g[n], u[n]]).toEqual([gate[n], up[n]]);
    }));
  });

  it('rounds once (not swiglu\'s SiLU-then-product): they differ somewhere on 1000 values', async () => {
    const gate = Float32Array.from({ length: 1000 }, (_, i) => (i - 500) / 37), up = Float32Array.from({ length: 1000 }, (_, i) => 1 + i / 999);
    const a = gate.slice(), b = gate.slice(), u = up.slice();
    await k.siluMulThreshold(a, u, 0, 1000);
    ref.swiglu(b, up, 1000);
    let differ = 0;
    for (let i = 0; i < 1000; i++) {
      expect(Math.abs(a[i] - b[i])).toBeLessThanOrEqual(2 * 2 ** -23 * Math.abs(b[i]));
      if (a[i] !== b[i]) differ++;
    }
    expect(differ).toBeGreaterThan(0);
  });

  it('closed forms: t = 0 keeps every nonzero product, t = ∞ none; SiLU(0)·up = 0 counts as zero', async () => {
    const g = Float32Array.of(0, 1, -1, 4), u = Float32Array.of(3, 2, 2, 0);
    const a = g.slice(), b = u.slice();
    expect(await k.siluMulThreshold(a, b, 0, 4)).toBe(2);
    expect(Array.from(b)).toEqual([0, a[1], a[2], 0]);
    expect(a[1]).toBe(Math.fround(2 / (1 + Math.exp(-1))));
    const c = g.slice(), d = u.slice();
    expect(await k.siluMulThreshold(c, d, Infinity, 4)).toBe(4);
    expect(Array.from(d)).toEqual([0, 0, 0, 0]);
  });
});

describeEachBackend('siluMulThreshold: bad input', (k) => {
  it('rejects bad input naming the argument', async () => {
    const a = new Float32Array(8);
    await expectBadArgumentAsync(() => k.siluMulThreshold(new Float32Array(4), a, 0, 8), 'gate');
    await expectBadArgumentAsync(() => k.siluMulThreshold(a, new Float32Array(4), 0, 8), 'up');
    await expectBadArgumentAsync(() => k.siluMulThreshold(a, a.slice(), NaN, 8), 't');
    await expectBadArgumentAsync(() => k.siluMulThreshold(a, a.slice(), 0, -2), 'n');
  });
});

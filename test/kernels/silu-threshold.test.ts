/**
 * siluThreshold (CATS/CHESS gate sparsification: gate ← SiLU(gate) where |SiLU| ≥ t_i, else 0)
 * on every backend: differential against the reference, float64 evaluation of SiLU and of the
 * comparison (float64 thresholds at full precision, float32 store), elements past n untouched,
 * closed forms, and bad input.
 */
import { expect, it } from 'vitest';
import fc from 'fast-check';
import { describeEachCpuBackend } from '../_harness/each-backend.js';
import { describeEachBackend } from '../_harness/every-backend.js';
import { floatSpec, floats, size } from '../_harness/arbitraries.js';
import { PLACEMENTS, runPlaced } from '../_harness/placement.js';
import { expectBadArgumentAsync } from '../_harness/bad-input.js';
import { referenceKernelFunctions as ref } from '../../src/kernels/reference/index.js';
import { Rng } from '../../src/core/rng.js';

const silu64 = (v: number) => v / (1 + Math.exp(-v));

/** Thresholds around the data's |SiLU|: exact ties, just above/below (float64), zeros, random. */
function thresholds(gate: Float32Array, seed: number): Float64Array {
  const rng = new Rng(seed);
  return Float64Array.from(gate, (v) => {
    const a = Math.abs(silu64(v)), u = rng.uniform();
    return u < 0.2 ? a : u < 0.3 ? a * (1 + 1e-12) : u < 0.4 ? a * (1 - 1e-12) : u < 0.5 ? 0 : rng.uniform() * 2;
  });
}

describeEachCpuBackend('siluThreshold', (k, info) => {
  if (!info.isReference) {
    for (const placement of PLACEMENTS) {
      it(`matches the reference bit for bit (${placement} arrays)`, () => {
        fc.assert(fc.property(size(), floatSpec, fc.nat(5), fc.boolean(), (n, sg, extra, f32) => {
          const gate = floats(n + extra, sg);
          const t64 = thresholds(gate, sg.seed + 1);
          const expected = gate.slice();
          const kept = ref.siluThreshold(expected, f32 ? Float32Array.from(t64) : t64, n);
          const { result, after } = runPlaced(k, placement, [gate] as const,
            (g) => k.siluThreshold(g, f32 ? Float32Array.from(t64) : t64, n));
          expect(result).toBe(kept);
          for (let i = 0; i < gate.length; i++) expect(Object.is(after[0][i], i < n ? expected[i] : gate[i])).toBe(true);
        }));
      });
    }
  }
});

// Bit-exact float64 SiLU rounding is a CPU contract: WGSL's exp may be a few ULP off, so webgpu
// is held to the shared differential suite's tolerance instead (test/differential/suite.ts).
describeEachCpuBackend('siluThreshold: closed forms', (k) => {
  it('keeps SiLU (float64, stored as float32) where |SiLU| ≥ t_i, zeroes the rest, and counts the kept', async () => {
    await fc.assert(fc.asyncProperty(size(), floatSpec, async (n, sg) => {
      const gate = floats(n + 2, sg);
      const t = thresholds(gate, sg.seed + 7);
      const got = gate.slice();
      const kept = await k.siluThreshold(got, t, n);
      let want = 0;
      for (let i = 0; i < n; i++) {
        const g = silu64(gate[i]);
        const keep = Math.abs(g) >= t[i];
        if (keep) want++;
        expect(Object.is(got[i], keep ? Math.fround(g) : 0)).toBe(true);
      }
      expect(kept).toBe(want);
      expect([got[n], got[n + 1]]).toEqual([gate[n], gate[n + 1]]); // past n: untouched
    }));
  });

  it('compares float64 thresholds at full precision, not rounded to float32', async () => {
    const g = silu64(1); // 0.7310585786300049: not a float32
    expect(Math.fround(g)).not.toBe(g);
    const just = Float64Array.of(g, g * (1 + 1e-15), Math.fround(g));
    const gate = Float32Array.of(1, 1, 1);
    expect(await k.siluThreshold(gate, just, 3)).toBe(Math.fround(g) <= g ? 2 : 1);
    expect(gate[0]).toBe(Math.fround(g)); // tie: kept
    expect(gate[1]).toBe(0); // a hair above in float64, though it rounds to the same float32
    expect(gate[2]).toBe(Math.fround(g) <= g ? Math.fround(g) : 0);
  });

  it('closed forms: t = 0 keeps every channel, t = ∞ none; SiLU(0) = 0 is kept by t = 0', async () => {
    const v = Float32Array.of(0, 1, -1, 5, -5, 30, -30, 0.25);
    const a = v.slice();
    expect(await k.siluThreshold(a, new Float32Array(8), 8)).toBe(8);
    for (let i = 0; i < 8; i++) expect(a[i]).toBe(Math.fround(v[i] / (1 + Math.exp(-v[i]))));
    const b = v.slice();
    expect(await k.siluThreshold(b, new Float64Array(8).fill(Infinity), 8)).toBe(0);
    expect(Array.from(b)).toEqual(new Array(8).fill(0));
    expect(await k.siluThreshold(new Float32Array(0), new Float32Array(0), 0)).toBe(0);
  });
});

describeEachBackend('siluThreshold: bad input', (k) => {
  it('rejects bad input naming the argument', async () => {
    const g = new Float32Array(8), t = new Float64Array(8);
    await expectBadArgumentAsync(() => k.siluThreshold(new Float32Array(4), t, 8), 'gate');
    await expectBadArgumentAsync(() => k.siluThreshold(g, new Float64Array(4), 8), 't');
    await expectBadArgumentAsync(() => k.siluThreshold(g, new Float32Array(4), 8), 't');
    await expectBadArgumentAsync(() => k.siluThreshold(g, [0, 0, 0, 0, 0, 0, 0, 0] as never, 8), 't');
    await expectBadArgumentAsync(() => k.siluThreshold(g, new Int32Array(8) as never, 8), 't');
    await expectBadArgumentAsync(() => k.siluThreshold(g, t, -1), 'n');
    await expectBadArgumentAsync(() => k.siluThreshold(g, t, 2.5), 'n');
  });
});

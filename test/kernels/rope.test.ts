/**
 * rope on every backend: differential against the float64 reference for both pairings, pair
 * norms preserved, pos = 0 is the identity, rotations compose, 'half' is 'adjacent' on
 * de-interleaved coordinates, a hand-computed case, and bad input.
 */
import { expect, it } from 'vitest';
import fc from 'fast-check';
import { describeEachCpuBackend } from '../_harness/each-backend.js';
import { describeEachBackend } from '../_harness/every-backend.js';
import { floatSpec, floats } from '../_harness/arbitraries.js';
import { assertClose } from '../_harness/tolerance.js';
import { PLACEMENTS, runPlaced } from '../_harness/placement.js';
import { expectBadArgumentAsync } from '../_harness/bad-input.js';
import { referenceKernelFunctions as ref } from '../../src/kernels/reference/index.js';
import type { RopePairing } from '../../src/kernels/kernels.js';

const headDim = fc.oneof(fc.constantFrom(2, 4, 6, 8, 16, 34, 64, 128), fc.integer({ min: 1, max: 80 }).map((h) => 2 * h));
const pairing = fc.constantFrom<RopePairing>('adjacent', 'half');
const position = fc.oneof(fc.integer({ min: 0, max: 4096 }), fc.double({ min: -1e4, max: 1e4, noNaN: true }));
const base = fc.constantFrom(10000, 500000, 1.5);

/** Index of the partner of element i within a head. */
function partner(i: number, hd: number, p: RopePairing): number {
  if (p === 'adjacent') return i ^ 1;
  return i < hd / 2 ? i + hd / 2 : i - hd / 2;
}

describeEachCpuBackend('rope', (k, info) => {
  if (!info.isReference) {
    for (const placement of PLACEMENTS) {
      it(`matches the reference (${placement} arrays)`, () => {
        fc.assert(fc.property(fc.integer({ min: 1, max: 9 }), headDim, position, base, pairing, floatSpec,
          (nHeads, hd, pos, b, p, spec) => {
            const x = floats(nHeads * hd, spec);
            const expected = x.slice();
            ref.rope(expected, nHeads, hd, pos, b, p);
            const { after } = runPlaced(k, placement, [x] as const, (xx) => k.rope(xx, nHeads, hd, pos, b, p));
            for (let i = 0; i < x.length; i++) {
              const j = (i - (i % hd)) + partner(i % hd, hd, p);
              assertClose(after[0][i], expected[i], Math.abs(x[i]) + Math.abs(x[j]), `x[${i}] (headDim ${hd}, ${p}, pos ${pos})`);
            }
          }));
      });
    }
  }
});

describeEachBackend('rope: closed forms and bad input', (k) => {
  it('keeps each pair\'s norm, is the identity at pos 0, and composes: rope(p)∘rope(q) = rope(p + q)', async () => {
    for (const p of ['adjacent', 'half'] as const) {
      const hd = 10, nHeads = 3;
      const x = floats(nHeads * hd, { seed: 5, kind: 'mixed', spread: 2 });
      const y = x.slice();
      await k.rope(y, nHeads, hd, 0, 10000, p);
      expect(Array.from(y)).toEqual(Array.from(x));
      await k.rope(y, nHeads, hd, 17, 10000, p);
      for (let i = 0; i < x.length; i++) {
        const j = (i - (i % hd)) + partner(i % hd, hd, p);
        const before = Math.hypot(x[i], x[j]);
        assertClose(Math.hypot(y[i], y[j]), before, before, `pair norm at ${i}`);
      }
      await k.rope(y, nHeads, hd, 25.5, 10000, p);
      const z = x.slice();
      await k.rope(z, nHeads, hd, 42.5, 10000, p);
      for (let i = 0; i < x.length; i++) assertClose(y[i], z[i], 2 * Math.hypot(x[i], x[(i - (i % hd)) + partner(i % hd, hd, p)]), `composed ${i}`);
    }
  });

  it("'half' pairing equals 'adjacent' on de-interleaved coordinates", async () => {
    const hd = 12, nHeads = 2;
    const x = floats(nHeads * hd, { seed: 6, kind: 'mixed', spread: 2 });
    // Interleave: position 2t ← x[t], 2t+1 ← x[t + hd/2], per head.
    const inter = new Float32Array(x.length);
    for (let h = 0; h < nHeads; h++) for (let t = 0; t < hd / 2; t++) {
      inter[h * hd + 2 * t] = x[h * hd + t];
      inter[h * hd + 2 * t + 1] = x[h * hd + t + hd / 2];
    }
    await k.rope(x, nHeads, hd, 3.25, 10000, 'half');
    await k.rope(inter, nHeads, hd, 3.25, 10000, 'adjacent');
    for (let h = 0; h < nHeads; h++) for (let t = 0; t < hd / 2; t++) {
      expect(inter[h * hd + 2 * t]).toBe(x[h * hd + t]);
      expect(inter[h * hd + 2 * t + 1]).toBe(x[h * hd + t + hd / 2]);
    }
  });

  it('rotates (1, 0) by pos·base^(−2t/d): a hand-computed head of 4', async () => {
    const x = Float32Array.from([1, 0, 1, 0]);
    await k.rope(x, 1, 4, 2, 100, 'adjacent'); // t = 0: angle 2; t = 1: angle 2·100^(−1/2) = 0.2
    const want = [Math.cos(2), Math.sin(2), Math.cos(0.2), Math.sin(0.2)];
    for (let i = 0; i < 4; i++) assertClose(x[i], want[i], 1, `x[${i}]`);
  });

  it('rejects bad input with BAD_ARGUMENT naming the argument', async () => {
    const x = new Float32Array(16);
    await expectBadArgumentAsync(() => k.rope(x, 2, 7, 1, 10000, 'adjacent'), 'headDim');
    await expectBadArgumentAsync(() => k.rope(x, 2, 0, 1, 10000, 'adjacent'), 'headDim');
    await expectBadArgumentAsync(() => k.rope(x, 3, 8, 1, 10000, 'adjacent'), 'x');
    await expectBadArgumentAsync(() => k.rope(x, 2, 8, NaN, 10000, 'adjacent'), 'pos');
    await expectBadArgumentAsync(() => k.rope(x, 2, 8, 1, 1, 'adjacent'), 'base');
    await expectBadArgumentAsync(() => k.rope(x, 2, 8, 1, Infinity, 'adjacent'), 'base');
    await expectBadArgumentAsync(() => k.rope(x, 2, 8, 1, 10000, 'interleaved' as never), 'pairing');
    await expectBadArgumentAsync(() => k.rope(x, 1.5, 8, 1, 10000, 'half'), 'nHeads');
  });
});

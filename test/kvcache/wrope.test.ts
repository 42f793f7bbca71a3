/**
 * WRoPE (A²ATS §3.1): inside the window the score equals the exact RoPE score q R(i)·k R(j)
 * (computed with post-RoPE vectors, an independent route), outside it equals q R(b)·k — for both
 * pairings and several bases. And the near/far split follows the decode position.
 */
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { createKernels } from '../../src/backends/create-kernels.js';
import { Rng } from '../../src/core/rng.js';
import { rotateToDistance, wropeScore, checkWRope, type WRopeConfig } from '../../src/kvcache/wrope.js';
import { splitNearFar } from '../../src/kvcache/near-far.js';
import { expectBadArgument } from '../_harness/bad-input.js';

const kernels = await createKernels({ backend: 'reference' });

function rotated(x: Float32Array, pos: number, cfg: WRopeConfig): Float32Array {
  const y = Float32Array.from(x);
  kernels.rope(y, 1, y.length, pos, cfg.base, cfg.pairing);
  return y;
}
const dot = (a: Float32Array, b: Float32Array) => a.reduce((s, v, t) => s + v * b[t], 0);

describe('WRoPE score', () => {
  it('equals exact RoPE inside the window and q R(b)·k outside (both pairings, any base)', () => {
    fc.assert(fc.property(
      fc.constantFrom(8, 16, 64), fc.constantFrom('adjacent', 'half'), fc.constantFrom(10000, 500000, 77),
      fc.integer({ min: 1, max: 128 }), fc.integer({ min: 0, max: 5000 }), fc.integer({ min: 0, max: 3000 }), fc.nat(),
      (d, pairing, base, window, j, gap, seed) => {
        const cfg: WRopeConfig = { window, distance: 2048, base, pairing: pairing as 'adjacent' | 'half' };
        const rng = new Rng(seed);
        const q = Float32Array.from({ length: d }, () => rng.normal());
        const k = Float32Array.from({ length: d }, () => rng.normal());
        const i = j + gap;
        const got = wropeScore(kernels, q, k, i, j, cfg);
        const expected = gap < window
          ? dot(rotated(q, i, cfg), rotated(k, j, cfg))           // exact: q R(i) · k R(j)
          : dot(rotated(q, cfg.distance, cfg), k);                 // far: q R(b) · k (pre-RoPE key)
        const mag = Math.sqrt(dot(q, q) * dot(k, k));
        expect(Math.abs(got - expected)).toBeLessThan(2e-5 * mag + 1e-6);
      }), { numRuns: 200 });
  });

  it('far score does not depend on the positions (only on b)', () => {
    const cfg: WRopeConfig = { window: 4, distance: 1000, base: 10000, pairing: 'half' };
    const rng = new Rng(1);
    const q = Float32Array.from({ length: 32 }, () => rng.normal()), k = Float32Array.from({ length: 32 }, () => rng.normal());
    const a = wropeScore(kernels, q, k, 100, 10, cfg), b = wropeScore(kernels, q, k, 9000, 5, cfg);
    expect(a).toBeCloseTo(b, 5);
    expect(wropeScore(kernels, q, k, 103, 100, cfg)).not.toBeCloseTo(a, 3);
  });

  it('rotateToDistance scales and rotates every head; validates', () => {
    const cfg: WRopeConfig = { window: 64, distance: 2048, base: 10000, pairing: 'adjacent' };
    const q = Float32Array.from({ length: 16 }, (_, t) => t - 7);
    const out = new Float32Array(16);
    rotateToDistance(kernels, q, out, 2, 8, cfg, 0.5);
    const expected = rotated(q.subarray(0, 8), 2048, cfg).map((v) => v * 0.5);
    for (let t = 0; t < 8; t++) expect(out[t]).toBeCloseTo(expected[t], 5);
    expectBadArgument(() => rotateToDistance(kernels, q, out, 3, 8, cfg), 'q');
    expectBadArgument(() => checkWRope({ ...cfg, window: -1 }), 'wrope.window');
    expectBadArgument(() => checkWRope({ ...cfg, base: 1 }), 'wrope.base');
    expectBadArgument(() => checkWRope({ ...cfg, pairing: 'odd' as never }), 'wrope.pairing');
    expectBadArgument(() => wropeScore(kernels, q, k8(), 3, 5, cfg), 'i');
  });
});

function k8(): Float32Array {
  return new Float32Array(16);
}

describe('near/far split', () => {
  it('partitions [0, i] into sinks, far (s ≤ j, i − j ≥ w) and window, tracking i', () => {
    fc.assert(fc.property(fc.integer({ min: 0, max: 400 }), fc.integer({ min: 0, max: 70 }), fc.integer({ min: 0, max: 12 }), (pos, w, s) => {
      const sp = splitNearFar(pos, w, s);
      for (let j = 0; j <= pos; j++) {
        const isSink = j < s;
        const isFar = !isSink && pos - j >= w;
        const inSinks = j < sp.sinkEnd;
        const inFar = j >= sp.farStart && j < sp.farEnd;
        const inWindow = j >= sp.windowStart && j < sp.end;
        expect([inSinks, inFar, inWindow].filter(Boolean).length).toBe(1);
        expect(inSinks).toBe(isSink);
        expect(inFar).toBe(isFar);
      }
      expect(sp.end).toBe(pos + 1);
    }), { numRuns: 300 });
  });

  it('a token becomes far exactly w steps after it was written', () => {
    const w = 16, s = 4, j = 50;
    for (let pos = j; pos < j + 40; pos++) {
      const sp = splitNearFar(pos, w, s);
      expect(j >= sp.farStart && j < sp.farEnd).toBe(pos - j >= w);
    }
  });

  it('rejects bad arguments', () => {
    expectBadArgument(() => splitNearFar(-1, 4, 4), 'pos');
    expectBadArgument(() => splitNearFar(3, 1.5, 4), 'window');
    expectBadArgument(() => splitNearFar(3, 4, NaN), 'sinks');
  });
});

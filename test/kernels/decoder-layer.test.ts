/**
 * decoderLayer (one Llama decoder layer in one call) on every backend: against a float64
 * oracle written out here from the formulas (independent of every kernel), against the
 * reference on the other backends with resident and plain arrays, which cache rows it may
 * write, and bad input naming the argument.
 */
import { expect, it } from 'vitest';
import fc from 'fast-check';
import { describeEachCpuBackend } from '../_harness/each-backend.js';
import { uniforms } from '../_harness/arbitraries.js';
import { PLACEMENTS, runPlaced } from '../_harness/placement.js';
import { expectBadArgument } from '../_harness/bad-input.js';
import { referenceKernelFunctions as ref } from '../../src/kernels/reference/index.js';
import type { DecoderLayerShape } from '../../src/kernels/kernels.js';
import {
  decoderLayerOffsets, decoderLayerScratchLength, decoderLayerScratchOffsets, decoderLayerWeightLength,
} from '../../src/kernels/decoder-layer-layout.js';

/** dim = nHeads·headDim; shapes that hit SIMD tails (headDim 2, 6, 8, 10; hidden odd). */
const shapeArb = fc.record({
  headDim: fc.constantFrom(2, 4, 6, 8, 10, 16),
  nKvHeads: fc.integer({ min: 1, max: 3 }),
  group: fc.integer({ min: 1, max: 3 }),
  hiddenDim: fc.integer({ min: 1, max: 45 }),
  pairing: fc.constantFrom('adjacent' as const, 'half' as const),
}).map(({ headDim, nKvHeads, group, hiddenDim, pairing }): DecoderLayerShape => ({
  dim: headDim * nKvHeads * group, hiddenDim, nHeads: nKvHeads * group, nKvHeads,
  normEps: 1e-5, ropeBase: 10000, ropePairing: pairing,
}));

/** Inputs of one call: weights (norm weights near 1), x, and a cache with pos earlier rows. */
function inputs(s: DecoderLayerShape, pos: number, seed: number) {
  const kvDim = (s.dim / s.nHeads) * s.nKvHeads;
  const W = uniforms(decoderLayerWeightLength(s), seed, -0.5, 0.5);
  const o = decoderLayerOffsets(s);
  for (const at of [o.rmsAtt, o.rmsFfn]) W.set(uniforms(s.dim, seed + 1, 0.5, 1.5), at);
  const x = uniforms(s.dim, seed + 2, -2, 2);
  const rows = (pos + 3) * kvDim; // two spare rows past pos: they must stay untouched
  const keys = uniforms(rows, seed + 3), keysPre = uniforms(rows, seed + 4), values = uniforms(rows, seed + 5);
  const scratch = new Float32Array(decoderLayerScratchLength(s, pos + 1));
  return [x, W, keys, keysPre, values, scratch] as const;
}

/** The layer in float64, straight from the formulas (adjacent or half RoPE pairs). */
function oracle(s: DecoderLayerShape, pos: number, x0: Float32Array, W: Float32Array, keys0: Float32Array, values0: Float32Array) {
  const { dim, hiddenDim: hid, nHeads, nKvHeads } = s;
  const hd = dim / nHeads, kvDim = hd * nKvHeads;
  const o = decoderLayerOffsets(s);
  const x = Array.from(x0);
  const keys = Array.from(keys0), keysPre = Array.from(keys0), values = Array.from(values0);
  const norm = (v: number[], w: number) => {
    const ms = v.reduce((a, b) => a + b * b, 0) / dim;
    return v.map((e, i) => (W[w + i] * e) / Math.sqrt(ms + s.normEps));
  };
  const mat = (at: number, rows: number, cols: number, v: number[]) =>
    Array.from({ length: rows }, (_, r) => v.reduce((a, e, c) => a + W[at + r * cols + c] * e, 0));
  const rope = (v: number[], heads: number) => {
    for (let h = 0; h < heads; h++) {
      for (let t = 0; t < hd / 2; t++) {
        const ang = pos * Math.pow(s.ropeBase, (-2 * t) / hd);
        const i0 = h * hd + (s.ropePairing === 'half' ? t : 2 * t);
        const i1 = h * hd + (s.ropePairing === 'half' ? t + hd / 2 : 2 * t + 1);
        const a = v[i0], b = v[i1];
        v[i0] = a * Math.cos(ang) - b * Math.sin(ang);
        v[i1] = a * Math.sin(ang) + b * Math.cos(ang);
      }
    }
    return v;
  };
  let h = norm(x, o.rmsAtt);
  const q = rope(mat(o.wq, dim, dim, h), nHeads);
  const k = mat(o.wk, kvDim, dim, h);
  const v = mat(o.wv, kvDim, dim, h);
  for (let i = 0; i < kvDim; i++) { keysPre[pos * kvDim + i] = k[i]; values[pos * kvDim + i] = v[i]; }
  const kr = rope(k.slice(), nKvHeads);
  for (let i = 0; i < kvDim; i++) keys[pos * kvDim + i] = kr[i];
  const att = new Array<number>(dim).fill(0);
  for (let head = 0; head < nHeads; head++) {
    const g = Math.floor(head / (nHeads / nKvHeads)) * hd;
    const sc = Array.from({ length: pos + 1 }, (_, t) => {
      let d = 0;
      for (let i = 0; i < hd; i++) d += q[head * hd + i] * keys[t * kvDim + g + i];
      return d / Math.sqrt(hd);
    });
    const m = Math.max(...sc);
    const p = sc.map((e) => Math.exp(e - m));
    const z = p.reduce((a, b) => a + b, 0);
    for (let t = 0; t <= pos; t++) for (let i = 0; i < hd; i++) att[head * hd + i] += (p[t] / z) * values[t * kvDim + g + i];
  }
  mat(o.wo, dim, dim, att).forEach((e, i) => { x[i] += e; });
  h = norm(x, o.rmsFfn);
  const gate = mat(o.w1, hid, dim, h), up = mat(o.w3, hid, dim, h);
  const a = gate.map((g, i) => (g / (1 + Math.exp(-g))) * up[i]);
  mat(o.w2, dim, hid, a).forEach((e, i) => { x[i] += e; });
  return { x, keys, keysPre, values };
}

describeEachCpuBackend('decoderLayer', (k, info) => {
  it('matches the float64 oracle written from the formulas', () => {
    fc.assert(fc.property(shapeArb, fc.integer({ min: 0, max: 20 }), fc.nat(1000), (s, pos, seed) => {
      const [x, W, keys, keysPre, values, scratch] = inputs(s, pos, seed);
      const want = oracle(s, pos, x, W, keys, values);
      const kvDim = (s.dim / s.nHeads) * s.nKvHeads;
      const before = { keys: keys.slice(), keysPre: keysPre.slice(), values: values.slice() };
      k.decoderLayer(x, W, keys, keysPre, values, scratch, pos, s);
      const scale = Math.max(1, ...want.x.map(Math.abs));
      for (let i = 0; i < s.dim; i++) expect(Math.abs(x[i] - want.x[i])).toBeLessThan(2e-4 * scale);
      for (let i = pos * kvDim; i < (pos + 1) * kvDim; i++) {
        expect(Math.abs(keys[i] - want.keys[i])).toBeLessThan(1e-4 * (1 + Math.abs(want.keys[i])));
        expect(Math.abs(keysPre[i] - want.keysPre[i])).toBeLessThan(1e-4 * (1 + Math.abs(want.keysPre[i])));
        expect(Math.abs(values[i] - want.values[i])).toBeLessThan(1e-4 * (1 + Math.abs(want.values[i])));
      }
      // Rows before pos are read, rows after it untouched.
      for (const [name, a] of [['keys', keys], ['keysPre', keysPre], ['values', values]] as const) {
        const b = before[name];
        for (let i = 0; i < pos * kvDim; i++) expect(a[i]).toBe(b[i]);
        for (let i = (pos + 1) * kvDim; i < a.length; i++) expect(a[i]).toBe(b[i]);
      }
    }), { numRuns: 40 });
  });

  if (!info.isReference) {
    for (const placement of PLACEMENTS) {
      it(`matches the reference (${placement} arrays)`, () => {
        fc.assert(fc.property(shapeArb, fc.integer({ min: 0, max: 40 }), fc.nat(1000), (s, pos, seed) => {
          const args = inputs(s, pos, seed);
          const want = args.map((a) => a.slice()) as unknown as typeof args;
          ref.decoderLayer(want[0], want[1], want[2], want[3], want[4], want[5], pos, s);
          const { after } = runPlaced(k, placement, args, (x, W, K, Kp, V, sc) => k.decoderLayer(x, W, K, Kp, V, sc, pos, s));
          for (const i of [0, 2, 3, 4]) {
            const got = after[i], exp = want[i];
            for (let j = 0; j < exp.length; j++) {
              expect(Math.abs(got[j] - exp[j])).toBeLessThan(1e-4 * (1 + Math.abs(exp[j])));
            }
          }
          expect(after[1]).toEqual(args[1]); // W is read-only
        }), { numRuns: 30 });
      });
    }
  }

  // keysPre may be keys itself (a cache without a pre-RoPE copy): with plain arrays a copying
  // backend must still end with the rotated keys, as the reference does in place.
  it('keysPre = keys (plain arrays): the rotated row, as the reference gives it', () => {
    fc.assert(fc.property(shapeArb, fc.integer({ min: 0, max: 12 }), fc.nat(1000), (s, pos, seed) => {
      const [x, W, keys, , values, scratch] = inputs(s, pos, seed);
      const want = [x.slice(), keys.slice(), values.slice()];
      ref.decoderLayer(want[0], W, want[1], want[1], want[2], scratch.slice(), pos, s);
      k.decoderLayer(x, W, keys, keys, values, scratch, pos, s);
      for (const [got, exp] of [[x, want[0]], [keys, want[1]], [values, want[2]]]) {
        for (let j = 0; j < exp.length; j++) expect(Math.abs(got[j] - exp[j])).toBeLessThan(1e-4 * (1 + Math.abs(exp[j])));
      }
    }), { numRuns: 30 });
  });

  it('rejects bad input naming the argument', () => {
    const s: DecoderLayerShape = { dim: 8, hiddenDim: 12, nHeads: 2, nKvHeads: 1, normEps: 1e-5, ropeBase: 10000, ropePairing: 'adjacent' };
    const [x, W, keys, keysPre, values, scratch] = inputs(s, 3, 1);
    const call = (over: Partial<Record<string, unknown>>) => () => {
      const a = { x, W, keys, keysPre, values, scratch, pos: 3, shape: s, ...over } as {
        x: Float32Array; W: Float32Array; keys: Float32Array; keysPre: Float32Array; values: Float32Array;
        scratch: Float32Array; pos: number; shape: DecoderLayerShape;
      };
      k.decoderLayer(a.x, a.W, a.keys, a.keysPre, a.values, a.scratch, a.pos, a.shape);
    };
    expect(call({})).not.toThrow();
    expectBadArgument(call({ x: new Float32Array(7) }), 'x');
    expectBadArgument(call({ W: W.subarray(1) }), 'W');
    expectBadArgument(call({ keys: keys.subarray(0, 3 * 4) }), 'keys');
    expectBadArgument(call({ keysPre: new Float64Array(keys.length) }), 'keysPre');
    expectBadArgument(call({ values: values.subarray(0, 4 * 4 - 1) }), 'values');
    expectBadArgument(call({ scratch: scratch.subarray(1) }), 'scratch');
    expectBadArgument(call({ pos: -1 }), 'pos');
    expectBadArgument(call({ pos: 1.5 }), 'pos');
    expectBadArgument(call({ shape: null }), 'shape');
    expectBadArgument(call({ shape: { ...s, nHeads: 3 } }), 'shape.dim');
    expectBadArgument(call({ shape: { ...s, nKvHeads: 3 } }), 'shape.nKvHeads');
    expectBadArgument(call({ shape: { ...s, normEps: NaN } }), 'shape.normEps');
    expectBadArgument(call({ shape: { ...s, ropePairing: 'interleaved' } }), 'shape.ropePairing');
  });
});

it('weight and scratch lengths agree with the offsets they summarise', () => {
  fc.assert(fc.property(shapeArb, fc.integer({ min: 1, max: 100 }), (s, positions) => {
    const o = decoderLayerOffsets(s);
    expect(decoderLayerWeightLength(s)).toBe(o.length);
    expect(o.w3 + Math.ceil((s.hiddenDim * s.dim) / 16) * 16).toBe(o.length);
    expect(decoderLayerScratchLength(s, positions)).toBe(decoderLayerScratchOffsets(s, positions).length);
  }));
});

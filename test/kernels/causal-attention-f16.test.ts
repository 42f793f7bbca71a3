/**
 * The binary16 KV-cache kernels on every backend.
 * packF16: bit for bit equal to f32ToF16 (src/llama/float-formats.ts, an independent bit-level
 * encoder) on random floats across the whole binary16 range and on the edge cases (ties to even,
 * subnormals, the overflow boundary 65504/65520, ±0, ±Infinity, NaN).
 * causalAttentionF16: equal (within float rounding) to causalAttention on the same cache widened to
 * float32 — binary16 values are exact in float32, so the two compute the same attention — for
 * sizes crossing the 64-key tiles, SIMD tails in d and padded strides; nothing written past out,
 * inputs untouched; Infinity and NaN in the cache propagate as they would in float32; bad input
 * rejected naming the argument.
 */
import { expect, it } from 'vitest';
import fc from 'fast-check';
import { describeEachCpuBackend } from '../_harness/each-backend.js';
import { uniforms } from '../_harness/arbitraries.js';
import { expectBadArgument } from '../_harness/bad-input.js';
import { PLACEMENTS, runPlaced } from '../_harness/placement.js';
import { causalAttentionF16ScratchLength, causalAttentionScratchLength } from '../../src/kernels/causal-attention-scratch.js';
import { f16ToF32, f32ToF16 } from '../../src/llama/float-formats.js';
import { Rng } from '../../src/core/rng.js';

/** The binary16 words of x (two values per word) by the independent encoder. */
function packed(x: Float32Array): Int32Array {
  const out = new Int32Array(Math.ceil(x.length / 2));
  for (let i = 0; i < x.length; i++) out[i >> 1] |= f32ToF16(x[i]) << (16 * (i & 1));
  return out;
}

/** The float32 values the binary16 words hold. */
function widened(words: Int32Array, n: number): Float32Array {
  return Float32Array.from({ length: n }, (_, j) => f16ToF32((words[j >> 1] >>> (16 * (j & 1))) & 0xffff));
}

const EDGES = [0, -0, 1, -1, 65504, -65504, 65519.99, 65520, 65536, 1e6, -1e6, Infinity, -Infinity, NaN,
  2 ** -14, 2 ** -24, 2 ** -25, 2 ** -25 * 1.0001, 3 * 2 ** -25, 2 ** -26, 1e-10, 6.1e-5, 1 + 2 ** -11, 1 + 3 * 2 ** -11,
  1 + 2 ** -11 + 2 ** -20, 2049, 2051, 0.1, 1 / 3, -2.5e-6];

describeEachCpuBackend('packF16 and causalAttentionF16', (k) => {
  for (const placement of PLACEMENTS) {
    it(`packF16 equals an independent float→binary16 encoder bit for bit (${placement} arrays)`, () => {
      const rng = new Rng(7);
      const random = Array.from({ length: 4000 }, () => (rng.uniform() < 0.5 ? -1 : 1) * 2 ** (rng.uniform() * 44 - 28) * (1 + rng.uniform()));
      const x = Float32Array.from([...EDGES, ...random]);
      const n = x.length - (x.length % 2);
      const out = new Int32Array(n / 2 + 2).fill(0x5a5a5a5a);
      const { after } = runPlaced(k, placement, [x, out] as const, (xx, oo) => k.packF16(xx, oo, n));
      const want = packed(x.subarray(0, n));
      for (let j = 0; j < n; j++) {
        const got = (after[1][j >> 1] >>> (16 * (j & 1))) & 0xffff, w = (want[j >> 1] >>> (16 * (j & 1))) & 0xffff;
        const nan = Number.isNaN(x[j]) && (got & 0x7c00) === 0x7c00 && (got & 0x3ff) !== 0;
        if (got !== w && !nan) throw new Error(`x[${j}] = ${x[j]}: bits ${got.toString(16)}, encoder ${w.toString(16)}`);
      }
      expect(Array.from(after[1].subarray(n / 2))).toEqual([0x5a5a5a5a, 0x5a5a5a5a]); // nothing past out
      expect(after[0]).toEqual(x);
    });
  }

  const shape = fc.record({
    nKv: fc.integer({ min: 1, max: 3 }), group: fc.integer({ min: 1, max: 3 }),
    d: fc.constantFrom(1, 3, 4, 5, 8, 9, 16, 17, 33, 64), pos0: fc.constantFrom(0, 1, 7, 63, 64, 65, 100, 150),
    n: fc.integer({ min: 1, max: 24 }), pad: fc.integer({ min: 0, max: 3 }), seed: fc.nat(),
  });

  for (const placement of PLACEMENTS) {
    it(`causalAttentionF16 equals causalAttention on the widened cache (${placement} arrays)`, () => {
      fc.assert(fc.property(shape, ({ nKv, group, d, pos0, n, pad, seed }) => {
        const nHeads = nKv * group;
        const stride = nKv * d + pad;
        const len = pos0 + n;
        const K16 = packed(uniforms(len * stride, seed + 1, -2, 2)), V16 = packed(uniforms(len * stride, seed + 2, -2, 2));
        const K = widened(K16, len * stride), V = widened(V16, len * stride);
        const Q = uniforms(n * nHeads * d, seed + 3, -2, 2);
        const scale = 1 / Math.sqrt(d);
        const rows = n * nHeads * d;
        const out = new Float32Array(rows + 2).fill(9);
        const scratch = new Float32Array(causalAttentionF16ScratchLength(n, nHeads, d));
        const { after } = runPlaced(k, placement, [Q, K16, V16, out, scratch] as const,
          (qq, KK, VV, oo, ss) => k.causalAttentionF16(qq, KK, VV, pos0, n, d, stride, nHeads, group, scale, oo, ss));
        expect([after[0], after[1], after[2]]).toEqual([Q, K16, V16]); // inputs read-only
        expect(Array.from(after[3].subarray(rows))).toEqual([9, 9]); // nothing past out
        const want = new Float32Array(rows);
        k.causalAttention(Q, K, V, pos0, n, d, stride, nHeads, group, scale, want, new Float32Array(causalAttentionScratchLength(n, nHeads)));
        for (let j = 0; j < rows; j++) {
          // |V| ≤ 2 and the weights sum to 1: an absolute tolerance.
          if (!(Math.abs(after[3][j] - want[j]) <= 4e-5)) throw new Error(`out[${j}] = ${after[3][j]}, float32 cache ${want[j]}`);
        }
      }), { numRuns: 40 });
    });
  }

  it('causalAttentionF16: Infinity and NaN in the cache propagate as in float32', () => {
    // One head, d = 8, 3 cached rows; V row 1 holds Infinity, then NaN.
    const d = 8, len = 3;
    const K = uniforms(len * d, 3, -1, 1), Q = uniforms(d, 4, -1, 1);
    for (const bad of [Infinity, NaN]) {
      const V = uniforms(len * d, 5, -1, 1);
      V[d + 2] = bad;
      const out = new Float32Array(d), want = new Float32Array(d);
      k.causalAttentionF16(Q, packed(K), packed(V), len - 1, 1, d, d, 1, 1, 0.5, out, new Float32Array(causalAttentionF16ScratchLength(1, 1, d)));
      k.causalAttention(Q, widened(packed(K), len * d), widened(packed(V), len * d), len - 1, 1, d, d, 1, 1, 0.5, want,
        new Float32Array(causalAttentionScratchLength(1, 1)));
      expect(Number.isNaN(out[2]) || out[2] === Infinity).toBe(true);
      expect(Object.is(out[2], want[2]) || (Number.isNaN(out[2]) && Number.isNaN(want[2]))).toBe(true);
      for (const j of [0, 1, 3, 4, 5, 6, 7]) expect(Math.abs(out[j] - want[j])).toBeLessThanOrEqual(1e-5);
    }
  });

  it('rejects bad input with BAD_ARGUMENT naming the argument', () => {
    // 2 rows at pos0 = 1, 4 heads, group 2 → 2 KV heads of d = 3: stride ≥ 6; K/V span 2·6 + 6 = 18 values = 9 words.
    const Q = new Float32Array(24), K = new Int32Array(9), V = new Int32Array(9), out = new Float32Array(24);
    const scratch = new Float32Array(causalAttentionF16ScratchLength(2, 4, 3));
    const call = (o: Partial<Record<string, unknown>>) => () => k.causalAttentionF16(
      (o.Q ?? Q) as Float32Array, (o.K ?? K) as Int32Array, (o.V ?? V) as Int32Array, (o.pos0 ?? 1) as number,
      (o.n ?? 2) as number, (o.d ?? 3) as number, (o.stride ?? 6) as number, (o.nHeads ?? 4) as number,
      (o.group ?? 2) as number, (o.scale ?? 1) as number, (o.out ?? out) as Float32Array, (o.scratch ?? scratch) as Float32Array);
    expect(call({})).not.toThrow();
    expectBadArgument(call({ Q: new Float32Array(23) }), 'Q');
    expectBadArgument(call({ K: new Int32Array(8) }), 'K');
    expectBadArgument(call({ V: new Int32Array(8) }), 'V');
    expectBadArgument(call({ K: new Float32Array(9) }), 'K');
    expectBadArgument(call({ out: new Float32Array(23) }), 'out');
    expectBadArgument(call({ scratch: new Float32Array(causalAttentionF16ScratchLength(2, 4, 3) - 1) }), 'scratch');
    expectBadArgument(call({ pos0: 2 }), 'K'); // 3 rows needed
    expectBadArgument(call({ n: 0 }), 'n');
    expectBadArgument(call({ stride: 5 }), 'stride');
    expectBadArgument(call({ group: 3 }), 'group');
    expectBadArgument(call({ scale: NaN }), 'scale');
    const x = new Float32Array(4), w = new Int32Array(2);
    expect(() => k.packF16(x, w, 4)).not.toThrow();
    expectBadArgument(() => k.packF16(x, w, 3), 'n'); // odd
    expectBadArgument(() => k.packF16(x, new Int32Array(1), 4), 'out');
    expectBadArgument(() => k.packF16(new Float32Array(3), w, 4), 'x');
  });
});

/**
 * causalAttention (a block of query rows against a causal K/V cache, GQA) on every backend:
 * each (row, head) close to an independent float64 formula written here (softmax over tokens
 * 0..pos0+i, KV head ⌊h/group⌋ at column offset g·d) and to the same backend's
 * selectiveAttentionHeads over that row's tokens — the decode path the prefill must agree with;
 * random sizes that cross the wasm kernel's 64-key tiles (pos0 up to 150) with SIMD tails in d,
 * strides wider than nKv·d (pad columns never read); nothing written past out; inputs untouched;
 * bad input rejected naming the argument.
 */
import { expect, it } from 'vitest';
import fc from 'fast-check';
import { describeEachCpuBackend } from '../_harness/each-backend.js';
import { uniforms } from '../_harness/arbitraries.js';
import { expectBadArgument } from '../_harness/bad-input.js';
import { PLACEMENTS, runPlaced } from '../_harness/placement.js';
import { causalAttentionScratchLength } from '../../src/kernels/causal-attention-scratch.js';

/** Row i, head h: Σ_{t ≤ pos0+i} softmax(scale·q·k_t) v_t in float64, from the formula. */
function oracle(Q: Float32Array, K: Float32Array, V: Float32Array, pos0: number, i: number, h: number, d: number,
  stride: number, nHeads: number, group: number, scale: number): number[] {
  const g = Math.floor(h / group);
  const q = (i * nHeads + h) * d;
  const s = Array.from({ length: pos0 + i + 1 }, (_, t) => {
    let a = 0;
    for (let u = 0; u < d; u++) a += Q[q + u] * K[t * stride + g * d + u];
    return a * scale;
  });
  const max = Math.max(...s);
  const p = s.map((v) => Math.exp(v - max));
  const z = p.reduce((a, b) => a + b, 0);
  const out = new Array(d).fill(0);
  p.forEach((w, t) => { for (let u = 0; u < d; u++) out[u] += (w / z) * V[t * stride + g * d + u]; });
  return out;
}

describeEachCpuBackend('causalAttention', (k) => {
  const shape = fc.record({
    nKv: fc.integer({ min: 1, max: 3 }), group: fc.integer({ min: 1, max: 3 }),
    d: fc.constantFrom(1, 3, 4, 5, 8, 16, 17, 33, 64), pos0: fc.constantFrom(0, 1, 7, 63, 64, 65, 100, 150),
    n: fc.integer({ min: 1, max: 40 }), pad: fc.integer({ min: 0, max: 3 }), seed: fc.nat(),
  });

  for (const placement of PLACEMENTS) {
    it(`each row and head: the float64 formula and selectiveAttentionHeads over its tokens (${placement} arrays)`, () => {
      fc.assert(fc.property(shape, ({ nKv, group, d, pos0, n, pad, seed }) => {
        const nHeads = nKv * group;
        const stride = nKv * d + pad;
        const len = pos0 + n;
        const K = uniforms(len * stride, seed + 1, -2, 2), V = uniforms(len * stride, seed + 2, -2, 2);
        const Q = uniforms(n * nHeads * d, seed + 3, -2, 2);
        const scale = 1 / Math.sqrt(d);
        const rows = n * nHeads * d;
        const out = new Float32Array(rows + 2).fill(9);
        const scratch = new Float32Array(causalAttentionScratchLength(n, nHeads));
        const { after } = runPlaced(k, placement, [Q, K, V, out, scratch] as const,
          (qq, KK, VV, oo, ss) => k.causalAttention(qq, KK, VV, pos0, n, d, stride, nHeads, group, scale, oo, ss));
        expect([after[0], after[1], after[2]]).toEqual([Q, K, V]); // inputs read-only
        expect(Array.from(after[3].subarray(rows))).toEqual([9, 9]); // nothing past out
        const idx = Int32Array.from({ length: len }, (_, t) => t);
        const one = new Float32Array(nHeads * d), lse = new Float32Array(nHeads);
        for (let i = 0; i < n; i++) {
          k.selectiveAttentionHeads(Q.subarray(i * nHeads * d, (i + 1) * nHeads * d), K, V, idx, pos0 + i + 1, len, d, stride,
            nHeads, group, scale, one, lse);
          for (let h = 0; h < nHeads; h++) {
            const want = oracle(Q, K, V, pos0, i, h, d, stride, nHeads, group, scale);
            for (let u = 0; u < d; u++) {
              const got = after[3][(i * nHeads + h) * d + u];
              // |V| ≤ 2 and the weights sum to 1: absolute tolerances.
              if (!(Math.abs(got - want[u]) <= 4e-5)) throw new Error(`row ${i} head ${h} out[${u}] = ${got}, formula ${want[u]}`);
              if (!(Math.abs(got - one[h * d + u]) <= 4e-5)) throw new Error(`row ${i} head ${h} out[${u}] = ${got}, selectiveAttentionHeads ${one[h * d + u]}`);
            }
          }
        }
      }), { numRuns: 40 });
    });
  }

  it('rejects bad input with BAD_ARGUMENT naming the argument', () => {
    // 2 rows at pos0 = 1, 4 heads, group 2 → 2 KV heads of d = 3: stride ≥ 6; K/V span 2·stride + 6.
    const Q = new Float32Array(24), K = new Float32Array(18), V = new Float32Array(18), out = new Float32Array(24);
    const scratch = new Float32Array(causalAttentionScratchLength(2, 4));
    const call = (o: Partial<Record<string, unknown>>) => () => k.causalAttention(
      (o.Q ?? Q) as Float32Array, (o.K ?? K) as Float32Array, (o.V ?? V) as Float32Array, (o.pos0 ?? 1) as number,
      (o.n ?? 2) as number, (o.d ?? 3) as number, (o.stride ?? 6) as number, (o.nHeads ?? 4) as number,
      (o.group ?? 2) as number, (o.scale ?? 1) as number, (o.out ?? out) as Float32Array, (o.scratch ?? scratch) as Float32Array);
    expect(call({})).not.toThrow();
    expectBadArgument(call({ Q: new Float32Array(23) }), 'Q');
    expectBadArgument(call({ K: new Float32Array(17) }), 'K');
    expectBadArgument(call({ V: new Float32Array(17) }), 'V');
    expectBadArgument(call({ out: new Float32Array(23) }), 'out');
    expectBadArgument(call({ out: Q }), 'out'); // aliases Q
    expectBadArgument(call({ scratch: new Float32Array(10) }), 'scratch');
    expectBadArgument(call({ pos0: 2 }), 'K'); // 3 rows needed
    expectBadArgument(call({ pos0: -1 }), 'pos0');
    expectBadArgument(call({ n: 0 }), 'n');
    expectBadArgument(call({ stride: 5 }), 'stride');
    expectBadArgument(call({ group: 3 }), 'group'); // does not divide 4
    expectBadArgument(call({ group: 0 }), 'group');
    expectBadArgument(call({ nHeads: 0 }), 'nHeads');
    expectBadArgument(call({ d: 1.5 }), 'd');
    expectBadArgument(call({ scale: NaN }), 'scale');
  });
});

/**
 * selectiveAttentionHeads (every query head of a decode step in one call, GQA included) on
 * every backend: per head exactly what the same backend's selectiveAttention computes for that
 * head (out bit for bit, lse = its return value rounded to float32), and close to an
 * independent float64 oracle written here from the formula (softmax over the listed rows, KV
 * head ⌊h/group⌋ at column offset g·d); random nHeads 1..8, group 1..4, count 0..70 with
 * repeated indices, stride wider than nKv·d; nothing written past nHeads·d / nHeads; inputs
 * untouched; bad input rejected naming the argument.
 */
import { expect, it } from 'vitest';
import fc from 'fast-check';
import { describeEachCpuBackend } from '../_harness/each-backend.js';
import { describeEachBackend } from '../_harness/every-backend.js';
import { uniforms } from '../_harness/arbitraries.js';
import { expectBadArgumentAsync } from '../_harness/bad-input.js';
import { PLACEMENTS, runPlaced } from '../_harness/placement.js';
import { Rng } from '../../src/core/rng.js';

/** The formula in float64: head h's output (d) and log Σ exp, from scratch. */
function oracle(q: Float32Array, K: Float32Array, V: Float32Array, idx: Int32Array, count: number, d: number,
  stride: number, h: number, group: number, scale: number): { out: number[]; lse: number } {
  const g = Math.floor(h / group);
  const s = Array.from(idx.subarray(0, count), (t) => {
    let a = 0;
    for (let u = 0; u < d; u++) a += q[h * d + u] * K[t * stride + g * d + u];
    return a * scale;
  });
  const out = new Array(d).fill(0);
  if (count === 0) return { out, lse: -Infinity };
  const max = Math.max(...s);
  const p = s.map((v) => Math.exp(v - max));
  const z = p.reduce((a, b) => a + b, 0);
  p.forEach((w, c) => { for (let u = 0; u < d; u++) out[u] += (w / z) * V[idx[c] * stride + g * d + u]; });
  return { out, lse: max + Math.log(z) };
}

describeEachCpuBackend('selectiveAttentionHeads', (k) => {
  const shape = fc.record({
    nHeads: fc.integer({ min: 1, max: 8 }), group: fc.integer({ min: 1, max: 4 }), d: fc.integer({ min: 1, max: 40 }),
    rows: fc.integer({ min: 1, max: 50 }), count: fc.integer({ min: 0, max: 70 }), pad: fc.integer({ min: 1, max: 5 }),
    seed: fc.nat(),
  });

  for (const placement of PLACEMENTS) {
    it(`per head equals selectiveAttention and the float64 formula (${placement} arrays; GQA, repeats)`, () => {
      fc.assert(fc.property(shape, ({ nHeads, group, d, rows, count, pad, seed }) => {
        const nKv = Math.ceil(nHeads / group);
        const stride = nKv * d + pad; // wider than the KV heads: the pad columns must never be read
        const rng = new Rng(seed);
        const K = uniforms(rows * stride, seed + 1, -1, 1), V = uniforms(rows * stride, seed + 2, -2, 2);
        const q = uniforms(nHeads * d, seed + 3, -3, 3);
        const idx = Int32Array.from({ length: count }, () => rng.int(Math.min(rows, 1 + rng.int(rows)))); // repeats
        const scale = 1 / Math.sqrt(d);
        const out = new Float32Array(nHeads * d + 2).fill(9), lse = new Float32Array(nHeads + 1).fill(9);
        const { after } = runPlaced(k, placement, [q, K, V, idx, out, lse] as const,
          (qq, KK, VV, ii, oo, ll) => k.selectiveAttentionHeads(qq, KK, VV, ii, count, rows, d, stride, nHeads, group, scale, oo, ll));
        expect([after[0], after[1], after[2], after[3]]).toEqual([q, K, V, idx]); // inputs read-only
        expect(Array.from(after[4].subarray(nHeads * d))).toEqual([9, 9]); // nothing past nHeads·d
        expect(after[5][nHeads]).toBe(9); // nothing past nHeads
        for (let h = 0; h < nHeads; h++) {
          const g = Math.floor(h / group);
          const one = new Float32Array(d);
          const l = k.selectiveAttention(q.subarray(h * d, (h + 1) * d), K.subarray(g * d), V.subarray(g * d), idx, count,
            rows, d, stride, scale, one);
          expect(Array.from(after[4].subarray(h * d, (h + 1) * d))).toEqual(Array.from(one));
          expect(after[5][h]).toBe(Math.fround(l));
          const want = oracle(q, K, V, idx, count, d, stride, h, group, scale);
          if (count === 0) expect(after[5][h]).toBe(-Infinity);
          else expect(Math.abs(after[5][h] - want.lse)).toBeLessThanOrEqual(1e-5 * (1 + Math.abs(want.lse)));
          for (let t = 0; t < d; t++) {
            if (!(Math.abs(after[4][h * d + t] - want.out[t]) <= 4e-5 + 1e-6)) { // |V| ≤ 2, weights sum to 1
              throw new Error(`head ${h} out[${t}] = ${after[4][h * d + t]}, formula ${want.out[t]}`);
            }
          }
        }
      }), { numRuns: 60 });
    });
  }
});

describeEachBackend('selectiveAttentionHeads: bad input', (k) => {
  it('rejects bad input with BAD_ARGUMENT naming the argument', async () => {
    // 4 heads, group 2 → 2 KV heads of d = 3: stride ≥ 6; K/V span (rows−1)·stride + 6.
    const q = new Float32Array(12), K = new Float32Array(18), V = new Float32Array(18), idx = Int32Array.of(0, 2, 1);
    const out = new Float32Array(12), lse = new Float32Array(4);
    const call = (o: Partial<Record<string, unknown>>) => () => k.selectiveAttentionHeads(
      (o.q ?? q) as Float32Array, (o.K ?? K) as Float32Array, (o.V ?? V) as Float32Array, (o.idx ?? idx) as Int32Array,
      (o.count ?? 3) as number, (o.rows ?? 3) as number, (o.d ?? 3) as number, (o.stride ?? 6) as number,
      (o.nHeads ?? 4) as number, (o.group ?? 2) as number, (o.scale ?? 1) as number, (o.out ?? out) as Float32Array,
      (o.lse ?? lse) as Float32Array);
    await call({})(); // the valid call
    await expectBadArgumentAsync(call({ q: new Float32Array(11) }), 'q');
    await expectBadArgumentAsync(call({ K: new Float32Array(17) }), 'K');
    await expectBadArgumentAsync(call({ V: new Float32Array(17) }), 'V');
    await expectBadArgumentAsync(call({ out: new Float32Array(11) }), 'out');
    await expectBadArgumentAsync(call({ lse: new Float32Array(3) }), 'lse');
    await expectBadArgumentAsync(call({ lse: new Int32Array(4) }), 'lse');
    await expectBadArgumentAsync(call({ idx: Int32Array.of(0, 3, 1) }), 'idx'); // row 3 of 3
    await expectBadArgumentAsync(call({ idx: Int32Array.of(0, -1, 1) }), 'idx');
    await expectBadArgumentAsync(call({ idx: Int32Array.of(0, 1) }), 'idx'); // shorter than count
    await expectBadArgumentAsync(call({ stride: 5 }), 'stride'); // the 2 KV heads need 6 columns
    await expectBadArgumentAsync(call({ group: 1 }), 'stride'); // 4 KV heads need 12 columns
    await expectBadArgumentAsync(call({ group: 0 }), 'group');
    await expectBadArgumentAsync(call({ nHeads: -1 }), 'nHeads');
    await expectBadArgumentAsync(call({ nHeads: 5, stride: 9 }), 'q'); // 15 > 12
    await expectBadArgumentAsync(call({ count: 1.5 }), 'count');
    await expectBadArgumentAsync(call({ rows: NaN }), 'rows');
    await expectBadArgumentAsync(call({ d: 0 }), 'd');
    await expectBadArgumentAsync(call({ scale: NaN }), 'scale');
  });
});

/**
 * Calibration: the threshold rule, pooled quantiles (exact and sketch), CATS / CHESS / TEAL
 * thresholds against brute-force recomputations, the sanity identity CHESS = CATS under
 * constant a_up moments, and sparsity k hit on the calibration set.
 */
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { Rng } from '../../src/core/rng.js';
import { expectBadArgument } from '../_harness/bad-input.js';
import { thresholdRank } from '../../src/activations/order-statistic.js';
import { QuantileSketch } from '../../src/activations/quantile-sketch.js';
import { ActivationCollector } from '../../src/activations/activation-collector.js';
import { catsThresholds } from '../../src/activations/cats-thresholds.js';
import { chessThresholds } from '../../src/activations/chess-thresholds.js';
import { tealThresholds } from '../../src/activations/teal-thresholds.js';

const H = 96, D = 40;

/** Heavy-tailed gates and up activations with channel-dependent scales (rows × H). */
function activations(rows: number, seed: number, upScale?: (i: number) => number) {
  const rng = new Rng(seed);
  const gs = Float64Array.from({ length: H }, () => Math.exp(0.5 * rng.normal()));
  const us = Float64Array.from({ length: H }, (_, i) => (upScale ? upScale(i) : Math.exp(0.8 * rng.normal())));
  const gate = new Float32Array(rows * H), up = new Float32Array(rows * H), x = new Float32Array(rows * D);
  for (let r = 0; r < rows; r++) {
    for (let i = 0; i < H; i++) {
      const z = gs[i] * rng.normal() / Math.sqrt(rng.gamma(2, 2) / 4);
      gate[r * H + i] = z / (1 + Math.exp(-z));
      up[r * H + i] = us[i] * rng.normal();
    }
    for (let j = 0; j < D; j++) x[r * D + j] = rng.normal() * (j === 3 ? 30 : 1);
  }
  return { gate, up, x };
}

function collect(rows: number, seed: number, mode: 'exact' | 'sketch', upScale?: (i: number) => number) {
  const a = activations(rows, seed, upScale);
  const c = new ActivationCollector({ nLayers: 2, dim: D, hiddenDim: H }, { quantile: mode });
  const feed = (pass: number) => {
    for (let l = 0; l < 2; l++) {
      // Layer 0 gets all rows at once, layer 1 one row at a time: both paths must agree.
      if (l === 0) {
        c.observe(0, 'aGate', a.gate, rows);
        if (pass === 0) { c.observe(0, 'aUp', a.up, rows); c.observe(0, 'attnInput', a.x, rows); c.observe(0, 'oProjInput', a.x, rows); c.observe(0, 'ffnInput', a.x, rows); c.observe(0, 'downInput', a.gate, rows); }
      } else {
        for (let r = 0; r < rows; r++) {
          c.observe(1, 'aGate', a.gate.subarray(r * H, (r + 1) * H));
          if (pass === 0) {
            c.observe(1, 'aUp', a.up.subarray(r * H, (r + 1) * H));
            for (const kind of ['attnInput', 'oProjInput', 'ffnInput'] as const) c.observe(1, kind, a.x.subarray(r * D, (r + 1) * D));
            c.observe(1, 'downInput', a.gate.subarray(r * H, (r + 1) * H));
          }
        }
      }
    }
  };
  feed(0);
  if (c.passesNeeded === 2) { c.endPass(); feed(1); }
  return { stats: c.finish(), ...a };
}

/** Fraction of (row, channel) cells with |g| < t_channel. */
function zeroFraction(g: Float32Array, t: ArrayLike<number>, width: number): number {
  let z = 0;
  for (let i = 0; i < g.length; i++) if (Math.abs(g[i]) < t[i % width]) z++;
  return z / g.length;
}

describe('threshold rule', () => {
  it('rank ⌈k·n⌉ (0-based), −1 for k = 0', () => {
    expect(thresholdRank(10, 0)).toBe(-1);
    expect(thresholdRank(10, 0.5)).toBe(5);
    expect(thresholdRank(10, 0.3)).toBe(3); // 0.3·10 = 3.0000000000000004 must not round up
    expect(thresholdRank(10, 0.31)).toBe(4);
    expect(thresholdRank(10, 0.99)).toBe(9);
    expectBadArgument(() => thresholdRank(10, 1), 'sparsity');
    expectBadArgument(() => thresholdRank(10, -0.1), 'sparsity');
    expectBadArgument(() => thresholdRank(10, NaN), 'sparsity');
  });
});

describe('pooled quantiles', () => {
  it('CATS threshold is the order statistic of rank ⌈k·N⌉ of all |a_gate| (brute force)', () => {
    const { stats, gate } = collect(300, 1, 'exact');
    const sorted = Float64Array.from(gate, Math.abs).sort();
    for (const k of [0.1, 0.3, 0.5, 0.7, 0.9]) {
      const t = catsThresholds(stats, k).layers[0].aGate!;
      expect(t[0]).toBe(sorted[Math.ceil(k * sorted.length - 1e-9)]);
      expect(t.every((v) => v === t[0])).toBe(true);
    }
  });

  it('CHESS sq/abs thresholds equal √(τ/E[a_up²]) and τ/E|a_up| with τ the pooled importance quantile (brute force)', () => {
    const rows = 200;
    const { stats, gate, up } = collect(rows, 2, 'exact');
    const m2 = new Float64Array(H), m1 = new Float64Array(H);
    for (let r = 0; r < rows; r++) for (let i = 0; i < H; i++) { const u = up[r * H + i]; m2[i] += u * u / rows; m1[i] += Math.abs(u) / rows; }
    const impSq = Float64Array.from(gate, (g, j) => g * g * m2[j % H]).sort();
    const impAbs = Float64Array.from(gate, (g, j) => Math.abs(g) * m1[j % H]).sort();
    const k = 0.6, m = Math.ceil(k * gate.length);
    const sq = chessThresholds(stats, k, { variant: 'sq' }).layers[0].aGate!;
    const ab = chessThresholds(stats, k, { variant: 'abs' }).layers[0].aGate!;
    for (let i = 0; i < H; i++) {
      expect(sq[i]).toBeCloseTo(Math.sqrt(impSq[m] / m2[i]), 12);
      expect(ab[i]).toBeCloseTo(impAbs[m] / m1[i], 12);
    }
    // Channel-wise: sparsity differs across channels (heterogeneous E[a_up²]).
    expect(Math.max(...sq) / Math.min(...sq)).toBeGreaterThan(3);
  });

  it('with constant E[a_up²] (and E|a_up|) CHESS thresholds equal the CATS threshold', () => {
    // a_up_i = ±c exactly: E[a_up²] = c² and E|a_up| = c for every channel.
    const rows = 150;
    const a = activations(rows, 3);
    const rng = new Rng(4);
    const up = Float32Array.from(a.up, () => (rng.uniform() < 0.5 ? -1.25 : 1.25));
    const c = new ActivationCollector({ nLayers: 1, dim: D, hiddenDim: H });
    c.observe(0, 'aGate', a.gate, rows);
    c.observe(0, 'aUp', up, rows);
    const stats = c.finish();
    for (const k of [0.25, 0.5, 0.8]) {
      const cats = catsThresholds(stats, k).layers[0].aGate![0];
      for (const variant of ['sq', 'abs'] as const) {
        for (const t of chessThresholds(stats, k, { variant }).layers[0].aGate!) expect(t).toBeCloseTo(cats, 12);
      }
    }
  });

  it('every method hits sparsity k on the calibration set within 0.5% (exact mode)', () => {
    const { stats, gate, x } = collect(400, 5, 'exact');
    for (const k of [0.3, 0.5, 0.7]) {
      for (const th of [catsThresholds(stats, k), chessThresholds(stats, k, { variant: 'sq' }), chessThresholds(stats, k, { variant: 'abs' })]) {
        for (let l = 0; l < 2; l++) expect(Math.abs(zeroFraction(gate, th.layers[l].aGate!, H) - k)).toBeLessThan(0.005);
        if (th.metadata.method === 'cats') continue;
        for (const p of ['q', 'o'] as const) expect(Math.abs(zeroFraction(x, [th.layers[1].inputs![p]!], 1) - k)).toBeLessThan(0.005);
      }
      const teal = tealThresholds(stats, k).layers[1].inputs!;
      for (const p of ['q', 'k', 'v', 'o', 'gate', 'up'] as const) expect(Math.abs(zeroFraction(x, [teal[p]!], 1) - k)).toBeLessThan(0.005);
      expect(Math.abs(zeroFraction(gate, [teal.down!], 1) - k)).toBeLessThan(0.005);
    }
  });

  it('sketch mode needs two passes for CHESS and lands within its accuracy of the exact thresholds', () => {
    const exact = collect(300, 6, 'exact');
    const sketch = collect(300, 6, 'sketch');
    for (const k of [0.3, 0.5, 0.7]) {
      const te = catsThresholds(exact.stats, k).layers[0].aGate![0];
      const ts = catsThresholds(sketch.stats, k).layers[0].aGate![0];
      expect(Math.abs(ts - te)).toBeLessThanOrEqual(0.005 * te * 1.0000001);
      const ce = chessThresholds(exact.stats, k).layers[1].aGate!;
      const cs = chessThresholds(sketch.stats, k).layers[1].aGate!;
      // τ has relative error ≤ α, so √(τ/m) has ≤ ~α/2.
      for (let i = 0; i < H; i++) expect(Math.abs(cs[i] - ce[i])).toBeLessThanOrEqual(0.005 * ce[i]);
      expect(Math.abs(zeroFraction(sketch.gate, cs, H) - k)).toBeLessThan(0.01);
    }
  });

  it('k = 0 gives thresholds 0 for every method', () => {
    const { stats } = collect(50, 7, 'exact');
    expect(catsThresholds(stats, 0).layers[0].aGate!.every((t) => t === 0)).toBe(true);
    expect(chessThresholds(stats, 0).layers[1].aGate!.every((t) => t === 0)).toBe(true);
    expect(Object.values(tealThresholds(stats, 0).layers[0].inputs!).every((t) => t === 0)).toBe(true);
  });

  it('a channel whose a_up is always 0 gets threshold ∞ (never computed)', () => {
    const a = activations(40, 8, (i) => (i === 5 ? 0 : 1));
    const c = new ActivationCollector({ nLayers: 1, dim: D, hiddenDim: H });
    c.observe(0, 'aGate', a.gate, 40); c.observe(0, 'aUp', a.up, 40);
    const t = chessThresholds(c.finish(), 0.5).layers[0].aGate!;
    expect(t[5]).toBe(Infinity);
    expect(t.filter((v) => v === Infinity).length).toBe(1);
  });
});

describe('QuantileSketch', () => {
  it('every order statistic is within relative accuracy α of the exact one', () => {
    fc.assert(fc.property(fc.nat(), fc.constantFrom(0.001, 0.005, 0.02), fc.integer({ min: 1, max: 3000 }), (seed, alpha, n) => {
      const rng = new Rng(seed);
      const v = Float64Array.from({ length: n }, () => (rng.uniform() < 0.05 ? 0 : Math.exp(3 * rng.normal())));
      // Enough buckets for the whole range (e^±15 here), so no bucket is merged.
      const s = new QuantileSketch({ relativeAccuracy: alpha, maxBuckets: 1 << 16 });
      for (const x of v) s.add(x);
      const sorted = v.slice().sort();
      for (let m = 0; m < n; m += Math.max(1, n >> 6)) {
        const got = s.valueAtRank(m);
        if (Math.abs(got - sorted[m]) > alpha * sorted[m] * (1 + 1e-12)) throw new Error(`rank ${m}: ${got} vs ${sorted[m]}`);
      }
    }), { numRuns: 40 });
  });

  it('memory stays bounded: at most maxBuckets over a value range of 1e-30..1e30', () => {
    const s = new QuantileSketch({ relativeAccuracy: 0.005, maxBuckets: 512 });
    const rng = new Rng(9);
    for (let i = 0; i < 200_000; i++) s.add(Math.exp(138 * (rng.uniform() - 0.5)));
    expect(s.bucketCount).toBeLessThanOrEqual(512);
    expect(s.bytes).toBeLessThanOrEqual(512 * 8);
    expect(new QuantileSketch({ maxBuckets: 16 }).bytes).toBe(16 * 8);
    expect(s.count).toBe(200_000);
    // Only the lowest ranks lose accuracy: the top 512 buckets (a factor γ^512 = e^5.1 below the
    // maximum) are intact, so ranks whose values lie there keep relative accuracy α.
    const exact = new QuantileSketch({ relativeAccuracy: 0.005, maxBuckets: 1 << 16 });
    const rng2 = new Rng(9);
    for (let i = 0; i < 200_000; i++) exact.add(Math.exp(138 * (rng2.uniform() - 0.5)));
    for (const m of [199_999, 199_000, 195_000]) expect(s.valueAtRank(m)).toBe(exact.valueAtRank(m));
  });

  it('merging two sketches equals sketching the union', () => {
    const rng = new Rng(10);
    const a = new QuantileSketch(), b = new QuantileSketch(), u = new QuantileSketch();
    for (let i = 0; i < 5000; i++) { const v = Math.exp(rng.normal()); (i % 2 ? a : b).add(v); u.add(v); }
    a.merge(b);
    for (const m of [0, 100, 2500, 4999]) expect(a.valueAtRank(m)).toBe(u.valueAtRank(m));
  });

  it('rejects bad values and options', () => {
    const s = new QuantileSketch();
    expectBadArgument(() => s.add(-1), 'sketch');
    expectBadArgument(() => s.add(NaN), 'sketch');
    expectBadArgument(() => s.valueAtRank(0), 'sketch');
    expectBadArgument(() => new QuantileSketch({ relativeAccuracy: 0 }), 'relativeAccuracy');
    expectBadArgument(() => new QuantileSketch({ maxBuckets: 2 }), 'maxBuckets');
  });
});

describe('ActivationCollector bad input', () => {
  const shape = { nLayers: 2, dim: 4, hiddenDim: 6 };
  it('names the bad argument', () => {
    const c = new ActivationCollector(shape);
    expectBadArgument(() => c.observe(2, 'aGate', new Float32Array(6)), 'layer');
    expectBadArgument(() => c.observe(0, 'aGate', new Float32Array(5)), 'aGate');
    expectBadArgument(() => c.observe(0, 'aGate', new Float32Array(6), 0), 'rows');
    expectBadArgument(() => c.observe(0, 'ffnInput', Float32Array.of(1, NaN, 2, 3)), 'ffnInput');
    expectBadArgument(() => c.observe(0, 'aUp', Float32Array.of(1, 2, 3, 4, 5, Infinity)), 'aUp');
    expectBadArgument(() => new ActivationCollector({ ...shape, hiddenDim: 0 }), 'hiddenDim');
    expectBadArgument(() => new ActivationCollector(shape, { quantile: 'fast' as never }), 'quantile');
  });
  it('refuses CHESS without a_up, mismatched rows, and a missing second sketch pass', () => {
    const c = new ActivationCollector(shape);
    c.observe(0, 'aGate', new Float32Array(6));
    expectBadArgument(() => c.finish(), 'aUp');
    const d = new ActivationCollector({ ...shape, nLayers: 1 });
    d.observe(0, 'aGate', new Float32Array(12), 2); d.observe(0, 'aUp', new Float32Array(6));
    expectBadArgument(() => d.finish(), 'aUp');
    const s = new ActivationCollector({ ...shape, nLayers: 1 }, { quantile: 'sketch' });
    s.observe(0, 'aGate', new Float32Array(6)); s.observe(0, 'aUp', new Float32Array(6));
    expectBadArgument(() => s.finish(), 'endPass');
    const e = new ActivationCollector({ ...shape, nLayers: 1 }, { chess: false });
    e.observe(0, 'aGate', new Float32Array(6).fill(1));
    const st = e.finish();
    expectBadArgument(() => e.finish(), 'finish');
    expectBadArgument(() => chessThresholds(st, 0.5), 'CHESS');
    expectBadArgument(() => catsThresholds(st, 1), 'sparsity');
    expectBadArgument(() => st.magnitudeThreshold(0, 'attnInput', 0.5), 'attnInput');
  });
});

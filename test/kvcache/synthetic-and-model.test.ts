/**
 * The synthetic generator (determinism, the spec's ingredients, validation), the calibration
 * pipeline, the throughput model (closed form on a hand-sized example, monotonicity,
 * validation) and a tiny end-to-end synthetic evaluation (full attention is exact; the oracle
 * bounds everyone's recall; realized budgets are equal across methods).
 */
import { describe, expect, it } from 'vitest';
import { createKernels } from '../../src/backends/create-kernels.js';
import { SyntheticAttention } from '../../src/kvcache/synthetic/generator.js';
import { syntheticConfig } from '../../src/kvcache/synthetic/config.js';
import { KvCalibration } from '../../src/kvcache/calibration.js';
import { evaluateSynthetic } from '../../src/kvcache/eval/synthetic-eval.js';
import { predictThroughput, a2atsStep, baselineStep, type ThroughputModelShape, type TierSpec, type A2atsWorkload } from '../../src/kvcache/throughput-model.js';
import { expectBadArgument } from '../_harness/bad-input.js';

const kernels = await createKernels({ backend: 'wasm' });

describe('synthetic generator', () => {
  const gen = new SyntheticAttention({ headDim: 16, nKvHeads: 2, groupSize: 2, needles: 3, spanMean: 20 });

  it('is deterministic in the seeds and has the documented layout', () => {
    const a = gen.sequence(300, 5), b = new SyntheticAttention({ headDim: 16, nKvHeads: 2, groupSize: 2, needles: 3, spanMean: 20 }).sequence(300, 5);
    expect(a.keysPre.length).toBe(2 * 300 * 16);
    expect(Array.from(a.keysPre)).toEqual(Array.from(b.keysPre));
    expect(Array.from(a.queries(299))).toEqual(Array.from(b.queries(299)));
    expect(a.queries(299).length).toBe(2 * 2 * 16);
    expect(Array.from(gen.sequence(300, 6).keysPre)).not.toEqual(Array.from(a.keysPre));
    expect(a.needlePositions.length).toBe(3);
  });

  it('create() and sequenceAsync() (built in slices, cancellable) give exactly the synchronous data', async () => {
    const cfg = { headDim: 16, nKvHeads: 2, groupSize: 2, needles: 3, spanMean: 20 };
    const sync = new SyntheticAttention(cfg).sequence(300, 5);
    const built = await SyntheticAttention.create(cfg);
    const viaCreate = built.sequence(300, 5), viaAsync = await gen.sequenceAsync(300, 5);
    for (const s of [viaCreate, viaAsync]) {
      expect(Array.from(s.keysPre)).toEqual(Array.from(sync.keysPre));
      expect(Array.from(s.values)).toEqual(Array.from(sync.values));
      expect(Array.from(s.queries(299))).toEqual(Array.from(sync.queries(299)));
    }
    await expect(SyntheticAttention.create(cfg, { signal: AbortSignal.abort() })).rejects.toMatchObject({ code: 'ABORTED' });
    await expect(gen.sequenceAsync(300, 5, { signal: AbortSignal.abort() })).rejects.toMatchObject({ code: 'ABORTED' });
  });

  it('topics come in spans, the sink stands out, and the temperature scales queries linearly', () => {
    const s = gen.sequence(2000, 1);
    let changes = 0;
    for (let j = 1; j < 2000; j++) if (s.topic[j] !== s.topic[j - 1]) changes++;
    expect(changes).toBeGreaterThan(2000 / 20 / 4);
    expect(changes).toBeLessThan(2000 / 20 * 4);
    const norm = (j: number) => Math.hypot(...s.keysPre.subarray(j * 16, (j + 1) * 16));
    expect(norm(0)).toBeGreaterThan(norm(1));
    const hot = new SyntheticAttention({ headDim: 16, nKvHeads: 2, groupSize: 2, needles: 3, spanMean: 20, temperature: 2 * gen.config.temperature });
    const q1 = s.queries(1500), q2 = hot.sequence(2000, 1).queries(1500);
    for (let i = 0; i < q1.length; i++) expect(q2[i]).toBeCloseTo(2 * q1[i], 4);
  });

  it('rejects bad configurations and positions', () => {
    expectBadArgument(() => syntheticConfig({ headDim: 7 }), 'headDim');
    expectBadArgument(() => syntheticConfig({ temperature: 0 }), 'temperature');
    expectBadArgument(() => syntheticConfig({ recurProb: 2 }), 'recurProb');
    expectBadArgument(() => syntheticConfig({ ropePairing: 'diagonal' as never }), 'ropePairing');
    expectBadArgument(() => gen.sequence(0, 1), 'n');
    expectBadArgument(() => gen.sequence(10, 1).queries(10), 'pos');
  });
});

describe('calibration', () => {
  it('collects keys and rotated queries per (layer, KV head) and trains both kinds', async () => {
    const gen = new SyntheticAttention({ headDim: 8, nKvHeads: 2, groupSize: 2 });
    const wrope = { window: 4, distance: 50, base: gen.config.ropeBase, pairing: gen.config.ropePairing };
    const cal = new KvCalibration({ nLayers: 1, nKvHeads: 2, nHeads: 4, headDim: 8, wrope });
    const s = gen.sequence(400, 3);
    for (let h = 0; h < 2; h++) cal.addKeys(0, h, s.keysPre.subarray(h * 400 * 8, (h + 1) * 400 * 8), 400);
    for (let p = 0; p < 400; p += 10) cal.addQueries(0, s.queries(p), kernels);
    expect(cal.keyCount(0, 1)).toBe(400);
    expect(cal.queryCount(0, 0)).toBe(40 * 2);
    // H is the mean of q̃ᵀq̃ over the group's rotated queries.
    const q = s.queries(0).slice(0, 16);
    kernels.rope(q, 2, 8, 50, wrope.base, wrope.pairing);
    const one = new KvCalibration({ nLayers: 1, nKvHeads: 2, nHeads: 4, headDim: 8, wrope });
    one.addQueries(0, s.queries(0), kernels);
    const H = one.moment(0, 0);
    expect(H[1 * 8 + 2]).toBeCloseTo((q[1] * q[2] + q[9] * q[10]) / 2, 4);
    const qa = await cal.train(kernels, { size: 16, kind: 'query-aware', maxIterations: 5 });
    const pl = await cal.train(kernels, { size: 16, kind: 'plain', maxIterations: 5 });
    expect(qa.get(0, 1).queryAware).toBe(true);
    expect(pl.get(0, 1).queryAware).toBe(false);
    expect(qa.info.calibrationTokens).toBe(400);
    await expect(cal.train(kernels, { size: 500, kind: 'plain' })).rejects.toMatchObject({ code: 'BAD_ARGUMENT' });
    expectBadArgument(() => new KvCalibration({ nLayers: 1, nKvHeads: 3, nHeads: 4, headDim: 8, wrope }), 'nHeads');
    expectBadArgument(() => cal.addKeys(0, 2, new Float32Array(8), 1), 'kvHead');
  });
});

describe('throughput model', () => {
  // A hand-sized example: 1 layer, 2 heads, 1 KV head, d = 4, 1000-byte weights.
  const shape: ThroughputModelShape = { nLayers: 1, nHeads: 2, nKvHeads: 1, headDim: 4, weightBytes: 1000 };
  const tiers: TierSpec = { fastCapacity: 11000, fastBandwidth: 1000, slowCapacity: 1e9, slowBandwidth: 100, linkBandwidth: 1e9, reserve: 0 };
  const w: A2atsWorkload = { context: 100, budget: 0.1, unionFactor: 1, window: 2, sinks: 2, codebookSize: 16, fastKvBytes: 2, slowKvBytes: 4, overlap: true };

  it('matches the formulas on a hand-computed example', () => {
    // kv_seq = 2·1·1·4·100·2 = 1600 B; B_max = ⌊(11000 − 1000)/1600⌋ = 6; t = (1000 + 6·1600)/1000 = 10.6 s.
    const p = predictThroughput(shape, tiers, w);
    expect(p.baseline.perSequenceBytes).toBe(1600);
    expect(p.baseline.maxBatch).toBe(6);
    expect(p.baseline.atMax.seconds).toBeCloseTo(10.6, 12);
    // fast_seq = 100·4/8 + 2·4·4·2 = 50 + 64 = 114; books = 16·4·2 = 128; B_max = ⌊(10000 − 128)/114⌋ = 86.
    expect(p.a2ats.fastPerSequenceBytes).toBe(114);
    expect(p.a2ats.codebookBytes).toBe(128);
    expect(p.a2ats.maxBatch).toBe(86);
    // sel = 10; t_slow = 86·2·4·10·4/100 = 275.2 s ≫ t_fast = (1128 + 86·114)/1000.
    expect(p.a2ats.atMax.slowSeconds).toBeCloseTo(275.2, 9);
    expect(p.a2ats.atMax.bound).toBe('slow');
    expect(p.speedup).toBeCloseTo((86 / 275.2) / (6 / 10.6), 9);
  });

  it('more retrieved tokens (union) never speed A²ATS up; serialising tiers is never faster', () => {
    let last = Infinity;
    for (const u of [1, 1.5, 2]) {
      const t = a2atsStep(shape, tiers, { ...w, unionFactor: u }, 10).tokensPerSecond;
      expect(t).toBeLessThanOrEqual(last);
      last = t;
    }
    expect(a2atsStep(shape, tiers, { ...w, overlap: false }, 10).seconds).toBeGreaterThanOrEqual(a2atsStep(shape, tiers, w, 10).seconds);
    expect(baselineStep(shape, tiers, w, 2).seconds).toBeCloseTo(1000 / 1000 + 2 * 1600 / 1000, 12);
  });

  it('validates its inputs', () => {
    expectBadArgument(() => predictThroughput({ ...shape, nLayers: 0 }, tiers, w), 'shape.nLayers');
    expectBadArgument(() => predictThroughput(shape, { ...tiers, slowBandwidth: 0 }, w), 'tiers.slowBandwidth');
    expectBadArgument(() => predictThroughput(shape, tiers, { ...w, unionFactor: 3 }), 'workload.unionFactor');
    expectBadArgument(() => predictThroughput(shape, tiers, { ...w, overlap: 'yes' as never }), 'workload.overlap');
  });
});

describe('evaluateSynthetic (tiny)', () => {
  it('full attention is exact, the group oracle recalls most, every method gets the same realized budget', async () => {
    const res = await evaluateSynthetic(kernels, {
      synthetic: { headDim: 16, nKvHeads: 1, groupSize: 2 }, n: 600, decodeSteps: 2, testSequences: 1, window: 16, sinks: 2, distance: 100,
      calibration: { sequences: 1, length: 600, size: 32, iterations: 5 }, budgets: [0.05],
    });
    const full = res.rows.find((r) => r.method === 'full')!;
    expect(full.recallMean).toBeCloseTo(1, 9);
    expect(full.relErrorMean).toBeLessThan(1e-4);
    const others = res.rows.filter((r) => r.method !== 'full');
    const oracle = others.find((r) => r.method === 'oracle')!;
    for (const r of others) {
      expect(r.realizedBudget).toBeCloseTo(oracle.realizedBudget, 12);
      expect(r.recallMean).toBeLessThanOrEqual(oracle.recallMean + 1e-9);
      expect(r.samples).toBe(2 * 2);
    }
    expect(oracle.scoreMse).toBe(0);
    expect(oracle.scoreMseCentered).toBe(0);
    expect(others.map((r) => r.method).sort()).toEqual(['a2ats', 'oracle', 'pqcache-m2b6', 'quest-p16', 'vq-wrope']);
  });
});

/**
 * The two-tier cache. A model-based test (fast-check commands: append, decode step, query)
 * checks it against exact attention — a float64 re-implementation with exact RoPE over all
 * tokens — under a full budget (every far token retrieved), where the split into fast-tier
 * (sinks + window) and slow-tier (far) attention merged by log-sum-exp must be exact. The
 * worker slow tier must give the same results as the in-thread one at a real (sparse) budget.
 */
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { createKernels } from '../../src/backends/create-kernels.js';
import { Rng } from '../../src/core/rng.js';
import { Codebook } from '../../src/kvcache/codebook.js';
import { TwoTierKvCache } from '../../src/kvcache/two-tier/two-tier-cache.js';
import { expectBadArgument } from '../_harness/bad-input.js';

/** A promise must reject with BAD_ARGUMENT naming `argument`. */
async function rejectsNaming(p: Promise<unknown>, argument: string): Promise<void> {
  const e = await p.then(() => null, (err: unknown) => err);
  if (e === null) throw new Error(`expected a BAD_ARGUMENT error naming '${argument}', but it resolved`);
  expectBadArgument(() => { throw e; }, argument);
}

const kernels = await createKernels({ backend: 'wasm' });
const D = 8, NKV = 2, NH = 4, CAP = 48;

function books(seed: number): Codebook[] {
  const rng = new Rng(seed);
  return Array.from({ length: NKV }, () => new Codebook(D, 6, Float32Array.from({ length: 6 * D }, () => rng.normal()), null));
}

interface Model { k: Float32Array[]; v: Float32Array[] }

/** Exact causal attention at the last position, float64, exact RoPE on keys and query. */
function exactAttention(m: Model, qPre: Float32Array): Float64Array {
  const n = m.k.length, pos = n - 1, g = NH / NKV;
  const q = Float32Array.from(qPre);
  kernels.rope(q, NH, D, pos, 10000, 'half');
  const keys = m.k.map((k, j) => { const r = Float32Array.from(k); kernels.rope(r, NKV, D, j, 10000, 'half'); return r; });
  const out = new Float64Array(NH * D);
  for (let h = 0; h < NH; h++) {
    const kv = Math.floor(h / g);
    const s = keys.map((k) => { let a = 0; for (let t = 0; t < D; t++) a += q[h * D + t] * k[kv * D + t]; return a / Math.sqrt(D); });
    const mx = Math.max(...s);
    const p = s.map((x) => Math.exp(x - mx));
    const z = p.reduce((a, b) => a + b, 0);
    for (let j = 0; j < n; j++) for (let t = 0; t < D; t++) out[h * D + t] += (p[j] / z) * m.v[j][kv * D + t];
  }
  return out;
}

const vec = (len: number) => fc.array(fc.float({ min: -3, max: 3, noNaN: true, noDefaultInfinity: true }), { minLength: len, maxLength: len }).map((a) => Float32Array.from(a));

class Append implements fc.AsyncCommand<Model, TwoTierKvCache> {
  constructor(readonly k: Float32Array, readonly v: Float32Array) {}
  check(m: Readonly<Model>) { return m.k.length < CAP; }
  async run(m: Model, r: TwoTierKvCache) { m.k.push(this.k); m.v.push(this.v); await r.append(this.k, this.v); expect(r.length).toBe(m.k.length); }
  toString() { return 'append'; }
}

class Query implements fc.AsyncCommand<Model, TwoTierKvCache> {
  constructor(readonly q: Float32Array) {}
  check(m: Readonly<Model>) { return m.k.length > 0; }
  async run(m: Model, r: TwoTierKvCache) {
    const out = new Float32Array(NH * D);
    const stats = await r.attend(this.q, out);
    expect(stats.pos).toBe(m.k.length - 1);
    expect(stats.realizedBudget).toBeCloseTo(1, 12); // full budget: every token attended
    const ex = exactAttention(m, this.q);
    for (let i = 0; i < out.length; i++) expect(Math.abs(out[i] - ex[i])).toBeLessThan(1e-4 * (1 + Math.abs(ex[i])));
  }
  toString() { return 'query'; }
}

class DecodeStep implements fc.AsyncCommand<Model, TwoTierKvCache> {
  constructor(readonly k: Float32Array, readonly v: Float32Array, readonly q: Float32Array) {}
  check(m: Readonly<Model>) { return m.k.length < CAP; }
  async run(m: Model, r: TwoTierKvCache) {
    await new Append(this.k, this.v).run(m, r);
    await new Query(this.q).run(m, r);
  }
  toString() { return 'decode'; }
}

describe('TwoTierKvCache', () => {
  it('matches exact attention under a full budget (model-based: append, decode step, query)', async () => {
    const cmds = [
      fc.tuple(vec(NKV * D), vec(NKV * D)).map(([k, v]) => new Append(k, v)),
      fc.tuple(vec(NKV * D), vec(NKV * D), vec(NH * D)).map(([k, v, q]) => new DecodeStep(k, v, q)),
      vec(NH * D).map((q) => new Query(q)),
    ];
    for (const [window, sinks] of [[3, 2], [0, 0], [5, 0], [0, 3]]) {
      const cache = await TwoTierKvCache.create(kernels, {
        nHeads: NH, nKvHeads: NKV, headDim: D, capacity: CAP, ropeBase: 10000, ropePairing: 'half', window, sinks,
        distance: 100, budget: { mode: 'total', fraction: 1 }, codebooks: books(window + sinks),
      });
      await fc.assert(fc.asyncProperty(fc.commands(cmds, { maxCommands: 40 }), async (c) => {
        cache.clear();
        await fc.asyncModelRun(() => ({ model: { k: [], v: [] }, real: cache }), c);
      }), { numRuns: 15 });
      await cache.dispose();
    }
  });

  it('the worker slow tier gives the same outputs as the in-thread one at a sparse budget', async () => {
    const opts = {
      nHeads: NH, nKvHeads: NKV, headDim: D, capacity: 200, ropeBase: 500000, ropePairing: 'adjacent' as const,
      window: 6, sinks: 2, distance: 64, budget: { mode: 'perHead' as const, fraction: 0.05 }, codebooks: books(9),
    };
    const inline = await TwoTierKvCache.create(kernels, opts);
    const worker = await TwoTierKvCache.create(kernels, { ...opts, slowTier: 'worker' });
    const rng = new Rng(10);
    let compared = 0;
    try {
      for (let t = 0; t < 200; t++) {
        const k = Float32Array.from({ length: NKV * D }, () => rng.normal()), v = Float32Array.from({ length: NKV * D }, () => rng.normal());
        await inline.append(k, v); await worker.append(k, v);
        if (t % 9 === 4) {
          const q = Float32Array.from({ length: NH * D }, () => rng.normal());
          const a = new Float32Array(NH * D), b = new Float32Array(NH * D);
          const sa = await inline.attend(q, a);
          const sb = await worker.attend(q, b);
          expect(sb.farSelected).toEqual(sa.farSelected);
          expect(Array.from(b)).toEqual(Array.from(a));
          if (t > 50) expect(sa.realizedBudget).toBeLessThan(0.5);
          compared++;
        }
      }
    } finally {
      await inline.dispose();
      await worker.dispose();
    }
    expect(compared).toBeGreaterThan(20);
  });

  it('rejects bad options and inputs', async () => {
    const base = { nHeads: NH, nKvHeads: NKV, headDim: D, capacity: 4, ropeBase: 10000, ropePairing: 'half' as const, codebooks: books(1) };
    const reject = async (o: object, name: string) => {
      const e = await TwoTierKvCache.create(kernels, { ...base, ...o } as never).then(() => null, (err) => err);
      expect((e as Error)?.message ?? '').toContain(name);
    };
    await reject({ nHeads: 3 }, 'nHeads');
    await reject({ headDim: 7 }, 'headDim');
    await reject({ codebooks: books(1).slice(0, 1) }, 'codebooks');
    await reject({ window: -2 }, 'window');
    await reject({ budget: { mode: 'perHead' } }, 'budget');
    await reject({ slowTier: 'gpu' }, 'slowTier');
    const cache = await TwoTierKvCache.create(kernels, base);
    await rejectsNaming(cache.attend(new Float32Array(NH * D), new Float32Array(NH * D)), 'cache');
    await rejectsNaming(cache.append(new Float32Array(3), new Float32Array(NKV * D)), 'kPre');
    await rejectsNaming(cache.append(new Float32Array(NKV * D).fill(NaN), new Float32Array(NKV * D)), 'kPre');
    for (let i = 0; i < 4; i++) await cache.append(new Float32Array(NKV * D), new Float32Array(NKV * D));
    await rejectsNaming(cache.append(new Float32Array(NKV * D), new Float32Array(NKV * D)), 'cache');
    await rejectsNaming(cache.attend(new Float32Array(NH * D - 1), new Float32Array(NH * D)), 'qPre');
    await cache.dispose();
  });
});

/**
 * RetrievalKvCache, the retrieval methods as the model's KV-cache component, driven as the model
 * drives it (bind; per token and layer append then attend):
 * - full attention equals exact GQA attention (float64 oracle over rows rotated independently);
 * - every method's output equals float64 attention over the tokens it selected (the selection
 *   reported by probe mode, which must itself keep sinks and window and respect the budget);
 * - a rewind (append at an earlier position) gives what a fresh cache fed the same tokens gives;
 * - device-array inputs (a CPU backend's) give the host-array outputs bit for bit;
 * - on every async backend (the CPU adapters, and webgpu when an adapter exists) each method's
 *   output is attention over the tokens it selected (GPU: within 1e-4) — selections may differ
 *   from the CPU's at near-ties of approximate scores, the invariant may not;
 * - the two-tier cache as a component gives the a2ats outputs within the merge's rounding;
 * - bad input is rejected naming the argument.
 */
import { describe, expect, it } from 'vitest';
import { createKernels } from '../../src/backends/create-kernels.js';
import { deferredKernels } from '../_harness/deferred-kernels.js';
import { Rng } from '../../src/core/rng.js';
import { makeConfig } from '../../src/llama/config.js';
import { Codebook } from '../../src/kvcache/codebook.js';
import { CodebookSet } from '../../src/kvcache/codebook-set.js';
import { RetrievalKvCache, type KvProbeInfo } from '../../src/kvcache/retrieval-kv-cache.js';
import type { MethodName } from '../../src/kvcache/eval/methods.js';
import { TwoTierKvCacheComponent } from '../../src/kvcache/two-tier/two-tier-kv-cache.js';
import type { KvCache } from '../../src/llama/components.js';
import { expectBadArgument } from '../_harness/bad-input.js';
import { loadAsyncBackends } from '../_harness/each-backend.js';

const cpu = await createKernels({ backend: 'wasm' });
const kernels = deferredKernels(cpu);
const config = makeConfig({ dim: 32, hiddenDim: 64, nLayers: 2, nHeads: 4, nKvHeads: 2, vocabSize: 16, seqLen: 96 });
const d = config.headDim, kv = config.kvDim, qd = config.nHeads * d, g = config.nHeads / config.nKvHeads;

/** Per layer and token: pre-RoPE key, post-RoPE key, value; per token a pre/post query. */
function tokens(n: number, seed: number) {
  const rng = new Rng(seed);
  const rows = (len: number) => Float32Array.from({ length: len }, () => rng.normal());
  return Array.from({ length: n }, (_, t) => {
    const layers = Array.from({ length: config.nLayers }, () => {
      const kPre = rows(kv), kPost = Float32Array.from(kPre), v = rows(kv);
      cpu.rope(kPost, config.nKvHeads, d, t, config.ropeBase, config.ropePairing);
      const qPre = rows(qd), qPost = Float32Array.from(qPre);
      cpu.rope(qPost, config.nHeads, d, t, config.ropeBase, config.ropePairing);
      return { kPre, kPost, v, qPre, qPost };
    });
    return layers;
  });
}

/** float64 attention of query head h at `pos` over the listed tokens of `layer`. */
function attention(data: ReturnType<typeof tokens>, layer: number, pos: number, h: number, idx: ArrayLike<number>): Float64Array {
  const kvh = Math.floor(h / g), q = data[pos][layer].qPost.subarray(h * d, (h + 1) * d);
  const s = Array.from(idx, (j) => { let a = 0; for (let t = 0; t < d; t++) a += q[t] * data[j][layer].kPost[kvh * d + t]; return a / Math.sqrt(d); });
  const mx = Math.max(...s), p = s.map((x) => Math.exp(x - mx)), z = p.reduce((a, b) => a + b, 0);
  const out = new Float64Array(d);
  Array.from(idx).forEach((j, i) => { for (let t = 0; t < d; t++) out[t] += (p[i] / z) * data[j][layer].v[kvh * d + t]; });
  return out;
}

function codebooks(seed: number): CodebookSet {
  const rng = new Rng(seed);
  const books = Array.from({ length: config.nLayers * config.nKvHeads }, () => new Codebook(d, 8, Float32Array.from({ length: 8 * d }, () => rng.normal()), null));
  return new CodebookSet({ nLayers: config.nLayers, nKvHeads: config.nKvHeads, headDim: d, size: 8, kind: 'plain',
    wrope: { window: 8, distance: 32, base: config.ropeBase, pairing: config.ropePairing }, calibrationTokens: 0, calibrationQueries: 0 }, books);
}

/** Feed tokens 0..n−1 as the model does; returns every step's output per layer (and the probe's selections). */
async function run(cache: KvCache, data: ReturnType<typeof tokens>, from = 0) {
  const outs: Float32Array[][] = [];
  for (let t = from; t < data.length; t++) {
    outs.push([]);
    for (let l = 0; l < config.nLayers; l++) {
      const x = data[t][l];
      await cache.append(l, t, x.kPre, x.kPost, x.v);
      const out = new Float32Array(qd);
      await cache.attend(l, t, x.qPre, x.qPost, out);
      outs[outs.length - 1].push(out);
    }
  }
  return outs;
}

describe('RetrievalKvCache', () => {
  it('full attention equals exact GQA attention (float64 oracle)', async () => {
    const data = tokens(40, 1);
    const cache = new RetrievalKvCache({ method: 'full', window: 4, sinks: 2 });
    cache.bind(config, kernels);
    const outs = await run(cache, data);
    for (const t of [0, 1, 17, 39]) for (let l = 0; l < config.nLayers; l++) for (let h = 0; h < config.nHeads; h++) {
      const want = attention(data, l, t, h, Array.from({ length: t + 1 }, (_, j) => j));
      for (let u = 0; u < d; u++) expect(Math.abs(outs[t][l][h * d + u] - want[u])).toBeLessThan(2e-5 * (1 + Math.abs(want[u])));
    }
    expect(cache.stats().realizedBudget).toBe(1);
    cache.dispose();
  });

  for (const method of ['oracle', 'oracle-union', 'quest', 'pqcache', 'vq-wrope', 'a2ats'] as MethodName[]) {
    it(`${method}: the output is attention over the tokens it selected (sinks, window, budget kept)`, async () => {
      const data = tokens(70, 2);
      const set = codebooks(3);
      const opts = { method, window: 6, sinks: 2, budget: { mode: 'perHead' as const, fraction: 0.15 }, questPageSize: 4,
        codebooks: method === 'a2ats' ? { queryAware: withFactor(set) } : { plain: set } };
      const probe = new RetrievalKvCache({ ...opts, probe: (i: KvProbeInfo) => { selections.push({ ...i, selection: { ...i.selection, split: { ...i.selection.split } }, indices: Int32Array.from(i.selection.indices.subarray(0, i.selection.count)) }); } });
      const selections: (KvProbeInfo & { indices: Int32Array })[] = [];
      const plainCache = new RetrievalKvCache(opts);
      probe.bind(config, kernels); plainCache.bind(config, kernels);
      await run(probe, data);
      const outs = await run(plainCache, data);
      let sparse = 0;
      for (const s of selections) {
        const idx = Array.from(s.indices), split = s.selection.split;
        for (let j = 0; j < split.sinkEnd; j++) expect(idx).toContain(j);
        for (let j = split.windowStart; j <= s.pos; j++) expect(idx).toContain(j);
        const m = split.farEnd - split.farStart, k = Math.floor(0.15 * (s.pos + 1));
        expect(s.selection.farCount).toBeLessThanOrEqual(Math.min(m, (method === 'pqcache' || method === 'oracle' ? 1 : g) * Math.max(k, 0)));
        if (s.selection.count < s.pos + 1) sparse++;
        for (let r = 0; r < g; r++) {
          const h = s.kvHead * g + r, want = attention(data, s.layer, s.pos, h, idx);
          for (let u = 0; u < d; u++) expect(Math.abs(outs[s.pos][s.layer][h * d + u] - want[u])).toBeLessThan(2e-5 * (1 + Math.abs(want[u])));
        }
      }
      expect(sparse, 'late steps attend to fewer tokens than the context').toBeGreaterThan(20);
      probe.dispose(); plainCache.dispose();
    });
  }

  it('a rewind equals a fresh cache fed the same tokens; device-array inputs equal host arrays', async () => {
    const data = tokens(50, 4), other = tokens(50, 5);
    const opts = { method: 'quest' as const, window: 4, sinks: 2, budget: { mode: 'perHead' as const, fraction: 0.2 } };
    const rewound = new RetrievalKvCache(opts), fresh = new RetrievalKvCache(opts);
    rewound.bind(config, kernels); fresh.bind(config, kernels);
    // Rows 30.. first come from another sequence, then are rewritten from position 30.
    await run(rewound, [...data.slice(0, 30), ...other.slice(30)]);
    const a = await run(rewound, data, 30);
    const b = (await run(fresh, data)).slice(30);
    expect(a).toEqual(b);
    // The same with every input a device array of the backend.
    const dev = new RetrievalKvCache(opts);
    dev.bind(config, kernels);
    const arr = (x: Float32Array) => { const a = kernels.allocF32(x.length); a.write(x); return a; };
    for (let t = 0; t < 50; t++) for (let l = 0; l < config.nLayers; l++) {
      const x = data[t][l];
      await dev.append(l, t, arr(x.kPre), arr(x.kPost), arr(x.v));
      const out = kernels.allocF32(qd);
      await dev.attend(l, t, arr(x.qPre), arr(x.qPost), out);
      if (t >= 30) expect(await out.read()).toEqual(b[t - 30][l]);
    }
    rewound.dispose(); fresh.dispose(); dev.dispose();
  });

  it('the two-tier cache as a component: the a2ats outputs within the log-sum-exp merge\'s rounding (inline and worker tiers)', async () => {
    const data = tokens(60, 8);
    const set = withFactor(codebooks(5));
    const opts = { window: 6, sinks: 2, budget: { mode: 'perHead' as const, fraction: 0.15 } };
    const want = await run((() => { const c = new RetrievalKvCache({ method: 'a2ats', codebooks: { queryAware: set }, ...opts }); c.bind(config, kernels); return c; })(), data);
    // undefined: the default tier (an explicit undefined once overrode the default and was refused).
    for (const slowTier of [undefined, 'inline', 'worker'] as const) {
      const two = new TwoTierKvCacheComponent({ codebooks: set, slowTier, ...opts });
      await two.bind(config, cpu);
      const got = await run(two, data);
      for (let t = 0; t < data.length; t++) for (let l = 0; l < config.nLayers; l++) for (let i = 0; i < qd; i++) {
        expect(Math.abs(got[t][l][i] - want[t][l][i])).toBeLessThan(1e-5 * (1 + Math.abs(want[t][l][i])));
      }
      // Rewinds go back to the start only.
      const x = data[0][0];
      await expect(two.append(0, 3, x.kPre, x.kPost, x.v)).rejects.toMatchObject({ code: 'UNAVAILABLE' });
      await two.append(0, 0, x.kPre, x.kPost, x.v);
      two.dispose();
    }
    expectBadArgument(() => new TwoTierKvCacheComponent({} as never), 'codebooks');
  });

  it('rejects bad input naming the argument', async () => {
    const rejects = async (p: Promise<unknown>, arg: string) => {
      const e = await p.then(() => null, (err: unknown) => err);
      expectBadArgument(() => { if (e !== null) throw e; }, arg);
    };
    expectBadArgument(() => new RetrievalKvCache({ method: 'nope' as never }), 'method');
    expectBadArgument(() => new RetrievalKvCache({ method: 'a2ats' }), 'codebooks');
    expectBadArgument(() => new RetrievalKvCache({ method: 'quest', window: -1 }), 'window');
    expectBadArgument(() => new RetrievalKvCache({ method: 'quest', budget: { mode: 'perHead' } as never }), 'budget');
    expectBadArgument(() => new RetrievalKvCache({ method: 'quest', extra: 1 } as never), 'extra');
    const cache = new RetrievalKvCache({ method: 'quest' });
    await rejects(cache.attend(0, 0, new Float32Array(qd), new Float32Array(qd), new Float32Array(qd)), 'bound');
    expectBadArgument(() => cache.bind(null as never, kernels), 'shape');
    expectBadArgument(() => cache.bind({ ...config, kvDim: 3 }, kernels), 'shape');
    expectBadArgument(() => cache.bind(config, {} as never), 'kernels');
    await rejects(new TwoTierKvCacheComponent({ codebooks: codebooks(1) }).bind(undefined as never, cpu), 'shape');
    cache.bind(config, kernels);
    expectBadArgument(() => cache.bind(config, kernels), 'bound');
    expectBadArgument(() => new RetrievalKvCache({ method: 'vq-wrope', codebooks: { plain: codebooks(1) } })
      .bind({ ...config, nLayers: 3 }, kernels), 'codebooks');
    const x = tokens(1, 9)[0][0];
    await rejects(cache.append(0, 1, x.kPre, x.kPost, x.v), 'pos');
    await rejects(cache.append(2, 0, x.kPre, x.kPost, x.v), 'layer');
    await rejects(cache.append(0, 0, new Float32Array(3), x.kPost, x.v), 'keyPreRope');
    await rejects(cache.attend(0, 0, x.qPre, x.qPost, new Float32Array(qd)), 'pos');
    await cache.append(0, 0, x.kPre, x.kPost, x.v);
    await rejects(cache.attend(0, 0, x.qPre, x.qPost, new Float32Array(3)), 'out');
    await rejects(cache.attend(0, 0, x.qPre, 'q' as never, new Float32Array(qd)), 'qPostRope');
    cache.dispose();
  });
});

const describeEachAsyncBackend = await loadAsyncBackends();
describeEachAsyncBackend('RetrievalKvCache on async kernels', (k) => {
  const tol = k.backend === 'webgpu' ? 1e-4 : 2e-5;
  for (const method of ['full', 'oracle', 'quest', 'pqcache', 'a2ats'] as MethodName[]) {
    it(`${method}: output = attention over its selection, through device-array inputs and outputs`, async () => {
      const data = tokens(24, 6);
      // Probe mode reports each KV head's selection and its retrieval output (and writes exact attention).
      const seen: { layer: number; pos: number; kvHead: number; indices: Int32Array; out: Float32Array }[] = [];
      const cache = new RetrievalKvCache({ method, window: 4, sinks: 2, budget: { mode: 'perHead', fraction: 0.2 }, questPageSize: 4,
        codebooks: { queryAware: withFactor(codebooks(3)) },
        probe: (i) => { seen.push({ layer: i.layer, pos: i.pos, kvHead: i.kvHead, indices: Int32Array.from(i.selection.indices.subarray(0, i.selection.count)), out: Float32Array.from(i.out) }); } });
      await cache.bind(config, k);
      const dev = (x: Float32Array) => { const a = k.allocF32(x.length); a.write(x); return a; };
      for (let t = 0; t < data.length; t++) {
        for (let l = 0; l < config.nLayers; l++) {
          const x = data[t][l], out = k.allocF32(qd);
          await cache.append(l, t, dev(x.kPre), dev(x.kPost), dev(x.v));
          await cache.attend(l, t, dev(x.qPre), dev(x.qPost), out);
          const exact = await out.read(); // probe mode: exact attention over every token
          for (let h = 0; h < config.nHeads; h++) {
            const want = attention(data, l, t, h, Array.from({ length: t + 1 }, (_, j) => j));
            for (let u = 0; u < d; u++) expect(Math.abs(exact[h * d + u] - want[u])).toBeLessThan(tol * (1 + Math.abs(want[u])));
          }
          out.dispose();
        }
      }
      expect(seen.length).toBe(data.length * config.nLayers * config.nKvHeads);
      for (const s of seen) for (let r = 0; r < g; r++) {
        const want = attention(data, s.layer, s.pos, s.kvHead * g + r, Array.from(s.indices));
        for (let u = 0; u < d; u++) expect(Math.abs(s.out[r * d + u] - want[u])).toBeLessThan(tol * (1 + Math.abs(want[u])));
      }
      cache.dispose();
    }, 180_000);
  }
});

/** The same centroids as a query-aware set (factor = I), for A²ATS. */
function withFactor(set: CodebookSet): CodebookSet {
  const eye = new Float32Array(d * d);
  for (let i = 0; i < d; i++) eye[i * d + i] = 1;
  const books = Array.from({ length: set.info.nLayers * set.info.nKvHeads }, (_, i) =>
    new Codebook(d, set.info.size, set.get(Math.floor(i / set.info.nKvHeads), i % set.info.nKvHeads).centroids, eye));
  return new CodebookSet({ ...set.info, kind: 'query-aware' }, books);
}

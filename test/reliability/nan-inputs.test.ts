/**
 * NaN where sibling entry points reject it (issue regressions): a NaN query to Retrieval.select,
 * NaN keys to KvStore.appendWithPost (append already rejected them), NaN thresholds in
 * gatedSparseSwiGlu; and the size limit of SparsityCounters (2**31 layers ran to 5 GB).
 */
import { expect, it } from 'vitest';
import { createKernels } from '../../src/backends/create-kernels.js';
import { KvStore } from '../../src/kvcache/kv-store.js';
import { OracleTopK } from '../../src/kvcache/methods/oracle.js';
import { Retrieval } from '../../src/kvcache/retrieval.js';
import { gatedSparseSwiGlu } from '../../src/activations/sparse-swiglu.js';
import { SparsityCounters } from '../../src/activations/sparsity-counters.js';
import { Rng } from '../../src/core/rng.js';
import { expectBadArgument } from '../_harness/bad-input.js';

const kernels = await createKernels({ backend: 'wasm' });

it('Retrieval.select rejects a NaN query; a finite one selects valid token indices', async () => {
  const d = 8, g = 2, len = 64;
  const store = new KvStore(kernels, { nKvHeads: 1, headDim: d, capacity: len, ropeBase: 10000, ropePairing: 'adjacent' });
  const rng = new Rng(3);
  for (let t = 0; t < len; t++) {
    await store.append(Float32Array.from({ length: d }, () => rng.normal()), Float32Array.from({ length: d }, () => rng.normal()));
  }
  const r = new Retrieval(kernels, new OracleTopK(kernels, d, g, 'group'), { window: 4, sinks: 2, budget: { mode: 'perHead', count: 5 }, groupSize: g, headDim: d });
  const q = () => Float32Array.from({ length: g * d }, () => rng.normal());
  const good = await r.select(0, store.head(0), { pre: q(), post: q(), pos: len - 1 });
  for (const i of good.indices.subarray(0, good.count)) expect(i >= 0 && i < len).toBe(true);
  const bad = q(); bad[3] = NaN;
  const e = await r.select(0, store.head(0), { pre: q(), post: bad, pos: len - 1 }).then(() => null, (err: unknown) => err);
  expectBadArgument(() => { if (e !== null) throw e; }, 'query.post');
  store.dispose(); r.dispose();
});

it('KvStore.appendWithPost rejects NaN keys and values as append does', () => {
  const d = 4;
  const store = new KvStore(kernels, { nKvHeads: 2, headDim: d, capacity: 4, ropeBase: 10000, ropePairing: 'half' });
  const ok = () => new Float32Array(2 * d).fill(0.5);
  const nan = () => { const a = ok(); a[5] = NaN; return a; };
  expectBadArgument(() => store.appendWithPost(nan(), ok(), ok()), 'kPre');
  expectBadArgument(() => store.appendWithPost(ok(), nan(), ok()), 'kPost');
  expectBadArgument(() => store.appendWithPost(ok(), ok(), nan()), 'v');
  expect(store.length).toBe(0);
  store.appendWithPost(ok(), ok(), ok());
  expect(store.length).toBe(1);
  store.dispose();
});

it('gatedSparseSwiGlu rejects NaN thresholds (they silently zeroed channels); ±Infinity stays allowed', async () => {
  const dim = 4, hidden = 6;
  const w = () => new Float32Array(hidden * dim).fill(0.25);
  const run = (t: number[]) => gatedSparseSwiGlu(kernels, w(), w(), w(), new Float32Array(dim).fill(1), t,
    new Float32Array(dim), new Float32Array(hidden), new Float32Array(hidden), dim, hidden);
  await expect(run([0, 0, NaN, 0, 0, 0])).rejects.toThrow(/tGate\[2\] is NaN/);
  expect(await run([0, 0, 0, 0, 0, 0])).toBe(hidden);
  expect(await run([Infinity, 0, 0, 0, 0, -Infinity])).toBe(hidden - 1);
});

it('SparsityCounters refuses sizes beyond the limits at once', () => {
  expectBadArgument(() => new SparsityCounters(2 ** 31, 4, false), 'nLayers');
  expectBadArgument(() => new SparsityCounters(4, 2 ** 31, false), 'hiddenDim');
  expectBadArgument(() => new SparsityCounters(4096, 2 ** 24, true), 'nLayers*hiddenDim');
  expectBadArgument(() => new SparsityCounters(2, 3, 'yes' as unknown as boolean), 'gateThresholded');
  expect(new SparsityCounters(30, 1536, true).layers.length).toBe(30);
});

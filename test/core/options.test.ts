/**
 * Options objects: checkOptions treats null/undefined as {}, rejects non-objects and unknown
 * keys naming the key and the valid ones; and every public entry point listed below runs it, so
 * a misspelt option (`{ iteratons: 10 }`) fails loudly instead of silently running the default.
 */
import { describe, expect, it } from 'vitest';
import { checkOptions, optionKeys } from '../../src/core/options.js';
import { SparseInferenceError } from '../../src/core/errors.js';
import { createKernels } from '../../src/kernels/create.js';
import { kmeans, kmeansSync } from '../../src/kvcache/kmeans.js';
import { trainCodebook } from '../../src/kvcache/train-codebook.js';
import { KvCalibration } from '../../src/kvcache/calibration.js';
import { Retrieval } from '../../src/kvcache/retrieval.js';
import { FullAttention } from '../../src/kvcache/methods/full-attention.js';
import { PqCache } from '../../src/kvcache/methods/pqcache.js';
import { evaluateSynthetic, calibrateSynthetic } from '../../src/kvcache/eval/synthetic-eval.js';
import { runAblations } from '../../src/kvcache/eval/ablations.js';
import { createMethod } from '../../src/kvcache/eval/methods.js';
import { TwoTierKvCache } from '../../src/kvcache/two-tier/two-tier-cache.js';
import { SyntheticAttention } from '../../src/kvcache/synthetic/generator.js';

describe('checkOptions', () => {
  const keys = ['iterations', 'signal'];
  it('treats null and undefined as no options', () => {
    expect(checkOptions('o', null, keys)).toEqual({});
    expect(checkOptions('o', undefined, keys)).toEqual({});
  });
  it('returns a valid object unchanged', () => {
    const o = { iterations: 3 };
    expect(checkOptions('o', o, keys)).toBe(o);
  });
  it('rejects an unknown key, naming it and the valid keys', () => {
    expect(() => checkOptions('fit options', { iteratons: 10 }, keys)).toThrow(
      /fit options has an unknown option 'iteratons'; valid options are 'iterations', 'signal'/);
    expect(() => checkOptions('o', { iterations: 1, extra: undefined }, keys)).toThrow(/'extra'/);
  });
  it('rejects non-objects: numbers, strings, arrays, typed arrays, functions', () => {
    for (const bad of [42, 'x', [1], new Float32Array(2), () => 1, true]) {
      expect(() => checkOptions('o', bad as never, keys)).toThrow(SparseInferenceError);
    }
  });
  it('optionKeys lists the keys it was given', () => {
    expect(optionKeys<{ a?: number; b: string }>({ a: true, b: true })).toEqual(['a', 'b']);
  });
});

/** Runs `call` and returns the SparseInferenceError it throws or rejects with. */
async function errorOf(call: () => unknown): Promise<SparseInferenceError> {
  try {
    await call();
  } catch (e) {
    if (e instanceof SparseInferenceError) return e;
    throw new Error(`expected SparseInferenceError, got ${String(e)}`);
  }
  throw new Error('expected the call to throw');
}

describe('public entry points reject unknown option keys and non-object options', async () => {
  const k = await createKernels({ backend: 'reference' });
  const points = new Float32Array(64).map((_, i) => Math.sin(i));
  const wrope = { window: 4, distance: 64, base: 10000, pairing: 'half' as const };
  const gen = new SyntheticAttention({ headDim: 8, nKvHeads: 1, groupSize: 2 });
  // Each entry takes an options object with one extra key (or a bad value) and calls the function.
  const cases: [string, (extra: object | number) => unknown][] = [
    ['kmeans', (x) => kmeans(k, points, 16, 4, typeof x === 'number' ? x as never : { k: 2, ...x })],
    ['kmeansSync', (x) => kmeansSync(k, points, 16, 4, typeof x === 'number' ? x as never : { k: 2, ...x })],
    ['trainCodebook', (x) => trainCodebook(k, points, 16, 4, typeof x === 'number' ? x as never : { size: 2, ...x })],
    ['KvCalibration.train', (x) => new KvCalibration({ nLayers: 1, nKvHeads: 1, nHeads: 1, headDim: 4, wrope })
      .train(k, typeof x === 'number' ? x as never : { size: 2, kind: 'plain', ...x })],
    ['Retrieval', (x) => new Retrieval(k, new FullAttention(), typeof x === 'number' ? x as never
      : { window: 1, sinks: 0, budget: { mode: 'total', fraction: 1 }, groupSize: 1, headDim: 4, ...x })],
    ['PqCache', (x) => new PqCache(k, 8, 1, 1, typeof x === 'number' ? x as never : { ...x })],
    ['createMethod', (x) => createMethod(k, 'quest', typeof x === 'number' ? x as never
      : { headDim: 8, groupSize: 1, nKvHeads: 1, layer: 0, wrope, ...x })],
    ['evaluateSynthetic', (x) => evaluateSynthetic(k, typeof x === 'number' ? x as never : { n: 64, ...x })],
    ['runAblations', (x) => runAblations(k, typeof x === 'number' ? x as never : { n: 64, ...x })],
    ['calibrateSynthetic', (x) => calibrateSynthetic(k, gen, wrope, typeof x === 'number' ? x as never : { length: 32, ...x })],
    ['TwoTierKvCache.create', (x) => TwoTierKvCache.create(k, typeof x === 'number' ? x as never
      : { nHeads: 1, nKvHeads: 1, headDim: 4, capacity: 8, ropeBase: 10000, ropePairing: 'half', codebooks: [], ...x })],
  ];
  for (const [name, call] of cases) {
    it(`${name}: { iteratons: 10 } names the key and the valid ones; 42 is not an options object`, async () => {
      const e = await errorOf(() => call({ iteratons: 10 }));
      expect(e.code).toBe('BAD_ARGUMENT');
      expect(e.message).toMatch(/unknown option 'iteratons'; valid options are '/);
      const n = await errorOf(() => call(42));
      expect(n.code).toBe('BAD_ARGUMENT');
      expect(n.message).toMatch(/options/);
    });
  }
});

describe('kvcache long runs take { onProgress, signal }', () => {
  it('calibrateSynthetic reports progress through options.onProgress and stops on options.signal', async () => {
    const k = await createKernels({ backend: 'reference' });
    const gen = new SyntheticAttention({ headDim: 8, nKvHeads: 1, groupSize: 2 });
    const wrope = { window: 4, distance: 64, base: gen.config.ropeBase, pairing: gen.config.ropePairing };
    const seen: number[] = [];
    const books = await calibrateSynthetic(k, gen, wrope, {
      length: 64, sequences: 1, size: 4, iterations: 2, kinds: ['plain'], onProgress: (f) => seen.push(f),
    });
    expect(books.plain).toBeDefined();
    expect(seen.length).toBeGreaterThan(1);
    for (let i = 1; i < seen.length; i++) expect(seen[i]).toBeGreaterThanOrEqual(seen[i - 1]);
    const aborted = AbortSignal.abort();
    const e = await errorOf(() => calibrateSynthetic(k, gen, wrope, { length: 64, sequences: 1, signal: aborted }));
    expect(e.code).toBe('ABORTED');
  });
});

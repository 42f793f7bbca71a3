/**
 * Codebook files (safetensors): a CodebookSet round-trips exactly; every kind of corruption
 * (truncation, wrong metadata, wrong shape, NaN, a non-triangular factor) fails with BAD_FILE
 * naming the problem. Also the query metric's recipe (scale, Cholesky with jitter) and the
 * Codebook/CodebookSet argument checks.
 */
import { describe, expect, it } from 'vitest';
import { Rng } from '../../src/core/rng.js';
import { SparseInferenceError } from '../../src/core/errors.js';
import { Codebook } from '../../src/kvcache/codebook.js';
import { CodebookSet, type CodebookSetInfo } from '../../src/kvcache/codebook-set.js';
import { readCodebookFile, writeCodebookFile } from '../../src/kvcache/codebook-file.js';
import { metricFactor, QueryMoment } from '../../src/kvcache/query-metric.js';
import { expectBadArgument } from '../_harness/bad-input.js';

function makeSet(kind: 'query-aware' | 'plain', seed = 1): CodebookSet {
  const rng = new Rng(seed);
  const d = 4, size = 5, nLayers = 2, nKvHeads = 3;
  const books = Array.from({ length: nLayers * nKvHeads }, () => {
    const C = Float32Array.from({ length: size * d }, () => rng.normal());
    let L: Float32Array | null = null;
    if (kind === 'query-aware') {
      L = new Float32Array(d * d);
      for (let i = 0; i < d; i++) for (let j = 0; j <= i; j++) L[i * d + j] = i === j ? 1 + rng.uniform() : rng.normal();
    }
    return new Codebook(d, size, C, L);
  });
  const info: CodebookSetInfo = {
    nLayers, nKvHeads, headDim: d, size, kind, wrope: { window: 16, distance: 128, base: 10000, pairing: 'adjacent' },
    calibrationTokens: 1234, calibrationQueries: kind === 'plain' ? 0 : 99,
  };
  return new CodebookSet(info, books);
}

function badFile(bytes: Uint8Array, needle: string): void {
  let e: unknown = null;
  try { readCodebookFile(bytes, 'cb.safetensors'); } catch (err) { e = err; }
  expect(e).toBeInstanceOf(SparseInferenceError);
  expect((e as SparseInferenceError).code).toBe('BAD_FILE');
  expect((e as Error).message).toContain(needle);
}

/** Rewrite the JSON header of a file (keeping the data section). */
function withHeader(bytes: Uint8Array, edit: (h: Record<string, any>) => void): Uint8Array {
  const n = Number(new DataView(bytes.buffer, bytes.byteOffset).getBigUint64(0, true));
  const h = JSON.parse(new TextDecoder().decode(bytes.subarray(8, 8 + n)));
  edit(h);
  const json = new TextEncoder().encode(JSON.stringify(h));
  const out = new Uint8Array(8 + json.length + bytes.length - 8 - n);
  new DataView(out.buffer).setBigUint64(0, BigInt(json.length), true);
  out.set(json, 8);
  out.set(bytes.subarray(8 + n), 8 + json.length);
  return out;
}

describe('codebook files', () => {
  for (const kind of ['query-aware', 'plain'] as const) {
    it(`round-trip a ${kind} set exactly`, () => {
      const set = makeSet(kind);
      const back = readCodebookFile(writeCodebookFile(set));
      expect(back.info).toEqual(set.info);
      for (let l = 0; l < 2; l++) for (let h = 0; h < 3; h++) {
        const a = set.get(l, h), b = back.get(l, h);
        expect(Array.from(b.centroids)).toEqual(Array.from(a.centroids));
        expect(b.factor === null ? null : Array.from(b.factor)).toEqual(a.factor === null ? null : Array.from(a.factor));
        expect(Array.from(b.whitened)).toEqual(Array.from(a.whitened));
      }
    });
  }

  it('data section is 8-byte aligned and tensors are F32 little-endian', () => {
    const bytes = writeCodebookFile(makeSet('plain'));
    const n = Number(new DataView(bytes.buffer).getBigUint64(0, true));
    expect((8 + n) % 8).toBe(0);
    const first = makeSet('plain').get(0, 0).centroids[0];
    const h = JSON.parse(new TextDecoder().decode(bytes.subarray(8, 8 + n)));
    const [b0] = h['layers.0.kv_heads.0.centroids'].data_offsets;
    expect(new DataView(bytes.buffer).getFloat32(8 + n + b0, true)).toBe(first);
  });

  it('rejects corrupt files with BAD_FILE naming the problem', () => {
    const good = writeCodebookFile(makeSet('query-aware'));
    badFile(good.subarray(0, 5), 'too short');
    badFile(good.subarray(0, good.length - 4), 'truncated');
    badFile(withHeader(good, (h) => { h.__metadata__.format = 'other'; }), 'metadata.format');
    badFile(withHeader(good, (h) => { h.__metadata__.version = '2'; }), 'version');
    badFile(withHeader(good, (h) => { h.__metadata__.head_dim = 'four'; }), 'metadata.head_dim');
    badFile(withHeader(good, (h) => { h.__metadata__.kind = 'magic'; }), 'metadata.kind');
    badFile(withHeader(good, (h) => { h.__metadata__.rope_pairing = 'diag'; }), 'rope_pairing');
    badFile(withHeader(good, (h) => { h.__metadata__.size = '6'; }), 'shape');
    badFile(withHeader(good, (h) => { delete h['layers.1.kv_heads.2.factor']; }), 'tensors');
    badFile(withHeader(good, (h) => { h['layers.0.kv_heads.0.centroids'].dtype = 'I32'; }), 'F32');
    const nan = good.slice();
    const n = Number(new DataView(nan.buffer).getBigUint64(0, true));
    new DataView(nan.buffer).setFloat32(8 + n + 4, NaN, true);
    badFile(nan, 'not finite');
    // An upper-triangular entry in a factor.
    const tri = good.slice();
    const h = JSON.parse(new TextDecoder().decode(tri.subarray(8, 8 + n)));
    const [f0] = h['layers.0.kv_heads.1.factor'].data_offsets;
    new DataView(tri.buffer).setFloat32(8 + n + f0 + 4, 3, true); // element [0, 1]
    badFile(tri, 'lower triangular');
  });
});

describe('query metric and codebook arguments', () => {
  it('H is the second moment (not the covariance), scaled by 1/sqrt(mean(H²)), with 1e-6 jitter', () => {
    const m = new QueryMoment(2);
    m.add(Float32Array.from([1, 1, 3, 3]), 2);      // mean (2, 2): covariance would be [[1,1],[1,1]]
    const H = m.moment();
    expect(Array.from(H)).toEqual([5, 5, 5, 5]);
    const { L, scale, jitter } = metricFactor(H, 2);
    expect(scale).toBeCloseTo(1 / 5, 12);
    expect(jitter).toBeGreaterThanOrEqual(1e-6);
    // L Lᵀ = H·scale + jitter·I.
    const LLt = [L[0] * L[0], L[0] * L[2], L[2] * L[0], L[2] * L[2] + L[3] * L[3]];
    expect(LLt[0]).toBeCloseTo(1 + jitter, 9);
    expect(LLt[1]).toBeCloseTo(1, 9);
    expect(LLt[3]).toBeCloseTo(1 + jitter, 5);
  });

  it('reject bad shapes and parameters with messages naming them', () => {
    expectBadArgument(() => new QueryMoment(0), 'dim');
    expectBadArgument(() => new QueryMoment(2).add(new Float32Array(3), 2), 'queries');
    expectBadArgument(() => new QueryMoment(2).add(Float32Array.from([NaN, 1]), 1), 'queries');
    expectBadArgument(() => new QueryMoment(2).moment(), 'QueryMoment');
    expectBadArgument(() => metricFactor(new Float64Array(4), 2), 'H');
    expectBadArgument(() => new Codebook(4, 2, new Float32Array(7), null), 'centroids');
    expectBadArgument(() => new Codebook(2, 1, Float32Array.from([1, NaN]), null), 'centroids');
    expectBadArgument(() => new Codebook(2, 1, new Float32Array(2), Float32Array.from([1, 0, 0, -1])), 'factor');
    expectBadArgument(() => new Codebook(2, 1, new Float32Array(2), Float32Array.from([1, 2, 0, 1])), 'factor');
    const set = makeSet('plain');
    expectBadArgument(() => set.get(2, 0), 'layer');
    expectBadArgument(() => set.get(0, 3), 'kvHead');
    expectBadArgument(() => new CodebookSet({ ...set.info, nKvHeads: 2 }, [set.get(0, 0)]), 'books');
    const cb = set.get(0, 0);
    expectBadArgument(() => cb.encode(undefined as never, new Float32Array(3), 1, new Int32Array(1)), 'keys');
    expectBadArgument(() => cb.encode(undefined as never, new Float32Array(4), 1, new Int32Array(0)), 'codes');
  });
});

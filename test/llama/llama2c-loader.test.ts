import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { describeWithShared } from '../_harness/shared-data.js';
import { expectBadArgument } from '../_harness/bad-input.js';
import { createKernels } from '../../src/backends/create-kernels.js';
import { loadLlama2c, parseLlama2cHeader } from '../../src/llama/load-llama2c.js';
import { expectError, llama2cBytes, maxAbsDiff, modelLogits, tinyModel } from './helpers.js';

const kernels = await createKernels({ backend: 'wasm' });
const TOKENS = [1, 5, 9, 44, 3, 3, 17];

describe('llama2.c checkpoint loader', () => {
  it('round-trips a model with and without the stored RoPE tables (told apart by size)', async () => {
    const src = tinyModel(kernels);
    const want = await modelLogits(src, TOKENS);
    for (const ropeTables of [true, false]) {
      const bytes = llama2cBytes(src, { ropeTables });
      expect(parseLlama2cHeader(bytes).hasRopeTables).toBe(ropeTables);
      const m = loadLlama2c(bytes, { kernels });
      const got = await modelLogits(m, TOKENS);
      for (let p = 0; p < TOKENS.length; p++) expect(maxAbsDiff(got[p], want[p])).toBe(0);
      m.dispose();
    }
    src.dispose();
  });

  it('negative vocab_size: the classifier is read from the end of the file', async () => {
    const src = tinyModel(kernels);
    const g = src.globalWeights();
    // The same weights as the tied model → identical logits.
    const same = loadLlama2c(llama2cBytes(src, { ropeTables: true, classifier: g.tokEmb.slice() }), { kernels });
    expect(same.config.sharedClassifier).toBe(false);
    const want = await modelLogits(src, TOKENS);
    const got = await modelLogits(same, TOKENS);
    expect(maxAbsDiff(got[6], want[6])).toBe(0);
    // A different classifier (rows scaled by 2) → logits exactly doubled.
    const doubled = g.tokEmb.map((v) => 2 * v);
    const m2 = loadLlama2c(llama2cBytes(src, { classifier: doubled }), { kernels });
    const got2 = await modelLogits(m2, TOKENS);
    for (let i = 0; i < got2[6].length; i++) expect(got2[6][i]).toBeCloseTo(2 * want[6][i], 4);
    same.dispose(); m2.dispose(); src.dispose();
  });

  it('truncated or padded files are BAD_FILE with both expected sizes', () => {
    const src = tinyModel(kernels);
    const bytes = llama2cBytes(src, { ropeTables: true });
    const e = expectError(() => loadLlama2c(bytes.subarray(0, bytes.length - 4), { kernels, name: 'x.bin' }), 'BAD_FILE', /x\.bin/, /truncated/);
    expect(e.message).toContain(String(bytes.length));
    const padded = new Uint8Array(bytes.length + 8); padded.set(bytes);
    expectError(() => loadLlama2c(padded, { kernels }), 'BAD_FILE', /trailing bytes or a wrong header/);
    expectError(() => loadLlama2c(bytes.subarray(0, 20), { kernels }), 'BAD_FILE', /shorter than the 28-byte/);
    src.dispose();
  });

  it('garbage or inconsistent headers are BAD_FILE naming the field', () => {
    const src = tinyModel(kernels);
    const bytes = llama2cBytes(src);
    const set = (i: number, v: number) => { const b = bytes.slice(); new DataView(b.buffer).setInt32(4 * i, v, true); return b; };
    expectError(() => loadLlama2c(set(0, 0), { kernels }), 'BAD_FILE', /bad header/, /dim/);
    expectError(() => loadLlama2c(set(3, 5), { kernels }), 'BAD_FILE', /nHeads/);
    expectError(() => loadLlama2c(set(4, 3), { kernels }), 'BAD_FILE', /nKvHeads/);
    expectError(() => loadLlama2c(set(1, 41), { kernels }), 'BAD_FILE', /needs/); // wrong hidden → size mismatch
    expectError(() => loadLlama2c(set(0, 0x616b3432), { kernels }), 'BAD_FILE', /ak42/);
    const text = new TextEncoder().encode('this is certainly not a llama checkpoint at all.');
    expectError(() => loadLlama2c(text, { kernels }), 'BAD_FILE', /bad header/);
    src.dispose();
  });

  it('NaN/Infinity weights are BAD_FILE naming the tensor (unless the scan is off)', () => {
    const src = tinyModel(kernels);
    const bytes = llama2cBytes(src);
    const c = src.config;
    // First element of wq of layer 1: after tok_embeddings, rms_att (L·d) and wq of layer 0.
    const off = 28 + 4 * (c.vocabSize * c.dim + c.nLayers * c.dim + c.dim * c.dim);
    new DataView(bytes.buffer).setFloat32(off, NaN, true);
    expectError(() => loadLlama2c(bytes, { kernels }), 'BAD_FILE', /wq\[layer 1\]/, /element 0/);
    const m = loadLlama2c(bytes, { kernels, checkFinite: false });
    expect(Number.isNaN(m.layerWeights(1).wq[0])).toBe(true);
    m.dispose(); src.dispose();
  });

  it('bad arguments are BAD_ARGUMENT', () => {
    expectBadArgument(() => loadLlama2c([1, 2, 3] as never, { kernels }), 'bytes');
    expectBadArgument(() => loadLlama2c(new Uint8Array(100), {} as never), 'opts.kernels');
  });
});

describeWithShared('llama2.c loader on the real file', ['models/stories260K.bin'], ([path]) => {
  it('a truncated stories260K.bin is BAD_FILE, not garbage', () => {
    const bytes = new Uint8Array(readFileSync(path));
    expectError(() => loadLlama2c(bytes.subarray(0, 500000), { kernels }), 'BAD_FILE', /truncated/, /1056540/);
  });

  it('stories260K.bin without its RoPE tables loads and gives the same logits', async () => {
    const bytes = new Uint8Array(readFileSync(path));
    const full = loadLlama2c(bytes, { kernels });
    const c = full.config;
    const tablesAt = 28 + 4 * (260032);
    const cut = new Uint8Array(bytes.length - 4 * c.seqLen * c.headDim);
    cut.set(bytes.subarray(0, tablesAt));
    const m = loadLlama2c(cut, { kernels });
    const a = await modelLogits(full, [1, 403, 407]);
    const b = await modelLogits(m, [1, 403, 407]);
    expect(maxAbsDiff(a[2], b[2])).toBe(0);
    full.dispose(); m.dispose();
  });
});

/**
 * loadModel detects the checkpoint format from the bytes (not the file name) and loads it with
 * the registered loader: the model it returns computes the same logits as the format's own
 * loader (the oracle); GGUF is built in and a registered loader can replace it; unknown
 * bytes are BAD_FILE; options the format does not take are BAD_ARGUMENT.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync, copyFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createKernels } from '../../src/backends/create-kernels.js';
import { loadLlama2c } from '../../src/llama/load-llama2c.js';
import { toHfCheckpoint } from '../../src/llama/convert-to-hf.js';
import { loadModel } from '../../src/llama/load-model.js';
import { loadModel as loadModelPath } from '../../src/node/load-model.js';
import { checkpointLoader, detectCheckpointFormat, registerCheckpointLoader } from '../../src/llama/detect-format.js';
import { SparseInferenceError } from '../../src/core/errors.js';
import { describeWithShared } from '../_harness/shared-data.js';
import { SMOLLM2_GGUF, modelPath } from '../_harness/models.js';
import { llama2cBytes, maxAbsDiff, modelLogits, tinyModel } from './helpers.js';

const kernels = await createKernels({ backend: 'wasm' });
const TOKENS = [1, 5, 9, 44, 3];
const dir = mkdtempSync(join(tmpdir(), 'load-model-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function rejection(p: Promise<unknown>): Promise<SparseInferenceError> {
  try { await p; } catch (e) { expect(e).toBeInstanceOf(SparseInferenceError); return e as SparseInferenceError; }
  throw new Error('expected a rejection');
}

describe('detectCheckpointFormat', () => {
  const src = tinyModel(kernels);
  it('tells llama2.c, safetensors and GGUF apart from the first bytes', () => {
    expect(detectCheckpointFormat(llama2cBytes(src))).toBe('llama2c');
    expect(detectCheckpointFormat(toHfCheckpoint(src).safetensors)).toBe('safetensors');
    expect(detectCheckpointFormat(new TextEncoder().encode('GGUF\x03\0\0\0 rest of a gguf file'))).toBe('gguf');
  });
  it('rejects bytes of no known format as BAD_FILE', () => {
    for (const junk of [new Uint8Array(0), new TextEncoder().encode('hello world, this is not a model at all'), new Uint8Array(64).fill(255)]) {
      expect(() => detectCheckpointFormat(junk, 'junk.bin')).toThrow(/junk\.bin: not a known checkpoint format/);
    }
  });
});

describe('loadModel(bytes)', () => {
  const src = tinyModel(kernels);
  let expected: Float32Array[] = [];
  beforeAll(async () => { expected = await modelLogits(src, TOKENS); });
  it('llama2.c bytes give the model loadLlama2c gives', async () => {
    const bytes = llama2cBytes(src);
    const viaLoader = loadLlama2c(bytes, { kernels });
    const model = await loadModel(bytes, { kernels });
    const a = await modelLogits(model, TOKENS), b = await modelLogits(viaLoader, TOKENS);
    for (let i = 0; i < TOKENS.length; i++) expect(maxAbsDiff(a[i], b[i])).toBe(0);
    for (let i = 0; i < TOKENS.length; i++) expect(maxAbsDiff(a[i], expected[i])).toBe(0);
  });
  it('safetensors bytes with their config give the same logits (F32 round trip)', async () => {
    const { safetensors, config } = toHfCheckpoint(src, { dtype: 'F32' });
    const model = await loadModel(safetensors, { kernels, config });
    const a = await modelLogits(model, TOKENS);
    for (let i = 0; i < TOKENS.length; i++) expect(maxAbsDiff(a[i], expected[i])).toBeLessThan(1e-4);
  });
  it('kvType reaches every format\'s model: a binary16 cache, logits within its rounding of float32', async () => {
    const { safetensors, config } = toHfCheckpoint(src, { dtype: 'F32' });
    for (const model of [await loadModel(llama2cBytes(src), { kernels, kvType: 'f16' }), await loadModel(safetensors, { kernels, config, kvType: 'f16' })]) {
      expect(model.kvType).toBe('f16');
      const a = await modelLogits(model, TOKENS);
      const diffs = a.map((row, i) => maxAbsDiff(row, expected[i]));
      expect(Math.max(...diffs)).toBeLessThan(1e-2);
      expect(Math.max(...diffs)).toBeGreaterThan(0);
      model.dispose();
    }
    const bad = await rejection(loadModel(llama2cBytes(src), { kernels, kvType: 'f8' as never }));
    expect(bad.code).toBe('BAD_ARGUMENT');
    expect(bad.message).toMatch(/kvType/);
  });
  it('says what is missing or wrong: config for safetensors, unknown keys, config on llama2.c', async () => {
    const { safetensors } = toHfCheckpoint(src);
    expect((await rejection(loadModel(safetensors, { kernels }))).message).toMatch(/config is needed/);
    expect((await rejection(loadModel(llama2cBytes(src), { kernels, confg: '{}' }))).message).toMatch(/unknown option 'confg'/);
    expect((await rejection(loadModel(llama2cBytes(src), { kernels, config: '{}' }))).message).toMatch(/config applies to safetensors/);
    expect((await rejection(loadModel('model.bin' as never))).code).toBe('BAD_ARGUMENT');
  });
  it('a registered loader is used for its format, with its own extra options', async () => {
    const seen: unknown[] = [];
    const restore = registerCheckpointLoader('gguf', { extraOptions: ['mode'], load: (_b, o) => { seen.push(o.mode); return src; } });
    try {
      expect(await loadModel(new TextEncoder().encode('GGUF\x03\0\0\0'), { kernels, mode: 'quantized' })).toBe(src);
      expect(seen).toEqual(['quantized']);
      expect((await rejection(loadModel(llama2cBytes(src), { kernels, mode: 'quantized' }))).message).toMatch(/unknown option 'mode'/);
    } finally {
      restore();
    }
    // restore() put back the built-in GGUF loader
    expect(checkpointLoader('gguf').extraOptions).toEqual(['weights', 'activations']);
  });
});

describe('loadModel(path) (sparse-inference/node)', () => {
  const src = tinyModel(kernels);
  let expected: Float32Array[] = [];
  beforeAll(async () => { expected = await modelLogits(src, TOKENS); });
  it('detects by content: a llama2.c file named .safetensors and a safetensors file named .bin both load', async () => {
    writeFileSync(join(dir, 'odd.safetensors'), llama2cBytes(src));
    const { safetensors, config } = toHfCheckpoint(src, { dtype: 'F32' });
    writeFileSync(join(dir, 'weights.bin'), safetensors);
    writeFileSync(join(dir, 'config.json'), config);
    for (const file of ['odd.safetensors', 'weights.bin']) {
      const model = await loadModelPath(join(dir, file), { kernels });
      const a = await modelLogits(model, TOKENS);
      for (let i = 0; i < TOKENS.length; i++) expect(maxAbsDiff(a[i], expected[i])).toBeLessThan(1e-4);
    }
  });
  it('a Hugging Face directory loads; a missing file is BAD_FILE naming it', async () => {
    const hf = join(dir, 'hf');
    rmSync(hf, { recursive: true, force: true });
    (await import('node:fs')).mkdirSync(hf);
    copyFileSync(join(dir, 'weights.bin'), join(hf, 'model.safetensors'));
    copyFileSync(join(dir, 'config.json'), join(hf, 'config.json'));
    const a = await modelLogits(await loadModelPath(hf, { kernels }), TOKENS);
    for (let i = 0; i < TOKENS.length; i++) expect(maxAbsDiff(a[i], expected[i])).toBeLessThan(1e-4);
    const e = await rejection(loadModelPath(join(dir, 'nope.bin')));
    expect(e.code).toBe('BAD_FILE');
    expect(e.message).toMatch(/nope\.bin/);
  });
});

describeWithShared('loadModel on the shared checkpoint', ['models/stories260K.bin'], ([bin]) => {
  it('stories260K.bin by path equals loadLlama2c of its bytes; default kernels', async () => {
    const direct = loadLlama2c(new Uint8Array(readFileSync(bin)), { kernels });
    const model = await loadModelPath(bin);
    const a = await modelLogits(model, TOKENS), b = await modelLogits(direct, TOKENS);
    for (let i = 0; i < TOKENS.length; i++) expect(maxAbsDiff(a[i], b[i])).toBe(0);
  });
});

describe.skipIf(modelPath(SMOLLM2_GGUF) === null)('loadModel on the SmolLM2 GGUF', () => {
  it('detects GGUF from the file and loads it by path', async () => {
    const path = modelPath(SMOLLM2_GGUF)!;
    const head = new Uint8Array(readFileSync(path).subarray(0, 32));
    expect(detectCheckpointFormat(head)).toBe('gguf');
    const model = await loadModelPath(path, { kernels, maxSeqLen: 32 });
    try {
      expect(model.config).toMatchObject({ vocabSize: 49152, nLayers: 30, seqLen: 32 });
      const logits = await model.forward(1, 0);
      expect(logits.every(Number.isFinite)).toBe(true);
    } finally {
      model.dispose();
    }
  });
});

/**
 * Hugging Face path: conversion llama2.c → safetensors (+ config.json) with the q/k row
 * permutation, reload with half-split RoPE, same logits; shards and index; bad files.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { describeWithShared } from '../_harness/shared-data.js';
import { createKernels } from '../../src/backends/create-kernels.js';
import { loadLlama2c } from '../../src/llama/load-llama2c.js';
import { loadSafetensors } from '../../src/llama/load-safetensors.js';
import { parseHfConfig, toHfConfig } from '../../src/llama/hf-config.js';
import { permuteForHalfRope, toHfCheckpoint } from '../../src/llama/convert-to-hf.js';
import { parseSafetensors } from '../../src/llama/safetensors.js';
import { writeSafetensors, type TensorToWrite } from '../../src/llama/write-safetensors.js';
import { loadTokenizer } from '../../src/llama/tokenizer.js';
import { evaluateNll } from '../../src/llama/evaluate-nll.js';
import { bf16ToF32 } from '../../src/llama/float-formats.js';
import { expectError, maxAbsDiff, modelLogits, tinyModel } from './helpers.js';

const kernels = await createKernels({ backend: 'wasm' });
const TOKENS = [1, 5, 9, 44, 3, 3, 17, 20];

/** Every tensor of a safetensors file back as F32 TensorToWrite entries (to edit and rewrite). */
function tensorsOf(bytes: Uint8Array): TensorToWrite[] {
  const st = parseSafetensors(bytes);
  return [...st.tensors].map(([name, t]) => {
    const raw = bytes.slice(t.begin, t.end);
    const data = t.dtype === 'F32' ? new Float32Array(raw.buffer) : Float32Array.from(new Uint16Array(raw.buffer), bf16ToF32);
    return { name, shape: [...t.shape], data };
  });
}

describe('rotary permutation (HF convert_llama_weights_to_hf.py)', () => {
  it('half-split RoPE of permuted rows equals adjacent RoPE of the originals, permuted', () => {
    const nHeads = 3, hd = 8, cols = 5, rows = nHeads * hd;
    const W = Float32Array.from({ length: rows * cols }, (_, i) => Math.sin(i * 1.7));
    const x = Float32Array.from({ length: cols }, (_, i) => Math.cos(i));
    const P = permuteForHalfRope(W, nHeads, rows, cols);
    const a = new Float32Array(rows), b = new Float32Array(rows);
    kernels.gemv(W, x, a, rows, cols); kernels.gemv(P, x, b, rows, cols);
    kernels.rope(a, nHeads, hd, 7, 10000, 'adjacent');
    kernels.rope(b, nHeads, hd, 7, 10000, 'half');
    // HF row h·hd + s·hd/2 + i holds original row h·hd + 2i + s.
    for (let h = 0; h < nHeads; h++) for (let s = 0; s < 2; s++) for (let i = 0; i < hd / 2; i++) {
      expect(b[h * hd + s * (hd / 2) + i]).toBeCloseTo(a[h * hd + 2 * i + s], 5);
    }
  });
});

describe('llama2.c → Hugging Face safetensors round trip', () => {
  it('F32: same logits (max abs diff < 1e-4), GQA and tied classifier', async () => {
    const src = tinyModel(kernels);
    const { safetensors, config } = toHfCheckpoint(src, { dtype: 'F32' });
    const hf = loadSafetensors(safetensors, config, { kernels });
    expect(hf.config.ropePairing).toBe('half');
    const a = await modelLogits(src, TOKENS), b = await modelLogits(hf, TOKENS);
    for (let p = 0; p < TOKENS.length; p++) expect(maxAbsDiff(a[p], b[p])).toBeLessThan(1e-4);
    src.dispose(); hf.dispose();
  });

  it('without the permutation the logits would differ (the test can fail)', async () => {
    const src = tinyModel(kernels, { sharedClassifier: false });
    const { safetensors, config } = toHfCheckpoint(src);
    const tensors = tensorsOf(safetensors);
    // Undo the permutation of q/k by re-storing the original rows.
    for (const t of tensors) {
      const m = /^model\.layers\.(\d+)\.self_attn\.([qk])_proj\.weight$/.exec(t.name);
      if (m) t.data = src.layerWeights(Number(m[1]))[m[2] === 'q' ? 'wq' : 'wk'].slice();
    }
    const wrong = loadSafetensors(writeSafetensors(tensors), config, { kernels });
    const right = loadSafetensors(safetensors, config, { kernels });
    const a = await modelLogits(src, TOKENS), b = await modelLogits(wrong, TOKENS), c = (await modelLogits(right, TOKENS));
    expect(maxAbsDiff(a[5], c[5])).toBeLessThan(1e-4);
    expect(maxAbsDiff(a[5], b[5])).toBeGreaterThan(1e-3);
    src.dispose(); wrong.dispose(); right.dispose();
  });

  it('sharded checkpoint with model.safetensors.index.json gives the same logits', async () => {
    const src = tinyModel(kernels, { sharedClassifier: false });
    const { safetensors, config } = toHfCheckpoint(src);
    const tensors = tensorsOf(safetensors);
    const half = Math.ceil(tensors.length / 2);
    const shards = {
      'model-00001-of-00002.safetensors': writeSafetensors(tensors.slice(0, half)),
      'model-00002-of-00002.safetensors': writeSafetensors(tensors.slice(half), { format: 'pt' }),
    };
    const index = JSON.stringify({ metadata: {}, weight_map: Object.fromEntries(tensors.map((t, i) =>
      [t.name, i < half ? 'model-00001-of-00002.safetensors' : 'model-00002-of-00002.safetensors'])) });
    const hf = loadSafetensors(shards, config, { kernels, index });
    const a = await modelLogits(src, TOKENS), b = await modelLogits(hf, TOKENS);
    expect(maxAbsDiff(a[7], b[7])).toBeLessThan(1e-4);
    // An index that puts a tensor in the wrong shard, or a tensor in two shards.
    const badIndex = JSON.parse(index);
    badIndex.weight_map['model.norm.weight'] = badIndex.weight_map['model.norm.weight'].includes('00001')
      ? 'model-00002-of-00002.safetensors' : 'model-00001-of-00002.safetensors';
    expectError(() => loadSafetensors(shards, config, { kernels, index: JSON.stringify(badIndex) }), 'BAD_FILE', /model\.norm\.weight/);
    expectError(() => loadSafetensors([shards['model-00001-of-00002.safetensors'], shards['model-00001-of-00002.safetensors']], config, { kernels }),
      'BAD_FILE', /appears in both/);
    expectError(() => loadSafetensors(shards, config, { kernels, index: '{"weight_map": 3}' }), 'BAD_FILE', /weight_map/);
    src.dispose(); hf.dispose();
  });

  it('F16 and BF16 tensors load (values rounded to 16 bits)', () => {
    const src = tinyModel(kernels);
    for (const dtype of ['BF16', 'F16'] as const) {
      const { safetensors, config } = toHfCheckpoint(src, { dtype });
      const hf = loadSafetensors(safetensors, config, { kernels });
      const w0 = src.layerWeights(0).w2, w1 = hf.layerWeights(0).w2;
      const rel = dtype === 'BF16' ? 2 ** -8 : 2 ** -11;
      for (let i = 0; i < w0.length; i++) expect(Math.abs(w0[i] - w1[i])).toBeLessThanOrEqual(rel * Math.abs(w0[i]) + 1e-7);
      hf.dispose();
    }
    src.dispose();
  });

  it('config/tensor mismatches and bad configs are BAD_FILE naming the problem', () => {
    const src = tinyModel(kernels);
    const { safetensors, config } = toHfCheckpoint(src);
    const cfg = JSON.parse(config);
    expectError(() => loadSafetensors(safetensors, JSON.stringify({ ...cfg, intermediate_size: 41 }), { kernels }),
      'BAD_FILE', /mlp\.gate_proj\.weight has shape \[40,32\]/, /config\/tensor mismatch/);
    expectError(() => loadSafetensors(safetensors, JSON.stringify({ ...cfg, num_hidden_layers: 3 }), { kernels }),
      'BAD_FILE', /model\.layers\.2\.input_layernorm\.weight is missing/);
    expectError(() => loadSafetensors(safetensors, JSON.stringify({ ...cfg, tie_word_embeddings: false }), { kernels }),
      'BAD_FILE', /lm_head\.weight is missing/);
    expectError(() => loadSafetensors(safetensors, '{"hidden_size": 32,', { kernels }), 'BAD_FILE', /config\.json/, /not valid JSON/);
    const { hidden_size: _drop, ...noHidden } = cfg;
    expectError(() => loadSafetensors(safetensors, noHidden, { kernels }), 'BAD_FILE', /hidden_size is missing/);
    expectError(() => parseHfConfig({ ...cfg, rope_scaling: { type: 'llama3', factor: 8 } }), 'BAD_FILE', /rope_scaling/);
    expectError(() => parseHfConfig({ ...cfg, model_type: 'gpt2' }), 'BAD_FILE', /model_type 'gpt2'/);
    expectError(() => parseHfConfig({ ...cfg, hidden_act: 'gelu' }), 'BAD_FILE', /hidden_act/);
    expectError(() => parseHfConfig({ ...cfg, head_dim: 16 }), 'BAD_FILE', /head_dim/);
    expectError(() => parseHfConfig({ ...cfg, num_key_value_heads: 3 }), 'BAD_FILE', /nKvHeads/);
    // An integer tensor where a weight should be: unsupported dtype.
    const raw = JSON.parse(new TextDecoder().decode(safetensors.subarray(8, 8 + Number(new DataView(safetensors.buffer).getBigUint64(0, true)))));
    raw['model.norm.weight'].dtype = 'I32';
    const h = new TextEncoder().encode(JSON.stringify(raw));
    const dataStart = 8 + Number(new DataView(safetensors.buffer).getBigUint64(0, true));
    const edited = new Uint8Array(8 + h.length + safetensors.length - dataStart);
    new DataView(edited.buffer).setBigUint64(0, BigInt(h.length), true);
    edited.set(h, 8); edited.set(safetensors.subarray(dataStart), 8 + h.length);
    expectError(() => loadSafetensors(edited, config, { kernels }), 'BAD_FILE', /model\.norm\.weight has dtype I32/);
    src.dispose();
  });

  it('maxSeqLen caps the context; toHfConfig ↔ parseHfConfig round-trips', () => {
    const src = tinyModel(kernels);
    const cfg = toHfConfig(src.config);
    expect(parseHfConfig(cfg)).toEqual({ ...src.config, ropePairing: 'half' });
    expect(parseHfConfig(cfg, { maxSeqLen: 8 }).seqLen).toBe(8);
    expect(parseHfConfig({ ...cfg, rms_norm_eps: undefined, rope_theta: undefined, num_key_value_heads: undefined }))
      .toMatchObject({ normEps: 1e-6, ropeBase: 10000, nKvHeads: src.config.nHeads });
    src.dispose();
  });
});

describeWithShared('stories260K through the Hugging Face path', ['models/stories260K.bin', 'models/tok512.bin', 'data/tinystories_sample.txt'],
  ([modelPath, tokPath, textPath]) => {
    const tok = loadTokenizer(new Uint8Array(readFileSync(tokPath)), { vocabSize: 512 });
    const text = readFileSync(textPath, 'utf8');

    it('F32 safetensors: logits within 1e-4 of the llama2.c original', async () => {
      const src = loadLlama2c(new Uint8Array(readFileSync(modelPath)), { kernels });
      const { safetensors, config } = toHfCheckpoint(src, { dtype: 'F32' });
      const hf = loadSafetensors(safetensors, config, { kernels });
      const ids = tok.encode('Once upon a time, there was a little girl named Lily. She loved to play outside.', { bos: true });
      const a = await modelLogits(src, ids), b = await modelLogits(hf, ids);
      let worst = 0;
      for (let p = 0; p < ids.length; p++) worst = Math.max(worst, maxAbsDiff(a[p], b[p]));
      expect(worst).toBeLessThan(1e-4);
      src.dispose(); hf.dispose();
    });

    it('BF16 safetensors: mean NLL within 0.02 over a few hundred tokens', async () => {
      const src = loadLlama2c(new Uint8Array(readFileSync(modelPath)), { kernels });
      const { safetensors, config } = toHfCheckpoint(src, { dtype: 'BF16' });
      const hf = loadSafetensors(safetensors, config, { kernels });
      const a = await evaluateNll(src, tok, text, { maxTokens: 400 });
      const b = await evaluateNll(hf, tok, text, { maxTokens: 400 });
      expect(a.tokens).toBe(b.tokens);
      expect(a.tokens).toBeGreaterThanOrEqual(400);
      console.log(`[llama] BF16 round trip: NLL ${a.meanNll.toFixed(4)} (F32) vs ${b.meanNll.toFixed(4)} (BF16) over ${a.tokens} tokens`);
      expect(Math.abs(a.meanNll - b.meanNll)).toBeLessThan(0.02);
      expect(Math.abs(a.meanNll - b.meanNll)).toBeGreaterThan(0); // really rounded
      src.dispose(); hf.dispose();
    });
  });

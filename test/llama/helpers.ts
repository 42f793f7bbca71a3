/**
 * Test helpers for the llama family: an independent float64 oracle of the Llama forward pass
 * (plain loops straight from llama2.c run.c semantics, sharing nothing with src/llama but the
 * weight views), error matchers, and small random models.
 */
import { expect } from 'vitest';
import { SparseInferenceError } from '../../src/core/errors.js';
import type { CpuKernels } from '../../src/kernels/kernels.js';
import type { LlamaModel } from '../../src/llama/model.js';
import { randomLlama } from '../../src/llama/random-llama.js';
import type { LlamaShape } from '../../src/llama/config.js';

/** Expect fn to throw SparseInferenceError(code) whose message matches every fragment. */
export function expectError(fn: () => unknown, code: SparseInferenceError['code'], ...fragments: (string | RegExp)[]): SparseInferenceError {
  let thrown: unknown = null;
  try { fn(); } catch (e) { thrown = e; }
  expect(thrown, 'expected an error').toBeInstanceOf(SparseInferenceError);
  const err = thrown as SparseInferenceError;
  expect(err.code, err.message).toBe(code);
  for (const f of fragments) expect(err.message).toMatch(f);
  return err;
}

export async function expectErrorAsync(fn: () => Promise<unknown>, code: SparseInferenceError['code'], ...fragments: (string | RegExp)[]): Promise<SparseInferenceError> {
  let thrown: unknown = null;
  try { await fn(); } catch (e) { thrown = e; }
  expect(thrown, 'expected an error').toBeInstanceOf(SparseInferenceError);
  const err = thrown as SparseInferenceError;
  expect(err.code, err.message).toBe(code);
  for (const f of fragments) expect(err.message).toMatch(f);
  return err;
}

/** A small GQA model (2 query heads per KV head, head size 8) with random weights. */
export function tinyModel(kernels: CpuKernels, over: Partial<LlamaShape> = {}, seed = 7): LlamaModel {
  return randomLlama({
    dim: 32, hiddenDim: 40, nLayers: 2, nHeads: 4, nKvHeads: 2, vocabSize: 50, seqLen: 24, ...over,
  }, { kernels, seed, scale: 1.5 });
}

/**
 * Logits after each token of `tokens` (positions 0..n−1), computed in float64 with plain loops:
 * RMSNorm, RoPE (θ^(−2i/hd) on pair i, adjacent or half-split), GQA causal softmax attention,
 * SwiGLU, tied or separate classifier.
 */
export function oracleLogits(model: LlamaModel, tokens: number[]): Float64Array[] {
  const c = model.config;
  const { dim, hiddenDim, nHeads, nKvHeads, headDim: hd, kvDim, vocabSize } = c;
  const g = model.globalWeights();
  const layers = Array.from({ length: c.nLayers }, (_, l) => {
    const w = model.layerWeights(l);
    return Object.fromEntries(Object.entries(w).map(([k, v]) => [k, Float64Array.from(v)])) as Record<string, Float64Array>;
  });
  const emb = Float64Array.from(g.tokEmb);
  const cls = Float64Array.from(g.wcls);
  const rmsFinal = Float64Array.from(g.rmsFinal);
  const matvec = (W: Float64Array, x: Float64Array, rows: number, cols: number) => {
    const y = new Float64Array(rows);
    for (let r = 0; r < rows; r++) { let s = 0; for (let j = 0; j < cols; j++) s += W[r * cols + j] * x[j]; y[r] = s; }
    return y;
  };
  const rms = (x: Float64Array, w: Float64Array) => {
    let ss = 0; for (const v of x) ss += v * v;
    const s = 1 / Math.sqrt(ss / x.length + c.normEps);
    return x.map((v, i) => v * s * w[i]);
  };
  const rope = (v: Float64Array, heads: number, pos: number) => {
    for (let h = 0; h < heads; h++) {
      for (let i = 0; i < hd / 2; i++) {
        const a = pos * Math.pow(c.ropeBase, (-2 * i) / hd);
        const [i0, i1] = c.ropePairing === 'adjacent' ? [h * hd + 2 * i, h * hd + 2 * i + 1] : [h * hd + i, h * hd + i + hd / 2];
        const x0 = v[i0], x1 = v[i1];
        v[i0] = x0 * Math.cos(a) - x1 * Math.sin(a);
        v[i1] = x0 * Math.sin(a) + x1 * Math.cos(a);
      }
    }
  };
  const K: Float64Array[][] = layers.map(() => []);
  const V: Float64Array[][] = layers.map(() => []);
  const out: Float64Array[] = [];
  tokens.forEach((tok, pos) => {
    let x = emb.slice(tok * dim, (tok + 1) * dim);
    layers.forEach((w, l) => {
      const h = rms(x, w.rmsAtt);
      const q = matvec(w.wq, h, dim, dim);
      const k = matvec(w.wk, h, kvDim, dim);
      const v = matvec(w.wv, h, kvDim, dim);
      rope(q, nHeads, pos); rope(k, nKvHeads, pos);
      K[l][pos] = k; V[l][pos] = v;
      const att = new Float64Array(dim);
      for (let head = 0; head < nHeads; head++) {
        const kvh = Math.floor(head / (nHeads / nKvHeads));
        const s = Array.from({ length: pos + 1 }, (_, t) => {
          let d = 0; for (let i = 0; i < hd; i++) d += q[head * hd + i] * K[l][t][kvh * hd + i];
          return d / Math.sqrt(hd);
        });
        const m = Math.max(...s);
        const e = s.map((z) => Math.exp(z - m));
        const z = e.reduce((a, b) => a + b, 0);
        for (let t = 0; t <= pos; t++) for (let i = 0; i < hd; i++) att[head * hd + i] += (e[t] / z) * V[l][t][kvh * hd + i];
      }
      const o = matvec(w.wo, att, dim, dim);
      x = x.map((v0, i) => v0 + o[i]);
      const h2 = rms(x, w.rmsFfn);
      const a = matvec(w.w1, h2, hiddenDim, dim);
      const b = matvec(w.w3, h2, hiddenDim, dim);
      const hidden = a.map((v0, i) => (v0 / (1 + Math.exp(-v0))) * b[i]);
      const f = matvec(w.w2, hidden, dim, hiddenDim);
      x = x.map((v0, i) => v0 + f[i]);
    });
    out.push(matvec(cls, rms(x, rmsFinal), vocabSize, dim));
  });
  return out;
}

/** max |a − b| over the first n elements. */
export function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>, n = a.length): number {
  let m = 0;
  for (let i = 0; i < n; i++) m = Math.max(m, Math.abs(a[i] - b[i]));
  return m;
}

/** Logits after each token, run through the model from position 0 (copies). */
export function modelLogits(model: LlamaModel, tokens: number[]): Float32Array[] {
  model.reset();
  return tokens.map((t, pos) => model.forward(t, pos).slice());
}

/**
 * Serialise a model in the llama2.c legacy format (test-side writer, independent of the
 * loader): header, tensor-major weights, optional RoPE tables, classifier when not shared.
 */
export function llama2cBytes(model: LlamaModel, opts: { ropeTables?: boolean; classifier?: Float32Array } = {}): Uint8Array {
  const c = model.config;
  const parts: Float32Array[] = [];
  const g = model.globalWeights();
  parts.push(g.tokEmb.slice());
  const names = ['rmsAtt', 'wq', 'wk', 'wv', 'wo', 'rmsFfn', 'w1', 'w2', 'w3'] as const;
  for (const n of names) for (let l = 0; l < c.nLayers; l++) parts.push(model.layerWeights(l)[n].slice());
  parts.push(g.rmsFinal.slice());
  if (opts.ropeTables) {
    const half = c.headDim / 2;
    const re = new Float32Array(c.seqLen * half), im = new Float32Array(c.seqLen * half);
    for (let p = 0; p < c.seqLen; p++) for (let i = 0; i < half; i++) {
      const a = p * Math.pow(10000, (-2 * i) / c.headDim);
      re[p * half + i] = Math.cos(a); im[p * half + i] = Math.sin(a);
    }
    parts.push(re, im);
  }
  const cls = opts.classifier ?? (c.sharedClassifier ? undefined : g.wcls.slice());
  if (cls) parts.push(cls);
  const floats = parts.reduce((a, p) => a + p.length, 0);
  const out = new Uint8Array(28 + 4 * floats);
  const dv = new DataView(out.buffer);
  [c.dim, c.hiddenDim, c.nLayers, c.nHeads, c.nKvHeads, cls ? -c.vocabSize : c.vocabSize, c.seqLen]
    .forEach((v, i) => dv.setInt32(4 * i, v, true));
  let at = 28;
  for (const p of parts) { out.set(new Uint8Array(p.buffer, p.byteOffset, p.byteLength), at); at += p.byteLength; }
  return out;
}

/**
 * Files in llama2.c's formats for the engine comparison: a checkpoint written from a model's
 * resident weights (the legacy export: 7 int32 header, then tensors grouped by kind over the
 * layers, no RoPE tables), and a tokenizer of any vocabulary size built from a real one by
 * padding it with placeholder pieces (run.c reads exactly vocab_size entries).
 */
import type { LlamaModel } from '../../../src/llama/model.js';
import { LAYER_TENSORS } from '../../../src/llama/weight-layout.js';

/** The model as a llama2.c checkpoint (shared classifier: positive vocab size, no wcls). */
export function llama2cCheckpoint(model: LlamaModel): Uint8Array {
  const c = model.config;
  const header = new Int32Array([c.dim, c.hiddenDim, c.nLayers, c.nHeads, c.nKvHeads,
    c.sharedClassifier ? c.vocabSize : -c.vocabSize, c.seqLen]);
  const { tokEmb, rmsFinal, wcls } = model.globalWeights();
  const parts: Float32Array[] = [tokEmb];
  // llama2.c order: rms_att, wq, wk, wv, wo, rms_ffn, w1, w2, w3 — each over all layers.
  for (const name of LAYER_TENSORS) {
    for (let l = 0; l < c.nLayers; l++) parts.push(model.layerWeights(l)[name]);
  }
  parts.push(rmsFinal);
  if (!c.sharedClassifier) parts.push(wcls);
  const total = 28 + 4 * parts.reduce((t, p) => t + p.length, 0);
  const out = new Uint8Array(total);
  out.set(new Uint8Array(header.buffer), 0);
  let at = 28;
  for (const p of parts) { out.set(new Uint8Array(p.buffer, p.byteOffset, p.byteLength), at); at += p.byteLength; }
  return out;
}

/** A llama2.c tokenizer of `vocabSize` pieces: `base`'s pieces, then "<tN>" placeholders. */
export function paddedTokenizer(base: Uint8Array, baseVocab: number, vocabSize: number): Uint8Array {
  const extra: number[] = [];
  let maxLen = new DataView(base.buffer, base.byteOffset).getInt32(0, true);
  const enc = new TextEncoder();
  for (let i = baseVocab; i < vocabSize; i++) {
    const piece = enc.encode(`<t${i}>`);
    maxLen = Math.max(maxLen, piece.length);
    const rec = new DataView(new ArrayBuffer(8));
    rec.setFloat32(0, 0, true);
    rec.setInt32(4, piece.length, true);
    extra.push(...new Uint8Array(rec.buffer), ...piece);
  }
  const out = new Uint8Array(base.length + extra.length);
  out.set(base);
  out.set(extra, base.length);
  new DataView(out.buffer).setInt32(0, maxLen, true);
  return out;
}

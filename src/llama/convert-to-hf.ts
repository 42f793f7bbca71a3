/**
 * Convert a loaded model to a Hugging Face checkpoint (model.safetensors + config.json).
 *
 * RoPE pairing: llama2.c rotates adjacent pairs (2i, 2i+1) of each head; HF rotates (i, i+hd/2).
 * HF's convert_llama_weights_to_hf.py therefore permutes the rows of wq and wk per head,
 *   permute(w) = w.view(n_heads, hd/2, 2, in).transpose(1, 2).reshape(out, in),
 * i.e. HF row h·hd + a·hd/2 + i is original row h·hd + 2i + a (a ∈ {0, 1}). Pair i of the new
 * rows is then the old pair (2i, 2i+1), rotated by the same frequency θ^(−2i/hd); since q and k
 * are permuted alike, every q·k — hence every logit — is unchanged.
 *
 * @example
 * const { safetensors, config } = toHfCheckpoint(model, { dtype: 'BF16' });
 * const back = loadSafetensors(safetensors, config, { kernels });   // same logits (to BF16 rounding)
 */
import { badArgument } from '../core/errors.js';
import { checkInt, checkOneOf } from '../core/validate.js';
import { toHfConfig } from './hf-config.js';
import { checkLlamaModel } from './check-llama-args.js';
import { hfTensorName } from './hf-tensor-names.js';
import type { LlamaModel } from './model.js';
import { LAYER_TENSORS, layerTensorShape } from './weight-layout.js';
import { writeSafetensors, type TensorToWrite } from './write-safetensors.js';
import { checkOptions, optionKeys } from '../core/options.js';

/**
 * HF's rotary permutation of a (rows × cols) projection with `nHeads` heads of rows/nHeads
 * rows each: adjacent-pair row order → half-split row order. Returns a new array.
 */
export function permuteForHalfRope(w: Float32Array, nHeads: number, rows: number, cols: number): Float32Array {
  checkInt('nHeads', nHeads, 1); checkInt('rows', rows, 1); checkInt('cols', cols, 1);
  if (rows % nHeads !== 0 || (rows / nHeads) % 2 !== 0) throw badArgument(`rows (${rows}) must be nHeads (${nHeads}) × an even head size`);
  if (!(w instanceof Float32Array) || w.length < rows * cols) throw badArgument(`w must be a Float32Array of ${rows * cols} elements`);
  const hd = rows / nHeads;
  const half = hd / 2;
  const out = new Float32Array(rows * cols);
  for (let h = 0; h < nHeads; h++) {
    for (let a = 0; a < 2; a++) {
      for (let i = 0; i < half; i++) {
        const src = (h * hd + 2 * i + a) * cols;
        out.set(w.subarray(src, src + cols), (h * hd + a * half + i) * cols);
      }
    }
  }
  return out;
}

export interface ToHfOptions {
  /** Storage type of every tensor (default 'F32'). */
  dtype?: 'F32' | 'BF16' | 'F16';
}

/** Every key of ToHfOptions, for checkOptions. */
export const TO_HF_KEYS = optionKeys<ToHfOptions>({ dtype: true });

/** The model's weights as HF tensors and config.json text. */
export function toHfCheckpoint(model: LlamaModel, opts: ToHfOptions = {}): { safetensors: Uint8Array; config: string } {
  checkLlamaModel('model', model);
  opts = checkOptions('toHfCheckpoint options', opts, TO_HF_KEYS);
  const dtype = checkOneOf('dtype', opts.dtype ?? 'F32', ['F32', 'BF16', 'F16'] as const);
  const c = model.config;
  const permute = c.ropePairing === 'adjacent';
  const tensors: TensorToWrite[] = [];
  const g = model.globalWeights();
  tensors.push({ name: hfTensorName('tokEmb'), shape: [c.vocabSize, c.dim], data: g.tokEmb.slice(), dtype });
  for (let l = 0; l < c.nLayers; l++) {
    const lw = model.layerWeights(l);
    for (const t of LAYER_TENSORS) {
      const [rows, cols] = layerTensorShape(c, t);
      let data: Float32Array = lw[t].slice();
      if (permute && t === 'wq') data = permuteForHalfRope(data, c.nHeads, rows, cols);
      if (permute && t === 'wk') data = permuteForHalfRope(data, c.nKvHeads, rows, cols);
      tensors.push({ name: hfTensorName(t, l), shape: rows === 1 ? [cols] : [rows, cols], data, dtype });
    }
  }
  const g2 = model.globalWeights();
  tensors.push({ name: hfTensorName('rmsFinal'), shape: [c.dim], data: g2.rmsFinal.slice(), dtype });
  if (!c.sharedClassifier) tensors.push({ name: hfTensorName('wcls'), shape: [c.vocabSize, c.dim], data: g2.wcls.slice(), dtype });
  const safetensors = writeSafetensors(tensors, { format: 'pt' });
  return { safetensors, config: JSON.stringify(toHfConfig(c), null, 2) };
}

/**
 * One Llama decoder layer at position pos, in place on x: the reference kernels called one
 * after another, exactly as the llama model's step spells them out (see KernelFunctions).
 */
import type { DecoderLayerShape } from '../kernels.js';
import { decoderLayerOffsets, decoderLayerScratchOffsets } from '../decoder-layer-layout.js';
import { rmsnorm } from './rmsnorm.js';
import { gemv } from './gemv.js';
import { rope } from './rope.js';
import { axpy } from './axpy.js';
import { swiglu } from './swiglu.js';
import { selectiveAttentionHeads } from './selective-attention-heads.js';

export function decoderLayer(x: Float32Array, W: Float32Array, keys: Float32Array, keysPre: Float32Array,
  values: Float32Array, scratch: Float32Array, pos: number, s: DecoderLayerShape): void {
  const { dim, hiddenDim, nHeads, nKvHeads } = s;
  const headDim = dim / nHeads;
  const kvDim = headDim * nKvHeads;
  const o = decoderLayerOffsets(s);
  const tensor = (at: number, n: number) => W.subarray(at, at + n);
  const r = decoderLayerScratchOffsets(s, pos + 1);
  const region = (at: number, n: number) => scratch.subarray(at, at + n);
  const xb = region(r.xb, dim), xb2 = region(r.xb2, dim), q = region(r.q, dim);
  const hb = region(r.hb, hiddenDim), hb2 = region(r.hb2, hiddenDim), lse = region(r.lse, nHeads);
  const order = new Int32Array(scratch.buffer, scratch.byteOffset + 4 * r.order, pos + 1);
  for (let t = 0; t <= pos; t++) order[t] = t;
  const row0 = pos * kvDim, row1 = row0 + kvDim;

  // Attention block.
  rmsnorm(x, tensor(o.rmsAtt, dim), xb, dim, s.normEps);
  gemv(tensor(o.wq, dim * dim), xb, q, dim, dim);
  gemv(tensor(o.wk, kvDim * dim), xb, keysPre.subarray(row0, row1), kvDim, dim);
  gemv(tensor(o.wv, kvDim * dim), xb, values.subarray(row0, row1), kvDim, dim);
  keys.set(keysPre.subarray(row0, row1), row0);
  rope(q, nHeads, headDim, pos, s.ropeBase, s.ropePairing);
  rope(keys.subarray(row0, row1), nKvHeads, headDim, pos, s.ropeBase, s.ropePairing);
  selectiveAttentionHeads(q, keys, values, order, pos + 1, pos + 1, headDim, kvDim, nHeads, nHeads / nKvHeads,
    1 / Math.sqrt(headDim), xb2, lse);
  gemv(tensor(o.wo, dim * dim), xb2, xb, dim, dim);
  axpy(1, xb, x, dim);

  // Feed-forward block.
  rmsnorm(x, tensor(o.rmsFfn, dim), xb, dim, s.normEps);
  gemv(tensor(o.w1, hiddenDim * dim), xb, hb, hiddenDim, dim);
  gemv(tensor(o.w3, hiddenDim * dim), xb, hb2, hiddenDim, dim);
  swiglu(hb, hb2, hiddenDim);
  gemv(tensor(o.w2, dim * hiddenDim), hb, xb2, dim, hiddenDim);
  axpy(1, xb2, x, dim);
}

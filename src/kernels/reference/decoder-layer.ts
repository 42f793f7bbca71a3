/**
 * One Llama decoder layer at position pos, in place on x: kernels called one after another,
 * exactly as the llama model's step spells them out (see KernelFunctions.decoderLayer).
 * `decoderLayer` is it on the reference kernels; `composeDecoderLayer` builds it from another
 * set (the wasm-threads backend: its gemv calls are split across threads).
 */
import type { DecoderLayerShape } from '../kernels.js';
import {
  checkDecoderLayerShape, decoderLayerOffsets, decoderLayerScratchLength, decoderLayerScratchOffsets, decoderLayerWeightLength,
} from '../decoder-layer-layout.js';
import { defineKernel, f32, int, object, MAX_SIZE } from '../define-kernel.js';
import { rmsnorm } from './rmsnorm.js';
import { gemv } from './gemv.js';
import { rope } from './rope.js';
import { axpy } from './axpy.js';
import { swiglu } from './swiglu.js';
import { causalAttention } from './causal-attention.js';
import { causalAttentionScratchLength } from '../causal-attention-scratch.js';

/** The kernels a layer calls (any backend's, with the reference signatures). */
export interface LayerKernels {
  rmsnorm: typeof rmsnorm; gemv: typeof gemv; rope: typeof rope; axpy: typeof axpy; swiglu: typeof swiglu;
  causalAttention: typeof causalAttention;
}

/** decoderLayer's signature (see below). */
export type DecoderLayerFn = (x: Float32Array, W: Float32Array, keys: Float32Array, keysPre: Float32Array, values: Float32Array,
  scratch: Float32Array, pos: number, shape: DecoderLayerShape) => void;

/** decoderLayer as a sequence of calls to `k`. */
export function composeDecoderLayer(k: LayerKernels): DecoderLayerFn {
  return (x, W, keys, keysPre, values, scratch, pos, s) => layer(k, x, W, keys, keysPre, values, scratch, pos, s);
}

/**
 * One Llama decoder layer for the token at position `pos`, in place on the residual stream x
 * (Touvron et al., arXiv 2302.13971; the body of llama2.c's `forward` for one layer):
 *   h = RMSNorm(x; rmsAtt); q = Wq h; keysPre[pos] = Wk h; values[pos] = Wv h;
 *   q, keys[pos] ← RoPE(pos) of q and keysPre[pos];
 *   x += Wo · attention(q, keys[0..pos], values[0..pos])   (causal, GQA, scale 1/√headDim)
 *   h = RMSNorm(x; rmsFfn); x += W2 (SiLU(W1 h) ⊙ W3 h).
 * The same arithmetic as rmsnorm, gemv, rope, causalAttention (one row at pos, n = 1),
 * axpy and swiglu called one after another — one call instead of ~15, so a small model's
 * decode step is not dominated by per-call overhead.
 * x: dim; W: decoderLayerWeightLength(shape), the packed layer (decoder-layer-layout.ts);
 * keys, keysPre, values: ≥ (pos+1)·kvDim, token-major (row t = all KV heads of token t);
 * keysPre may be keys itself (resident): then k is written and rotated in place and no
 * pre-RoPE copy is kept; scratch: decoderLayerScratchLength(shape, pos + 1), overwritten.
 */
export const decoderLayer: DecoderLayerFn = composeDecoderLayer({ rmsnorm, gemv, rope, axpy, swiglu, causalAttention });

/** K/V cache elements a call at position pos touches: pos + 1 rows of every KV head. */
const cacheLength = (pos: number, s: DecoderLayerShape) => (pos + 1) * (s.dim / s.nHeads) * s.nKvHeads;

/** decoderLayer: one Llama decoder layer in place on x (K/V row pos written). */
export const decoderLayerKernel = defineKernel('decoderLayer', decoderLayer, {
  args: [
    f32('x', 'dim', ([, , , , , , , s]) => s.dim, { role: 'inout' }),
    f32('W', 'decoderLayerWeightLength(shape)', ([, , , , , , , s]) => decoderLayerWeightLength(s)),
    f32('keys', '(pos+1)*kvDim', ([, , , , , , pos, s]) => cacheLength(pos, s), { role: 'inout' }),
    f32('keysPre', '(pos+1)*kvDim', ([, , , , , , pos, s]) => cacheLength(pos, s), { role: 'inout', mayBe: 'keys' }),
    f32('values', '(pos+1)*kvDim', ([, , , , , , pos, s]) => cacheLength(pos, s), { role: 'inout' }),
    f32('scratch', 'decoderLayerScratchLength(shape, pos+1)', ([, , , , , , pos, s]) => decoderLayerScratchLength(s, pos + 1),
      { role: 'out' }),
    int('pos', 0, MAX_SIZE), object('shape', checkDecoderLayerShape),
  ],
  split: 'whole',
  work: ([, , , , , , pos, s]) => decoderLayerWeightLength(s) + 2 * cacheLength(pos, s),
});

function layer(k: LayerKernels, x: Float32Array, W: Float32Array, keys: Float32Array, keysPre: Float32Array,
  values: Float32Array, scratch: Float32Array, pos: number, s: DecoderLayerShape): void {
  const { dim, hiddenDim, nHeads, nKvHeads } = s;
  const headDim = dim / nHeads;
  const kvDim = headDim * nKvHeads;
  const o = decoderLayerOffsets(s);
  const tensor = (at: number, n: number) => W.subarray(at, at + n);
  const r = decoderLayerScratchOffsets(s, pos + 1);
  const region = (at: number, n: number) => scratch.subarray(at, at + n);
  const xb = region(r.xb, dim), xb2 = region(r.xb2, dim), q = region(r.q, dim);
  const hb = region(r.hb, hiddenDim), hb2 = region(r.hb2, hiddenDim);
  const attScratch = region(r.scores, causalAttentionScratchLength(1, nHeads));
  const row0 = pos * kvDim, row1 = row0 + kvDim;

  // Attention block.
  k.rmsnorm(x, tensor(o.rmsAtt, dim), xb, dim, s.normEps);
  k.gemv(tensor(o.wq, dim * dim), xb, q, dim, dim);
  k.gemv(tensor(o.wk, kvDim * dim), xb, keysPre.subarray(row0, row1), kvDim, dim);
  k.gemv(tensor(o.wv, kvDim * dim), xb, values.subarray(row0, row1), kvDim, dim);
  keys.set(keysPre.subarray(row0, row1), row0);
  k.rope(q, nHeads, headDim, pos, s.ropeBase, s.ropePairing);
  k.rope(keys.subarray(row0, row1), nKvHeads, headDim, pos, s.ropeBase, s.ropePairing);
  k.causalAttention(q, keys, values, pos, 1, headDim, kvDim, nHeads, nHeads / nKvHeads, 1 / Math.sqrt(headDim), xb2, attScratch);
  k.gemv(tensor(o.wo, dim * dim), xb2, xb, dim, dim);
  k.axpy(1, xb, x, dim);

  // Feed-forward block.
  k.rmsnorm(x, tensor(o.rmsFfn, dim), xb, dim, s.normEps);
  k.gemv(tensor(o.w1, hiddenDim * dim), xb, hb, hiddenDim, dim);
  k.gemv(tensor(o.w3, hiddenDim * dim), xb, hb2, hiddenDim, dim);
  k.swiglu(hb, hb2, hiddenDim);
  k.gemv(tensor(o.w2, dim * hiddenDim), hb, xb2, dim, hiddenDim);
  k.axpy(1, xb2, x, dim);
}

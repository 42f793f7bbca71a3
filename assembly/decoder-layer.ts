import { rmsnorm } from './rmsnorm';
import { gemv } from './gemv';
import { rope } from './rope';
import { axpy } from './axpy';
import { causalAttention } from './causal-attention';

/**
 * One Llama decoder layer at position pos, in place on x (see src/kernels/kernels.ts
 * `decoderLayer`): the same kernels the per-call path runs, one after another, in one call.
 * W: the packed layer (src/kernels/decoder-layer-layout.ts); keys, keysPre, values: the
 * layer's token-major cache; scratch: decoderLayerScratchLength(shape, pos + 1) floats.
 */
export function decoderLayer(x: usize, W: usize, keys: usize, keysPre: usize, values: usize, scratch: usize,
  pos: i32, dim: i32, hiddenDim: i32, nHeads: i32, nKvHeads: i32, eps: f32, ropeBase: f64, half: i32): void {
  const headDim = dim / nHeads;
  const kvDim = headDim * nKvHeads;
  // Weight block: each tensor starts at a multiple of 16 floats.
  const rmsAtt = W;
  const wq = rmsAtt + bytes(dim, 16);
  const wk = wq + bytes(dim * dim, 16);
  const wv = wk + bytes(kvDim * dim, 16);
  const wo = wv + bytes(kvDim * dim, 16);
  const rmsFfn = wo + bytes(dim * dim, 16);
  const w1 = rmsFfn + bytes(dim, 16);
  const w2 = w1 + bytes(hiddenDim * dim, 16);
  const w3 = w2 + bytes(dim * hiddenDim, 16);
  // Scratch: each region starts at a multiple of 4 floats.
  const xb = scratch;
  const xb2 = xb + bytes(dim, 4);
  const q = xb2 + bytes(dim, 4);
  const hb = q + bytes(dim, 4);
  const hb2 = hb + bytes(hiddenDim, 4);
  const lse = hb2 + bytes(hiddenDim, 4);
  const scores = lse + bytes(nHeads, 4); // causalAttention's scratch (decoder-layer-layout.ts)
  const row = <usize>(pos * kvDim) << 2;

  // Attention block.
  rmsnorm(x, rmsAtt, xb, dim, eps);
  gemv(wq, xb, q, dim, dim);
  gemv(wk, xb, keysPre + row, kvDim, dim);
  gemv(wv, xb, values + row, kvDim, dim);
  memory.copy(keys + row, keysPre + row, <usize>kvDim << 2);
  rope(q, nHeads, headDim, <f64>pos, ropeBase, half);
  rope(keys + row, nKvHeads, headDim, <f64>pos, ropeBase, half);
  // Every query head over tokens 0..pos: one row of the prefill's causal attention (GQA).
  const scale = <f32>(1.0 / Math.sqrt(<f64>headDim));
  causalAttention(q, keys, values, pos, 1, headDim, kvDim, nHeads, nHeads / nKvHeads, scale, xb2, scores);
  gemv(wo, xb2, xb, dim, dim);
  axpy(1, xb, x, dim);

  // Feed-forward block.
  rmsnorm(x, rmsFfn, xb, dim, eps);
  gemv(w1, xb, hb, hiddenDim, dim);
  gemv(w3, xb, hb2, hiddenDim, dim);
  swiglu(hb, hb2, hiddenDim);
  gemv(w2, hb, xb2, dim, hiddenDim);
  axpy(1, xb2, x, dim);
}

/** gate[i] ← SiLU(gate[i]) · up[i], SiLU in f64 rounded to f32 (as the reference swiglu). */
export function swiglu(gate: usize, up: usize, n: i32): void {
  for (let i = 0; i < n; i++) {
    const o = <usize>i << 2;
    const g = <f64>load<f32>(gate + o);
    store<f32>(gate + o, <f32>(g / (1.0 + Math.exp(-g))) * load<f32>(up + o));
  }
}

/** Bytes of n floats rounded up to a multiple of `align` floats. */
// @ts-ignore: decorator
@inline function bytes(n: i32, align: i32): usize {
  return <usize>((n + align - 1) / align * align) << 2;
}

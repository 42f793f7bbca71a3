/**
 * Sizes for the `decoderLayer` kernel: where each tensor of one Llama decoder layer sits in its
 * packed weight block, and how much scratch a call needs.
 *
 * Weight block (floats): rmsAtt (dim), wq (dim×dim), wk (kvDim×dim), wv (kvDim×dim),
 * wo (dim×dim), rmsFfn (dim), w1 (hidden×dim), w2 (dim×hidden), w3 (hidden×dim), matrices
 * row-major (out × in), each tensor starting at a multiple of 16 floats (64 bytes) from the
 * block's start — the order and padding of the llama family's WeightLayout, so a layer of a
 * model's resident weights is passed as one subarray.
 *
 * Scratch (floats): xb, xb2, q (dim each), hb, hb2 (hidden each), lse (nHeads), then the
 * attention's scratch (causalAttention's for one row, at least pos + 1 floats) and pos + 1 floats
 * kept for callers' layouts, every region starting at a multiple of 4 floats.
 *
 * @example
 * const shape = { dim: 64, hiddenDim: 172, nHeads: 8, nKvHeads: 4, normEps: 1e-5, ropeBase: 10000, ropePairing: 'adjacent' };
 * const W = kernels.allocF32(decoderLayerWeightLength(shape));
 * const scratch = kernels.allocF32(decoderLayerScratchLength(shape, seqLen));
 */
import type { DecoderLayerShape } from './kernels.js';
import { badArgument } from '../core/errors.js';
import { checkInt, checkNumber, checkOneOf, describe } from '../core/validate.js';
import { causalAttentionScratchLength } from './causal-attention-scratch.js';

const WEIGHT_ALIGN = 16;
const SCRATCH_ALIGN = 4;

function roundUp(n: number, to: number): number {
  return Math.ceil(n / to) * to;
}

/** Offsets (floats) of the layer's tensors inside its weight block, and the block's length. */
export interface DecoderLayerOffsets {
  rmsAtt: number; wq: number; wk: number; wv: number; wo: number;
  rmsFfn: number; w1: number; w2: number; w3: number;
  /** Floats of the whole block, padding included. */
  length: number;
}

/** Where each tensor of a layer starts in its weight block (see the file comment). */
export function decoderLayerOffsets(s: DecoderLayerShape): DecoderLayerOffsets {
  const kvDim = (s.dim / s.nHeads) * s.nKvHeads;
  let at = 0;
  const next = (n: number) => { const o = at; at += roundUp(n, WEIGHT_ALIGN); return o; };
  const rmsAtt = next(s.dim);
  const wq = next(s.dim * s.dim);
  const wk = next(kvDim * s.dim);
  const wv = next(kvDim * s.dim);
  const wo = next(s.dim * s.dim);
  const rmsFfn = next(s.dim);
  const w1 = next(s.hiddenDim * s.dim);
  const w2 = next(s.dim * s.hiddenDim);
  const w3 = next(s.hiddenDim * s.dim);
  return { rmsAtt, wq, wk, wv, wo, rmsFfn, w1, w2, w3, length: at };
}

/** Floats of a layer's weight block (arithmetic only: the kernel's checks call it per call). */
export function decoderLayerWeightLength(s: DecoderLayerShape): number {
  // No closures here: this runs in every decoderLayer call's checks.
  const kvDim = (s.dim / s.nHeads) * s.nKvHeads;
  return 2 * roundUp(s.dim, WEIGHT_ALIGN) + 2 * roundUp(s.dim * s.dim, WEIGHT_ALIGN) + 2 * roundUp(kvDim * s.dim, WEIGHT_ALIGN)
    + 3 * roundUp(s.hiddenDim * s.dim, WEIGHT_ALIGN);
}

/** Offsets (floats) of the scratch regions for a call at a position below `positions`. */
export function decoderLayerScratchOffsets(s: DecoderLayerShape, positions: number) {
  let at = 0;
  const next = (n: number) => { const o = at; at += roundUp(n, SCRATCH_ALIGN); return o; };
  const xb = next(s.dim), xb2 = next(s.dim), q = next(s.dim);
  const hb = next(s.hiddenDim), hb2 = next(s.hiddenDim), lse = next(s.nHeads);
  // scores: causalAttention's scratch for one row (the attention), at least `positions` floats.
  const scores = next(Math.max(positions, causalAttentionScratchLength(1, s.nHeads))), order = next(positions);
  return { xb, xb2, q, hb, hb2, lse, scores, order, length: at };
}

/** Floats of scratch a `decoderLayer` call needs at every position below `positions` (arithmetic only). */
export function decoderLayerScratchLength(s: DecoderLayerShape, positions: number): number {
  return 3 * roundUp(s.dim, SCRATCH_ALIGN) + 2 * roundUp(s.hiddenDim, SCRATCH_ALIGN) + roundUp(s.nHeads, SCRATCH_ALIGN)
    + roundUp(Math.max(positions, causalAttentionScratchLength(1, s.nHeads)), SCRATCH_ALIGN) + roundUp(positions, SCRATCH_ALIGN);
}

/** Frozen shapes already checked: a model passes the same one for every layer of every token. */
const checkedShapes = new WeakSet<DecoderLayerShape>();

/** A decoderLayer shape: positive sizes, even headDim = dim/nHeads, nKvHeads dividing nHeads. */
export function checkDecoderLayerShape(shape: unknown): asserts shape is DecoderLayerShape {
  if (typeof shape !== 'object' || shape === null) throw badArgument(`shape must be an object, got ${describe(shape)}`);
  const s = shape as DecoderLayerShape;
  if (checkedShapes.has(s)) return;
  const max = 2 ** 31 - 1;
  const dim = checkInt('shape.dim', s.dim, 2, max);
  const hiddenDim = checkInt('shape.hiddenDim', s.hiddenDim, 1, max);
  const nHeads = checkInt('shape.nHeads', s.nHeads, 1, dim);
  const nKvHeads = checkInt('shape.nKvHeads', s.nKvHeads, 1, nHeads);
  if (dim % nHeads !== 0 || (dim / nHeads) % 2 !== 0) {
    throw badArgument(`shape.dim / shape.nHeads must be an even integer, got ${dim} / ${nHeads}`);
  }
  if (nHeads % nKvHeads !== 0) throw badArgument(`shape.nKvHeads must divide shape.nHeads, got ${nKvHeads} and ${nHeads}`);
  checkNumber('shape.normEps', s.normEps, 0, Infinity);
  checkNumber('shape.ropeBase', s.ropeBase, 1, Infinity, { minExclusive: true });
  checkOneOf('shape.ropePairing', s.ropePairing, ['adjacent', 'half'] as const);
  if (hiddenDim * dim > max) throw badArgument(`shape.hiddenDim*dim is too large (${hiddenDim * dim} elements)`);
  if (Object.isFrozen(s)) checkedShapes.add(s); // a frozen shape cannot change after this check
}

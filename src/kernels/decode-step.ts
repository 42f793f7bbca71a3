/**
 * A backend's whole decode step for a dense Llama-shaped model, as one unit of work: the WebGPU
 * backend encodes every layer of a token into one command submission (its kernels one by one
 * would cost a round trip per awaited call and an encoding per dispatch). Algorithms reach it
 * only through the Kernels object they were given, under the symbol DECODE_STEP; a backend
 * without one (the CPU backends) leaves it undefined, and the model runs its step call by call.
 *
 * Shapes follow the model (src/llama/model.ts): weights in one float32 device array at the
 * element offsets given, each matrix row-major (rows = output channels); per layer a token-major
 * K and V store of seqLen rows of kvDim floats (post-RoPE keys).
 */
import { isDeviceArray, type DeviceArray } from './device-array.js';
import { badArgument } from '../core/errors.js';
import { checkInt, checkNumber, checkOneOf, describe } from '../core/validate.js';
import type { RopePairing } from './kernels.js';
import { quantizedRowWords, type QuantizedType } from './quantized-row-words.js';

/** The key of a backend's decode-step factory on its Kernels object (absent: no such step). */
export const DECODE_STEP: unique symbol = Symbol.for('sparse-inference.decodeStep');

/** Element offsets of one layer's tensors in the weight array. */
export interface DecodeLayerOffsets {
  rmsAtt: number; wq: number; wk: number; wv: number; wo: number; rmsFfn: number; w1: number; w2: number; w3: number;
}

/**
 * A gate-thresholded SwiGLU layer (CATS/CHESS): s_i = SiLU(W1_i·n) where |·| ≥ thresholds_i,
 * else 0; out = Σ_{s_i ≠ 0} s_i (W3_i·n) W2ᵀ_i, with W2ᵀ the input-major copy of W2 (hiddenDim ×
 * dim, row i = W2's column i). W1 and W3 are the model's float32 matrices.
 */
export interface GatedFfnLayer { thresholds: DeviceArray<Float32Array>; wDownT: DeviceArray<Float32Array> }

/** What a decode step needs to know about the model; every array stays owned by the caller. */
export interface DecodeStepSpec {
  dim: number; hiddenDim: number; nLayers: number; nHeads: number; nKvHeads: number; headDim: number;
  vocabSize: number; seqLen: number; ropeBase: number; ropePairing: RopePairing; normEps: number;
  weights: DeviceArray<Float32Array>;
  /** tokEmb: vocabSize × dim; rmsFinal: dim; wcls: vocabSize × dim. */
  tokEmb: number; rmsFinal: number; wcls: number;
  layers: DecodeLayerOffsets[];
  /**
   * Matrices kept quantized (the same in every layer) and the words holding them: such a
   * matrix's offset counts words of `quantized` (layouts: quantized-row-words.ts), not floats.
   */
  formats?: Partial<Record<'tokEmb' | 'wcls' | 'wq' | 'wk' | 'wv' | 'wo' | 'w1' | 'w2' | 'w3', QuantizedType>>;
  quantized?: DeviceArray<Int32Array>;
  /**
   * Per layer, thresholds on projection inputs (CHESS w/, TEAL): an input element of q, k or v
   * (the RMS-normed x) or of o (the attention output) with |·| below its projection's threshold
   * is zeroed before the product. Absent or null: dense inputs.
   */
  inputThresholds?: readonly (Partial<Record<'q' | 'k' | 'v' | 'o', number>> | null)[];
  /** Per layer, the FFN when it is gate-thresholded (null or absent: the dense SwiGLU). */
  gatedFfn?: readonly (GatedFfnLayer | null)[];
  /**
   * Per layer: keys and values, seqLen × kvDim each (row t = token t). Ignored with `retrieval`
   * (the step then keeps its own K/V, codes and tables: the cache lives on the device).
   */
  kv: { keys: DeviceArray<Float32Array>; values: DeviceArray<Float32Array> }[];
  /** Attention over the tokens A²ATS retrieval selects instead of all of them (absent: dense). */
  retrieval?: DecodeRetrieval;
}

/**
 * A²ATS retrieval attention (He et al., arXiv 2502.12665) as the CPU RetrievalKvCache runs it
 * (kvcache/retrieval-kv-cache.ts, method 'a2ats' or 'vq-wrope'): a token's pre-RoPE key is coded
 * to its nearest centroid in the whitened metric (k·L against C·L); a query scores far tokens by
 * the table t = C·R(b)q̃/√d; per query head the top `farBudget(pos)` far tokens (ties to the
 * older token), united over the GQA group ('perHead') or interleaved rank by rank to exactly
 * that many ('total'); plus the first `sinks` tokens and the last `window`. Host arrays, uploaded
 * once when the step is built.
 */
export interface DecodeRetrieval {
  /** Centroids per codebook. */
  size: number;
  /** nLayers·nKvHeads·size·headDim: codebook (l, h) at (l·nKvHeads + h)·size·headDim. */
  centroids: Float32Array;
  /** The same layout: centroids·L (= centroids for plain codebooks). */
  whitened: Float32Array;
  /** nLayers·nKvHeads·headDim² lower-triangular factors L, row-major; null: L = I (plain VQ). */
  factor: Float32Array | null;
  window: number; sinks: number;
  /** WRoPE distance b: queries are rotated to this position for the table. */
  distance: number;
  mode: 'perHead' | 'total';
  /** Far tokens kept at position pos (per head, or per KV head for 'total'): budgetTokens(budget, pos + 1, far). */
  farBudget(pos: number): number;
}

/** What one step hands back: the logits, the greedy token (argmax, ties to the lower id), or nothing. */
export type DecodeWant = 'logits' | 'token' | 'none';

/** One token through every layer; writes the token's K/V row at `pos` and reads rows 0..pos. */
export interface DecodeStep {
  run(token: number, pos: number, want: 'logits'): Promise<Float32Array>;
  run(token: number, pos: number, want: 'token'): Promise<number>;
  run(token: number, pos: number, want: 'none'): Promise<void>;
  /** Bytes of the step's own device memory (tables, activations, scratch, uniforms), beside the spec's arrays. */
  readonly residentBytes: number;
  dispose(): void;
}

/** The factory a backend installs under DECODE_STEP; null when it cannot run this shape. */
export type DecodeStepFactory = (spec: DecodeStepSpec) => DecodeStep | null;

/** The backend's decode-step factory, if it has one. */
export function decodeStepFactory(kernels: object): DecodeStepFactory | undefined {
  const f = (kernels as { [DECODE_STEP]?: unknown })[DECODE_STEP];
  return typeof f === 'function' ? (f as DecodeStepFactory) : undefined;
}

/** BAD_ARGUMENT naming the field unless `spec` is a consistent DecodeStepSpec (device arrays are the backend's to check). */
export function checkDecodeStepSpec(spec: DecodeStepSpec): DecodeStepSpec {
  if (spec === null || typeof spec !== 'object') throw badArgument(`spec must be an object, got ${describe(spec)}`);
  for (const k of ['dim', 'hiddenDim', 'nLayers', 'nHeads', 'nKvHeads', 'headDim', 'vocabSize', 'seqLen'] as const) checkInt(`spec.${k}`, spec[k], 1);
  for (const k of ['tokEmb', 'rmsFinal', 'wcls'] as const) checkInt(`spec.${k}`, spec[k], 0);
  checkNumber('spec.ropeBase', spec.ropeBase, Number.MIN_VALUE, Infinity);
  checkNumber('spec.normEps', spec.normEps, 0, Infinity);
  checkOneOf('spec.ropePairing', spec.ropePairing, ['adjacent', 'half']);
  if (spec.dim !== spec.nHeads * spec.headDim) throw badArgument(`spec.dim must be nHeads·headDim = ${spec.nHeads * spec.headDim}, got ${spec.dim}`);
  if (!Array.isArray(spec.layers) || spec.layers.length !== spec.nLayers) throw badArgument(`spec.layers must hold nLayers = ${spec.nLayers} offset records`);
  if (spec.retrieval !== undefined) checkRetrieval(spec, spec.retrieval);
  else if (!Array.isArray(spec.kv) || spec.kv.length !== spec.nLayers) throw badArgument(`spec.kv must hold nLayers = ${spec.nLayers} K/V stores`);
  spec.layers.forEach((o, l) => {
    for (const k of ['rmsAtt', 'wq', 'wk', 'wv', 'wo', 'rmsFfn', 'w1', 'w2', 'w3'] as const) checkInt(`spec.layers[${l}].${k}`, o?.[k], 0);
  });
  const kvLength = spec.seqLen * spec.nKvHeads * spec.headDim;
  if (spec.retrieval === undefined) spec.kv.forEach((s, l) => {
    if (!isDeviceArray(s?.keys) || s.keys.length < kvLength) throw badArgument(`spec.kv[${l}].keys must be a device array of ≥ seqLen·kvDim = ${kvLength} floats`);
    if (!isDeviceArray(s?.values) || s.values.length < kvLength) throw badArgument(`spec.kv[${l}].values must be a device array of ≥ seqLen·kvDim = ${kvLength} floats`);
  });
  if (spec.inputThresholds !== undefined) {
    if (!Array.isArray(spec.inputThresholds) || spec.inputThresholds.length !== spec.nLayers) throw badArgument(`spec.inputThresholds must hold nLayers = ${spec.nLayers} entries`);
    spec.inputThresholds.forEach((t, l) => {
      if (t === null) return;
      if (typeof t !== 'object') throw badArgument(`spec.inputThresholds[${l}] must be an object or null, got ${describe(t)}`);
      for (const [p, v] of Object.entries(t)) {
        checkOneOf(`spec.inputThresholds[${l}] key`, p, ['q', 'k', 'v', 'o']);
        if (v !== undefined) checkNumber(`spec.inputThresholds[${l}].${p}`, v, 0, Infinity);
      }
    });
  }
  if (spec.gatedFfn !== undefined) {
    if (!Array.isArray(spec.gatedFfn) || spec.gatedFfn.length !== spec.nLayers) throw badArgument(`spec.gatedFfn must hold nLayers = ${spec.nLayers} entries`);
    spec.gatedFfn.forEach((g, l) => {
      if (g === null) return;
      if (!isDeviceArray(g?.thresholds) || g.thresholds.length < spec.hiddenDim) throw badArgument(`spec.gatedFfn[${l}].thresholds must be a device array of ≥ hiddenDim = ${spec.hiddenDim} floats`);
      if (!isDeviceArray(g.wDownT) || g.wDownT.length < spec.hiddenDim * spec.dim) throw badArgument(`spec.gatedFfn[${l}].wDownT must be a device array of ≥ hiddenDim·dim = ${spec.hiddenDim * spec.dim} floats`);
    });
  }
  if (!isDeviceArray(spec.weights)) throw badArgument(`spec.weights must be a device array, got ${describe(spec.weights)}`);
  const formats = spec.formats ?? {};
  if (formats === null || typeof formats !== 'object') throw badArgument(`spec.formats must be an object, got ${describe(formats)}`);
  for (const [name, f] of Object.entries(formats)) if (f !== undefined) checkOneOf(`spec.formats.${name}`, f, ['Q4_1', 'Q8_0']);
  const anyQuantized = Object.values(formats).some((f) => f !== undefined);
  if (anyQuantized && !isDeviceArray(spec.quantized)) throw badArgument('spec.quantized must be a device array when spec.formats names a quantized matrix');
  // Float32 tensors must lie inside the weights; quantized ones inside the words.
  const ends: [string, number, number, number][] = [['tokEmb', spec.tokEmb, spec.vocabSize, spec.dim], ['wcls', spec.wcls, spec.vocabSize, spec.dim],
    ['rmsFinal', spec.rmsFinal, 1, spec.dim]];
  for (const o of spec.layers) {
    ends.push(['rmsAtt', o.rmsAtt, 1, spec.dim], ['rmsFfn', o.rmsFfn, 1, spec.dim], ['wq', o.wq, spec.dim, spec.dim],
      ['wk', o.wk, spec.nKvHeads * spec.headDim, spec.dim], ['wv', o.wv, spec.nKvHeads * spec.headDim, spec.dim], ['wo', o.wo, spec.dim, spec.dim],
      ['w1', o.w1, spec.hiddenDim, spec.dim], ['w3', o.w3, spec.hiddenDim, spec.dim], ['w2', o.w2, spec.dim, spec.hiddenDim]);
  }
  for (const [name, at, rows, cols] of ends) {
    const f = (formats as Record<string, QuantizedType | undefined>)[name];
    if (f !== undefined && cols % 32 !== 0) throw badArgument(`spec.formats.${name}: quantized rows need a multiple of 32 columns, got ${cols}`);
    const end = at + rows * (f === undefined ? cols : quantizedRowWords(f, cols));
    const length = f === undefined ? spec.weights.length : spec.quantized!.length;
    if (end > length) throw badArgument(`spec.${name} at ${at} reaches ${end}, past the ${length} ${f === undefined ? 'floats of spec.weights' : 'words of spec.quantized'}`);
  }
  return spec;
}

/** BAD_ARGUMENT naming the field unless `r` fits the model of `spec`. */
function checkRetrieval(spec: DecodeStepSpec, r: DecodeRetrieval): void {
  if (r === null || typeof r !== 'object') throw badArgument(`spec.retrieval must be an object, got ${describe(r)}`);
  checkInt('spec.retrieval.size', r.size, 1);
  checkInt('spec.retrieval.window', r.window, 0);
  checkInt('spec.retrieval.sinks', r.sinks, 0);
  checkNumber('spec.retrieval.distance', r.distance, 0, Infinity);
  checkOneOf('spec.retrieval.mode', r.mode, ['perHead', 'total']);
  if (typeof r.farBudget !== 'function') throw badArgument('spec.retrieval.farBudget must be a function');
  const books = spec.nLayers * spec.nKvHeads, d = spec.headDim;
  for (const k of ['centroids', 'whitened'] as const) {
    if (!(r[k] instanceof Float32Array) || r[k].length !== books * r.size * d) throw badArgument(`spec.retrieval.${k} must be a Float32Array of nLayers·nKvHeads·size·headDim = ${books * r.size * d}`);
  }
  if (r.factor !== null && (!(r.factor instanceof Float32Array) || r.factor.length !== books * d * d)) {
    throw badArgument(`spec.retrieval.factor must be null or a Float32Array of nLayers·nKvHeads·headDim² = ${books * d * d}`);
  }
}

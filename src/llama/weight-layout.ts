/**
 * Where each weight tensor lives inside the model's single resident Float32 buffer.
 * Layer-major (embedding, then every tensor of layer 0, layer 1, …, final norm, classifier),
 * each tensor starting on a 64-byte boundary so SIMD loads of row 0 are aligned.
 */
import { badArgument } from '../core/errors.js';
import { checkOneOf, describe } from '../core/validate.js';
import { checkLlamaConfig, type LlamaConfig } from './config.js';
import { quantizedRowWords, type QuantizedType } from '../kernels/quantized-row-words.js';

/** Per-layer tensor names, in the order float32 tensors are laid out. */
export const LAYER_TENSORS = ['rmsAtt', 'wq', 'wk', 'wv', 'wo', 'rmsFfn', 'w1', 'w2', 'w3'] as const;
export type LayerTensorName = (typeof LAYER_TENSORS)[number];
/**
 * The order of a layer's quantized matrices: the products that read the same input are
 * neighbours (q, k, v; gate w1 and up w3), so each group can be one call (stackedSlot).
 */
export const QUANTIZED_LAYER_ORDER = ['wq', 'wk', 'wv', 'wo', 'w1', 'w3', 'w2'] as const;
export type GlobalTensorName = 'tokEmb' | 'rmsFinal' | 'wcls';

/** One layer's weights, each a row-major Float32Array view (out × in, as stored). */
export interface LayerWeights {
  rmsAtt: Float32Array;
  /** dim × dim */
  wq: Float32Array;
  /** kvDim × dim */
  wk: Float32Array;
  /** kvDim × dim */
  wv: Float32Array;
  /** dim × dim */
  wo: Float32Array;
  rmsFfn: Float32Array;
  /** gate, hidden × dim */
  w1: Float32Array;
  /** down, dim × hidden */
  w2: Float32Array;
  /** up, hidden × dim */
  w3: Float32Array;
}

/**
 * A tensor's place: shape (rows, cols) row-major; `offset` and `length` in floats of the float
 * buffer, or, when `format` is set, in words of the quantized buffer (layout:
 * kernels/quantized-row-words.ts).
 */
export interface TensorSlot { offset: number; length: number; rows: number; cols: number; format?: QuantizedType }

/** The matrices that may be kept quantized (norms are always float32). */
export type MatrixName = 'tokEmb' | 'wcls' | 'wq' | 'wk' | 'wv' | 'wo' | 'w1' | 'w2' | 'w3';
/** Which matrices are stored quantized, and in which format (the same in every layer). */
export type WeightFormats = Partial<Record<MatrixName, QuantizedType>>;

const ALIGN = 16; // floats (64 bytes)

const MATRIX_NAMES: readonly MatrixName[] = ['tokEmb', 'wcls', 'wq', 'wk', 'wv', 'wo', 'w1', 'w2', 'w3'];

/** formats: a plain object mapping matrix names to 'Q4_1' or 'Q8_0' (undefined: float32). */
function checkWeightFormats(formats: unknown): void {
  if (formats === null || typeof formats !== 'object' || Array.isArray(formats)) throw badArgument(`formats must be an object of matrix formats, got ${describe(formats)}`);
  for (const [name, f] of Object.entries(formats)) {
    checkOneOf('formats key', name, MATRIX_NAMES);
    if (f !== undefined) checkOneOf(`formats.${name}`, f, ['Q4_1', 'Q8_0']);
  }
}

/** Shape (rows × cols, as stored: out × in) of a per-layer tensor. */
export function layerTensorShape(c: LlamaConfig, name: LayerTensorName): [number, number] {
  switch (name) {
    case 'rmsAtt': case 'rmsFfn': return [1, c.dim];
    case 'wq': case 'wo': return [c.dim, c.dim];
    case 'wk': case 'wv': return [c.kvDim, c.dim];
    case 'w1': case 'w3': return [c.hiddenDim, c.dim];
    case 'w2': return [c.dim, c.hiddenDim];
  }
}

export class WeightLayout {
  /** Total floats, including alignment padding. */
  readonly totalLength: number;
  /** Total words of quantized matrices (0 when every weight is float32). */
  readonly quantizedLength: number;
  /** Floats that are real weights (what a decode step streams, at most). */
  readonly weightCount: number;
  readonly tokEmb: TensorSlot;
  readonly rmsFinal: TensorSlot;
  /** The classifier; equal to tokEmb when the config shares it. */
  readonly wcls: TensorSlot;
  readonly layers: Record<LayerTensorName, TensorSlot>[];

  constructor(readonly config: LlamaConfig, readonly formats: WeightFormats = {}) {
    checkLlamaConfig('config', config);
    checkWeightFormats(formats);
    let at = 0;
    let qAt = 0;
    let count = 0;
    const slot = (rows: number, cols: number, format?: QuantizedType): TensorSlot => {
      count += rows * cols;
      if (format !== undefined) {
        const s = { offset: qAt, length: rows * quantizedRowWords(format, cols), rows, cols, format };
        qAt += Math.ceil(s.length / ALIGN) * ALIGN;
        return s;
      }
      const s = { offset: at, length: rows * cols, rows, cols };
      at += Math.ceil((rows * cols) / ALIGN) * ALIGN;
      return s;
    };
    this.tokEmb = slot(config.vocabSize, config.dim, formats.tokEmb);
    this.layers = [];
    for (let l = 0; l < config.nLayers; l++) {
      const entry = {} as Record<LayerTensorName, TensorSlot>;
      const formatOf = (name: LayerTensorName) => (name === 'rmsAtt' || name === 'rmsFfn' ? undefined : formats[name]);
      for (const name of LAYER_TENSORS) if (formatOf(name) === undefined) entry[name] = slot(...layerTensorShape(config, name));
      for (const name of QUANTIZED_LAYER_ORDER) if (formatOf(name) !== undefined) entry[name] = slot(...layerTensorShape(config, name), formatOf(name));
      this.layers.push(entry);
    }
    this.rmsFinal = slot(1, config.dim);
    this.wcls = config.sharedClassifier ? this.tokEmb : slot(config.vocabSize, config.dim, formats.wcls);
    this.totalLength = Math.max(at, 1);
    this.quantizedLength = qAt;
    this.weightCount = count;
  }

  /** True when some matrix is stored quantized. */
  get quantized(): boolean {
    return this.quantizedLength > 0;
  }

  /**
   * Bytes of weights one decode step streams: every layer tensor, the final norm, the
   * classifier, and one embedding row (floats and quantized words are both 4 bytes).
   */
  get bytesPerToken(): number {
    let words = this.rmsFinal.length + this.wcls.length + this.tokEmb.length / this.tokEmb.rows;
    for (const layer of this.layers) for (const name of LAYER_TENSORS) words += layer[name].length;
    return 4 * words;
  }

  /** The view of one slot inside the resident buffer `all` (a typed array or a device array). */
  static view<A extends { subarray(begin: number, end: number): A }>(all: A, s: TensorSlot): A {
    return all.subarray(s.offset, s.offset + s.length);
  }
}

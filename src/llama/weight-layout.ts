/**
 * Where each weight tensor lives inside the model's single resident Float32 buffer.
 * Layer-major (embedding, then every tensor of layer 0, layer 1, …, final norm, classifier),
 * each tensor starting on a 64-byte boundary so SIMD loads of row 0 are aligned.
 */
import type { LlamaConfig } from './hooks.js';

/** Per-layer tensor names, in the order they are laid out. */
export const LAYER_TENSORS = ['rmsAtt', 'wq', 'wk', 'wv', 'wo', 'rmsFfn', 'w1', 'w2', 'w3'] as const;
export type LayerTensorName = (typeof LAYER_TENSORS)[number];
export type GlobalTensorName = 'tokEmb' | 'rmsFinal' | 'wcls';

/** A tensor's place: `offset` and `length` in floats, shape (rows, cols) row-major. */
export interface TensorSlot { offset: number; length: number; rows: number; cols: number }

const ALIGN = 16; // floats (64 bytes)

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
  /** Floats that are real weights (what a decode step streams, at most). */
  readonly weightCount: number;
  readonly tokEmb: TensorSlot;
  readonly rmsFinal: TensorSlot;
  /** The classifier; equal to tokEmb when the config shares it. */
  readonly wcls: TensorSlot;
  readonly layers: Record<LayerTensorName, TensorSlot>[];

  constructor(readonly config: LlamaConfig) {
    let at = 0;
    let count = 0;
    const slot = (rows: number, cols: number): TensorSlot => {
      const s = { offset: at, length: rows * cols, rows, cols };
      at += Math.ceil((rows * cols) / ALIGN) * ALIGN;
      count += rows * cols;
      return s;
    };
    this.tokEmb = slot(config.vocabSize, config.dim);
    this.layers = [];
    for (let l = 0; l < config.nLayers; l++) {
      const entry = {} as Record<LayerTensorName, TensorSlot>;
      for (const name of LAYER_TENSORS) entry[name] = slot(...layerTensorShape(config, name));
      this.layers.push(entry);
    }
    this.rmsFinal = slot(1, config.dim);
    this.wcls = config.sharedClassifier ? this.tokEmb : slot(config.vocabSize, config.dim);
    this.totalLength = Math.max(at, 1);
    this.weightCount = count;
  }

  /** The view of one slot inside the resident buffer `all` (a typed array or a device array). */
  static view<A extends { subarray(begin: number, end: number): A }>(all: A, s: TensorSlot): A {
    return all.subarray(s.offset, s.offset + s.length);
  }
}

/**
 * What calibration produced: per layer, pooled magnitude distributions of the thresholded
 * tensors, the a_up moments and the CHESS importance distributions. Any sparsity k can be
 * asked for afterwards (cats-thresholds.ts, chess-thresholds.ts, teal-thresholds.ts).
 */
import { badArgument } from '../core/errors.js';
import { checkInt, checkOneOf, describe } from '../core/validate.js';
import type { MagnitudePool, QuantileMode } from './magnitude-pool.js';

/** Tensors whose |values| are pooled: a_gate (CATS) and the four distinct projection inputs. */
export const MAGNITUDE_TENSORS = ['aGate', 'attnInput', 'oProjInput', 'ffnInput', 'downInput'] as const;
export type MagnitudeTensor = (typeof MAGNITUDE_TENSORS)[number];

/** CHESS importance variant: "sq" (2024 code) a_gate²·E[a_up²]; "abs" (2025) |a_gate|·E|a_up|. */
export type ChessVariant = 'sq' | 'abs';

export interface LayerStatistics {
  pools: Record<MagnitudeTensor, MagnitudePool>;
  /** E[a_up_i²], hiddenDim. */
  meanUpSq: Float64Array;
  /** E|a_up_i|, hiddenDim. */
  meanUpAbs: Float64Array;
  importanceSq?: MagnitudePool;
  importanceAbs?: MagnitudePool;
  /** Calibration tokens seen by this layer. */
  tokens: number;
}

export class ActivationStatistics {
  constructor(
    readonly shape: { nLayers: number; dim: number; hiddenDim: number },
    readonly mode: QuantileMode,
    private readonly layers: LayerStatistics[],
  ) {
    // Built by ActivationCollector.finish(); checked so a hand-made one fails here, not later as NaN.
    if (shape === null || typeof shape !== 'object') throw badArgument('shape must be { nLayers, dim, hiddenDim }');
    checkInt('nLayers', shape.nLayers, 1); checkInt('dim', shape.dim, 1); checkInt('hiddenDim', shape.hiddenDim, 1);
    checkOneOf('mode', mode, ['exact', 'sketch'] as const);
    if (!Array.isArray(layers) || layers.length !== shape.nLayers) {
      throw badArgument(`layers must be an array of ${shape.nLayers} layer statistics, got ${describe(layers)}`);
    }
  }

  /** Calibration tokens (those seen by layer 0). */
  get tokens(): number { return this.layers[0].tokens; }

  /** Bytes held by the pools (exact mode grows with tokens; sketch mode is bounded). */
  get bytes(): number {
    let b = 0;
    for (const L of this.layers) {
      for (const p of Object.values(L.pools)) b += p.bytes;
      b += (L.importanceSq?.bytes ?? 0) + (L.importanceAbs?.bytes ?? 0) + L.meanUpSq.byteLength + L.meanUpAbs.byteLength;
    }
    return b;
  }

  /** Whether any values of this tensor were observed in this layer. */
  has(layer: number, tensor: MagnitudeTensor): boolean {
    return this.layer(layer).pools[checkOneOf('tensor', tensor, MAGNITUDE_TENSORS)].count > 0;
  }

  /** The k-sparsity threshold of |tensor| in one layer, pooled over tokens × channels. */
  magnitudeThreshold(layer: number, tensor: MagnitudeTensor, k: number): number {
    const pool = this.layer(layer).pools[checkOneOf('tensor', tensor, MAGNITUDE_TENSORS)];
    if (pool.count === 0) throw badArgument(`layer ${layer}: no ${tensor} activations were observed`);
    return pool.threshold(k);
  }

  /** τ: the k-quantile of the CHESS importance in one layer. */
  chessTau(layer: number, variant: ChessVariant, k: number): number {
    const L = this.layer(layer);
    checkOneOf('variant', variant, ['sq', 'abs'] as const);
    const pool = variant === 'sq' ? L.importanceSq : L.importanceAbs;
    if (!pool || pool.count === 0) throw badArgument(`layer ${layer}: CHESS importances were not collected`);
    return pool.threshold(k);
  }

  /** E[a_up²] ("sq") or E|a_up| ("abs") per channel. */
  upMoment(layer: number, variant: ChessVariant): Float64Array {
    const L = this.layer(layer);
    return checkOneOf('variant', variant, ['sq', 'abs'] as const) === 'sq' ? L.meanUpSq : L.meanUpAbs;
  }

  private layer(l: number): LayerStatistics {
    checkInt('layer', l, 0, this.shape.nLayers - 1);
    return this.layers[l];
  }
}

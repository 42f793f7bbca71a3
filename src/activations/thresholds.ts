/**
 * Calibrated thresholds for one model at one target sparsity, and the methods that make them.
 *
 * - CATS (Lee et al. 2024; tensor-wise): zero a_gate_i when |a_gate_i| < t, one t per layer.
 * - CHESS (He et al., EMNLP 2024, arXiv 2409.01366; channel-wise): per-channel t_i on |a_gate_i|,
 *   plus tensor-wise thresholds on the q_proj and o_proj inputs ("CHESS w/").
 * - TEAL (Liu et al., ICLR 2025, arXiv 2408.14690): thresholds on the inputs of all seven
 *   projections.
 * Rule everywhere: a value v is zeroed when |v| < t (t = 0 keeps everything).
 */
export type ThresholdMethod = 'cats' | 'chess-sq' | 'chess-abs' | 'teal';

/** The seven projections whose inputs TEAL thresholds (CHESS uses q and o). */
export const PROJECTION_INPUTS = ['q', 'k', 'v', 'o', 'gate', 'up', 'down'] as const;
export type ProjectionInput = (typeof PROJECTION_INPUTS)[number];

export interface LayerThresholds {
  /** Per-channel thresholds on |a_gate| (hiddenDim); CATS repeats one value. Infinity = always zero. */
  aGate?: Float64Array;
  /** Thresholds on |input| of projections (dense input where absent). */
  inputs?: Partial<Record<ProjectionInput, number>>;
}

export interface ThresholdMetadata {
  /** Free text naming the model (file name, hub id). */
  model: string;
  method: ThresholdMethod;
  /** Target sparsity k in [0, 1). */
  sparsity: number;
  /** Calibration tokens. */
  tokens: number;
  /** How quantiles were computed. */
  quantile: 'exact' | 'sketch';
  /** TEAL: per-projection sparsities from the greedy block allocation instead of uniform k. */
  greedy?: boolean;
  nLayers: number;
  dim: number;
  hiddenDim: number;
}

export interface ActivationThresholds {
  metadata: ThresholdMetadata;
  /** One entry per layer. */
  layers: LayerThresholds[];
}

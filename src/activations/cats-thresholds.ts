/**
 * CATS thresholds (Lee, Lee, Zhang, Tiwari, Mirhoseini, "CATS: Contextually-Aware Thresholding
 * for Sparsity in Large Language Models", 2024): one threshold per layer, the k-quantile of
 * |a_gate| pooled over calibration tokens × channels.
 *
 * @example
 * const th = catsThresholds(stats, 0.5, { model: 'stories260K' });
 * th.layers[0].aGate // hiddenDim copies of one t
 */
import type { ActivationStatistics } from './activation-statistics.js';
import type { ActivationThresholds } from './thresholds.js';
import { checkNumber } from '../core/validate.js';
import { checkOptions } from '../core/options.js';

export function catsThresholds(stats: ActivationStatistics, k: number, opts: { model?: string } = {}): ActivationThresholds {
  opts = checkOptions('catsThresholds options', opts, ['model']);
  checkNumber('sparsity', k, 0, 1, { maxExclusive: true });
  const { nLayers, dim, hiddenDim } = stats.shape;
  const layers = Array.from({ length: nLayers }, (_, l) => ({
    aGate: new Float64Array(hiddenDim).fill(stats.magnitudeThreshold(l, 'aGate', k)),
  }));
  return {
    metadata: { model: opts.model ?? 'unknown', method: 'cats', sparsity: k, tokens: stats.tokens, quantile: stats.mode, nLayers, dim, hiddenDim },
    layers,
  };
}

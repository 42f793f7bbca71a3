/**
 * TEAL thresholds (Liu, Ponnusamy, Cai, Guo, Kim, Athiwaratkun, "Training-Free Activation
 * Sparsity in Large Language Models", ICLR 2025, arXiv 2408.14690): magnitude thresholds on the
 * inputs of all seven projections. Uniform: every projection at sparsity k, so q/k/v share the
 * k-quantile of |attention input|, gate/up share that of |FFN input|, o and down have their own.
 * With `sparsities` (from tealGreedyAllocation) each projection gets its own level.
 *
 * @example
 * const th = tealThresholds(stats, 0.5);
 * th.layers[0].inputs // { q, k, v, o, gate, up, down }
 */
import type { ActivationStatistics, MagnitudeTensor } from './activation-statistics.js';
import { PROJECTION_INPUTS, type ActivationThresholds, type ProjectionInput } from './thresholds.js';
import { checkNumber } from '../core/validate.js';
import { badArgument } from '../core/errors.js';
import { checkOptions } from '../core/options.js';

/** Which captured tensor is the input of each projection. */
export const PROJECTION_INPUT_TENSOR: Record<ProjectionInput, MagnitudeTensor> = {
  q: 'attnInput', k: 'attnInput', v: 'attnInput', o: 'oProjInput',
  gate: 'ffnInput', up: 'ffnInput', down: 'downInput',
};

export type ProjectionSparsities = Record<ProjectionInput, number>;

export function tealThresholds(stats: ActivationStatistics, k: number,
  opts: { model?: string; sparsities?: ProjectionSparsities[] } = {}): ActivationThresholds {
  opts = checkOptions('tealThresholds options', opts, ['model', 'sparsities']);
  checkNumber('sparsity', k, 0, 1, { maxExclusive: true });
  const { nLayers, dim, hiddenDim } = stats.shape;
  if (opts.sparsities && opts.sparsities.length !== nLayers) {
    throw badArgument(`sparsities must have one entry per layer (${nLayers}), got ${opts.sparsities.length}`);
  }
  const layers = Array.from({ length: nLayers }, (_, l) => {
    const inputs: Partial<Record<ProjectionInput, number>> = {};
    for (const p of PROJECTION_INPUTS) {
      // Projections whose input was never captured (an FFN-only calibration) stay dense.
      if (!stats.has(l, PROJECTION_INPUT_TENSOR[p])) continue;
      const kp = opts.sparsities ? checkNumber(`sparsities[${l}].${p}`, opts.sparsities[l][p], 0, 1, { maxExclusive: true }) : k;
      inputs[p] = stats.magnitudeThreshold(l, PROJECTION_INPUT_TENSOR[p], kp);
    }
    return { inputs };
  });
  return {
    metadata: { model: opts.model ?? 'unknown', method: 'teal', sparsity: k, tokens: stats.tokens, quantile: stats.mode,
      greedy: opts.sparsities !== undefined, nLayers, dim, hiddenDim },
    layers,
  };
}

/**
 * CHESS channel-wise thresholds (He, Wu, Wen, Xue, Li, "CHESS: Optimizing LLM Inference via
 * Channel-Wise Thresholding and Selective Sparsification", EMNLP 2024, §3.2–3.3).
 *
 * Zeroing a_gate_i costs (a_up_i·a_gate_i)² in the FFN intermediate. a_up is unknown before the
 * sparse up projection, so its calibration moment stands in:
 *   "sq":  importance_i = a_gate_i²·E[a_up_i²],   τ = k-quantile,  t_i = √(τ / E[a_up_i²])
 *   "abs": importance_i = |a_gate_i|·E|a_up_i|,   τ = k-quantile,  t_i = τ / E|a_up_i|
 * so |a_gate_i| < t_i ⇔ importance_i < τ: sparsity is exactly k on the calibration set (pooled
 * over tokens × channels) but uneven across channels. A channel whose a_up moment is 0 gets
 * t_i = ∞ (always skipped: it never contributes). With equal moments every t_i equals the
 * CATS threshold. The q_proj and o_proj inputs get tensor-wise k-quantiles of |x| (§3.4,
 * "selective sparsification"; k_proj and v_proj stay dense so the KV cache stays exact).
 *
 * @example
 * const th = chessThresholds(stats, 0.5, { variant: 'sq' });
 * th.layers[l].aGate[i]  // t_i;   th.layers[l].inputs.q, .o   // attention input thresholds
 */
import type { ActivationStatistics, ChessVariant } from './activation-statistics.js';
import type { ActivationThresholds, LayerThresholds } from './thresholds.js';
import { checkNumber, checkOneOf } from '../core/validate.js';
import { checkOptions } from '../core/options.js';

export function chessThresholds(stats: ActivationStatistics, k: number,
  opts: { variant?: ChessVariant; model?: string } = {}): ActivationThresholds {
  opts = checkOptions('chessThresholds options', opts, ['variant', 'model']);
  checkNumber('sparsity', k, 0, 1, { maxExclusive: true });
  const variant = checkOneOf('variant', opts.variant ?? 'sq', ['sq', 'abs'] as const);
  const { nLayers, dim, hiddenDim } = stats.shape;
  const layers = Array.from({ length: nLayers }, (_, l) => {
    const moment = stats.upMoment(l, variant);
    const aGate = new Float64Array(hiddenDim);
    if (k > 0) {
      const tau = stats.chessTau(l, variant, k);
      for (let i = 0; i < hiddenDim; i++) {
        const m = moment[i];
        aGate[i] = m > 0 ? (variant === 'sq' ? Math.sqrt(tau / m) : tau / m) : Infinity;
      }
    }
    // Attention inputs only when they were captured (arrays passed by hand may hold just the FFN).
    const inputs: LayerThresholds['inputs'] = {};
    if (stats.has(l, 'attnInput')) inputs.q = stats.magnitudeThreshold(l, 'attnInput', k);
    if (stats.has(l, 'oProjInput')) inputs.o = stats.magnitudeThreshold(l, 'oProjInput', k);
    return { aGate, inputs };
  });
  return {
    metadata: { model: opts.model ?? 'unknown', method: variant === 'sq' ? 'chess-sq' : 'chess-abs', sparsity: k,
      tokens: stats.tokens, quantile: stats.mode, nLayers, dim, hiddenDim },
    layers,
  };
}

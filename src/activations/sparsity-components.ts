/**
 * The components for a thresholds file, as the CLI's `--ffn cats|chess|teal --thresholds F`
 * asks for them: the FFN (CatsFfn, ChessFfn or TealFfn by the file's method) and, for TEAL or
 * with `attention` ("CHESS w/"), the sparse projections — sharing one SparsityCounters.
 *
 * @example
 * const { ffn, projections, counters } = sparsityComponents(await loadThresholds(path), { attention: true });
 * await model.use({ ffn, projections });
 */
import type { Ffn, Projection } from '../llama/components.js';
import { badArgument } from '../core/errors.js';
import { describe } from '../core/validate.js';
import { checkOptions } from '../core/options.js';
import type { ActivationThresholds } from './thresholds.js';
import { validateThresholds } from './thresholds-file.js';
import { SparsityCounters } from './sparsity-counters.js';
import { CatsFfn, ChessFfn } from './gated-ffn.js';
import { TealFfn } from './teal-ffn.js';
import { SparseProjection } from './sparse-projection.js';

export interface SparsityComponents {
  ffn: Ffn;
  /** TEAL's projection inputs, or CHESS's q/o with `attention`; absent otherwise. */
  projections?: Projection;
  counters: SparsityCounters;
}

/**
 * options.attention: CATS/CHESS also threshold the q/o projection inputs ("CHESS w/");
 * options.layers: the layers to make sparse (default: all; the others stay dense).
 */
export function sparsityComponents(thresholds: ActivationThresholds,
  options: { attention?: boolean; layers?: readonly number[] } = {}): SparsityComponents {
  const { attention = false, layers } = checkOptions('sparsityComponents options', options, ['attention', 'layers']);
  if (typeof attention !== 'boolean') throw badArgument(`attention must be a boolean, got ${describe(attention)}`);
  validateThresholds(thresholds, 'BAD_ARGUMENT', 'thresholds');
  const m = thresholds.metadata;
  const teal = m.method === 'teal';
  if (attention && teal) throw badArgument('attention: TEAL already thresholds the attention inputs it was calibrated for');
  const counters = new SparsityCounters(m.nLayers, m.hiddenDim, !teal);
  const ffn = teal ? new TealFfn(thresholds, { counters, layers })
    : m.method === 'cats' ? new CatsFfn(thresholds, { counters, layers }) : new ChessFfn(thresholds, { counters, layers });
  const hasInputs = thresholds.layers.some((L) => ['q', 'k', 'v', 'o'].some((p) => L.inputs?.[p as 'q'] !== undefined));
  const projections = attention || (teal && hasInputs) ? new SparseProjection(thresholds, { counters, layers }) : undefined;
  return { ffn, projections, counters };
}

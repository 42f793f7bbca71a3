/**
 * Merge `evaluateDecode` results over disjoint document sets (`kvcache eval model --shard K/N`
 * runs) into one result: the per-document arrays (NLL, recall, output error, far fraction) are
 * concatenated, so every interval over documents is exact; the pooled figures (realized budget,
 * pooled recall and score errors, per-layer rows) are averaged with each part weighted by its
 * number of documents — exact for the budget sums when every document scores the same number
 * of steps (the same --context and --scored), a close approximation for the ratio-of-sums errors.
 *
 * @example
 * const merged = mergeDecodeResults([shard0, shard1]);
 * decodeRows(merged); // intervals over all documents
 */
import { badArgument } from '../../core/errors.js';
import type { DecodeCell, DecodeEvalResult } from './decode-eval.js';

const cellKey = (c: DecodeCell) => `${c.method}|${c.budget}|${c.mode}|${c.ties}`;

/** Σ w_i x_i / Σ w_i over numbers (a NaN part stays NaN: a metric the method does not have). */
function weighted(values: number[], weights: number[]): number {
  const total = weights.reduce((s, w) => s + w, 0);
  return values.reduce((s, v, i) => s + v * weights[i], 0) / total;
}

/** Field-wise weighted mean of objects with the same numeric fields. */
function weightedFields<T extends object>(parts: T[], weights: number[]): T {
  const out: Record<string, number> = {};
  for (const key of Object.keys(parts[0])) out[key] = weighted(parts.map((p) => (p as Record<string, number>)[key]), weights);
  return out as T;
}

export function mergeDecodeResults(parts: DecodeEvalResult[]): DecodeEvalResult {
  if (!Array.isArray(parts) || parts.length === 0) throw badArgument('parts must be a non-empty array of decode results');
  const first = parts[0];
  for (const [i, p] of parts.entries()) {
    for (const k of ['context', 'scored', 'window', 'sinks', 'distance'] as const) {
      if (p[k] !== first[k]) throw badArgument(`parts[${i}].${k} is ${p[k]}, parts[0].${k} ${first[k]}: only runs with the same settings merge`);
    }
    const keys = p.cells.map(cellKey).join(',');
    if (keys !== first.cells.map(cellKey).join(',')) throw badArgument(`parts[${i}] has other cells (methods, budgets) than parts[0]`);
  }
  const ids: string[] = parts.flatMap((p: DecodeEvalResult) => p.documents.map((d: { id: string }) => d.id));
  if (new Set(ids).size !== ids.length) throw badArgument('parts share documents: merge disjoint shards only');
  const weights = parts.map((p) => p.documents.length);
  const cells = first.cells.map((cell: DecodeCell, ci: number): DecodeCell => {
    const same = parts.map((p) => p.cells[ci]);
    return {
      ...cell,
      nll: same.flatMap((c) => c.nll), recall: same.flatMap((c) => c.recall),
      relError: same.flatMap((c) => c.relError), farFraction: same.flatMap((c) => c.farFraction),
      realized: weightedFields(same.map((c) => c.realized), weights),
      pooled: weightedFields(same.map((c) => c.pooled), weights),
      layers: cell.layers.map((row: DecodeCell['layers'][number], l: number) => ({ ...weightedFields(same.map((c) => c.layers[l]), weights), layer: row.layer })),
    };
  });
  return {
    ...first, documents: parts.flatMap((p) => p.documents), cells,
    seconds: { prefill: parts.reduce((s, p) => s + p.seconds.prefill, 0), decode: parts.reduce((s, p) => s + p.seconds.decode, 0) },
  };
}

/**
 * Method-vs-method differences of the corpus evaluation: for each k, the paired bootstrap
 * interval over documents of NLL(a) − NLL(b) for the comparisons the CHESS paper makes —
 * channel-wise against tensor-wise thresholds (CHESS w/o − CATS), against TEAL's input
 * thresholds (CHESS w/o − TEAL), and the cost of sparsifying attention too (CHESS w/ − CHESS w/o);
 * with TEAL's block greedy in the run, also TEAL greedy − TEAL and CHESS w/o − TEAL greedy.
 * A negative difference favours a; an interval that includes zero is a tie.
 *
 * @example
 * compareMethods(result.rows, 0).find((c) => c.k === 0.5 && c.a === 'CHESS w/o' && c.b === 'CATS')!.difference;
 */
import { badArgument } from '../core/errors.js';
import { bootstrapPairedDifference, type BootstrapInterval } from '../core/stats/bootstrap.js';
import { checkInt, describe } from '../core/validate.js';

/** The pairs compared, as [a, b]: the difference is a − b. */
export const METHOD_COMPARISONS: readonly (readonly [string, string])[] = [
  ['CHESS w/o', 'CATS'], ['CHESS w/o', 'TEAL'], ['CHESS w/', 'CHESS w/o'],
  // Present when the run includes TEAL's block greedy: what the allocation buys, and CHESS against it.
  ['TEAL greedy', 'TEAL'], ['CHESS w/o', 'TEAL greedy'],
];

export interface MethodComparison {
  k: number;
  a: string;
  b: string;
  /** Mean over documents of NLL(a) − NLL(b), with its interval. */
  difference: BootstrapInterval;
}

export function compareMethods(rows: readonly { method: string; k: number; perDocumentNll: readonly number[] }[], seed = 0): MethodComparison[] {
  if (!Array.isArray(rows)) throw badArgument(`rows must be the corpus evaluation's rows, got ${describe(rows)}`);
  rows.forEach((r, i) => {
    if (r === null || typeof r !== 'object' || typeof r.method !== 'string' || typeof r.k !== 'number' || !Array.isArray(r.perDocumentNll)) {
      throw badArgument(`rows[${i}] must hold method, k and perDocumentNll, got ${describe(r)}`);
    }
  });
  checkInt('seed', seed, 0);
  const out: MethodComparison[] = [];
  for (const k of [...new Set(rows.map((r) => r.k))].sort((x, y) => x - y)) {
    for (const [a, b] of METHOD_COMPARISONS) {
      const ra = rows.find((r) => r.k === k && r.method === a);
      const rb = rows.find((r) => r.k === k && r.method === b);
      if (ra && rb) out.push({ k, a, b, difference: bootstrapPairedDifference(ra.perDocumentNll, rb.perDocumentNll, { seed }) });
    }
  }
  return out;
}

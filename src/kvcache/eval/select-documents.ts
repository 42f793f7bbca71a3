/**
 * A decode result restricted to some of its documents (by id, in the given order): the
 * per-document arrays (NLL, recall, output error, far fraction) are cut to those documents, so
 * every interval over documents is exact for the subset. The realized far fraction is recomputed
 * from the kept documents (each scores the same steps) and the attended fraction moves with it;
 * the union factor, pooled errors and per-layer rows stay the whole run's (they are pooled over
 * steps and cannot be split by document after the fact).
 *
 * Used to put runs over different document sets (a `--shard K/N` run beside a full one) on the
 * documents they share.
 *
 * @example selectDocuments(run, ['coreutils-1', 'gnupg-1'])
 */
import { badArgument } from '../../core/errors.js';
import type { DecodeCell, DecodeEvalResult } from './decode-eval.js';

const mean = (a: readonly number[]) => a.reduce((s, x) => s + x, 0) / a.length;

export function selectDocuments(r: DecodeEvalResult, ids: readonly string[]): DecodeEvalResult {
  if (r === null || typeof r !== 'object' || !Array.isArray(r.documents) || !Array.isArray(r.cells)) throw badArgument('r must be a decode result');
  if (!Array.isArray(ids) || ids.length === 0) throw badArgument('ids must be a non-empty array of document ids');
  const at = ids.map((id) => {
    const j = r.documents.findIndex((d) => d.id === id);
    if (j < 0) throw badArgument(`ids: document '${id}' is not in the run`);
    return j;
  });
  if (new Set(at).size !== at.length) throw badArgument('ids must not repeat a document');
  const pick = (a: readonly number[]) => at.map((j) => a[j]);
  const cells = r.cells.map((c: DecodeCell): DecodeCell => {
    const farFraction = pick(c.farFraction);
    const far = mean(farFraction);
    return {
      ...c, nll: pick(c.nll), recall: pick(c.recall), relError: pick(c.relError), farFraction,
      realized: { ...c.realized, far, selected: c.realized.selected - c.realized.far + far },
    };
  });
  return { ...r, documents: at.map((j) => r.documents[j]), cells };
}

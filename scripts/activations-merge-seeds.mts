/**
 * Combine `activations eval --corpus` runs that differ only in `--seeds` (one calibration seed
 * per process, run side by side) the way one run with `--seeds 0,1,2` does: each document's NLL
 * under a method is averaged over the seeds, then ΔNLL vs dense and the method-vs-method
 * differences are bootstrapped over documents. Prints each method's per-seed ΔNLL beside it.
 *
 *   npx tsx scripts/activations-merge-seeds.mts RUN_DIR...
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { bootstrapPairedDifference } from '../src/core/stats/bootstrap.ts';
import { compareMethods } from '../src/activations/compare-methods.ts';
import { formatInterval } from '../src/activations/format-tables.ts';
import type { CorpusEvalResult } from '../src/activations/evaluate-corpus.ts';

const dirs = process.argv.slice(2);
if (dirs.length < 2) throw new Error('usage: activations-merge-seeds.mts RUN_DIR RUN_DIR...');
const runs: CorpusEvalResult[] = dirs.map((d) => JSON.parse(readFileSync(join(d, 'activations-corpus.json'), 'utf8')));
const dense = runs[0].dense.perDocumentNll;
runs.forEach((r, i) => { if (JSON.stringify(r.dense.perDocumentNll) !== JSON.stringify(dense)) throw new Error(`${dirs[i]}: dense NLL differs from ${dirs[0]}`); });
const keys = runs[0].rows.map((x) => ({ method: x.method, k: x.k }));
const rows = keys.map(({ method, k }) => {
  const per = runs.map((r) => r.rows.find((x) => x.method === method && x.k === k)!);
  const perDocumentNll = dense.map((_, d) => per.reduce((s, p) => s + p.perDocumentNll[d], 0) / per.length);
  return { method, k, perDocumentNll, perSeed: per.map((p) => p.deltaNll.estimate) };
});
console.log(`seeds ${runs.map((r) => r.seeds.join(',')).join(' / ')}\n\n| k | method | ΔNLL, NLL averaged over seeds [95% CI] | ΔNLL per seed |\n|---|---|---|---|`);
for (const r of rows) console.log(`| ${r.k} | ${r.method} | ${formatInterval(bootstrapPairedDifference(r.perDocumentNll, dense, { seed: 0 }))} | ${r.perSeed.map((x) => x.toFixed(3)).join(' / ')} |`);
console.log('\n| k | comparison | ΔNLL [95% CI] | verdict |\n|---|---|---|---|');
for (const c of compareMethods(rows, 0)) {
  console.log(`| ${c.k} | ${c.a} − ${c.b} | ${formatInterval(c.difference)} | ${!c.difference.excludesZero ? 'tie' : c.difference.estimate < 0 ? `${c.a} better` : `${c.b} better`} |`);
}

/**
 * Merge `activations eval --corpus` results run as separate processes (one per k, say, to use
 * several cores) into one table and one plot. The runs must agree on the documents, their
 * token counts and the dense NLL of every document (same model, corpus and flags but
 * --sparsity): otherwise the rows would not be paired with the same dense baseline.
 *
 *   npx tsx scripts/activations-merge-corpus.mts OUT_DIR RUN_DIR...
 *
 * Writes OUT_DIR/activations-corpus.json and OUT_DIR/corpus-ppl.svg, and prints the table.
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { corpusPplChart } from '../src/activations/plots.ts';
import { COMPARISON_HEADERS, CORPUS_HEADERS, comparisonRows, corpusRows, formatInterval, markdownTable } from '../src/activations/format-tables.ts';
import type { CorpusEvalResult } from '../src/activations/evaluate-corpus.ts';
import { compareMethods } from '../src/activations/compare-methods.ts';

const [outDir, ...runDirs] = process.argv.slice(2);
const seed = 0; // the bootstrap seed of `activations eval` (--seed, default 0)
if (!outDir || runDirs.length === 0) throw new Error('usage: activations-merge-corpus.mts OUT_DIR RUN_DIR...');
type Run = CorpusEvalResult & { command: string; quantizedDense?: { meanNll: number; deltaNll: { estimate: number; lower: number; upper: number } } };
const runs: Run[] = runDirs.map((d) => JSON.parse(readFileSync(join(d, 'activations-corpus.json'), 'utf8')));
const first = runs[0];
for (const [i, r] of runs.entries()) {
  const same = JSON.stringify([r.documents, r.documentTokens, r.dense.perDocumentNll, r.calibrationTokens, r.seeds])
    === JSON.stringify([first.documents, first.documentTokens, first.dense.perDocumentNll, first.calibrationTokens, first.seeds]);
  if (!same) throw new Error(`${runDirs[i]}: documents, tokens, dense NLL, calibration or seeds differ from ${runDirs[0]}`);
}
const rows = runs.flatMap((r) => r.rows).sort((a, b) => a.k - b.k);
const merged: Run = { ...first, command: runs.map((r) => r.command).join(' && '), rows, comparisons: compareMethods(rows, seed) };
mkdirSync(outDir, { recursive: true });
writeFileSync(join(outDir, 'activations-corpus.json'), JSON.stringify(merged, null, 1) + '\n');
const model = basename(first.command.match(/--model (\S+)/)?.[1] ?? 'model');
writeFileSync(join(outDir, 'corpus-ppl.svg'), corpusPplChart(merged, model));
process.stdout.write(markdownTable(CORPUS_HEADERS, corpusRows(merged)));
process.stdout.write(`\n${markdownTable(COMPARISON_HEADERS, comparisonRows(merged.comparisons))}`);
if (merged.quantizedDense) process.stdout.write(`\nquantized dense: NLL ${merged.quantizedDense.meanNll.toFixed(4)}, ΔNLL vs float32 dense ${formatInterval(merged.quantizedDense.deltaNll)}\n`);

/**
 * A²ATS against plain VQ + WRoPE over codebook calibration seeds: `kvcache eval model --corpus`
 * runs on the same documents, one per k-means seed of the codebooks (`kvcache calibrate --seeds`).
 * For each seed, the paired difference over documents of A²ATS − plain VQ (NLL and recall) at ρ;
 * then the same with each document's NLL and recall averaged over the seeds first (the seed
 * noise averaged out per document, the interval still over documents). Runs over different
 * document sets are compared on the documents they share (the count is printed).
 *
 *   npx tsx scripts/kvcache-seed-comparison.mts --budget 0.03 SEED0/decode.json SEED1/decode.json ...
 */
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { bootstrapPairedDifference, type BootstrapInterval } from '../src/core/stats/bootstrap.js';
import type { DecodeEvalResult } from '../src/kvcache/eval/decode-eval.js';

const { values, positionals } = parseArgs({ options: { budget: { type: 'string', default: '0.03' } }, allowPositionals: true });
const budget = Number(values.budget);
if (positionals.length === 0) throw new Error('usage: kvcache-seed-comparison.mts --budget ρ RUN/decode.json ...');
const runs = positionals.map((f) => JSON.parse(readFileSync(f, 'utf8')) as DecodeEvalResult);
// Documents are paired by id (a merged --shard run lists them in another order). Each seed is
// reported on its own documents and on those every run holds; the mean over seeds needs the latter.
const shared = runs[0].documents.map((d) => d.id).filter((id) => runs.every((r) => r.documents.some((d) => d.id === id)));
if (shared.length < 2) throw new Error(`the runs share ${shared.length} document(s); intervals over documents need at least 2`);
console.log(`${shared.length} documents common to all ${runs.length} runs: ${shared.join(', ')}\n`);

/** The cell of `method` at ρ, its per-document arrays in the order of `ids`. */
const cell = (r: DecodeEvalResult, method: string, ids: string[]) => {
  const c = r.cells.find((x) => x.method === method && x.budget === budget && x.ties === 'oldest');
  if (!c) throw new Error(`no ${method} cell at ρ = ${budget}`);
  const at = ids.map((id) => r.documents.findIndex((d) => d.id === id));
  return { ...c, nll: at.map((j) => c.nll[j]), recall: at.map((j) => c.recall[j]) };
};
const fmt = (i: BootstrapInterval, digits: number) =>
  `${i.estimate.toFixed(digits)} [${i.lower.toFixed(digits)}, ${i.upper.toFixed(digits)}]${i.excludesZero ? '' : ' tie'}`;
const mean = (xs: number[][]) => xs[0].map((_, d) => xs.reduce((s, x) => s + x[d], 0) / xs.length);
const row = (label: string, ids: string[], a: { nll: number[]; recall: number[] }, v: { nll: number[]; recall: number[] }, quant: string) =>
  console.log(`| ${label} | ${ids.length} | ${fmt(bootstrapPairedDifference(a.nll, v.nll), 4)} | ${fmt(bootstrapPairedDifference(a.recall, v.recall), 3)} | ${quant} |`);

console.log('| run | documents | A²ATS − plain VQ: ΔNLL [95% CI] | Δrecall [95% CI] | quantisation-only score error, A²ATS / plain (whole run) |');
console.log('|---|---|---|---|---|');
runs.forEach((r, i) => {
  const own = r.documents.map((d) => d.id);
  const quant = `${cell(r, 'a2ats', own).pooled.quantError.toFixed(3)} / ${cell(r, 'vq-wrope', own).pooled.quantError.toFixed(3)}`;
  row(`${positionals[i]}`, own, cell(r, 'a2ats', own), cell(r, 'vq-wrope', own), quant);
  if (own.length !== shared.length) row(`${positionals[i]}, shared documents`, shared, cell(r, 'a2ats', shared), cell(r, 'vq-wrope', shared), '—');
});
const a = runs.map((r) => cell(r, 'a2ats', shared)), v = runs.map((r) => cell(r, 'vq-wrope', shared));
row(`mean over ${runs.length} seeds, per document`, shared, { nll: mean(a.map((c) => c.nll)), recall: mean(a.map((c) => c.recall)) },
  { nll: mean(v.map((c) => c.nll)), recall: mean(v.map((c) => c.recall)) }, '—');

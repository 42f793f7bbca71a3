/**
 * Figures of the activation-sparsity evaluation (SVG strings via src/plot): relative output
 * error of the synthetic block and NLL of the real model, one series per method, against the
 * parameter-weighted sparsity 1 − (weights streamed): the fraction of weights a decode step
 * skips, which is what sets the speed-up and the one measure on which gate-thresholding
 * (CATS, CHESS: a zeroed channel skips 2 of the 3 FFN matrices' slices) and input-thresholding
 * (TEAL) methods can be compared.
 *
 * @example await writeSvg('error.svg', syntheticErrorChart(await evaluateSyntheticSwiGlu(k)));
 */
import { describe } from '../core/validate.js';
import { badArgument } from '../core/errors.js';
import { lineChart } from '../plot/line-chart.js';
import { PALETTE } from '../plot/palette.js';
import type { Band, Series } from '../plot/types.js';
import type { SyntheticEvalResult } from './evaluate-synthetic.js';
import type { ModelEvalResult } from './evaluate-model.js';
import type { CorpusEvalResult } from './evaluate-corpus.js';

const LABEL: Record<string, string> = {
  oracle: 'oracle (per-token top-k)', 'chess-sq': 'CHESS (sq)', 'chess-abs': 'CHESS (abs)', cats: 'CATS', teal: 'TEAL',
};

/** Relative FFN output error ‖Y − Ŷ‖/‖Y‖ against the fraction of FFN weights skipped. */
/** r must be a result object with a rows array (what the evaluation returned). */
function checkResult(r: unknown, what: string): void {
  if (r === null || typeof r !== 'object' || !Array.isArray((r as { rows?: unknown }).rows)) {
    throw badArgument(`r must be the result of ${what} (an object with rows), got ${describe(r)}`);
  }
}

export function syntheticErrorChart(r: SyntheticEvalResult): string {
  checkResult(r, 'evaluateSyntheticSwiGlu');
  const methods = [...new Set(r.rows.map((x) => x.method))];
  const series: Series[] = methods.map((m) => {
    const rows = r.rows.filter((x) => x.method === m).sort((a, b) => b.weightsStreamed - a.weightsStreamed);
    return {
      name: LABEL[m] ?? m, x: [0, ...rows.map((x) => 1 - x.weightsStreamed)], y: [0, ...rows.map((x) => x.relativeError)],
      kind: 'line', dashed: m === 'oracle',
    };
  });
  return lineChart({
    title: `Synthetic SwiGLU ${r.dim}×${r.hidden}: output error (${r.testTokens} held-out tokens)`,
    xLabel: 'sparsity: fraction of FFN weights skipped', yLabel: 'relative output error', series,
  });
}

/** Mean NLL (nats/token) against the fraction of layer weights skipped; dense is the dashed line. */
export function modelNllChart(r: ModelEvalResult, modelName = 'model'): string {
  checkResult(r, 'evaluateModelSparsity');
  if (typeof modelName !== 'string') throw badArgument(`modelName must be a string, got ${describe(modelName)}`);
  const methods = [...new Set(r.rows.map((x) => x.method))];
  const xOf = (x: ModelEvalResult['rows'][number]) => 1 - x.weightsStreamed;
  const series: Series[] = methods.map((m) => {
    const rows = r.rows.filter((x) => x.method === m).sort((a, b) => xOf(a) - xOf(b));
    return { name: m, x: [0, ...rows.map(xOf)], y: [r.dense.meanNll, ...rows.map((x) => x.meanNll)] };
  });
  const maxX = Math.max(...r.rows.map(xOf));
  series.push({ name: 'dense', x: [0, maxX], y: [r.dense.meanNll, r.dense.meanNll], dashed: true, color: '#555' });
  return lineChart({
    title: `${modelName}: NLL on held-out stories (${r.evalTokens} tokens)`,
    xLabel: 'sparsity: fraction of the layers\' projection weights skipped', yLabel: 'mean NLL (nats/token)', series,
  });
}

/**
 * Perplexity relative to dense, PPL_method / PPL_dense = exp(ΔNLL), against the target sparsity
 * k, one line per method with its 95% bootstrap band over documents, on a log axis (the methods
 * span from ~1.0x to tens of times at k = 0.7); the dashed line at 1 is dense.
 */
export function corpusPplChart(r: CorpusEvalResult, modelName = 'model'): string {
  checkResult(r, 'evaluateCorpusSparsity');
  if (!Array.isArray(r.documents) || !Array.isArray(r.documentTokens)) throw badArgument('r must be the result of evaluateCorpusSparsity (documents and documentTokens arrays)');
  r.rows.forEach((x, i) => {
    if (x === null || typeof x !== 'object' || typeof x.k !== 'number' || x.pplRatio === null || typeof x.pplRatio !== 'object') {
      throw badArgument(`r.rows[${i}] must be a CorpusEvalRow (k and pplRatio), got ${describe(x)}`);
    }
  });
  if (typeof modelName !== 'string') throw badArgument(`modelName must be a string, got ${describe(modelName)}`);
  const methods = [...new Set(r.rows.map((x) => x.method))];
  const series: Series[] = [];
  const bands: Band[] = [];
  methods.forEach((m, i) => {
    const rows = r.rows.filter((x) => x.method === m).sort((a, b) => a.k - b.k);
    const color = PALETTE[i % PALETTE.length];
    series.push({ name: m, x: rows.map((x) => x.k), y: rows.map((x) => x.pplRatio.estimate), color, marker: true });
    bands.push({ name: `${m} 95% CI`, x: rows.map((x) => x.k), lo: rows.map((x) => x.pplRatio.lower), hi: rows.map((x) => x.pplRatio.upper), color });
  });
  const ks = r.rows.map((x) => x.k);
  series.push({ name: 'dense', x: [Math.min(...ks), Math.max(...ks)], y: [1, 1], dashed: true, color: '#555' });
  const tokens = r.documentTokens.reduce((s, t) => s + t - 1, 0);
  return lineChart({
    title: `${modelName}: perplexity relative to dense (${r.documents.length} documents, ${tokens} tokens)`,
    xLabel: 'target sparsity k', yLabel: 'PPL / PPL dense (log scale)', series, bands, logY: true,
  });
}

/**
 * ΔNLL against dense (nats per token) against the target sparsity k, one line per method with its
 * 95% bootstrap band over documents, from one or more corpus runs over the same documents (e.g.
 * the three-seed sweep and a separate TEAL-greedy run); where two runs hold the same (method, k),
 * the first run's row is drawn. The dashed line at 0 is dense.
 *
 * @example corpusDeltaNllChart([sweep, greedyRun], 'ΔNLL vs sparsity')
 */
export function corpusDeltaNllChart(runs: readonly CorpusEvalResult[], title = 'ΔNLL vs dense'): string {
  if (!Array.isArray(runs) || runs.length === 0) throw badArgument(`runs must be a non-empty array of corpus results, got ${describe(runs)}`);
  runs.forEach((r, i) => {
    checkResult(r, 'evaluateCorpusSparsity');
    if (!Array.isArray(r.documents) || r.documents.join(',') !== runs[0].documents.join(',')) {
      throw badArgument(`runs[${i}] covers other documents than runs[0]: its ΔNLL would not be comparable`);
    }
  });
  const byKey = new Map<string, CorpusEvalResult['rows'][number]>();
  for (const r of runs) for (const row of r.rows) if (!byKey.has(`${row.method}|${row.k}`)) byKey.set(`${row.method}|${row.k}`, row);
  const rows = [...byKey.values()];
  const series: Series[] = [];
  const bands: Band[] = [];
  [...new Set(rows.map((x) => x.method))].forEach((m, i) => {
    const pts = rows.filter((x) => x.method === m).sort((a, b) => a.k - b.k);
    const color = PALETTE[i % PALETTE.length];
    series.push({ name: m, x: pts.map((x) => x.k), y: pts.map((x) => x.deltaNll.estimate), color, marker: true });
    bands.push({ name: `${m} 95% CI`, x: pts.map((x) => x.k), lo: pts.map((x) => x.deltaNll.lower), hi: pts.map((x) => x.deltaNll.upper), color });
  });
  const ks = rows.map((x) => x.k);
  series.push({ name: 'dense', x: [Math.min(...ks), Math.max(...ks)], y: [0, 0], dashed: true, color: '#555' });
  return lineChart({ title, xLabel: 'target sparsity k', yLabel: 'ΔNLL vs dense (nats per token)', series, bands });
}

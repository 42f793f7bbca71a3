/**
 * Tables and a plot of an evaluateDecode result. Every comparison with full attention is a paired
 * percentile bootstrap over documents (95%): ΔNLL (nats per scored token) and ΔPPL (per-document
 * perplexity exp(mean NLL)); recall carries a bootstrap interval of its mean over documents. An
 * interval that includes zero is a tie, and the tables say so.
 */
import { bootstrapMean, bootstrapPairedDifference, type BootstrapInterval } from '../../core/stats/bootstrap.js';
import { badArgument } from '../../core/errors.js';
import { lineChart, type Band, type Series } from '../../plot/index.js';
import { seriesColor } from '../../plot/palette.js';
import type { DecodeCell, DecodeEvalResult } from './decode-eval.js';
import type { PasskeyTrial } from './passkey-eval.js';
import { selectDocuments } from './select-documents.js';

/** One cell with its intervals. */
export interface DecodeRow {
  method: string;
  budget: number;
  mode: 'perHead' | 'total';
  ties: 'oldest' | 'recent';
  /** |S|/n, far tokens/n, GQA union factor (per-head rule only). */
  realized: DecodeCell['realized'];
  nll: number;
  ppl: number;
  deltaNll: BootstrapInterval;
  deltaPpl: BootstrapInterval;
  recall: BootstrapInterval;
  relError: number;
  scoreError: number;
  quantError: number;
  wropeError: number;
}

const mean = (a: readonly number[]) => a.reduce((s, x) => s + x, 0) / a.length;

/** Rows with intervals (bootstrap seed 0, 10,000 resamples). @example decodeRows(result)[1].deltaNll.excludesZero */
export function decodeRows(r: DecodeEvalResult): DecodeRow[] {
  const full = r.cells.find((c) => c.method === 'full')!;
  const fullPpl = full.nll.map(Math.exp);
  return r.cells.map((c) => ({
    method: c.method, budget: c.budget, mode: c.mode, ties: c.ties, realized: c.realized,
    nll: mean(c.nll), ppl: Math.exp(mean(c.nll)),
    deltaNll: bootstrapPairedDifference(c.nll, full.nll),
    deltaPpl: bootstrapPairedDifference(c.nll.map(Math.exp), fullPpl),
    recall: c.method === 'full' ? { estimate: 1, lower: 1, upper: 1, level: 0.95, units: c.nll.length, excludesZero: true } : bootstrapMean(c.recall),
    relError: c.method === 'full' ? 0 : c.pooled.relError,
    scoreError: c.pooled.scoreError, quantError: c.pooled.quantError, wropeError: c.pooled.wropeError,
  }));
}

const f = (x: number, digits = 3) => Number.isFinite(x) ? x.toFixed(digits) : '—';
const interval = (b: BootstrapInterval, digits = 3) => `${f(b.estimate, digits)} [${f(b.lower, digits)}, ${f(b.upper, digits)}]${b.excludesZero ? '' : ' tie'}`;
const pct = (x: number) => Number.isFinite(x) ? `${(100 * x).toFixed(2)}%` : '—';

/** The main table (markdown). */
export function decodeMarkdown(r: DecodeEvalResult, rows = decodeRows(r)): string {
  const lines = [
    '| method | ρ | rule | attended \\|S\\|/n | far/n | union ×| PPL | ΔPPL vs full [95% CI] | ΔNLL vs full [95% CI] | recall [95% CI] | output error | score error (exact RoPE) | quantisation-only | WRoPE-only |',
    '|---|---|---|---|---|---|---|---|---|---|---|---|---|---|',
  ];
  for (const x of rows) {
    const rule = x.method === 'full' ? 'all tokens' : x.mode === 'perHead' ? `per-head top-⌊ρn⌋ ∪ GQA${x.ties === 'recent' ? ', ties → recent' : ''}` : 'matched to A²ATS';
    lines.push(`| ${x.method} | ${x.method === 'full' ? '—' : x.budget} | ${rule} | ${pct(x.realized.selected)} | ${pct(x.realized.far)} | ${f(x.realized.unionFactor, 2)} | ${f(x.ppl, 3)} `
      + `| ${x.method === 'full' ? '—' : interval(x.deltaPpl)} | ${x.method === 'full' ? '—' : interval(x.deltaNll, 4)} | ${x.method === 'full' ? '1' : interval(x.recall)} `
      + `| ${f(x.relError)} | ${f(x.scoreError)} | ${f(x.quantError)} | ${f(x.wropeError)} |`);
  }
  return lines.join('\n') + '\n';
}

/**
 * A²ATS against each other method at every ρ: paired differences over documents of the scored
 * tokens' mean NLL (A²ATS − method: negative = A²ATS better) and of the mean recall.
 */
export function a2atsDifferencesMarkdown(r: DecodeEvalResult): string {
  const lines = ['| ρ | A²ATS − method | ΔNLL [95% CI] | Δrecall [95% CI] |', '|---|---|---|---|'];
  for (const a of r.cells.filter((c) => c.method === 'a2ats' && c.ties === 'oldest')) {
    for (const c of r.cells.filter((x) => x.budget === a.budget && x.method !== 'a2ats' && x.method !== 'full')) {
      lines.push(`| ${a.budget} | ${c.method} | ${interval(bootstrapPairedDifference(a.nll, c.nll), 4)} | ${interval(bootstrapPairedDifference(a.recall, c.recall))} |`);
    }
    const recent = r.cells.find((x) => x.method === 'a2ats' && x.ties === 'recent' && x.budget === a.budget);
    if (recent) lines.push(`| ${a.budget} | A²ATS, ties → recent | ${interval(bootstrapPairedDifference(a.nll, recent.nll), 4)} | ${interval(bootstrapPairedDifference(a.recall, recent.recall))} |`);
  }
  return lines.join('\n') + '\n';
}

/** Per-layer recall and output error of each sparse cell at one ρ (markdown). */
export function decodeLayerMarkdown(r: DecodeEvalResult, budget: number): string {
  const cells = r.cells.filter((c) => c.method !== 'full' && c.budget === budget && c.ties === 'oldest');
  const head = `| layer | ${cells.map((c) => `${c.method} recall / error`).join(' | ')} |`;
  const lines = [head, `|---|${cells.map(() => '---').join('|')}|`];
  const nLayers = cells[0]?.layers.length ?? 0;
  for (let l = 0; l < nLayers; l++) lines.push(`| ${l} | ${cells.map((c) => `${f(c.layers[l].recall)} / ${f(c.layers[l].relError)}`).join(' | ')} |`);
  return lines.join('\n') + '\n';
}

/** ΔPPL vs full against the realized attended fraction, one line per method, with 95% bands. */
export function decodeDeltaPplChart(r: DecodeEvalResult, rows = decodeRows(r), title = 'ΔPPL vs full attention'): string {
  const series: Series[] = [];
  const bands: Band[] = [];
  const methods = [...new Set(rows.filter((x) => x.method !== 'full' && x.ties === 'oldest').map((x) => x.method))];
  methods.forEach((m, i) => {
    const pts = rows.filter((x) => x.method === m && x.ties === 'oldest').sort((a, b) => a.realized.selected - b.realized.selected);
    const x = pts.map((p) => 100 * p.realized.selected);
    const color = seriesColor(i); // the band in its line's colour
    series.push({ name: m, x, y: pts.map((p) => p.deltaPpl.estimate), marker: true, color });
    bands.push({ name: `${m} 95% CI`, x, lo: pts.map((p) => p.deltaPpl.lower), hi: pts.map((p) => p.deltaPpl.upper), color });
  });
  return lineChart({ title, xLabel: 'tokens attended (% of context, realized)', yLabel: 'ΔPPL (per-document, paired)', series, bands });
}

/**
 * ΔNLL vs full attention (nats per scored token) against the realized attended fraction, one line
 * per method with its 95% paired-bootstrap band, from one or more runs (budgets run as separate
 * commands), each cut to the documents every run holds (selectDocuments) so all points share one
 * document set. Each run's rows are paired with that run's own full cell; where two runs hold the
 * same (method, ρ), the first run's row is drawn. The dashed line at 0 is full attention.
 *
 * @example decodeDeltaNllChart([rho003Run, rho001And01Run], 'ΔNLL vs budget')
 */
export function decodeDeltaNllChart(runs: readonly DecodeEvalResult[], title = 'ΔNLL vs full attention'): string {
  if (!Array.isArray(runs) || runs.length === 0) throw badArgument('runs must be a non-empty array of decode results');
  runs.forEach((r, i) => {
    if (!r || !Array.isArray(r.documents) || !Array.isArray(r.cells) || !r.cells.some((c: DecodeCell) => c.method === 'full')) {
      throw badArgument(`runs[${i}] must be a decode result with a full-attention cell`);
    }
  });
  const shared = sharedDocuments(runs);
  if (shared.length < 2) throw badArgument(`the runs share ${shared.length} document(s); intervals over documents need at least 2`);
  const byKey = new Map<string, DecodeRow>();
  for (const r of runs) {
    for (const row of decodeRows(selectDocuments(r, shared))) {
      const key = `${row.method}|${row.budget}`;
      if (row.method !== 'full' && row.ties === 'oldest' && !byKey.has(key)) byKey.set(key, row);
    }
  }
  const rows = [...byKey.values()];
  const series: Series[] = [];
  const bands: Band[] = [];
  [...new Set(rows.map((x) => x.method))].forEach((m, i) => {
    const pts = rows.filter((x) => x.method === m).sort((a, b) => a.realized.selected - b.realized.selected);
    const x = pts.map((p) => 100 * p.realized.selected);
    const color = seriesColor(i);
    series.push({ name: m, x, y: pts.map((p) => p.deltaNll.estimate), marker: true, color });
    bands.push({ name: `${m} 95% CI`, x, lo: pts.map((p) => p.deltaNll.lower), hi: pts.map((p) => p.deltaNll.upper), color });
  });
  const xs = rows.map((x) => 100 * x.realized.selected);
  series.push({ name: 'full attention', x: [Math.min(...xs), Math.max(...xs)], y: [0, 0], dashed: true, color: '#555' });
  // The budgets span a few percent to a few tens: a log axis fitted to them, not to whole decades.
  const xDomain: [number, number] = [Math.min(...xs) / 1.25, Math.max(...xs) * 1.25];
  return lineChart({ title, xLabel: 'tokens attended (% of context, realized; log scale)', yLabel: 'ΔNLL vs full (nats per token)', series, bands, logX: true, xDomain });
}

/** The ids of the documents every run holds, in runs[0]'s order. */
export function sharedDocuments(runs: readonly DecodeEvalResult[]): string[] {
  return runs[0].documents.map((d) => d.id).filter((id) => runs.every((r) => r.documents.some((d) => d.id === id)));
}

/** Passkey accuracy per method and length, with a bootstrap interval over tasks, and the paired difference to full. */
export function passkeyMarkdown(trials: readonly PasskeyTrial[]): string {
  const lengths = [...new Set(trials.map((t) => t.targetTokens))].sort((a, b) => a - b);
  const methods = [...new Set(trials.map((t) => t.method))];
  const lines = ['| method | length (tokens) | tasks | accuracy [95% CI] | vs full [95% CI] | far/n |', '|---|---|---|---|---|---|'];
  for (const m of methods) {
    for (const n of lengths) {
      const mine = trials.filter((t) => t.method === m && t.targetTokens === n);
      const full = trials.filter((t) => t.method === 'full' && t.targetTokens === n);
      const acc = bootstrapMean(mine.map((t) => Number(t.correct)));
      const vs = m === 'full' || full.length !== mine.length ? '—' : interval(bootstrapPairedDifference(mine.map((t) => Number(t.correct)), full.map((t) => Number(t.correct))), 2);
      lines.push(`| ${m} | ${n} | ${mine.length} | ${interval(acc, 2).replace(/ tie$/, '')} | ${vs} | ${pct(mean(mine.map((t) => t.farFraction)))} |`);
    }
  }
  return lines.join('\n') + '\n';
}

/** Passkey accuracy vs prompt length, one line per method, with 95% bands. */
export function passkeyChart(trials: readonly PasskeyTrial[], title = 'Passkey accuracy'): string {
  const lengths = [...new Set(trials.map((t) => t.targetTokens))].sort((a, b) => a - b);
  const methods = [...new Set(trials.map((t) => t.method))];
  const series: Series[] = [], bands: Band[] = [];
  methods.forEach((m, i) => {
    const iv = lengths.map((n) => bootstrapMean(trials.filter((t) => t.method === m && t.targetTokens === n).map((t) => Number(t.correct))));
    const color = seriesColor(i);
    series.push({ name: m, x: lengths, y: iv.map((b) => b.estimate), marker: true, color });
    bands.push({ name: `${m} 95% CI`, x: lengths, lo: iv.map((b) => b.lower), hi: iv.map((b) => b.upper), color });
  });
  return lineChart({ title, xLabel: 'prompt length (tokens)', yLabel: 'accuracy', series, bands, logX: true, yDomain: [0, 1.05] }); // headroom: 100% is not drawn on the frame
}

/** The whole report of a run (markdown): the main table, A²ATS against each method, per-layer rows at the first ρ. */
export function decodeReport(r: DecodeEvalResult, rows: DecodeRow[], title: string): string {
  const first = r.cells.find((c) => c.method !== 'full')?.budget ?? 1;
  return `# ${title}\n\n${decodeMarkdown(r, rows)}\n## A²ATS against each method (paired over documents)\n\n${a2atsDifferencesMarkdown(r)}`
    + `\n## Per layer at ρ = ${first}\n\n${decodeLayerMarkdown(r, first)}`;
}

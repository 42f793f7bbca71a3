/**
 * Tables (HTML, Markdown, plain text) and SVG plots of evaluation rows, shared by the CLI, the
 * report section and docs/kvcache.md.
 */
import { htmlTable, lineChart, type Series } from '../../plot/index.js';
import type { EvalRow } from './eval-row.js';

/** Column headers of evaluation tables (NLL columns are appended when present). */
export const EVAL_HEADERS = ['method', 'ρ', 'realized budget', 'recall mean', 'recall p5', 'rel. error mean', 'rel. error p95',
  'oracle overlap', 'score MSE (far)', 'centered', 'score MSE (top-K)', 'KB read/step', 'full KB/step'];

const f = (v: number | undefined, d = 3) => (v === undefined || !Number.isFinite(v) ? '—' : v.toFixed(d));

/** Table cells of one row (NLL columns appended when present). */
export function rowCells(r: EvalRow): string[] {
  const cells = [r.method, r.method === 'full' ? '—' : String(r.budget), f(r.realizedBudget, 4), f(r.recallMean), f(r.recallP5),
    f(r.relErrorMean), f(r.relErrorP95), f(r.overlapMean), f(r.scoreMse), f(r.scoreMseCentered), f(r.scoreMseTop), f(r.bytesPerStep / 1024, 1), f(r.bytesFull / 1024, 1)];
  if (r.nll !== undefined) cells.push(f(r.nll, 4), f(r.nllIncrease, 4));
  return cells;
}

/** Headers for these rows (with NLL columns when any row has an NLL). */
export function headers(rows: EvalRow[]): string[] {
  return rows.some((r) => r.nll !== undefined) ? [...EVAL_HEADERS, 'NLL', 'ΔNLL'] : EVAL_HEADERS;
}

/** HTML table of evaluation rows (report section). @example evalHtmlTable(res.rows) */
export function evalHtmlTable(rows: EvalRow[]): string {
  return htmlTable(headers(rows), rows.map(rowCells));
}

/** Markdown table of evaluation rows (docs, CLI --out). */
export function evalMarkdownTable(rows: EvalRow[]): string {
  const h = headers(rows);
  const lines = [`| ${h.join(' | ')} |`, `|${h.map(() => '---').join('|')}|`];
  for (const r of rows) lines.push(`| ${rowCells(r).join(' | ')} |`);
  return lines.join('\n') + '\n';
}

/** Fixed-width text table for the terminal. */
export function evalTextTable(rows: EvalRow[]): string {
  const h = headers(rows);
  const cells = rows.map(rowCells);
  const w = h.map((x, i) => Math.max(x.length, ...cells.map((c) => c[i].length)));
  const line = (c: string[]) => c.map((x, i) => x.padStart(w[i])).join('  ');
  return [line(h), ...cells.map(line)].join('\n') + '\n';
}

/**
 * A metric against realized budget, one line per method (full attention omitted).
 * @example recallChart(rows, 'synthetic n = 32768')
 */
export function metricChart(rows: EvalRow[], metric: 'recallMean' | 'relErrorMean' | 'recallP5' | 'nllIncrease', title: string): string {
  const names = [...new Set(rows.filter((r) => r.method !== 'full').map((r) => r.method))];
  const series: Series[] = names.map((name) => {
    const rs = rows.filter((r) => r.method === name && r[metric] !== undefined).sort((a, b) => a.realizedBudget - b.realizedBudget);
    return { name, x: rs.map((r) => r.realizedBudget * 100), y: rs.map((r) => r[metric] as number), kind: 'line' as const, dashed: name.startsWith('oracle'), marker: true };
  }).filter((s) => s.x.length > 0);
  const label = { recallMean: 'attention-mass recall (fraction, mean)', recallP5: 'attention-mass recall (fraction, p5)', relErrorMean: 'output relative error (mean)', nllIncrease: 'NLL increase (nats/token)' }[metric];
  return lineChart({ title, xLabel: 'realized budget (% of context attended)', yLabel: label, series });
}

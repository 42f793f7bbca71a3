/**
 * Result tables of the activation-sparsity evaluation as Markdown (CLI output, docs) and as
 * rows for htmlTable (the report).
 */
import type { SyntheticEvalResult } from './evaluate-synthetic.js';
import type { ModelEvalResult } from './evaluate-model.js';
import type { CorpusEvalResult } from './evaluate-corpus.js';
import type { MethodComparison } from './compare-methods.js';
import type { ProjectionInput } from './thresholds.js';

const f = (v: number, d = 3) => (Number.isFinite(v) ? v.toFixed(d) : '—');

export const SYNTHETIC_HEADERS = ['k', 'method', 'sparsity', 'channel min', 'channel max', 'objective', 'rel. error (Frobenius)', 'mean per-token error', 'weights streamed'];
export const MODEL_HEADERS = ['k', 'method', 'NLL', 'ΔNLL', 'gate sparsity', 'channel min–max', 'input sparsity', 'weights streamed'];

export function syntheticRows(r: SyntheticEvalResult): string[][] {
  return r.rows.map((x) => [String(x.k), x.method, f(x.sparsity), f(x.channelSparsityMin, 2), f(x.channelSparsityMax, 2),
    f(x.objective, 4), f(x.relativeError, 4), f(x.meanTokenError, 4), f(x.weightsStreamed)]);
}

function inputs(s: Partial<Record<ProjectionInput, number>>): string {
  const e = Object.entries(s);
  return e.length === 0 ? '—' : e.map(([p, v]) => `${p} ${f(v!, 2)}`).join(', ');
}

export function modelRows(r: ModelEvalResult): string[][] {
  return [
    ['0', 'dense', f(r.dense.meanNll, 4), '0', '0', '—', '—', '1.000'],
    ...r.rows.map((x) => [String(x.k), x.method, f(x.meanNll, 4), `+${f(x.nllIncrease, 4)}`, f(x.gateSparsity),
      Number.isFinite(x.channelSparsityMin) ? `${f(x.channelSparsityMin, 2)}–${f(x.channelSparsityMax, 2)}` : '—',
      inputs(x.inputSparsity), f(x.weightsStreamed)]),
  ];
}

export function markdownTable(headers: string[], rows: string[][]): string {
  return [`| ${headers.join(' | ')} |`, `|${headers.map(() => '---').join('|')}|`, ...rows.map((r) => `| ${r.join(' | ')} |`)].join('\n') + '\n';
}

/** An interval as `+0.0123 [+0.0101, +0.0145]`. */
export function formatInterval(x: { estimate: number; lower: number; upper: number }, digits = 4, signed = true): string {
  const g = (v: number) => (signed && v >= 0 ? '+' : '') + f(v, digits);
  return `${g(x.estimate)} [${g(x.lower)}, ${g(x.upper)}]`;
}

export const CORPUS_HEADERS = ['k', 'method', 'NLL', 'ΔNLL [95% CI]', 'PPL ratio [95% CI]', 'gate sparsity', 'input sparsity', 'weights streamed'];

export function corpusRows(r: CorpusEvalResult): string[][] {
  return [
    ['0', 'dense', f(r.dense.meanNll, 4), '0', '1', '0', '—', '1.000'],
    ...r.rows.map((x) => [String(x.k), x.method, f(x.meanNll, 4), formatInterval(x.deltaNll), formatInterval(x.pplRatio, 4, false),
      f(x.gateSparsity), inputs(x.inputSparsity), f(x.weightsStreamed)]),
  ];
}

export const LAST_WORD_HEADERS = ['method', 'accuracy [95% CI]', 'vs dense [95% CI]'];

export function lastWordRows(r: NonNullable<CorpusEvalResult['lastWord']>): string[][] {
  return r.rows.map((x) => [x.method, formatInterval(x.accuracy, 3, false), x.difference ? formatInterval(x.difference, 3) : '—']);
}

export const COMPARISON_HEADERS = ['k', 'comparison', 'ΔNLL [95% CI]', 'verdict'];

export function comparisonRows(c: readonly MethodComparison[]): string[][] {
  return c.map((x) => [String(x.k), `${x.a} − ${x.b}`, formatInterval(x.difference),
    !x.difference.excludesZero ? 'tie' : x.difference.estimate < 0 ? `${x.a} better` : `${x.b} better`]);
}

/**
 * Result tables of the activation-sparsity evaluation as Markdown (CLI output, docs) and as
 * rows for htmlTable (the report).
 */
import type { SyntheticEvalResult } from './evaluate-synthetic.js';
import type { ModelEvalResult } from './evaluate-model.js';
import type { ProjectionInput } from './thresholds.js';

const f = (v: number, d = 3) => (Number.isFinite(v) ? v.toFixed(d) : '—');

export const SYNTHETIC_HEADERS = ['k', 'method', 'sparsity', 'channel min', 'channel max', 'objective', 'rel. error', 'weights streamed'];
export const MODEL_HEADERS = ['k', 'method', 'NLL', 'ΔNLL', 'gate sparsity', 'channel min–max', 'input sparsity', 'weights streamed'];

export function syntheticRows(r: SyntheticEvalResult): string[][] {
  return r.rows.map((x) => [String(x.k), x.method, f(x.sparsity), f(x.channelSparsityMin, 2), f(x.channelSparsityMax, 2),
    f(x.objective, 4), f(x.relativeError, 4), f(x.weightsStreamed)]);
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

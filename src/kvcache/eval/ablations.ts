/**
 * Ablations of A²ATS on synthetic data (issue 5: "show why"): codebook size, calibration size,
 * query-aware H vs H = I, window w and distance b, and three properties of the data (topic
 * locality, concentration of content in low-frequency rotation pairs, key noise) — each a full evaluateSynthetic run at one budget with every method,
 * everything else at the base setting.
 */
import { checkKernels } from '../../kernels/check-kernels.js';
import type { CpuKernels } from '../../kernels/kernels.js';
import type { CodebookSet } from '../codebook-set.js';
import type { EvalRow } from './eval-row.js';
import { evaluateSynthetic, SYNTHETIC_EVAL_KEYS, type SyntheticEvalOptions } from './synthetic-eval.js';
import { checkOptions } from '../../core/options.js';

/** One ablation: which factor, its value, and the evaluateSynthetic overrides. */
export interface AblationVariant {
  factor: string;
  value: string;
  options: Partial<SyntheticEvalOptions>;
  /** Reuse the base run's codebooks (for settings that do not change calibration, e.g. w). */
  reuseCodebooks?: boolean;
}

/** An evaluation row tagged with its ablation factor and value. */
export interface AblationRow extends EvalRow {
  factor: string;
  value: string;
}

/** The default grid around a base configuration. */
export function defaultAblations(base: SyntheticEvalOptions): AblationVariant[] {
  base = checkOptions('defaultAblations base', base, SYNTHETIC_EVAL_KEYS);
  const size = base.calibration?.size ?? 1024;
  const seqs = base.calibration?.sequences ?? 4;
  const w = base.window ?? 64, b = base.distance ?? 2048;
  const cal = (o: object) => ({ calibration: { ...base.calibration, ...o } });
  return [
    ...[size / 4, size * 4].map((s) => ({ factor: 'codebook size', value: String(s), options: cal({ size: s }) })),
    ...[Math.max(1, seqs / 2), seqs * 2].filter((s) => s !== seqs).map((s) => ({ factor: 'calibration sequences', value: String(s), options: cal({ sequences: s }) })),
    ...[w / 4, w * 4].map((x) => ({ factor: 'window w', value: String(x), options: { window: x }, reuseCodebooks: true })),
    ...[b / 4, b * 4].map((x) => ({ factor: 'distance b', value: String(x), options: { distance: x } })),
    // The data, not the method: topic locality (what Quest's pages exploit) and per-token key noise
    // (what no codebook can represent).
    ...[16].map((x) => ({ factor: 'data: topic span mean', value: String(x), options: { synthetic: { ...base.synthetic, spanMean: x } } })),
    // How concentrated key/query content is in the slowest rotation pairs: what decides WRoPE's error.
    ...[4].map((x) => ({ factor: 'data: low-frequency width', value: String(x), options: { synthetic: { ...base.synthetic, lowFreqWidth: x } } })),
    ...[0.05, 0.3].map((x) => ({ factor: 'data: key noise', value: String(x), options: { synthetic: { ...base.synthetic, keyNoise: x } } })),
  ];
}

/** The base setting of an ablation run (every evaluateSynthetic option) and the variants to run. */
export interface AblationOptions extends SyntheticEvalOptions {
  /** Variants to run after the base (default: defaultAblations of the base). */
  variants?: AblationVariant[];
}

/**
 * Run the base setting and every variant; rows carry (factor, value). The base rows have factor
 * 'base'. H vs I is the a2ats / vq-wrope pair inside every run. `onProgress` and `signal` cover
 * the whole run.
 * @example const rows = await runAblations(kernels, { n: 4096, budgets: [0.03], onProgress: (f) => console.log(f) });
 */
export async function runAblations(kernels: CpuKernels, options: AblationOptions = {}): Promise<AblationRow[]> {
  checkKernels('kernels', kernels);
  const { variants: given, onProgress, signal, ...base } = checkOptions('runAblations options', options, [...SYNTHETIC_EVAL_KEYS, 'variants']);
  const variants = given ?? defaultAblations(base);
  const progress = onProgress ?? (() => {});
  const methods = base.methods ?? ['oracle', 'a2ats', 'vq-wrope', 'quest', 'pqcache'];
  const budgets = base.budgets ?? [0.03];
  const rows: AblationRow[] = [];
  const all = [{ factor: 'base', value: '—', options: {} } as AblationVariant, ...variants];
  let books: { queryAware?: CodebookSet; plain?: CodebookSet } | undefined;
  for (let i = 0; i < all.length; i++) {
    const v = all[i];
    const res = await evaluateSynthetic(kernels, {
      ...base, ...v.options, methods, budgets, signal,
      codebooks: v.reuseCodebooks ? books : undefined,
      onProgress: (f, l) => progress((i + f) / all.length, `${v.factor} ${v.value}: ${l}`),
    });
    if (i === 0) books = res.codebooks;
    for (const r of res.rows) rows.push({ ...r, factor: v.factor, value: v.value });
  }
  return rows;
}

/**
 * A one-line progress bar on standard error for long CLI work. It draws only when stderr is
 * a terminal (so logs and pipes stay clean) and at most every `intervalMs`; off a terminal it
 * writes a plain line every `ctx.progressLogSeconds` when that is set (long runs in a log file).
 */
import { badArgument } from '../core/errors.js';
import type { CliContext } from './command.js';

export interface ProgressBar {
  /** Report progress: fraction in [0, 1] (clamped), with an optional current-step label. */
  (fraction: number, label?: string): void;
  /** Erase the bar (call once the work is finished or failed). */
  done(): void;
}

export interface ProgressOptions {
  /** Bar width in characters (default 28). */
  width?: number;
  /** Minimum milliseconds between redraws (default 100); the first and final draws always happen. */
  intervalMs?: number;
  /** Clock, for tests. */
  now?: () => number;
}

/**
 * Create a progress bar that writes `label [#####.....]  42% step` to ctx.stderr.
 * The returned function matches the library's `onProgress(fraction, label)` callbacks.
 *
 * @example
 * const bar = createProgressBar(ctx, 'demo');
 * await runSections({ onProgress: bar });
 * bar.done();
 */
export function createProgressBar(ctx: Pick<CliContext, 'stderr' | 'isTTY' | 'progressLogSeconds'>, label: string, opts: ProgressOptions = {}): ProgressBar {
  const width = opts.width ?? 28;
  const interval = opts.intervalMs ?? 100;
  const now = opts.now ?? (() => Date.now());
  let last = -Infinity;
  let drawn = false;
  let lastFraction = -1;
  const start = now();
  const logEvery = ctx.progressLogSeconds === undefined ? undefined : ctx.progressLogSeconds * 1000;

  const update = ((fraction: number, step?: string) => {
    if (typeof fraction !== 'number' || Number.isNaN(fraction)) throw badArgument(`fraction must be a number in [0, 1], got ${fraction}`);
    const f = Math.min(1, Math.max(0, fraction));
    const t = now();
    if (!ctx.isTTY) {
      if (logEvery === undefined || t - last < logEvery) return;
      last = t;
      ctx.stderr(`${label} ${(f * 100).toFixed(1)}% ${step ?? ''} (${((t - start) / 1000).toFixed(0)} s)\n`);
      return;
    }
    const final = f >= 1 && lastFraction < 1;
    if (!final && t - last < interval) return;
    last = t;
    lastFraction = f;
    const filled = Math.round(f * width);
    const pct = `${Math.floor(f * 100)}%`.padStart(4);
    const tail = step ? ` ${step.length > 48 ? step.slice(0, 47) + '…' : step}` : '';
    ctx.stderr(`\r${label} [${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${pct}${tail}\x1b[K`);
    drawn = true;
  }) as ProgressBar;

  update.done = () => {
    if (drawn) ctx.stderr('\r\x1b[K');
    drawn = false;
  };
  return update;
}

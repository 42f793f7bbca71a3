/**
 * One row of an evaluation table: a method at a budget, metrics aggregated over decode steps
 * and query heads (and layers for the real model).
 */
import { summarize, type StepMetrics } from '../metrics.js';

/** One method at one budget, aggregated (see the file header). */
export interface EvalRow {
  method: string;
  /** Nominal budget ρ (fraction of the context for far tokens). */
  budget: number;
  mode: 'perHead' | 'total';
  recallMean: number;
  recallP5: number;
  relErrorMean: number;
  relErrorP95: number;
  overlapMean: number;
  /**
   * Normalised score MSE over far tokens / over the true top-K, pooled over steps and heads:
   * Σ(s − ŝ)² / Σ(s − s̄)² (a mean of per-step ratios would be dominated by steps whose far
   * scores barely vary). NaN: the method gives no score estimates.
   */
  scoreMse: number;
  scoreMseTop: number;
  /** Var(s − ŝ)/Var(s): score MSE without the (ranking-neutral) mean error. */
  scoreMseCentered: number;
  /** Mean |S| / n (sinks + window + selected far tokens). */
  realizedBudget: number;
  /** Mean bytes read per decode step and layer (index + selected K/V), and for full attention. */
  bytesPerStep: number;
  bytesFull: number;
  /** Samples (steps × query heads [× layers]). */
  samples: number;
  /** Real model only: mean NLL (nats/token) with this method replacing attention, and its increase. */
  nll?: number;
  nllIncrease?: number;
}

/** Accumulates StepMetrics and byte counts into an EvalRow. */
export class RowAccumulator {
  private readonly m: StepMetrics[] = [];
  private readonly budgets: number[] = [];
  private bytes = 0;
  private full = 0;
  private steps = 0;

  constructor(readonly method: string, readonly budget: number, readonly mode: 'perHead' | 'total') {}

  add(s: StepMetrics, n: number): void {
    this.m.push(s);
    this.budgets.push(s.selected / n);
  }

  addBytes(bytes: number, full: number): void {
    this.bytes += bytes;
    this.full += full;
    this.steps++;
  }

  row(): EvalRow {
    const r = summarize(this.m.map((x) => x.recall));
    const e = summarize(this.m.map((x) => x.relError));
    return {
      method: this.method, budget: this.budget, mode: this.mode,
      recallMean: r.mean, recallP5: r.p5, relErrorMean: e.mean, relErrorP95: e.p95,
      overlapMean: summarize(this.m.map((x) => x.overlap)).mean,
      ...pooledScores(this.m),
      realizedBudget: summarize(this.budgets).mean,
      bytesPerStep: this.steps ? this.bytes / this.steps : NaN,
      bytesFull: this.steps ? this.full / this.steps : NaN,
      samples: this.m.length,
    };
  }
}

/** Score-MSE ratios pooled over steps: Σ errors / Σ variances. */
function pooledScores(ms: StepMetrics[]): { scoreMse: number; scoreMseTop: number; scoreMseCentered: number } {
  let e = 0, ec = 0, v = 0, et = 0, vt = 0;
  for (const x of ms) {
    if (!x.sums) continue;
    e += x.sums.err; ec += x.sums.errCentered; v += x.sums.variance;
    et += x.sums.topErr; vt += x.sums.top * (x.sums.variance / x.sums.m);
  }
  if (!(v > 0)) return { scoreMse: NaN, scoreMseTop: NaN, scoreMseCentered: NaN };
  return { scoreMse: e / v, scoreMseCentered: ec / v, scoreMseTop: vt > 0 ? et / vt : NaN };
}

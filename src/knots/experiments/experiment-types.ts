/**
 * Shared shapes of the knot experiments (`sparse-inference knots experiment NAME`): each
 * reproduces one table or figure of He, Yang & Kang (arXiv 2405.13353) and returns a table with
 * the paper's numbers beside ours.
 */
import type { CpuKernels } from '../../kernels/kernels.js';

export interface ExperimentOptions {
  /** Replicates (default: the paper's count; fewer when time is short). */
  replicates?: number;
  /** Smaller settings for smoke runs (tests, --quick). */
  quick?: boolean;
  seed?: number;
  kernels?: CpuKernels;
  /** Data file for experiments on real data (triceps). */
  dataPath?: string;
  onProgress?: (fraction: number, label?: string) => void;
  signal?: AbortSignal;
}

export interface ExperimentResult {
  name: string;
  title: string;
  headers: string[];
  rows: (string | number)[][];
  /** Settings actually used (replicates, iterations, ...). */
  settings: Record<string, unknown>;
  notes: string[];
}

export interface Experiment {
  name: string;
  summary: string;
  run(opts: ExperimentOptions): Promise<ExperimentResult>;
}

/** mean and sample sd of a list. */
export function meanSd(v: number[]): { mean: number; sd: number } {
  const n = v.length;
  const mean = v.reduce((a, b) => a + b, 0) / n;
  const sd = n > 1 ? Math.sqrt(v.reduce((a, b) => a + (b - mean) ** 2, 0) / (n - 1)) : 0;
  return { mean, sd };
}

/** "0.0123 (0.0045)". */
export function fmtMeanSd(v: number[], digits = 4): string {
  const { mean, sd } = meanSd(v);
  return `${mean.toFixed(digits)} (${sd.toFixed(digits)})`;
}

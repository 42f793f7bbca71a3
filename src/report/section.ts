/**
 * One section of the demo report (report/index.html). Each family contributes a function
 * under src/report/sections/ that computes its results and returns a section; the `demo`
 * command runs them in order and writes the page.
 */
import type { CpuKernels } from '../kernels/kernels.js';

export interface ReportSection {
  /** Anchor id, e.g. 'kvcache'. */
  id: string;
  title: string;
  /** HTML body: paragraphs, tables, inline <svg> plots. */
  html: string;
  /** One-line summary the CLI prints after the run. */
  summary: string;
  /**
   * What the reader should conclude, shown first (HTML): the headline result with its numbers,
   * including where the headline method loses and why.
   */
  conclusion?: string;
  /** The settings that produced this section's numbers (plain text), shown under the conclusion. */
  settings?: string;
}

export interface SectionContext {
  kernels: CpuKernels;
  /** Real checkpoint paths when the user passes --model/--tokenizer (else use generated data). */
  modelPath?: string;
  tokenizerPath?: string;
  /** The quiet default (short, representative workloads); false for `demo --full`. */
  quick: boolean;
  /** Probe for WebGPU in the environment section (`demo --webgpu`); off by default. */
  probeWebGpu?: boolean;
  /** Seed of the stochastic sections (`demo --seed`): knot chains, synthetic data; default 1. */
  seed?: number;
  onProgress?: (fraction: number, label: string) => void;
  signal?: AbortSignal;
}

export type SectionBuilder = (ctx: SectionContext) => Promise<ReportSection>;

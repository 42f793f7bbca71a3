/**
 * The SmolLM2 plots drawn from the committed result files: ΔNLL vs budget for A²ATS and its
 * baselines (docs/kvcache/) and ΔNLL vs sparsity k for CHESS, CATS and TEAL (docs/activations/).
 * One place that names the files, shared by the demo report and `scripts/smollm2-plots.mts`
 * (which writes the SVGs the docs embed).
 */
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { decodeDeltaNllChart, sharedDocuments } from '../../kvcache/eval/decode-report.js';
import type { DecodeEvalResult } from '../../kvcache/eval/decode-eval.js';
import { corpusDeltaNllChart } from '../../activations/plots.js';
import type { CorpusEvalResult } from '../../activations/evaluate-corpus.js';

/**
 * Runs at a 2,048-token context: ρ = 0.03 over 20 documents (two runs), then ρ = 0.01 and 0.1 over
 * half of them (the plot uses the documents all runs share).
 */
export const SMOLLM2_DECODE_RUNS = [
  'docs/kvcache/smollm2-decode-2048.json',
  'docs/kvcache/smollm2-decode-2048-quest-pqcache.json',
  'docs/kvcache/smollm2-decode-2048-rho.json',
];
/** The three-seed sweep at k = 0.3/0.5/0.7, then the TEAL-greedy run (k = 0.5, seed 0). */
export const SMOLLM2_ACTIVATION_RUNS = ['docs/activations/activations-corpus.json', 'docs/activations/teal-greedy-corpus.json'];

export interface Smollm2Plots {
  /** ΔNLL vs attended fraction (SVG); undefined when no decode run is present. */
  kvcache?: string;
  /** ΔNLL vs sparsity k (SVG); undefined when no activations run is present. */
  activations?: string;
  /** The files each plot was drawn from. */
  sources: { kvcache: string[]; activations: string[] };
}

/** A path relative to the package root → an existing file's path, or undefined. */
export type LocateFile = (rel: string) => string | undefined;

async function readPresent<T>(paths: readonly string[], locate: LocateFile): Promise<{ runs: T[]; files: string[] }> {
  const files = paths.filter((p) => { const at = locate(p); return at !== undefined && existsSync(at); });
  const runs = await Promise.all(files.map(async (p) => JSON.parse(await readFile(locate(p)!, 'utf8')) as T));
  return { runs, files };
}

/** The committed runs `locate` finds, in the order of SMOLLM2_DECODE_RUNS and SMOLLM2_ACTIVATION_RUNS. */
export async function readSmollm2Results(locate: LocateFile) {
  const kv = await readPresent<DecodeEvalResult>(SMOLLM2_DECODE_RUNS, locate);
  const act = await readPresent<CorpusEvalResult>(SMOLLM2_ACTIVATION_RUNS, locate);
  return { kv, act };
}

/** Both plots from whichever of the committed files `locate` finds. */
export async function smollm2Plots(locate: LocateFile): Promise<Smollm2Plots> {
  const { kv, act } = await readSmollm2Results(locate);
  const docs = kv.runs.length === 0 ? 0 : sharedDocuments(kv.runs).length;
  const ctx = kv.runs[0]?.context;
  return {
    kvcache: kv.runs.length === 0 ? undefined
      : decodeDeltaNllChart(kv.runs, `SmolLM2-135M, context ${ctx}: ΔNLL vs full attention (${docs} documents, 95% paired bootstrap)`),
    activations: act.runs.length === 0 ? undefined
      : corpusDeltaNllChart(act.runs, `SmolLM2-135M: ΔNLL vs dense (${act.runs[0].documents.length} documents, 95% bootstrap)`),
    sources: { kvcache: kv.files, activations: act.files },
  };
}

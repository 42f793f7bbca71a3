/**
 * Activation sparsity on a real model (spec §5–6): calibrate on one part of a text, measure
 * next-token NLL on another, non-overlapping part. The text's stories are split in two halves:
 * the first half is the evaluation text (evaluateNll takes stories from its start, so the dense
 * NLL equals the published protocol's), the second half the calibration text.
 *
 * Per target sparsity k: dense, CATS, CHESS w/o, CHESS w/, CHESS-abs w/o, TEAL (uniform), and
 * optionally TEAL with the greedy block allocation — NLL, its increase over dense, and what
 * the strategies achieved on the evaluation tokens (sparsity, weights streamed).
 *
 * @example
 * const r = await evaluateModelSparsity(model, tokenizer, text, { sparsities: [0.5] });
 * r.rows.filter((x) => x.k === 0.5).map((x) => [x.method, x.nllIncrease]);
 */
import { checkModelInputs } from './check-model-inputs.js';
import type { LlamaModel } from '../llama/model.js';
import type { TextTokenizer } from '../llama/text-tokenizer.js';
import { evaluateNll } from '../llama/evaluate-nll.js';
import { splitStories, STORY_SEPARATOR } from '../llama/split-stories.js';
import { badArgument, throwIfAborted } from '../core/errors.js';
import { checkInt, checkNumber } from '../core/validate.js';
import { calibrateModel } from './calibrate-model.js';
import type { QuantileMode } from './magnitude-pool.js';
import { catsThresholds } from './cats-thresholds.js';
import { chessThresholds } from './chess-thresholds.js';
import { tealThresholds } from './teal-thresholds.js';
import { tealGreedyAllocation } from './teal-greedy.js';
import { installActivationSparsity } from './install-sparsity.js';
import type { ActivationThresholds, ProjectionInput } from './thresholds.js';
import { checkOptions, optionKeys } from '../core/options.js';

export interface ModelEvalOptions {
  sparsities?: number[];          // default [0.3, 0.5, 0.7]
  calibrationTokens?: number;     // default 4096
  evalTokens?: number;            // default 3000 (whole stories, so slightly more)
  quantile?: QuantileMode;        // default 'exact'
  /** Also run TEAL with the greedy allocation (slow: see teal-greedy.ts). */
  tealGreedy?: boolean;
  /** Tokens and base step of the greedy search (defaults 64 and 0.05). */
  greedyTokens?: number;
  greedyStep?: number;
  /** Name stored in the thresholds metadata. */
  modelName?: string;
  onProgress?: (fraction: number, label: string) => void;
  signal?: AbortSignal;
}

/** Every key of ModelEvalOptions, for checkOptions. */
export const MODEL_EVAL_KEYS = optionKeys<ModelEvalOptions>({ sparsities: true, calibrationTokens: true, evalTokens: true, quantile: true, tealGreedy: true, greedyTokens: true, greedyStep: true, modelName: true, onProgress: true, signal: true });

export interface ModelEvalRow {
  method: string;
  k: number;
  meanNll: number;
  nllIncrease: number;
  gateSparsity: number;
  channelSparsityMin: number;
  channelSparsityMax: number;
  inputSparsity: Partial<Record<ProjectionInput, number>>;
  weightsStreamed: number;
}

export interface ModelEvalResult {
  dense: { meanNll: number; perplexity: number; tokens: number };
  calibrationTokens: number;
  evalTokens: number;
  /** Story index ranges [from, to) of the two parts. */
  evaluationStories: [number, number];
  calibrationStories: [number, number];
  rows: ModelEvalRow[];
}

/** Split a TinyStories-style text into (evaluation, calibration) halves by story. */
export function splitCalibrationText(text: string): { evaluation: string; calibration: string; half: number; stories: number } {
  const stories = splitStories(text);
  if (stories.length < 2) throw badArgument('text needs at least two stories (one to calibrate on, one to evaluate)');
  const half = stories.length >> 1;
  return {
    evaluation: stories.slice(0, half).join(`\n${STORY_SEPARATOR}\n`),
    calibration: stories.slice(half).join(`\n${STORY_SEPARATOR}\n`),
    half, stories: stories.length,
  };
}

export async function evaluateModelSparsity(model: LlamaModel, tokenizer: TextTokenizer, text: string,
  opts: ModelEvalOptions = {}): Promise<ModelEvalResult> {
  opts = checkOptions('evaluateModelSparsity options', opts, MODEL_EVAL_KEYS);
  checkModelInputs(model, tokenizer, text);
  const ks = (opts.sparsities ?? [0.3, 0.5, 0.7]).map((k, i) => checkNumber(`sparsities[${i}]`, k, 0, 1, { maxExclusive: true }));
  const calTokens = checkInt('calibrationTokens', opts.calibrationTokens ?? 4096, 1);
  const evalTokens = checkInt('evalTokens', opts.evalTokens ?? 3000, 1);
  const progress = opts.onProgress ?? (() => {});
  const name = opts.modelName ?? 'model';
  const split = splitCalibrationText(text);

  const configs = 5 + (opts.tealGreedy ? 1 : 0);
  const totalSteps = 2 + ks.length * configs + (opts.tealGreedy ? 2 : 0);
  let step = 0;
  const sub = (label: string) => (f: number) => progress((step + Math.min(1, f)) / totalSteps, label);
  const nll = async (label: string) => {
    const r = await evaluateNll(model, tokenizer, split.evaluation, {
      maxTokens: evalTokens, signal: opts.signal, onProgress: (f) => sub(label)(f),
    });
    step++;
    return r;
  };

  const stats = await calibrateModel(model, tokenizer, split.calibration, {
    maxTokens: calTokens, quantile: opts.quantile, signal: opts.signal, onProgress: (f) => sub('calibrating')(f),
  });
  step++;
  const dense = await nll('dense');
  const rows: ModelEvalRow[] = [];
  const run = async (th: ActivationThresholds, attention: boolean, label?: string) => {
    throwIfAborted(opts.signal, 'evaluation');
    const inst = await installActivationSparsity(model, th, { attention });
    try {
      const r = await nll(`${inst.name} k=${th.metadata.sparsity}`);
      const s = inst.counters.summary();
      rows.push({
        method: label ?? inst.name, k: th.metadata.sparsity, meanNll: r.meanNll, nllIncrease: r.meanNll - dense.meanNll,
        gateSparsity: s.gateSparsity, channelSparsityMin: s.channelSparsityMin, channelSparsityMax: s.channelSparsityMax,
        inputSparsity: s.inputSparsity, weightsStreamed: s.weightsStreamed,
      });
    } finally {
      await inst.dispose();
    }
  };
  let greedy: Awaited<ReturnType<typeof tealGreedyAllocation>> | undefined;
  if (opts.tealGreedy) {
    greedy = await tealGreedyAllocation(model, tokenizer, split.calibration, stats, {
      targets: ks.filter((k) => k > 0), maxTokens: opts.greedyTokens, baseStep: opts.greedyStep,
      signal: opts.signal, onProgress: (f) => sub('TEAL greedy')(f),
    });
    step += 2;
  }
  for (const k of ks) {
    await run(catsThresholds(stats, k, { model: name }), false);
    await run(chessThresholds(stats, k, { model: name }), false);
    await run(chessThresholds(stats, k, { model: name }), true);
    await run(chessThresholds(stats, k, { model: name, variant: 'abs' }), false);
    await run(tealThresholds(stats, k, { model: name }), false);
    if (greedy) {
      const i = greedy.targets.indexOf(k);
      if (i >= 0) await run(tealThresholds(stats, k, { model: name, sparsities: greedy.sparsities[i] }), false, 'TEAL greedy');
      else step++;
    }
  }
  progress(1, 'done');
  return {
    dense: { meanNll: dense.meanNll, perplexity: dense.perplexity, tokens: dense.tokens },
    calibrationTokens: stats.tokens, evalTokens: dense.tokens,
    evaluationStories: [0, split.half], calibrationStories: [split.half, split.stories],
    rows,
  };
}

/**
 * Calibration on a real model: run text through the dense model with the capture hook on and
 * pool the activations (ActivationCollector). Text is split into stories on `<|endoftext|>`,
 * each encoded with BOS, truncated to the context and run from position 0, stories in order
 * until `maxTokens` tokens have been seen — the protocol of evaluateNll, so calibration and
 * evaluation see the same kind of positions. In sketch mode with CHESS the same tokens are run
 * twice (the importances need the finished a_up moments).
 *
 * @example
 * const stats = await calibrateModel(model, tokenizer, calibrationText, { maxTokens: 4096 });
 * const th = chessThresholds(stats, 0.5, { model: 'stories260K' });
 */
import { checkModelInputs } from './check-model-inputs.js';
import type { LlamaModel } from '../llama/model.js';
import type { Tokenizer } from '../llama/tokenizer.js';
import { splitStories } from '../llama/split-stories.js';
import { badArgument, throwIfAborted } from '../core/errors.js';
import { checkInt } from '../core/validate.js';
import { ActivationCollector, type CollectorOptions } from './activation-collector.js';
import type { ActivationStatistics } from './activation-statistics.js';
import { yieldEvery } from '../core/yield.js';
import { DenseFfn } from '../llama/dense-ffn.js';
import { checkOptions, optionKeys } from '../core/options.js';

export interface CalibrateModelOptions extends CollectorOptions {
  /** Calibration tokens (default 4096). */
  maxTokens?: number;
  onProgress?: (fraction: number, label: string) => void;
  signal?: AbortSignal;
}

/** Every key of CalibrateModelOptions, for checkOptions. */
export const CALIBRATE_MODEL_KEYS = optionKeys<CalibrateModelOptions>({ maxTokens: true, onProgress: true, signal: true, quantile: true, sketch: true, chess: true });

/** The token sequences calibration (and TEAL's greedy search) run: whole stories up to maxTokens. */
export function calibrationSequences(tokenizer: Tokenizer, text: string, maxTokens: number, seqLen: number): number[][] {
  const seqs: number[][] = [];
  let total = 0;
  for (const story of splitStories(text)) {
    if (total >= maxTokens) break;
    const ids = tokenizer.encode(story, { bos: true }).slice(0, Math.min(seqLen, maxTokens - total));
    if (ids.length === 0) continue;
    seqs.push(ids);
    total += ids.length;
  }
  if (total === 0) throw badArgument('calibration text has no tokens');
  return seqs;
}

export async function calibrateModel(model: LlamaModel, tokenizer: Tokenizer, text: string,
  opts: CalibrateModelOptions = {}): Promise<ActivationStatistics> {
  opts = checkOptions('calibrateModel options', opts, CALIBRATE_MODEL_KEYS);
  checkModelInputs(model, tokenizer, text);
  const maxTokens = checkInt('maxTokens', opts.maxTokens ?? 4096, 1);
  const c = model.config;
  if (tokenizer.vocabSize !== c.vocabSize) throw badArgument(`tokenizer has ${tokenizer.vocabSize} tokens, the model ${c.vocabSize}`);
  const { ffn, projections } = model.components;
  if (!(ffn instanceof DenseFfn) || projections !== null) {
    throw badArgument(`model hosts FFN '${ffn.name}'${projections ? ` and projections '${projections.name}'` : ''}: calibrate on the dense model`);
  }
  const seqs = calibrationSequences(tokenizer, text, maxTokens, c.seqLen);
  const total = seqs.reduce((s, q) => s + q.length, 0);
  const collector = new ActivationCollector({ nLayers: c.nLayers, dim: c.dim, hiddenDim: c.hiddenDim },
    { quantile: opts.quantile, sketch: opts.sketch, chess: opts.chess });
  const passes = collector.passesNeeded;
  try {
    for (let pass = 0; pass < passes; pass++) {
      if (pass > 0) collector.endPass();
      model.setCapture(collector.capture);
      let done = 0;
      for (const ids of seqs) {
        model.reset();
        for (let i = 0; i < ids.length; i++) {
          throwIfAborted(opts.signal, 'calibration');
          await model.forward(ids[i], i);
          await yieldEvery(50);
        }
        done += ids.length;
        opts.onProgress?.((pass + done / total) / passes, `calibration pass ${pass + 1}/${passes}`);
      }
    }
  } finally {
    model.setCapture(undefined);
    model.reset();
  }
  return collector.finish();
}

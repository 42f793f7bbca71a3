/**
 * TEAL's block-wise greedy sparsity allocation (Liu et al., ICLR 2025, §4.2; authors' code
 * teal/greedyopt.py): per layer, starting from sparsity 0 on all seven projections, repeatedly
 * raise by one step the projection whose increase hurts the layer's output least, until the
 * parameter-weighted mean sparsity f(s) = Σ_p w_p s_p / Σ_p w_p reaches the target. Step sizes
 * are base/w_p (w_p = parameter count of projection p over dim²), so every step adds the same
 * amount to f. Each layer is searched alone on the dense model (the others dense), as TEAL does.
 *
 * The layer output is observed through the runtime's capture hook: the next layer's normalised
 * input (attnInput of layer l+1; for the last layer the logits) — the residual stream itself is
 * not exposed, so this is TEAL's error up to the RMSNorm scale. Error = mean over calibration
 * tokens of the L2 distance to the dense run. The greedy path does not depend on the target,
 * so one search up to max(targets) yields the allocation for every target.
 *
 * Cost: (steps ≈ max(target)·Σw/base) × 7 candidates × tokens forward passes per layer.
 *
 * @example
 * const g = await tealGreedyAllocation(model, tokenizer, text, stats, { targets: [0.5] });
 * const th = tealThresholds(stats, 0.5, { sparsities: g.sparsities[0] });
 */
import type { LlamaModel } from '../llama/model.js';
import type { TextTokenizer } from '../llama/text-tokenizer.js';
import { throwIfAborted, badArgument } from '../core/errors.js';
import { checkInt, checkNumber, describe } from '../core/validate.js';
import type { ActivationStatistics } from './activation-statistics.js';
import { PROJECTION_INPUTS, type ProjectionInput } from './thresholds.js';
import { PROJECTION_INPUT_TENSOR, tealThresholds, type ProjectionSparsities } from './teal-thresholds.js';
import { installActivationSparsity } from './install-sparsity.js';
import { calibrationSequences } from './calibrate-model.js';
import { yieldEvery } from '../core/yield.js';
import { checkOptions, optionKeys } from '../core/options.js';

export interface TealGreedyOptions {
  /** Block sparsities to report (each in (0, 1)). */
  targets: number[];
  /** Base step (default 0.05, TEAL's); projection p moves by base / w_p. */
  baseStep?: number;
  /** Calibration tokens run per candidate (default 64). */
  maxTokens?: number;
  onProgress?: (fraction: number, label: string) => void;
  signal?: AbortSignal;
}

/** Every key of TealGreedyOptions, for checkOptions. */
export const TEAL_GREEDY_KEYS = optionKeys<TealGreedyOptions>({ targets: true, baseStep: true, maxTokens: true, onProgress: true, signal: true });

export interface TealGreedyResult {
  targets: number[];
  /** sparsities[target index][layer]: per-projection sparsity levels. */
  sparsities: ProjectionSparsities[][];
  /** Per layer: the greedy path, (f, error, chosen projection) per step. */
  trace: { f: number; error: number; projection: ProjectionInput }[][];
}

/** w_p: parameters of each projection over dim² (TEAL's weight_dict, computed from the config). */
export function projectionWeights(c: { dim: number; kvDim: number; hiddenDim: number }): Record<ProjectionInput, number> {
  if (c === null || typeof c !== 'object') throw badArgument(`c must be a model shape { dim, kvDim, hiddenDim }, got ${describe(c)}`);
  checkInt('dim', c.dim, 1); checkInt('kvDim', c.kvDim, 1); checkInt('hiddenDim', c.hiddenDim, 1);
  const kv = c.kvDim / c.dim, ffn = c.hiddenDim / c.dim;
  return { q: 1, k: kv, v: kv, o: 1, gate: ffn, up: ffn, down: ffn };
}

export async function tealGreedyAllocation(model: LlamaModel, tokenizer: TextTokenizer, text: string,
  stats: ActivationStatistics, opts: TealGreedyOptions): Promise<TealGreedyResult> {
  opts = checkOptions('tealGreedyAllocation options', opts, TEAL_GREEDY_KEYS);
  if (!Array.isArray(opts?.targets) || opts.targets.length === 0) throw badArgument('targets must be a non-empty array');
  const targets = opts.targets.map((t, i) => checkNumber(`targets[${i}]`, t, 0, 1, { minExclusive: true, maxExclusive: true }));
  const base = checkNumber('baseStep', opts.baseStep ?? 0.05, 0, 0.5, { minExclusive: true });
  const maxTokens = checkInt('maxTokens', opts.maxTokens ?? 64, 1);
  const c = model.config;
  const { nLayers, dim, vocabSize } = c;
  const seqs = calibrationSequences(tokenizer, text, maxTokens, c.seqLen);
  const nTok = seqs.reduce((s, q) => s + q.length, 0);
  const w = projectionWeights(c);
  const wSum = PROJECTION_INPUTS.reduce((s, p) => s + w[p], 0);
  const f = (s: ProjectionSparsities) => PROJECTION_INPUTS.reduce((acc, p) => acc + w[p] * s[p], 0) / wSum;
  const goal = Math.max(...targets);

  // Outputs of layer l: attnInput of layer l+1, or the logits after the last layer.
  const outWidth = (l: number) => (l + 1 < nLayers ? dim : vocabSize);
  const run = async (l: number, into: Float32Array) => {
    let t = 0;
    const grab = (layer: number, kind: string, data: Float32Array) => {
      if (layer === l + 1 && kind === 'attnInput') into.set(data.subarray(0, dim), t * dim);
    };
    model.setCapture(l + 1 < nLayers ? grab : undefined);
    try {
      for (const ids of seqs) {
        model.reset();
        for (let i = 0; i < ids.length; i++, t++) {
          const logits = await model.forward(ids[i], i);
          if (l + 1 === nLayers) into.set(logits.subarray(0, vocabSize), t * vocabSize);
        }
      }
    } finally {
      model.setCapture(undefined);
    }
  };
  const error = (ref: Float32Array, out: Float32Array, width: number) => {
    let sum = 0;
    for (let t = 0; t < nTok; t++) {
      let e = 0;
      for (let j = t * width; j < (t + 1) * width; j++) { const d = out[j] - ref[j]; e += d * d; }
      sum += Math.sqrt(e);
    }
    return sum / nTok;
  };

  const sparsities: ProjectionSparsities[][] = targets.map(() => new Array(nLayers));
  const trace: TealGreedyResult['trace'] = [];
  const uniform = tealThresholds(stats, 0);
  for (let l = 0; l < nLayers; l++) {
    const width = outWidth(l);
    const ref = new Float32Array(nTok * width), out = new Float32Array(nTok * width);
    await run(l, ref);
    const s = Object.fromEntries(PROJECTION_INPUTS.map((p) => [p, 0])) as ProjectionSparsities;
    const path: TealGreedyResult['trace'][number] = [];
    /** Layer l's outputs with its seven projection inputs at these sparsities (the other layers dense). */
    const runAt = async (levels: ProjectionSparsities) => {
      const th = structuredClone(uniform);
      const inputs = th.layers[l].inputs!;
      for (const p of PROJECTION_INPUTS) inputs[p] = stats.magnitudeThreshold(l, PROJECTION_INPUT_TENSOR[p], levels[p]);
      const inst = await installActivationSparsity(model, th, { layers: [l] });
      try {
        await run(l, out);
      } finally {
        await inst.dispose();
      }
    };
    const record = () => targets.forEach((t, i) => { if (sparsities[i][l] === undefined && f(s) >= t - 1e-9) sparsities[i][l] = { ...s }; });
    while (f(s) < goal - 1e-9) {
      let best: ProjectionInput | null = null, bestErr = Infinity;
      for (const p of PROJECTION_INPUTS) {
        const next = s[p] + base / w[p];
        if (next >= 0.99) continue; // a threshold needs k < 1
        throwIfAborted(opts.signal, 'TEAL greedy allocation');
        await runAt({ ...s, [p]: next });
        const e = error(ref, out, width);
        if (e < bestErr) { bestErr = e; best = p; }
        await yieldEvery(50);
      }
      if (best === null) break; // every projection is at its cap
      s[best] += base / w[best];
      path.push({ f: f(s), error: bestErr, projection: best });
      record();
      opts.onProgress?.((l + Math.min(1, f(s) / goal)) / nLayers, `TEAL greedy layer ${l}`);
    }
    targets.forEach((_, i) => { sparsities[i][l] ??= { ...s }; });
    trace.push(path);
  }
  model.reset();
  return { targets, sparsities, trace };
}

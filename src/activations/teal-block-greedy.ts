/**
 * TEAL's block-wise greedy sparsity allocation as the authors run it (Liu et al., ICLR 2025,
 * §4.2; teal/greedyopt.py): for each layer alone, with the dense model's residual stream as the
 * block's input, start every projection at sparsity 0 and repeatedly raise by one step the
 * projection whose increase hurts the **block's output** least, until the parameter-weighted
 * mean sparsity f(s) = Σ_p w_p s_p / Σ_p w_p reaches the target. Projection p moves by
 * baseStep / w_p (w_p = its parameters over dim²), so every step adds the same amount to f.
 *
 * The error is greedyopt.py's `calculate_activation_error`: over the **last 25%** of each
 * calibration sequence's tokens, the L2 norm over tokens of each channel's output difference
 * (`torch.norm(..., dim=1)` on batch × tokens × channels), averaged over channels and sequences.
 *
 * Differences from greedyopt.py, and why: a sparsity level must stay below 1 (a threshold is a
 * quantile), so a projection at 1 − step is not raised further (the authors stop at ≥ 1); the
 * block input is reconstructed here by running the dense blocks in float32 (TealBlockRun), not
 * read from a saved activation dump. The older search of `teal-greedy.ts` (next layer's normed
 * input, every token of the whole model run, candidates through the installed components) stays
 * available as `tealGreedyAllocation` ("next-input" greedy).
 *
 * Cost: steps (≈ max(targets)·Σw/baseStep) × 7 candidates × one block on the scored rows per
 * layer; a candidate recomputes only the stages its projection changes (see teal-block.ts).
 *
 * @example
 * const g = await tealBlockGreedyAllocation(kernels, model, sequences, stats, { targets: [0.3, 0.5, 0.7] });
 * const th = tealThresholds(stats, 0.5, { sparsities: g.sparsities[1] });
 */
import type { CpuKernels } from '../kernels/kernels.js';
import type { LlamaModel } from '../llama/model.js';
import { badArgument, throwIfAborted } from '../core/errors.js';
import { checkInt, checkNumber } from '../core/validate.js';
import { checkOptions, optionKeys } from '../core/options.js';
import { yieldEvery } from '../core/yield.js';
import type { ActivationStatistics } from './activation-statistics.js';
import { PROJECTION_INPUTS, type ProjectionInput } from './thresholds.js';
import { PROJECTION_INPUT_TENSOR, type ProjectionSparsities } from './teal-thresholds.js';
import { projectionWeights, type TealGreedyResult } from './teal-greedy.js';
import { DENSE_CUTS, PROJECTION_STAGE, TealBlockRun, type ProjectionCuts } from './teal-block.js';

export interface TealBlockGreedyOptions {
  /** Block sparsities to report (each in (0, 1)); one search up to the largest serves all. */
  targets: number[];
  /** Base step (default 0.05, greedyopt.py's). */
  baseStep?: number;
  /** Share of each sequence's last tokens the error is measured on (default 0.25, greedyopt.py's). */
  lastFraction?: number;
  onProgress?: (fraction: number, label: string) => void;
  signal?: AbortSignal;
}

const KEYS = optionKeys<TealBlockGreedyOptions>({ targets: true, baseStep: true, lastFraction: true, onProgress: true, signal: true });

/**
 * greedyopt.py's error: mean over channels (and sequences) of the L2 norm over the scored tokens
 * of (out − ref). out, ref: rows × dim, token-major.
 */
export function blockOutputError(out: Float32Array, ref: Float32Array, rows: number, dim: number): number {
  let sum = 0;
  for (let c = 0; c < dim; c++) {
    let e = 0;
    for (let t = 0; t < rows; t++) { const d = out[t * dim + c] - ref[t * dim + c]; e += d * d; }
    sum += Math.sqrt(e);
  }
  return sum / dim;
}

/**
 * The dense residual stream entering each layer, for one sequence: rows of n × dim, layer by layer
 * (the token embeddings, then each dense block's output). Calls `visit(layer, x)` before moving on.
 */
async function forEachLayerInput(kernels: CpuKernels, model: LlamaModel, ids: readonly number[],
  visit: (layer: number, x: Float32Array) => Promise<void>): Promise<void> {
  const c = model.config, n = ids.length;
  let x = new Float32Array(n * c.dim);
  const emb = model.globalWeights().tokEmb;
  ids.forEach((id, i) => x.set(emb.subarray(id * c.dim, (id + 1) * c.dim), i * c.dim));
  for (let l = 0; l < c.nLayers; l++) {
    await visit(l, x);
    const dense = new TealBlockRun(kernels, c, () => model.layerWeights(l), x, n, 0);
    x = dense.evaluate(DENSE_CUTS).slice();
  }
}

export async function tealBlockGreedyAllocation(kernels: CpuKernels, model: LlamaModel, sequences: readonly (readonly number[])[],
  stats: ActivationStatistics, options: TealBlockGreedyOptions): Promise<TealGreedyResult> {
  if (options === null || typeof options !== 'object') throw badArgument('tealBlockGreedyAllocation options must give targets');
  const o = checkOptions('tealBlockGreedyAllocation options', options, KEYS);
  if (!Array.isArray(o.targets) || o.targets.length === 0) throw badArgument('targets must be a non-empty array');
  const targets = o.targets.map((t, i) => checkNumber(`targets[${i}]`, t, 0, 1, { minExclusive: true, maxExclusive: true }));
  const base = checkNumber('baseStep', o.baseStep ?? 0.05, 0, 0.5, { minExclusive: true });
  const lastFraction = checkNumber('lastFraction', o.lastFraction ?? 0.25, 0, 1, { minExclusive: true });
  if (!Array.isArray(sequences) || sequences.length === 0) throw badArgument('sequences must be a non-empty array of token-id arrays');
  const c = model.config;
  sequences.forEach((ids, i) => {
    if (!Array.isArray(ids) || ids.length < 2) throw badArgument(`sequences[${i}] must hold at least 2 token ids`);
    checkInt(`sequences[${i}].length`, ids.length, 2, c.seqLen);
    ids.forEach((id, j) => checkInt(`sequences[${i}][${j}]`, id, 0, c.vocabSize - 1));
  });
  if (stats.shape.nLayers !== c.nLayers) throw badArgument(`stats cover ${stats.shape.nLayers} layers, the model ${c.nLayers}`);
  const w = projectionWeights(c);
  const wSum = PROJECTION_INPUTS.reduce((s, p) => s + w[p], 0);
  const f = (s: ProjectionSparsities) => PROJECTION_INPUTS.reduce((acc, p) => acc + w[p] * s[p], 0) / wSum;
  const goal = Math.max(...targets);

  // Every layer's block input for every sequence, from the dense model (kept: the greedy runs layer by layer).
  const inputs: Float32Array[][] = Array.from({ length: c.nLayers }, () => []);
  for (const ids of sequences) {
    throwIfAborted(o.signal, 'TEAL block greedy');
    await forEachLayerInput(kernels, model, ids, async (l, x) => { inputs[l].push(x); });
  }

  const sparsities: ProjectionSparsities[][] = targets.map(() => new Array(c.nLayers));
  const trace: TealGreedyResult['trace'] = [];
  for (let l = 0; l < c.nLayers; l++) {
    const runs = sequences.map((ids, i) => {
      const n = ids.length;
      return new TealBlockRun(kernels, c, () => model.layerWeights(l), inputs[l][i], n, Math.min(n - 1, Math.floor(n * (1 - lastFraction))));
    });
    inputs[l] = []; // released: each run holds its input
    const refs = runs.map((r) => r.evaluate(DENSE_CUTS).slice());
    const cutsAt = (levels: ProjectionSparsities): ProjectionCuts => {
      const cuts = { ...DENSE_CUTS };
      for (const p of PROJECTION_INPUTS) if (levels[p] > 0) cuts[p] = stats.magnitudeThreshold(l, PROJECTION_INPUT_TENSOR[p], levels[p]);
      return cuts;
    };
    const errorAt = (cuts: ProjectionCuts, p: ProjectionInput) =>
      runs.reduce((s, r, i) => s + blockOutputError(r.evaluate(cuts, PROJECTION_STAGE[p]), refs[i], r.rows, c.dim), 0) / runs.length;
    const s = Object.fromEntries(PROJECTION_INPUTS.map((p) => [p, 0])) as ProjectionSparsities;
    for (const r of runs) r.commit(DENSE_CUTS);
    const path: TealGreedyResult['trace'][number] = [];
    const record = () => targets.forEach((t, i) => { if (sparsities[i][l] === undefined && f(s) >= t - 1e-9) sparsities[i][l] = { ...s }; });
    while (f(s) < goal - 1e-9) {
      let best: ProjectionInput | null = null, bestErr = Infinity;
      for (const p of PROJECTION_INPUTS) {
        const next = s[p] + base / w[p];
        if (next >= 1) continue; // a level must stay below 1 (see the file header)
        throwIfAborted(o.signal, 'TEAL block greedy');
        const e = errorAt(cutsAt({ ...s, [p]: next }), p);
        if (e < bestErr) { bestErr = e; best = p; }
        await yieldEvery(50);
      }
      if (best === null) break; // every projection is at its cap
      s[best] += base / w[best];
      const cuts = cutsAt(s);
      for (const r of runs) r.commit(cuts);
      path.push({ f: f(s), error: bestErr, projection: best });
      record();
      o.onProgress?.((l + Math.min(1, f(s) / goal)) / c.nLayers, `TEAL block greedy layer ${l}`);
    }
    targets.forEach((_, i) => { sparsities[i][l] ??= { ...s }; });
    trace.push(path);
  }
  return { targets, sparsities, trace };
}

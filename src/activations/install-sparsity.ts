/**
 * Activation sparsity installed on a llama model as the components it hosts (`model.use`):
 *   "CATS"      FFN: tensor-wise a_gate threshold                       (CatsFfn)
 *   "CHESS w/o" FFN: channel-wise a_gate thresholds                     (ChessFfn)
 *   "CHESS w/"  FFN as above + sparse q_proj and o_proj inputs          (+ SparseProjection)
 *   "TEAL"      sparse inputs of all seven projections                  (TealFfn + SparseProjection)
 * It runs on every backend the model runs on (webgpu included), and dispose() hosts the dense
 * FFN again (and no projection component).
 *
 * Memory: spvmm reads weights by input rows, so the components hold input-major copies of the
 * matrices they read that way (CATS/CHESS: W_down; "w/": also wq, wo; TEAL: all seven), made at
 * install; the model's own weights are never written. `weightBytesPerLayer` reports the cost.
 *
 * Counting: the installation counts the weights streamed per token over all seven matrices of a
 * sparse layer — what the components read, plus the attention matrices left dense.
 *
 * @example
 * await using inst = await installActivationSparsity(model, chessThresholds(stats, 0.5), { attention: true });
 * await evaluateNll(model, tokenizer, text);  inst.counters.summary();
 */
import type { LlamaModel } from '../llama/model.js';
import type { Ffn, ModelShape, ModelWeights, ComponentStats } from '../llama/components.js';
import type { F32Arg, Kernels } from '../kernels/kernels.js';
import type { Awaitable } from '../core/awaitable.js';
import { DenseFfn } from '../llama/dense-ffn.js';
import { badArgument } from '../core/errors.js';
import { asyncDisposeSymbol } from '../core/dispose.js';
import { checkInt, describe } from '../core/validate.js';
import { checkOptions, optionKeys } from '../core/options.js';
import type { ActivationThresholds } from './thresholds.js';
import { validateThresholds } from './thresholds-file.js';
import { SparsityCounters } from './sparsity-counters.js';
import { sparsityComponents } from './sparsity-components.js';
import { activeLayers } from './active-layers.js';

export interface InstallSparsityOptions {
  /** CATS/CHESS: also threshold the q_proj and o_proj inputs ("CHESS w/"); needs inputs.q/o. */
  attention?: boolean;
  /** Layers to make sparse (default: all); the others keep the dense defaults. */
  layers?: number[];
}

/** Every key of InstallSparsityOptions, for checkOptions. */
export const INSTALL_SPARSITY_KEYS = optionKeys<InstallSparsityOptions>({ attention: true, layers: true });

export interface LayerWeightBytes {
  /** The layer's seven projection matrices as the dense model holds them. */
  dense: number;
  /** Weight bytes resident for this layer while installed (the model's + the components' copies). */
  held: number;
  /** Bytes of the input-major copies the components hold for this layer. */
  extra: number;
}

export interface SparsityInstallation {
  /** "CATS", "CHESS w/o", "CHESS w/", "CHESS-abs w/o", "CHESS-abs w/" or "TEAL". */
  readonly name: string;
  /** The thresholds installed (a copy; editing it changes nothing: install again). */
  readonly thresholds: ActivationThresholds;
  readonly counters: SparsityCounters;
  weightBytesPerLayer(layer: number): LayerWeightBytes;
  /** Host the dense FFN again (and no projection component). Idempotent; also on `await using`. */
  dispose(): Promise<void>;
  [Symbol.asyncDispose](): Promise<void>;
}

type Tensor = 'wq' | 'wk' | 'wv' | 'wo' | 'w1' | 'w2' | 'w3';
const installedOn = new WeakMap<LlamaModel, SparsityInstallation>();

/** The strategy's display name. */
export function sparsityStrategyName(th: ActivationThresholds, attention = false): string {
  if (th === null || typeof th !== 'object' || th.metadata === null || typeof th.metadata !== 'object') {
    throw badArgument(`th must be ActivationThresholds (with metadata), got ${describe(th)}`);
  }
  if (typeof attention !== 'boolean') throw badArgument(`attention must be a boolean, got ${describe(attention)}`);
  switch (th.metadata.method) {
    case 'cats': return attention ? 'CATS + attention' : 'CATS';
    case 'chess-sq': return attention ? 'CHESS w/' : 'CHESS w/o';
    case 'chess-abs': return attention ? 'CHESS-abs w/' : 'CHESS-abs w/o';
    case 'teal': return 'TEAL';
  }
}

/**
 * The installation's FFN: the sparsity FFN component, and per token of a sparse layer the
 * weights of the attention matrices no component makes sparse (read densely by the model), so
 * that the counters cover the whole layer.
 */
class WholeLayerCounting implements Ffn {
  readonly name: string;
  readonly issuesBeforeReturn: boolean;

  constructor(private readonly inner: Ffn, private readonly counters: SparsityCounters,
    private readonly denseAttention: readonly (number | null)[]) {
    this.name = inner.name;
    this.issuesBeforeReturn = inner.issuesBeforeReturn === true;
  }

  bind(shape: ModelShape, kernels: Kernels, weights: ModelWeights): Awaitable<void> {
    return this.inner.bind(shape, kernels, weights);
  }

  forward(layer: number, x: F32Arg, out: F32Arg): Awaitable<void> {
    const done = this.inner.forward(layer, x, out);
    const dense = this.denseAttention[layer];
    if (dense !== null && dense !== undefined) {
      const c = this.counters.layers[layer];
      c.weightsRead += dense;
      c.weightsDense += dense;
    }
    return done;
  }

  stats(): ComponentStats { return this.inner.stats?.() ?? {}; }

  dispose(): void { this.inner.dispose(); }
}

/**
 * Install activation sparsity on `model` (which must host the dense FFN and no projection
 * component); resolves once the components are bound (input-major copies made).
 */
export async function installActivationSparsity(model: LlamaModel, thresholds: ActivationThresholds,
  opts: InstallSparsityOptions = {}): Promise<SparsityInstallation> {
  opts = checkOptions('installActivationSparsity options', opts, INSTALL_SPARSITY_KEYS);
  validateThresholds(thresholds, 'BAD_ARGUMENT', 'thresholds');
  const attention = opts.attention ?? false;
  const name = sparsityStrategyName(thresholds, attention);
  const { dim, hiddenDim, kvDim, nLayers } = model.config;
  const md = thresholds.metadata;
  if (md.nLayers !== nLayers || md.dim !== dim || md.hiddenDim !== hiddenDim) {
    throw badArgument(`thresholds are for nLayers ${md.nLayers}, dim ${md.dim}, hiddenDim ${md.hiddenDim}; `
      + `the model has ${nLayers}, ${dim}, ${hiddenDim}`);
  }
  const teal = md.method === 'teal';
  if (attention && teal) throw badArgument('attention: TEAL already thresholds the attention inputs it was calibrated for');
  if (installedOn.has(model)) throw badArgument('model already has activation sparsity installed; dispose() it first');
  const active = activeLayers(nLayers, opts.layers);
  for (let l = 0; l < nLayers; l++) {
    if (!active[l]) continue;
    if (attention && (thresholds.layers[l].inputs?.q === undefined || thresholds.layers[l].inputs?.o === undefined)) {
      throw badArgument(`attention: thresholds.layers[${l}].inputs needs q and o (calibrate with attention captures)`);
    }
  }
  const hosted = model.components;
  if (!(hosted.ffn instanceof DenseFfn) || hosted.projections !== null) {
    throw badArgument(`model hosts FFN '${hosted.ffn.name}'${hosted.projections ? ` and projections '${hosted.projections.name}'` : ''}; `
      + 'activation sparsity replaces the dense FFN: host it first');
  }

  const th: ActivationThresholds = structuredClone(thresholds);
  const { ffn, projections, counters } = sparsityComponents(th, { attention, layers: opts.layers });

  // The input-major matrices each layer's components hold (the projections they cover).
  const shape: Record<Tensor, [number, number]> = {
    wq: [dim, dim], wk: [kvDim, dim], wv: [kvDim, dim], wo: [dim, dim], w1: [hiddenDim, dim], w2: [dim, hiddenDim], w3: [hiddenDim, dim],
  };
  const needs: Tensor[][] = th.layers.map((L, l) => {
    if (!active[l]) return [];
    const t: Tensor[] = teal ? ['w2', 'w1', 'w3'] : ['w2'];
    const inputs = teal || attention ? L.inputs ?? {} : {};
    for (const [p, tensor] of [['q', 'wq'], ['k', 'wk'], ['v', 'wv'], ['o', 'wo']] as const) {
      if (inputs[p] !== undefined && (teal || p === 'q' || p === 'o')) t.push(tensor);
    }
    return t;
  });
  const denseAttention = needs.map((t, l) => (!active[l] ? null
    : (['wq', 'wk', 'wv', 'wo'] as const).reduce((s, m) => s + (t.includes(m) ? 0 : shape[m][0] * shape[m][1]), 0)));

  await model.use({ ffn: new WholeLayerCounting(ffn, counters, denseAttention), projections: projections ?? null });

  const denseBytes = 4 * (2 * dim * dim + 2 * kvDim * dim + 3 * dim * hiddenDim);
  let live = true;
  const dispose = async () => {
    if (!live) return;
    live = false;
    installedOn.delete(model);
    await model.use({ ffn: new DenseFfn(), projections: null });
  };
  const inst: SparsityInstallation = {
    name,
    thresholds: th,
    counters,
    weightBytesPerLayer(layer: number): LayerWeightBytes {
      checkInt('layer', layer, 0, nLayers - 1);
      const extra = needs[layer].reduce((s, n) => s + 4 * shape[n][0] * shape[n][1], 0);
      return { dense: denseBytes, held: denseBytes + extra, extra };
    },
    dispose,
    [asyncDisposeSymbol]: dispose,
  };
  installedOn.set(model, inst);
  return inst;
}

/**
 * Plugs activation sparsity into the llama runtime as per-layer strategies (src/llama/hooks.ts):
 *   "CATS"      FFN: tensor-wise a_gate threshold                       (cats)
 *   "CHESS w/o" FFN: channel-wise a_gate thresholds                     (chess-sq / chess-abs)
 *   "CHESS w/"  FFN as above + sparse q_proj and o_proj inputs          (attention: true)
 *   "TEAL"      sparse inputs of all seven projections                  (teal)
 *
 * Weight layouts are prepared once, here: spvmm streams input-major rows, so W_down (and wq, wo;
 * for TEAL also wk, wv, W_gate, W_up) are transposed. With layout 'replace' (default) the
 * transpose is written into the model's own resident buffer — the sparse layout *replaces* the
 * dense copy it makes redundant, so no extra weight bytes are held — and dispose() transposes
 * it back, bit for bit. The replaced matrices are read only by the installed strategies while
 * installed (the runtime's default path for that FFN/projection is not taken). Layout 'copy'
 * keeps the model untouched and holds resident transposed copies instead.
 *
 * @example
 * const inst = installActivationSparsity(model, chessThresholds(stats, 0.5), { attention: true });
 * await evaluateNll(model, tokenizer, text);  inst.counters.summary();  inst.dispose();
 */
import { describe } from '../core/validate.js';
import type { LlamaModel } from '../llama/model.js';
import type {
  FfnContext, FfnStrategy, LayerStrategies, LayerWeights, ProjectionContext, ProjectionName, ProjectionStrategy,
} from '../llama/hooks.js';
import type { ResidentArray } from '../kernels/kernels.js';
import { badArgument } from '../core/errors.js';
import { withDispose } from '../core/dispose.js';
import { checkInt, checkOneOf } from '../core/validate.js';
import type { ActivationThresholds } from './thresholds.js';
import { validateThresholds } from './thresholds-file.js';
import { SparsityCounters } from './sparsity-counters.js';
import { gatedSparseSwiGluSteps, tealSparseSwiGluSteps, thresholdArray, thresholdInto, transpose } from './sparse-swiglu.js';
import { driveSync } from '../kernels/maybe-async.js';
import { checkOptions, optionKeys } from '../core/options.js';

export type WeightLayoutMode = 'replace' | 'copy';

export interface InstallSparsityOptions {
  /** CATS/CHESS: also threshold the q_proj and o_proj inputs ("CHESS w/"); needs inputs.q/o. */
  attention?: boolean;
  /** 'replace' (default): transpose in the model's buffer; 'copy': hold transposed copies. */
  layout?: WeightLayoutMode;
  /** Layers to make sparse (default: all); the others keep the dense defaults. */
  layers?: number[];
}

/** Every key of InstallSparsityOptions, for checkOptions. */
export const INSTALL_SPARSITY_KEYS = optionKeys<InstallSparsityOptions>({ attention: true, layout: true, layers: true });

export interface LayerWeightBytes {
  /** The layer's seven projection matrices as the dense model holds them. */
  dense: number;
  /** Weight bytes resident for this layer while installed (model buffer + copies). */
  held: number;
  /** Bytes of transposed copies ('copy' layout); 0 for 'replace'. */
  extra: number;
}

export interface SparsityInstallation {
  /** "CATS", "CHESS w/o", "CHESS w/", "CHESS-abs w/o", "CHESS-abs w/" or "TEAL". */
  readonly name: string;
  /** The installation's own copy of the thresholds: edits take effect on the next token. */
  readonly thresholds: ActivationThresholds;
  readonly counters: SparsityCounters;
  readonly layout: WeightLayoutMode;
  weightBytesPerLayer(layer: number): LayerWeightBytes;
  /** Restore the dense defaults (and the model's original weight layout). Idempotent; also on `using`. */
  dispose(): void;
  [Symbol.dispose](): void;
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

export function installActivationSparsity(model: LlamaModel, thresholds: ActivationThresholds,
  opts: InstallSparsityOptions = {}): SparsityInstallation {
  opts = checkOptions('installActivationSparsity options', opts, INSTALL_SPARSITY_KEYS);
  validateThresholds(thresholds, 'BAD_ARGUMENT', 'thresholds');
  const layout = checkOneOf('layout', opts.layout ?? 'replace', ['replace', 'copy'] as const);
  const attention = opts.attention ?? false;
  const c = model.config;
  const { dim, hiddenDim, kvDim, nLayers } = c;
  const md = thresholds.metadata;
  if (md.nLayers !== nLayers || md.dim !== dim || md.hiddenDim !== hiddenDim) {
    throw badArgument(`thresholds are for nLayers ${md.nLayers}, dim ${md.dim}, hiddenDim ${md.hiddenDim}; `
      + `the model has ${nLayers}, ${dim}, ${hiddenDim}`);
  }
  const teal = md.method === 'teal';
  if (attention && teal) throw badArgument('attention: TEAL already thresholds the attention inputs it was calibrated for');
  if (installedOn.has(model)) throw badArgument('model already has activation sparsity installed; dispose() it first');
  if (opts.layers !== undefined && !Array.isArray(opts.layers)) throw badArgument('layers must be an array of layer indices');
  const active = new Array<boolean>(nLayers).fill(opts.layers === undefined);
  for (const [i, l] of (opts.layers ?? []).entries()) active[checkInt(`layers[${i}]`, l, 0, nLayers - 1)] = true;
  for (let l = 0; l < nLayers; l++) {
    if (!active[l]) continue;
    if (model.getStrategies(l) !== undefined) throw badArgument(`layer ${l} already has strategies; remove them first`);
    if (attention && (thresholds.layers[l].inputs?.q === undefined || thresholds.layers[l].inputs?.o === undefined)) {
      throw badArgument(`attention: thresholds.layers[${l}].inputs needs q and o (calibrate with attention captures)`);
    }
  }

  const th: ActivationThresholds = structuredClone(thresholds);
  const counters = new SparsityCounters(nLayers, hiddenDim, !teal);
  const k = model.syncKernels('installSparsity (sparsity strategies are hooks)');
  const shape: Record<Tensor, [number, number]> = {
    wq: [dim, dim], wk: [kvDim, dim], wv: [kvDim, dim], wo: [dim, dim], w1: [hiddenDim, dim], w2: [dim, hiddenDim], w3: [hiddenDim, dim],
  };
  // Which stored (out×in) matrices each layer needs input-major.
  const needs: Tensor[][] = th.layers.map((L, l) => {
    if (!active[l]) return [];
    const t: Tensor[] = ['w2'];
    if (teal) t.push('w1', 'w3');
    const inputs = teal || attention ? L.inputs ?? {} : {};
    for (const [p, name] of [['q', 'wq'], ['k', 'wk'], ['v', 'wv'], ['o', 'wo']] as const) {
      if (inputs[p] !== undefined && (teal || p === 'q' || p === 'o')) t.push(name);
    }
    return t;
  });

  // Weights streamed per token are counted over all seven matrices of the layer: the FFN
  // strategy (run once per token) adds the layer's dense total and the dense reads of the
  // attention projections left dense; the sparse projections add what they read.
  const layerWeights = 2 * dim * dim + 2 * kvDim * dim + 3 * dim * hiddenDim;
  const denseAttention = needs.map((t) => (t.includes('wq') ? 0 : dim * dim) + (t.includes('wk') ? 0 : kvDim * dim)
    + (t.includes('wv') ? 0 : kvDim * dim) + (t.includes('wo') ? 0 : dim * dim));

  // Scratch (resident) shared by all layers: the runtime runs layers one at a time.
  const scratch = {
    gate: k.allocF32(hiddenDim), inter: k.allocF32(hiddenDim), up: k.allocF32(hiddenDim), xs: k.allocF32(Math.max(dim, hiddenDim)),
  };
  const copies: Partial<Record<Tensor, ResidentArray<Float32Array>>>[] = th.layers.map(() => ({}));
  const transposeLayer = (l: number, back: boolean) => {
    for (const name of needs[l]) {
      const [rows, cols] = shape[name];
      if (layout === 'replace') {
        const v = model.layerWeights(l)[name];
        const tmp = Float32Array.from(v);
        if (back) transpose(tmp, cols, rows, v); else transpose(tmp, rows, cols, v);
      } else if (!back) {
        const r = k.allocF32(rows * cols);
        transpose(model.layerWeights(l)[name], rows, cols, r.view());
        copies[l][name] = r;
      } else {
        copies[l][name]?.dispose();
      }
    }
  };
  /** The input-major matrix of a tensor, valid now (views are rebuilt after memory growth). */
  const inputMajor = (l: number, name: Tensor, w: LayerWeights): Float32Array =>
    layout === 'replace' ? w[name] : copies[l][name]!.view();

  for (let l = 0; l < nLayers; l++) transposeLayer(l, false);
  for (let l = 0; l < nLayers; l++) if (active[l]) model.setStrategies(l, strategiesFor(l));

  function strategiesFor(l: number): LayerStrategies {
    const cnt = counters.layers[l];
    const ffn: FfnStrategy = teal ? {
      name: 'TEAL',
      forward(ctx: FfnContext) {
        const inputs = th.layers[l].inputs!;
        // The model's hooks are synchronous: the FFN body runs to completion on its CPU kernels.
        const z = driveSync(tealSparseSwiGluSteps(ctx.kernels, inputMajor(l, 'w1', ctx.weights), inputMajor(l, 'w3', ctx.weights),
          inputMajor(l, 'w2', ctx.weights), ctx.x, { gate: inputs.gate!, up: inputs.up!, down: inputs.down! }, ctx.out,
          { xs: scratch.xs.view(), gate: scratch.gate.view(), up: scratch.up.view() }, dim, hiddenDim), 'TEAL strategy');
        cnt.ffnTokens++;
        counters.countInput(l, 'gate', z.gateInputZeros, dim);
        counters.countInput(l, 'up', z.upInputZeros, dim);
        counters.countInput(l, 'down', z.downInputZeros, hiddenDim);
        cnt.weightsRead += (2 * dim - z.gateInputZeros - z.upInputZeros) * hiddenDim + (hiddenDim - z.downInputZeros) * dim
          + denseAttention[l];
        cnt.weightsDense += layerWeights;
      },
    } : {
      name: sparsityStrategyName(th, attention),
      forward(ctx: FfnContext) {
        const kept = driveSync(gatedSparseSwiGluSteps(ctx.kernels, ctx.weights.w1, ctx.weights.w3, inputMajor(l, 'w2', ctx.weights),
          ctx.x, thresholdArray(th.layers[l].aGate!), ctx.out, scratch.gate.view(), scratch.inter.view(), dim, hiddenDim,
          cnt.gateZeros), 'gated sparsity strategy');
        cnt.ffnTokens++;
        cnt.weightsRead += dim * hiddenDim + 2 * kept * dim + denseAttention[l];
        cnt.weightsDense += layerWeights;
      },
    };
    const projections: Partial<Record<ProjectionName, ProjectionStrategy>> = {};
    const tensorOf: Record<ProjectionName, Tensor> = { q: 'wq', k: 'wk', v: 'wv', o: 'wo' };
    for (const p of ['q', 'k', 'v', 'o'] as const) {
      if (!needs[l].includes(tensorOf[p])) continue;
      const outDim = p === 'k' || p === 'v' ? kvDim : dim;
      projections[p] = {
        name: `${sparsityStrategyName(th, attention)} ${p}_proj`,
        project(ctx: ProjectionContext) {
          const xs = scratch.xs.view();
          const zeros = thresholdInto(ctx.x, th.layers[l].inputs![p]!, xs, dim);
          ctx.kernels.spvmm(xs, inputMajor(l, tensorOf[p], ctx.weights), ctx.out, dim, outDim);
          counters.countInput(l, p, zeros, dim);
          cnt.weightsRead += (dim - zeros) * outDim;
        },
      };
    }
    return { ffn, projections };
  }

  const denseBytes = 4 * (2 * dim * dim + 2 * kvDim * dim + 3 * dim * hiddenDim);
  let live = true;
  const inst: SparsityInstallation = withDispose({
    name: sparsityStrategyName(th, attention),
    thresholds: th,
    counters,
    layout,
    weightBytesPerLayer(layer: number): LayerWeightBytes {
      checkInt('layer', layer, 0, nLayers - 1);
      const extra = layout === 'copy' ? needs[layer].reduce((s, n) => s + 4 * shape[n][0] * shape[n][1], 0) : 0;
      return { dense: denseBytes, held: denseBytes + extra, extra };
    },
    dispose() {
      if (!live) return;
      live = false;
      for (let l = 0; l < nLayers; l++) if (active[l]) model.setStrategies(l, undefined);
      for (let l = 0; l < nLayers; l++) transposeLayer(l, true);
      for (const r of Object.values(scratch)) r.dispose();
      installedOn.delete(model);
    },
  });
  installedOn.set(model, inst);
  return inst;
}

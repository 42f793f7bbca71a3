/**
 * TEAL's FFN as an Ffn component the llama model hosts (Liu et al., "Training-Free
 * Activation Sparsity in Large Language Models", arXiv 2408.14690): the inputs of the gate, up
 * and down projections are thresholded by magnitude and every product reads only the input
 * rows that survive (tealSparseSwiGlu: threshold → spvmm, twice, then siluMulThreshold → spvmm).
 * At bind it uploads input-major copies of W_gate, W_up and W_down per layer; on CPU backends it
 * gives the very numbers of the TEAL strategy `installActivationSparsity` installs.
 *
 * @example
 * const ffn = new TealFfn(tealThresholds(stats, 0.5));
 * await model.use({ ffn, projections: new SparseProjection(th) });
 */
import type { ComponentStats, Ffn, ModelShape, ModelWeights } from '../llama/components.js';
import type { DeviceArray, F32Arg, Kernels } from '../kernels/kernels.js';
import { SparseInferenceError, badArgument } from '../core/errors.js';
import { checkInt } from '../core/validate.js';
import { disposeSymbol } from '../core/dispose.js';
import type { ActivationThresholds } from './thresholds.js';
import { validateThresholds } from './thresholds-file.js';
import { SparsityCounters } from './sparsity-counters.js';
import { tealSparseSwiGlu, type TealThresholdSet } from './sparse-swiglu.js';
import { inputMajorCopy } from './input-major.js';
import { checkComponentShape } from './check-component-shape.js';
import { activeLayers } from './active-layers.js';
import { DenseFfn } from '../llama/dense-ffn.js';
import { checkBindArgs, checkModelWeights } from '../llama/check-component-args.js';

interface Bound {
  shape: ModelShape;
  k: Kernels;
  /** Per layer: W_gateᵀ, W_upᵀ (dim × hidden), W_downᵀ (hidden × dim); null for a layer left dense. */
  w: ({ gateT: DeviceArray<Float32Array>; upT: DeviceArray<Float32Array>; downT: DeviceArray<Float32Array> } | null)[];
  /** The dense FFN of the layers left dense (none: null). */
  dense: DenseFfn | null;
  xs: DeviceArray<Float32Array>;
  gate: DeviceArray<Float32Array>;
  up: DeviceArray<Float32Array>;
  owned: { dispose(): void }[];
}

export class TealFfn implements Ffn {
  readonly name = 'teal';
  /** Every kernel call of a per-token call is issued before it returns (its scratch is on the device). */
  readonly issuesBeforeReturn = true;
  readonly counters: SparsityCounters;
  private readonly t: TealThresholdSet[];
  private readonly th: ActivationThresholds;
  private readonly active: boolean[];
  private bound: Bound | null = null;

  /**
   * counters: shared with a SparseProjection, say (default: the component's own); layers: the
   * layers to make sparse (default: all; the others run the dense FFN).
   */
  constructor(thresholds: ActivationThresholds, options: { counters?: SparsityCounters; layers?: readonly number[] } = {}) {
    validateThresholds(thresholds, 'BAD_ARGUMENT', 'thresholds');
    if (thresholds.metadata.method !== 'teal') throw badArgument(`thresholds are for '${thresholds.metadata.method}', not TEAL`);
    this.th = structuredClone(thresholds);
    this.t = this.th.layers.map((L, l) => {
      const i = L.inputs ?? {};
      if (i.gate === undefined || i.up === undefined || i.down === undefined) {
        throw badArgument(`thresholds.layers[${l}].inputs needs gate, up and down`);
      }
      return { gate: i.gate, up: i.up, down: i.down };
    });
    const m = thresholds.metadata;
    this.counters = options.counters ?? new SparsityCounters(m.nLayers, m.hiddenDim, false);
    this.active = activeLayers(m.nLayers, options.layers);
  }

  async bind(shape: ModelShape, kernels: Kernels, weights: ModelWeights): Promise<void> {
    if (this.bound !== null) throw badArgument('teal FFN is already bound to a model');
    checkBindArgs(shape, kernels);
    checkModelWeights(weights);
    checkComponentShape(this.th, shape);
    if (weights.quantized) throw new SparseInferenceError('UNAVAILABLE', 'teal FFN needs float32 weights (it reads them by input rows)');
    const { nLayers, dim, hiddenDim } = shape;
    const owned: { dispose(): void }[] = [];
    const own = <T extends { dispose(): void }>(a: T) => { owned.push(a); return a; };
    try {
      const w: Bound['w'] = [];
      let dense: DenseFfn | null = null;
      if (this.active.includes(false)) { dense = own(new DenseFfn()); await dense.bind(shape, kernels, weights); }
      for (let l = 0; l < nLayers; l++) {
        if (!this.active[l]) { w.push(null); continue; }
        // weights.layer(l) afresh for each matrix: the previous copy's allocation may have grown
        // WASM memory, which detaches the views an earlier call returned.
        w.push({
          gateT: own(await inputMajorCopy(kernels, weights.layer(l).w1, hiddenDim, dim)),
          upT: own(await inputMajorCopy(kernels, weights.layer(l).w3, hiddenDim, dim)),
          downT: own(await inputMajorCopy(kernels, weights.layer(l).w2, dim, hiddenDim)),
        });
      }
      const xs = own(kernels.allocF32(dim)), gate = own(kernels.allocF32(hiddenDim)), up = own(kernels.allocF32(hiddenDim));
      this.bound = { shape, k: kernels, w, dense, xs, gate, up, owned };
    } catch (e) {
      for (const a of owned) a.dispose();
      throw e;
    }
  }

  async forward(layer: number, x: F32Arg, out: F32Arg): Promise<void> {
    const b = this.bound;
    if (b === null) throw badArgument('teal FFN is not bound to a model (or was disposed)');
    checkInt('layer', layer, 0, b.shape.nLayers - 1);
    if (!this.active[layer]) return b.dense!.forward(layer, x, out);
    const { dim, hiddenDim } = b.shape;
    const w = b.w[layer]!;
    const z = await tealSparseSwiGlu(b.k, w.gateT, w.upT, w.downT, x, this.t[layer], out,
      { xs: b.xs, gate: b.gate, up: b.up }, dim, hiddenDim);
    const cnt = this.counters.layers[layer];
    cnt.ffnTokens++;
    this.counters.countInput(layer, 'gate', z.gateInputZeros, dim);
    this.counters.countInput(layer, 'up', z.upInputZeros, dim);
    this.counters.countInput(layer, 'down', z.downInputZeros, hiddenDim);
    cnt.weightsRead += (2 * dim - z.gateInputZeros - z.upInputZeros) * hiddenDim + (hiddenDim - z.downInputZeros) * dim;
    cnt.weightsDense += 3 * dim * hiddenDim;
  }

  stats(): ComponentStats {
    const s = this.counters.summary();
    return { gateInputSparsity: s.inputSparsity.gate ?? 0, downInputSparsity: s.inputSparsity.down ?? 0, weightsStreamed: s.weightsStreamed };
  }

  dispose(): void {
    for (const a of this.bound?.owned ?? []) a.dispose();
    this.bound = null;
  }

  [disposeSymbol](): void { this.dispose(); }
}

/**
 * CATS and CHESS as an Ffn component the llama model hosts (src/llama/components.ts): the gate
 * projection stays dense, a_gate channels below their threshold are zeroed, and only the
 * surviving channels' rows of W_up and W_down are read (gatedSparseSwiGlu: gemv → siluThreshold →
 * vmmsp → spvmm).
 *   CATS  (Lee et al., arXiv 2404.08763): one threshold for every channel of a layer.
 *   CHESS (He et al., arXiv 2409.01366 §3–4): one threshold per channel.
 * At bind the component uploads the thresholds (float64 on CPU backends, compared at full
 * precision; float32 on a GPU) and an input-major copy of W_down per layer, so on webgpu a
 * token's FFN is one submission whose only read-back is the kept count. On CPU backends it gives
 * the very numbers of the model strategies `installActivationSparsity` installs.
 *
 * @example
 * const ffn = new ChessFfn(chessThresholds(stats, 0.5));
 * await model.use({ ffn });   // then ffn.counters.summary()
 */
import type { ComponentStats, Ffn, ModelShape, ModelWeights } from '../llama/components.js';
import type { DeviceArray, F32Arg, Kernels } from '../kernels/kernels.js';
import { isCpuKernels } from '../kernels/check-kernels.js';
import { SparseInferenceError, badArgument } from '../core/errors.js';
import { checkInt } from '../core/validate.js';
import { disposeSymbol } from '../core/dispose.js';
import type { ActivationThresholds } from './thresholds.js';
import { validateThresholds } from './thresholds-file.js';
import { SparsityCounters } from './sparsity-counters.js';
import { gatedSparseSwiGlu, type GateThresholds } from './sparse-swiglu.js';
import { inputMajorCopy } from './input-major.js';
import { checkComponentShape } from './check-component-shape.js';
import { activeLayers } from './active-layers.js';
import { DenseFfn } from '../llama/dense-ffn.js';
import { checkBindArgs, checkModelWeights } from '../llama/check-component-args.js';
import type { GatedFfnLayer } from '../kernels/decode-step.js';

interface Bound {
  shape: ModelShape;
  k: Kernels;
  weights: ModelWeights;
  /** Per layer (null for a layer left dense). */
  wDownT: (DeviceArray<Float32Array> | null)[];
  thresholds: (GateThresholds | null)[];
  /** The dense FFN of the layers left dense (none: null). */
  dense: DenseFfn | null;
  gate: DeviceArray<Float32Array>;
  inter: DeviceArray<Float32Array>;
  /** Count zeroed channels per token (a read-back of a_gate on a GPU; free on the CPU). */
  channels: boolean;
  owned: { dispose(): void }[];
}

/** Options of the gate-thresholded FFN components. */
export interface GatedFfnOptions {
  /** Counters to add to (shared with a SparseProjection, say); default: the component's own. */
  counters?: SparsityCounters;
  /** Count how often each channel is zeroed (default: on CPU backends only; a GPU reads a_gate back per token). */
  channelCounts?: boolean;
  /** Layers to make sparse (default: all); the others run the dense FFN. */
  layers?: readonly number[];
}

/** The gate-thresholded SwiGLU FFN (CATS or CHESS, by the thresholds' method). */
export class GatedFfn implements Ffn {
  readonly name: string;
  /** Every kernel call of a per-token call is issued before it returns (its scratch is on the device). */
  readonly issuesBeforeReturn = true;
  readonly counters: SparsityCounters;
  private readonly th: ActivationThresholds;
  private readonly channelCounts: boolean | undefined;
  private readonly active: boolean[];
  private bound: Bound | null = null;

  constructor(thresholds: ActivationThresholds, options: GatedFfnOptions = {}) {
    validateThresholds(thresholds, 'BAD_ARGUMENT', 'thresholds');
    const m = thresholds.metadata;
    if (m.method === 'teal') throw badArgument("thresholds are TEAL's (inputs only): use TealFfn");
    this.th = structuredClone(thresholds);
    this.name = m.method === 'cats' ? 'cats' : 'chess';
    this.counters = options.counters ?? new SparsityCounters(m.nLayers, m.hiddenDim, true);
    this.channelCounts = options.channelCounts;
    this.active = activeLayers(m.nLayers, options.layers);
  }

  async bind(shape: ModelShape, kernels: Kernels, weights: ModelWeights): Promise<void> {
    if (this.bound !== null) throw badArgument(`${this.name} FFN is already bound to a model`);
    checkBindArgs(shape, kernels);
    checkModelWeights(weights);
    checkComponentShape(this.th, shape);
    if (weights.quantized) throw new SparseInferenceError('UNAVAILABLE', `${this.name} FFN needs float32 weights (W_down is read by input rows)`);
    const { nLayers, dim, hiddenDim } = shape;
    const owned: { dispose(): void }[] = [];
    const own = <T extends { dispose(): void }>(a: T) => { owned.push(a); return a; };
    try {
      const cpu = isCpuKernels(kernels);
      const wDownT: Bound['wDownT'] = [];
      const thresholds: Bound['thresholds'] = [];
      let dense: DenseFfn | null = null;
      if (this.active.includes(false)) { dense = own(new DenseFfn()); await dense.bind(shape, kernels, weights); }
      for (let l = 0; l < nLayers; l++) {
        if (!this.active[l]) { wDownT.push(null); thresholds.push(null); continue; }
        wDownT.push(own(await inputMajorCopy(kernels, weights.layer(l).w2, dim, hiddenDim)));
        const t = this.th.layers[l].aGate!;
        if (cpu) thresholds.push(t); // compared in float64, as the model strategy does
        else { const d = own(kernels.allocF32(hiddenDim)); d.write(Float32Array.from(t)); thresholds.push(d); }
      }
      const gate = own(kernels.allocF32(hiddenDim)), inter = own(kernels.allocF32(hiddenDim));
      this.bound = { shape, k: kernels, weights, wDownT, thresholds, dense, gate, inter, channels: this.channelCounts ?? cpu, owned };
    } catch (e) {
      for (const a of owned) a.dispose();
      throw e;
    }
  }

  async forward(layer: number, x: F32Arg, out: F32Arg): Promise<void> {
    const b = this.bound;
    if (b === null) throw badArgument(`${this.name} FFN is not bound to a model (or was disposed)`);
    checkInt('layer', layer, 0, b.shape.nLayers - 1);
    if (!this.active[layer]) return b.dense!.forward(layer, x, out);
    const { dim, hiddenDim } = b.shape;
    const w = b.weights.layer(layer);
    const cnt = this.counters.layers[layer];
    const kept = await gatedSparseSwiGlu(b.k, w.w1, w.w3, b.wDownT[layer]!, x, b.thresholds[layer]!, out, b.gate, b.inter,
      dim, hiddenDim, b.channels ? cnt.gateZeros : undefined);
    cnt.ffnTokens++;
    cnt.weightsRead += dim * hiddenDim + 2 * kept * dim; // W_gate dense; W_up and W_down rows of the kept channels
    cnt.weightsDense += 3 * dim * hiddenDim;
  }

  /**
   * The thresholds and W_downᵀ on the device, for a backend's whole decode step; null on CPU
   * kernels or when counting channels (that reads a_gate back every token). The step then runs
   * the FFN itself, and the counters see none of its tokens.
   */
  gatedLayers(): readonly (GatedFfnLayer | null)[] | null {
    const b = this.bound;
    if (b === null || b.channels || isCpuKernels(b.k)) return null;
    return b.wDownT.map((w, l) => (w === null ? null : { thresholds: b.thresholds[l] as DeviceArray<Float32Array>, wDownT: w }));
  }

  stats(): ComponentStats {
    const s = this.counters.summary();
    return { gateSparsity: s.gateSparsity, weightsStreamed: s.weightsStreamed };
  }

  dispose(): void {
    for (const a of this.bound?.owned ?? []) a.dispose();
    this.bound = null;
  }

  [disposeSymbol](): void { this.dispose(); }
}

/** CHESS's FFN: channel-wise a_gate thresholds (chess-sq or chess-abs files). */
export class ChessFfn extends GatedFfn {
  constructor(thresholds: ActivationThresholds, options: GatedFfnOptions = {}) {
    super(thresholds, options);
    if (!thresholds.metadata.method.startsWith('chess')) throw badArgument(`thresholds are for '${thresholds.metadata.method}', not CHESS`);
  }
}

/** CATS's FFN: one a_gate threshold per layer (cats files). */
export class CatsFfn extends GatedFfn {
  constructor(thresholds: ActivationThresholds, options: GatedFfnOptions = {}) {
    super(thresholds, options);
    if (thresholds.metadata.method !== 'cats') throw badArgument(`thresholds are for '${thresholds.metadata.method}', not CATS`);
  }
}

/**
 * Sparse attention-projection inputs as a Projection component the llama model hosts: the input
 * of a projection is thresholded by magnitude and only the surviving input rows of the weight
 * are read (threshold → spvmm over an input-major copy, uploaded at bind).
 *   CHESS "w/" (arXiv 2409.01366 §4): the q_proj and o_proj inputs, with the CATS/CHESS FFN.
 *   TEAL (arXiv 2408.14690): every projection input it has a threshold for (q, k, v, o).
 * On CPU backends it gives the very numbers of the projection strategies
 * `installActivationSparsity` installs.
 *
 * @example
 * const th = chessThresholds(stats, 0.5), counters = new SparsityCounters(n, hidden, true);
 * await model.use({ ffn: new ChessFfn(th, { counters }), projections: new SparseProjection(th, { counters }) });
 */
import type { ComponentStats, ModelShape, ModelWeights, Projection, ProjectionWhich } from '../llama/components.js';
import type { DeviceArray, F32Arg, Kernels } from '../kernels/kernels.js';
import { SparseInferenceError, badArgument } from '../core/errors.js';
import { checkInt, checkOneOf } from '../core/validate.js';
import { disposeSymbol } from '../core/dispose.js';
import { isCpuKernels } from '../kernels/check-kernels.js';
import type { ActivationThresholds } from './thresholds.js';
import { validateThresholds } from './thresholds-file.js';
import { SparsityCounters } from './sparsity-counters.js';
import { inputMajorCopy } from './input-major.js';
import { checkComponentShape } from './check-component-shape.js';
import { activeLayers } from './active-layers.js';
import { checkBindArgs, checkModelWeights } from '../llama/check-component-args.js';

const WHICH = ['q', 'k', 'v', 'o'] as const;
const TENSOR = { q: 'wq', k: 'wk', v: 'wv', o: 'wo' } as const;

interface Bound {
  shape: ModelShape;
  k: Kernels;
  /** Per layer and covered projection: Wᵀ (dim × out). */
  w: Partial<Record<ProjectionWhich, DeviceArray<Float32Array>>>[];
  xs: DeviceArray<Float32Array>;
  owned: DeviceArray<Float32Array>[];
}

export interface SparseProjectionOptions {
  /** Counters to add to (shared with the FFN component, say); default: the component's own. */
  counters?: SparsityCounters;
  /** Layers whose projections to make sparse (default: all); the others stay the model's. */
  layers?: readonly number[];
}

export class SparseProjection implements Projection {
  /** Every kernel call of a per-token call is issued before it returns (its scratch is on the device). */
  readonly issuesBeforeReturn = true;
  readonly name: string;
  readonly counters: SparsityCounters;
  private readonly th: ActivationThresholds;
  /** The thresholds of the covered projections, per layer. */
  private readonly t: Partial<Record<ProjectionWhich, number>>[];
  private bound: Bound | null = null;

  /**
   * TEAL thresholds: every projection input with a threshold; CATS/CHESS thresholds: q and o,
   * which every layer must have (calibrate with attention captures).
   */
  constructor(thresholds: ActivationThresholds, options: SparseProjectionOptions = {}) {
    validateThresholds(thresholds, 'BAD_ARGUMENT', 'thresholds');
    const teal = thresholds.metadata.method === 'teal';
    this.th = structuredClone(thresholds);
    const active = activeLayers(thresholds.metadata.nLayers, options.layers);
    this.t = this.th.layers.map((L, l) => {
      if (!active[l]) return {};
      const i = L.inputs ?? {};
      if (!teal && (i.q === undefined || i.o === undefined)) {
        throw badArgument(`thresholds.layers[${l}].inputs needs q and o (calibrate with attention captures)`);
      }
      const t: Partial<Record<ProjectionWhich, number>> = {};
      for (const p of teal ? WHICH : (['q', 'o'] as const)) if (i[p] !== undefined) t[p] = i[p];
      return t;
    });
    this.name = teal ? 'teal projections' : 'chess q/o projections';
    const m = thresholds.metadata;
    this.counters = options.counters ?? new SparsityCounters(m.nLayers, m.hiddenDim, !teal);
  }

  async bind(shape: ModelShape, kernels: Kernels, weights: ModelWeights): Promise<void> {
    if (this.bound !== null) throw badArgument(`${this.name} are already bound to a model`);
    checkBindArgs(shape, kernels);
    checkModelWeights(weights);
    checkComponentShape(this.th, shape);
    if (weights.quantized) throw new SparseInferenceError('UNAVAILABLE', `${this.name} need float32 weights (read by input rows)`);
    const owned: DeviceArray<Float32Array>[] = [];
    const own = (a: DeviceArray<Float32Array>) => { owned.push(a); return a; };
    try {
      const w: Bound['w'] = [];
      for (let l = 0; l < shape.nLayers; l++) {
        const per: Bound['w'][number] = {};
        for (const p of WHICH) {
          if (this.t[l][p] === undefined) continue;
          per[p] = own(await inputMajorCopy(kernels, weights.layer(l)[TENSOR[p]], outDim(shape, p), shape.dim));
        }
        w.push(per);
      }
      this.bound = { shape, k: kernels, w, xs: own(kernels.allocF32(shape.dim)), owned };
    } catch (e) {
      for (const a of owned) a.dispose();
      throw e;
    }
  }

  covers(layer: number, which: ProjectionWhich): boolean {
    checkInt('layer', layer, 0, this.t.length - 1);
    checkOneOf('which', which, WHICH);
    return this.t[layer][which] !== undefined;
  }

  async project(layer: number, which: ProjectionWhich, x: F32Arg, out: F32Arg): Promise<void> {
    const b = this.bound;
    if (b === null) throw badArgument(`${this.name} are not bound to a model (or were disposed)`);
    if (!this.covers(layer, which)) throw badArgument(`projection ${which} of layer ${layer} is not covered by ${this.name}`);
    const { dim } = b.shape, n = outDim(b.shape, which);
    // Issued together: xs is a device array, so on a GPU the pair is one submission.
    const zeros = b.k.threshold(x, this.t[layer][which]!, b.xs, dim);
    const done = b.k.spvmm(b.xs, b.w[layer][which]!, out, dim, n);
    const [z] = await Promise.all([zeros, done]);
    this.counters.countInput(layer, which, z, dim);
    const c = this.counters.layers[layer];
    c.weightsRead += (dim - z) * n; // the input rows that survive
    c.weightsDense += dim * n;
  }

  /**
   * The thresholds per layer, for a backend's whole decode step (null on CPU kernels, where the
   * sparse products are the point). The step reads the dense weight rows with the inputs masked,
   * and the counters see none of its tokens.
   */
  inputThresholds(): readonly Partial<Record<ProjectionWhich, number>>[] | null {
    const b = this.bound;
    return b === null || isCpuKernels(b.k) ? null : this.t;
  }

  stats(): ComponentStats {
    const s = this.counters.summary();
    return { qInputSparsity: s.inputSparsity.q ?? 0, oInputSparsity: s.inputSparsity.o ?? 0 };
  }

  dispose(): void {
    for (const a of this.bound?.owned ?? []) a.dispose();
    this.bound = null;
  }

  [disposeSymbol](): void { this.dispose(); }
}

function outDim(shape: ModelShape, which: ProjectionWhich): number {
  return which === 'k' || which === 'v' ? shape.kvDim : shape.dim;
}

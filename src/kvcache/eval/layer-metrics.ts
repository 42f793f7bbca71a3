/**
 * Retrieval quality of one method inside a running sparse model, per layer: what a probe
 * (RetrievalKvCache with probeOutput 'selected') sees at each decode step of each KV head is
 * compared with exact attention over every token (ExactReference) for each query head.
 *
 *   recall          Σ_{j∈S} p_j                      (p = exact softmax over all n tokens)
 *   relError        ‖o_S − o‖ / ‖o‖
 *   scoreError      Σ(s − ŝ)² / Σ(s − s̄)²            against the exact logits s = q·k/√d (exact RoPE)
 *   quantError      Σ(s_w − ŝ)² / Σ(s − s̄)²          against s_w = q R(b)·k̃/√d, the scores WRoPE gives the
 *                                                    unquantised keys: the quantisation's own share
 *   wropeError      Σ(s − s_w)² / Σ(s − s̄)²          what WRoPE alone costs
 * The three score errors share the denominator (the variance of the exact far logits), pooled over
 * steps and heads, so they add up roughly (quantisation and rotation errors are not orthogonal).
 * Budgets: |S|/n, far tokens/n, and for the per-head rule the GQA union factor |S_far| / ⌊ρn⌋.
 */
import type { CpuKernels } from '../../kernels/kernels.js';
import { budgetTokens } from '../budget.js';
import { ExactReference, stepMetrics } from '../metrics.js';
import type { KvProbeInfo } from '../retrieval-kv-cache.js';
import { farEstimates } from './estimates.js';

/** Pooled sums of one layer (see the file header). */
export interface LayerSums {
  samples: number;
  recall: number;
  relError: number;
  /** Score sums over far tokens: errors against exact and WRoPE scores, WRoPE's own error, exact variance. */
  scoreErr: number;
  quantErr: number;
  wropeErr: number;
  variance: number;
}

/** Per-layer means and pooled ratios of one method. */
export interface LayerRow {
  layer: number;
  recall: number;
  relError: number;
  /** NaN when the method gives no score estimates (quantError: no WRoPE estimates). */
  scoreError: number;
  quantError: number;
  wropeError: number;
}

/** Budget sums over KV-head steps. */
export interface BudgetSums {
  steps: number;
  selected: number;
  far: number;
  context: number;
  /** Σ farCount and Σ ⌊ρn⌋ over steps with a per-head budget (for the union factor). */
  unionFar: number;
  perHeadK: number;
}

const emptyLayer = (): LayerSums => ({ samples: 0, recall: 0, relError: 0, scoreErr: 0, quantErr: 0, wropeErr: 0, variance: 0 });

/** Accumulates the probe's steps of one method (see the file header). @example const acc = new LayerMetrics(kernels, 30, 64, 3, wrope); */
export class LayerMetrics {
  readonly layers: LayerSums[];
  readonly budget: BudgetSums = { steps: 0, selected: 0, far: 0, context: 0, unionFar: 0, perHeadK: 0 };
  /** Per-document recall and relError sums (reset by startDocument). */
  private doc = { samples: 0, recall: 0, relError: 0, far: 0, context: 0 };
  private readonly exact: ExactReference;
  private readonly qt: Float32Array;
  private sw = new Float32Array(1024);

  constructor(private readonly kernels: CpuKernels, nLayers: number, private readonly headDim: number, private readonly groupSize: number,
    private readonly rope: { distance: number; base: number; pairing: 'adjacent' | 'half' }, private readonly perHeadFraction?: number) {
    this.layers = Array.from({ length: nLayers }, emptyLayer);
    this.exact = new ExactReference(kernels, headDim);
    this.qt = new Float32Array(headDim);
  }

  startDocument(): void {
    this.doc = { samples: 0, recall: 0, relError: 0, far: 0, context: 0 };
  }

  /** This document's mean recall, mean relative error and far-token fraction. */
  documentMeans(): { recall: number; relError: number; farFraction: number } {
    const d = this.doc;
    return { recall: d.recall / d.samples, relError: d.relError / d.samples, farFraction: d.far / d.context };
  }

  /** One KV head's step: its budget always; with `scoreMetrics` also recall, errors and scores. */
  async add(info: KvProbeInfo, scoreMetrics: boolean): Promise<void> {
    const g = this.groupSize, d = this.headDim, n = info.pos + 1;
    const sel = info.selection, { farStart, farEnd } = sel.split, m = farEnd - farStart;
    const b = this.budget;
    b.steps++; b.selected += sel.count; b.far += sel.farCount; b.context += n;
    this.doc.far += sel.farCount; this.doc.context += n;
    if (this.perHeadFraction !== undefined && m > 0) {
      b.unionFar += sel.farCount;
      b.perHeadK += budgetTokens({ mode: 'perHead', fraction: this.perHeadFraction }, n, m);
    }
    if (!scoreMetrics) return;
    const method = info.retrieval.method;
    const est = await farEstimates(method, info.retrieval, g, m);
    const wrope = est !== null && method.scoring === 'perHead' && (method.name === 'a2ats' || method.name === 'vq-wrope');
    const L = this.layers[info.layer];
    for (let r = 0; r < g; r++) {
      const qh = info.qPost.subarray(r * d, (r + 1) * d);
      const exact = this.exact.compute(info.keys, qh, n);
      const approx = est ? est.subarray(r * m, (r + 1) * m) : null;
      const s = stepMetrics(exact, sel, info.out.subarray(r * d, (r + 1) * d), approx);
      L.samples++; L.recall += s.recall; L.relError += s.relError;
      this.doc.samples++; this.doc.recall += s.recall; this.doc.relError += s.relError;
      if (s.sums === null || approx === null) continue;
      L.scoreErr += s.sums.err; L.variance += s.sums.variance;
      if (wrope) {
        const sw = this.wropeScores(info, qh, farStart, m);
        for (let j = 0; j < m; j++) {
          L.quantErr += (sw[j] - approx[j]) ** 2;
          L.wropeErr += (exact.logits[farStart + j] - sw[j]) ** 2;
        }
      }
    }
  }

  /** s_w: the post-RoPE query turned to the WRoPE distance b (RoPE at b − pos) against the pre-RoPE far keys. */
  private wropeScores(info: KvProbeInfo, qPost: Float32Array, farStart: number, m: number): Float32Array {
    const d = this.headDim, k = this.kernels;
    if (this.sw.length < m) this.sw = new Float32Array(Math.max(m, 2 * this.sw.length));
    this.qt.set(qPost);
    k.rope(this.qt, 1, d, this.rope.distance - info.pos, this.rope.base, this.rope.pairing);
    const sw = this.sw.subarray(0, m);
    k.gemv(info.keys.keysPre.subarray(farStart * d, (farStart + m) * d), this.qt, sw, m, d);
    const scale = 1 / Math.sqrt(d);
    for (let j = 0; j < m; j++) sw[j] *= scale;
    return sw;
  }

  /** Per-layer rows (NaN where nothing was measured). */
  rows(): LayerRow[] {
    return this.layers.map((L, layer) => ({
      layer,
      recall: L.recall / L.samples, relError: L.relError / L.samples,
      scoreError: L.variance > 0 ? L.scoreErr / L.variance : NaN,
      quantError: L.variance > 0 && L.quantErr > 0 ? L.quantErr / L.variance : NaN,
      wropeError: L.variance > 0 && L.quantErr > 0 ? L.wropeErr / L.variance : NaN,
    }));
  }

  /** All layers pooled. */
  pooled(): Omit<LayerRow, 'layer'> {
    const t = this.layers.reduce((a, L) => {
      for (const key of Object.keys(a) as (keyof LayerSums)[]) a[key] += L[key];
      return a;
    }, emptyLayer());
    return {
      recall: t.recall / t.samples, relError: t.relError / t.samples,
      scoreError: t.variance > 0 ? t.scoreErr / t.variance : NaN,
      quantError: t.variance > 0 && t.quantErr > 0 ? t.quantErr / t.variance : NaN,
      wropeError: t.variance > 0 && t.quantErr > 0 ? t.wropeErr / t.variance : NaN,
    };
  }

  dispose(): void {
    this.exact.dispose();
  }
}

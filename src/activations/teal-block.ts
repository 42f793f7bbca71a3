/**
 * One decoder block run alone on a whole sequence, with TEAL's magnitude thresholds on the inputs
 * of its seven projections: what the authors' greedy search (Liu et al., ICLR 2025, §4.2;
 * teal/greedyopt.py `layer_forward`) evaluates for every candidate. The block's input is the
 * dense model's residual stream at that layer, so each layer is searched alone, as TEAL does.
 *
 * Only rows `scoredFrom … n−1` are produced (the greedy error reads the last quarter); keys and
 * values are computed for every row, since those rows attend to all earlier ones. The work is
 * split in stages so a candidate recomputes only what its projection changes:
 *   'kv'   keys (wk, RoPE) and values (wv) of every row   — candidates k, v
 *   'attn' queries (wq, RoPE), causal attention, wo, residual — candidates q, o
 *   'ffn'  RMSNorm, gate (w1) and up (w3) products        — candidates gate, up
 *   'down' SiLU(gate)·up, w2, residual                    — candidate down
 * `evaluate` writes a trial into scratch buffers and leaves the committed state untouched.
 *
 * Thresholds follow the `threshold` kernel: x is kept where |x| ≥ t (t = 0: dense).
 *
 * @example
 * const run = new TealBlockRun(kernels, model.config, model.layerWeights(3), x, 512, 384);
 * const dense = run.evaluate(DENSE_LEVELS).slice();     // rows 384…511, 128 × dim
 * const sparse = run.evaluate({ ...DENSE_LEVELS, down: 0.12 }, 'down');
 */
import type { CpuKernels } from '../kernels/kernels.js';
import type { LayerWeights } from '../llama/weight-layout.js';
import type { RopePairing } from '../kernels/kernels.js';
import { causalAttentionScratchLength } from '../kernels/causal-attention-scratch.js';
import { badArgument } from '../core/errors.js';
import { checkInt } from '../core/validate.js';
import type { ProjectionInput } from './thresholds.js';

/** Magnitude threshold on each projection's input (0: that projection dense). */
export type ProjectionCuts = Record<ProjectionInput, number>;

/** Every projection dense. */
export const DENSE_CUTS: Readonly<ProjectionCuts> = Object.freeze({ q: 0, k: 0, v: 0, o: 0, gate: 0, up: 0, down: 0 });

/** The stage from which a change to each projection's cut must be recomputed (see the file header). */
export type BlockStage = 'kv' | 'attn' | 'ffn' | 'down';
const STAGE_ORDER: readonly BlockStage[] = ['kv', 'attn', 'ffn', 'down'];
export const PROJECTION_STAGE: Record<ProjectionInput, BlockStage> = { k: 'kv', v: 'kv', q: 'attn', o: 'attn', gate: 'ffn', up: 'ffn', down: 'down' };

/** What the block needs of the model's config. */
export interface BlockShape {
  dim: number; kvDim: number; hiddenDim: number; nHeads: number; nKvHeads: number; headDim: number;
  normEps: number; ropeBase: number; ropePairing: RopePairing;
}

/** The per-stage results of one set of cuts. */
interface StageBuffers {
  keys: Float32Array; values: Float32Array; // n × kvDim
  h: Float32Array;                          // m × dim: input + attention output
  gate: Float32Array; up: Float32Array;     // m × hiddenDim
  out: Float32Array;                        // m × dim: the block's output
}

export class TealBlockRun {
  /** Rows produced: n − scoredFrom. */
  readonly rows: number;
  private readonly normed: Float32Array;    // n × dim: RMSNorm(x)·rmsAtt, independent of the cuts
  private readonly committed: StageBuffers;
  private readonly trial: StageBuffers;
  private committedCuts: ProjectionCuts | null = null;
  private readonly cut: Float32Array;       // scratch: a thresholded input, n × max(dim, hiddenDim)
  private readonly q: Float32Array; private readonly att: Float32Array; private readonly o: Float32Array;
  private readonly ffnIn: Float32Array; private readonly down: Float32Array; private readonly scratch: Float32Array;

  /**
   * x: n × dim, the block's input (residual stream) at positions 0 … n−1; rows scoredFrom … n−1
   * are produced. The weights are read at each call (float32 views, e.g. model.layerWeights(l)).
   */
  constructor(private readonly kernels: CpuKernels, private readonly shape: BlockShape, private readonly weights: () => LayerWeights,
    private readonly x: Float32Array, readonly n: number, readonly scoredFrom: number) {
    checkInt('n', n, 1);
    checkInt('scoredFrom', scoredFrom, 0, n - 1);
    const { dim, kvDim, hiddenDim, nHeads } = shape;
    if (x.length < n * dim) throw badArgument(`x must hold n·dim = ${n * dim} floats, got ${x.length}`);
    const m = this.rows = n - scoredFrom;
    const buffers = (): StageBuffers => ({
      keys: new Float32Array(n * kvDim), values: new Float32Array(n * kvDim), h: new Float32Array(m * dim),
      gate: new Float32Array(m * hiddenDim), up: new Float32Array(m * hiddenDim), out: new Float32Array(m * dim),
    });
    this.committed = buffers();
    this.trial = buffers();
    this.normed = new Float32Array(n * dim);
    const w = weights();
    for (let i = 0; i < n; i++) kernels.rmsnorm(x.subarray(i * dim, (i + 1) * dim), w.rmsAtt, this.normed.subarray(i * dim, (i + 1) * dim), dim, shape.normEps);
    this.cut = new Float32Array(n * Math.max(dim, hiddenDim));
    this.q = new Float32Array(m * dim);
    this.att = new Float32Array(m * dim);
    this.o = new Float32Array(m * dim);
    this.ffnIn = new Float32Array(m * dim);
    this.down = new Float32Array(m * hiddenDim);
    this.scratch = new Float32Array(causalAttentionScratchLength(m, nHeads));
  }

  /**
   * The block's output rows (rows × dim) with these cuts, recomputed from `from` on (the earlier
   * stages are taken from the committed cuts, which must agree with `cuts` there). The returned
   * array is reused by the next call.
   */
  evaluate(cuts: ProjectionCuts, from: BlockStage = 'kv'): Float32Array {
    if (this.committedCuts === null) from = 'kv';
    const start = STAGE_ORDER.indexOf(from);
    const src = this.committed, dst = this.trial;
    const at = (stage: BlockStage) => (STAGE_ORDER.indexOf(stage) >= start ? dst : src);
    if (start <= 0) this.keysValues(cuts, dst);
    if (start <= 1) this.attention(cuts, at('kv'), dst);
    if (start <= 2) this.gateUp(cuts, at('attn'), dst);
    this.downProjection(cuts, at('attn'), at('ffn'), dst);
    return dst.out;
  }

  /** Make `cuts` the state later evaluations start from. */
  commit(cuts: ProjectionCuts): void {
    this.committedCuts = null;
    this.evaluate(cuts, 'kv');
    for (const key of Object.keys(this.trial) as (keyof StageBuffers)[]) this.committed[key].set(this.trial[key]);
    this.committedCuts = { ...cuts };
  }

  /** v (rows × width) thresholded at t into the scratch (or v itself when t = 0). */
  private thresholded(v: Float32Array, t: number, length: number): Float32Array {
    if (t === 0) return v.subarray(0, length);
    const out = this.cut.subarray(0, length);
    this.kernels.threshold(v.subarray(0, length), t, out, length);
    return out;
  }

  private keysValues(cuts: ProjectionCuts, dst: StageBuffers): void {
    const { dim, kvDim, nKvHeads, headDim, ropeBase, ropePairing } = this.shape;
    const k = this.kernels, w = this.weights(), n = this.n;
    k.gemm(w.wk, this.thresholded(this.normed, cuts.k, n * dim), dst.keys, kvDim, dim, n);
    for (let i = 0; i < n; i++) k.rope(dst.keys.subarray(i * kvDim, (i + 1) * kvDim), nKvHeads, headDim, i, ropeBase, ropePairing);
    k.gemm(w.wv, this.thresholded(this.normed, cuts.v, n * dim), dst.values, kvDim, dim, n);
  }

  private attention(cuts: ProjectionCuts, kv: StageBuffers, dst: StageBuffers): void {
    const { dim, kvDim, nHeads, nKvHeads, headDim, ropeBase, ropePairing } = this.shape;
    const k = this.kernels, w = this.weights(), m = this.rows, s0 = this.scoredFrom;
    const normed = this.normed.subarray(s0 * dim, this.n * dim);
    k.gemm(w.wq, this.thresholded(normed, cuts.q, m * dim), this.q, dim, dim, m);
    for (let i = 0; i < m; i++) k.rope(this.q.subarray(i * dim, (i + 1) * dim), nHeads, headDim, s0 + i, ropeBase, ropePairing);
    k.causalAttention(this.q, kv.keys, kv.values, s0, m, headDim, kvDim, nHeads, nHeads / nKvHeads, 1 / Math.sqrt(headDim), this.att, this.scratch);
    k.gemm(w.wo, this.thresholded(this.att, cuts.o, m * dim), this.o, dim, dim, m);
    dst.h.set(this.x.subarray(s0 * dim, this.n * dim));
    k.axpy(1, this.o, dst.h, m * dim);
  }

  private gateUp(cuts: ProjectionCuts, attn: StageBuffers, dst: StageBuffers): void {
    const { dim, hiddenDim, normEps } = this.shape;
    const k = this.kernels, w = this.weights(), m = this.rows;
    for (let i = 0; i < m; i++) k.rmsnorm(attn.h.subarray(i * dim, (i + 1) * dim), w.rmsFfn, this.ffnIn.subarray(i * dim, (i + 1) * dim), dim, normEps);
    k.gemm(w.w1, this.thresholded(this.ffnIn, cuts.gate, m * dim), dst.gate, hiddenDim, dim, m);
    k.gemm(w.w3, this.thresholded(this.ffnIn, cuts.up, m * dim), dst.up, hiddenDim, dim, m);
  }

  private downProjection(cuts: ProjectionCuts, attn: StageBuffers, ffn: StageBuffers, dst: StageBuffers): void {
    const { dim, hiddenDim } = this.shape;
    const k = this.kernels, w = this.weights(), m = this.rows;
    this.down.set(ffn.gate);
    k.swiglu(this.down, ffn.up, m * hiddenDim);
    k.gemm(w.w2, this.thresholded(this.down, cuts.down, m * hiddenDim), this.o, dim, hiddenDim, m);
    dst.out.set(attn.h);
    k.axpy(1, this.o, dst.out, m * dim);
  }
}

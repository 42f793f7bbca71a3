/**
 * Collects calibration statistics from captured activations: the llama runtime's capture hook
 * (pass `collector.capture` to model.setCapture) or arrays the caller already has
 * (`collector.observe(layer, kind, rows×width data, rows)`). Every quantile is pooled over the
 * whole calibration set (tokens × channels), not averaged per batch as the CHESS authors did.
 *
 * What is kept per layer:
 * - |a_gate| (CATS), |x| of the q/k/v input, the o_proj input, the FFN input and the down_proj
 *   input (TEAL, CHESS attention) — each as a MagnitudePool;
 * - Σ a_up², Σ |a_up| per channel (the CHESS moments E[a_up²], E|a_up|);
 * - the CHESS importances a_gate²·E[a_up²] ("sq") and |a_gate|·E|a_up| ("abs").
 * The importances need the moments first: in 'exact' mode they are computed at finish() from
 * the stored a_gate values; in 'sketch' mode a second pass over the same tokens feeds them
 * (`passesNeeded` is 2; call endPass() between the passes).
 *
 * @example
 * const c = new ActivationCollector({ nLayers: 5, dim: 64, hiddenDim: 172 });
 * model.setCapture(c.capture); for (...) await model.forward(tok, pos); model.setCapture(undefined);
 * const stats = c.finish();   // → chessThresholds(stats, 0.5) etc.
 */
import { checkElements, MAX_CHANNELS, MAX_LAYERS } from '../core/limits.js';
import { ACTIVATION_KINDS, type ActivationCapture, type ActivationKind } from '../llama/activation-capture.js';
import { badArgument } from '../core/errors.js';
import { checkFinite, checkFloat32, checkInt, checkOneOf } from '../core/validate.js';
import { createPool, ExactPool, type MagnitudePool, type QuantileMode } from './magnitude-pool.js';
import type { QuantileSketchOptions } from './quantile-sketch.js';
import { ActivationStatistics, type LayerStatistics, type MagnitudeTensor, MAGNITUDE_TENSORS } from './activation-statistics.js';
import { checkOptions, optionKeys } from '../core/options.js';

export interface CollectorShape { nLayers: number; dim: number; hiddenDim: number }

export interface CollectorOptions {
  /** 'exact' (default): keep every value; 'sketch': bounded memory, relative accuracy α. */
  quantile?: QuantileMode;
  /** Sketch settings (α default 0.005, at most 4096 buckets per tensor). */
  sketch?: QuantileSketchOptions;
  /** Collect the CHESS importances (default true; false keeps sketch mode to one pass). */
  chess?: boolean;
}

/** Every key of CollectorOptions, for checkOptions. */
export const COLLECTOR_KEYS = optionKeys<CollectorOptions>({ quantile: true, sketch: true, chess: true });

interface LayerState {
  pools: Record<MagnitudeTensor, MagnitudePool>;
  upSq: Float64Array;
  upAbs: Float64Array;
  upRows: number;
  gateRows: number;
  importanceSq: MagnitudePool;
  importanceAbs: MagnitudePool;
  /** Moments frozen after pass 1 (sketch mode), used by pass 2. */
  meanSq?: Float64Array;
  meanAbs?: Float64Array;
}

export class ActivationCollector {
  readonly mode: QuantileMode;
  readonly chess: boolean;
  private readonly layers: LayerState[];
  private passIndex = 0;
  private finished = false;

  /** The llama ActivationCapture: forwards every capture to observe(). */
  readonly capture: ActivationCapture;

  constructor(readonly shape: CollectorShape, opts: CollectorOptions = {}) {
    opts = checkOptions('ActivationCollector options', opts, COLLECTOR_KEYS);
    if (shape === null || typeof shape !== 'object') throw badArgument('shape must be { nLayers, dim, hiddenDim }');
    checkInt('nLayers', shape.nLayers, 1, MAX_LAYERS);
    checkInt('dim', shape.dim, 1, MAX_CHANNELS);
    checkInt('hiddenDim', shape.hiddenDim, 1, MAX_CHANNELS);
    checkElements('nLayers*hiddenDim', shape.nLayers, shape.hiddenDim);
    this.mode = checkOneOf('quantile', opts.quantile ?? 'exact', ['exact', 'sketch'] as const);
    this.chess = opts.chess ?? true;
    const pool = () => createPool(this.mode, opts.sketch);
    this.layers = Array.from({ length: shape.nLayers }, () => ({
      pools: Object.fromEntries(MAGNITUDE_TENSORS.map((t) => [t, pool()])) as Record<MagnitudeTensor, MagnitudePool>,
      upSq: new Float64Array(shape.hiddenDim),
      upAbs: new Float64Array(shape.hiddenDim),
      upRows: 0,
      gateRows: 0,
      importanceSq: createPool(this.mode, opts.sketch, 'f64'),
      importanceAbs: createPool(this.mode, opts.sketch, 'f64'),
    }));
    this.capture = (layer, kind, data) => this.observe(layer, kind, data);
  }

  /** 2 in sketch mode with CHESS (importances need the finished moments), else 1. */
  get passesNeeded(): number { return this.mode === 'sketch' && this.chess ? 2 : 1; }

  /** 0-based index of the pass being collected. */
  get pass(): number { return this.passIndex; }

  /** Width of a captured kind, or 0 for kinds calibration does not use. */
  widthOf(kind: ActivationKind): number {
    checkOneOf('kind', kind, ACTIVATION_KINDS);
    switch (kind) {
      case 'attnInput': case 'oProjInput': case 'ffnInput': return this.shape.dim;
      case 'aGate': case 'aUp': case 'downInput': return this.shape.hiddenDim;
      default: return 0;
    }
  }

  /**
   * Add `rows` tokens of one activation: data is rows×width, row-major (width = dim for
   * attnInput/oProjInput/ffnInput, hiddenDim for aGate/aUp/downInput). Other kinds are ignored.
   */
  observe(layer: number, kind: ActivationKind, data: Float32Array, rows = 1): void {
    if (this.finished) throw badArgument('collector.observe() called after finish()');
    checkInt('layer', layer, 0, this.shape.nLayers - 1);
    checkInt('rows', rows, 1);
    const width = this.widthOf(kind);
    if (width === 0) return;
    const n = rows * width;
    checkFloat32(`${kind} data`, data, n);
    checkFinite(`layer ${layer} ${kind}`, data, n);
    const L = this.layers[layer];
    if (this.passIndex === 1) {
      if (kind === 'aGate') this.addImportances(L, data, rows);
      return;
    }
    if (kind === 'aUp') {
      const H = this.shape.hiddenDim;
      for (let r = 0; r < rows; r++) {
        for (let i = 0; i < H; i++) {
          const u = data[r * H + i];
          L.upSq[i] += u * u;
          L.upAbs[i] += Math.abs(u);
        }
      }
      L.upRows += rows;
      return;
    }
    if (kind === 'aGate') L.gateRows += rows;
    L.pools[kind as MagnitudeTensor].addMagnitudes(data, n);
  }

  /** Sketch mode: close pass 1 (freeze the a_up moments) and start pass 2 over the same tokens. */
  endPass(): void {
    if (this.passIndex + 1 >= this.passesNeeded) throw badArgument('no further pass is needed: call finish()');
    this.layers.forEach((L, l) => {
      this.checkMoments(L, l);
      L.meanSq = L.upSq.map((s) => s / L.upRows);
      L.meanAbs = L.upAbs.map((s) => s / L.upRows);
    });
    this.passIndex++;
  }

  /** Finish collection and return the statistics (thresholds for any sparsity come from them). */
  finish(): ActivationStatistics {
    if (this.finished) throw badArgument('collector.finish() called twice');
    if (this.passIndex + 1 < this.passesNeeded) throw badArgument(`collector needs ${this.passesNeeded} passes; call endPass() and replay the tokens`);
    const out: LayerStatistics[] = this.layers.map((L, l) => {
      if (this.chess) this.checkMoments(L, l);
      const meanSq = L.meanSq ?? L.upSq.map((s) => s / Math.max(1, L.upRows));
      const meanAbs = L.meanAbs ?? L.upAbs.map((s) => s / Math.max(1, L.upRows));
      if (this.chess && this.mode === 'exact') {
        L.meanSq = meanSq; L.meanAbs = meanAbs;
        const gates = (L.pools.aGate as ExactPool).values(); // insertion order: rows × hiddenDim
        this.addImportances(L, gates, gates.length / this.shape.hiddenDim);
      }
      return {
        pools: L.pools, meanUpSq: meanSq, meanUpAbs: meanAbs,
        importanceSq: this.chess ? L.importanceSq : undefined,
        importanceAbs: this.chess ? L.importanceAbs : undefined,
        tokens: L.gateRows,
      };
    });
    this.finished = true;
    return new ActivationStatistics(this.shape, this.mode, out);
  }

  private checkMoments(L: LayerState, l: number): void {
    if (L.upRows === 0) throw badArgument(`layer ${l}: no aUp activations were observed (CHESS needs E[a_up²])`);
    if (L.gateRows !== L.upRows) throw badArgument(`layer ${l}: ${L.gateRows} aGate rows but ${L.upRows} aUp rows; they must come from the same tokens`);
  }

  /** importance_i = a_gate_i²·E[a_up_i²] and |a_gate_i|·E|a_up_i| for every row. */
  private addImportances(L: LayerState, gates: ArrayLike<number>, rows: number): void {
    const H = this.shape.hiddenDim;
    const sq = L.meanSq!, ab = L.meanAbs!;
    for (let r = 0; r < rows; r++) {
      for (let i = 0; i < H; i++) {
        const g = Math.abs(gates[r * H + i]);
        L.importanceSq.add(g * g * sq[i]);
        L.importanceAbs.add(g * ab[i]);
      }
    }
  }
}

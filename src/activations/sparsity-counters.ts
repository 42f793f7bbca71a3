/**
 * What an installed sparsity strategy actually did on the tokens it ran: per layer, how often
 * each a_gate channel was zeroed, how many projection inputs were zeroed, and how many weights
 * were read against the dense count. Cheap to keep (one add per thresholded value).
 */
import { checkSize, checkElements, MAX_LAYERS, MAX_CHANNELS } from '../core/limits.js';
import { badArgument } from '../core/errors.js';
import { checkInt, checkOneOf, describe } from '../core/validate.js';
import { PROJECTION_INPUTS, type ProjectionInput } from './thresholds.js';

export interface LayerCounters {
  /** FFN calls (tokens) on this layer. */
  ffnTokens: number;
  /** Times each a_gate channel was zeroed (CATS/CHESS), hiddenDim. */
  gateZeros: Float64Array;
  /** Zeroed and total entries of each thresholded projection input. */
  inputZeros: Partial<Record<ProjectionInput, { zeros: number; total: number }>>;
  /** Weights (floats) read per token over all seven projection matrices, and the dense count. */
  weightsRead: number;
  weightsDense: number;
}

export interface SparsitySummary {
  /** Mean fraction of a_gate channels zeroed (gate methods; NaN for TEAL). */
  gateSparsity: number;
  /** Per-channel zeroed fraction, min and max over channels and layers. */
  channelSparsityMin: number;
  channelSparsityMax: number;
  /** Mean zeroed fraction of each thresholded projection input. */
  inputSparsity: Partial<Record<ProjectionInput, number>>;
  /** Weights read / dense weights, over the seven projection matrices of the sparse layers. */
  weightsStreamed: number;
}

export class SparsityCounters {
  readonly layers: LayerCounters[];

  /** gateThresholded: whether a_gate channels are thresholded (CATS/CHESS) — false for TEAL. */
  constructor(nLayers: number, hiddenDim: number, readonly gateThresholded: boolean) {
    checkSize('nLayers', nLayers, 0, MAX_LAYERS);
    checkSize('hiddenDim', hiddenDim, 0, MAX_CHANNELS);
    checkElements('nLayers*hiddenDim', nLayers, hiddenDim);
    if (typeof gateThresholded !== 'boolean') throw badArgument(`gateThresholded must be a boolean, got ${describe(gateThresholded)}`);
    this.layers = Array.from({ length: nLayers }, () => ({
      ffnTokens: 0, gateZeros: new Float64Array(hiddenDim), inputZeros: {}, weightsRead: 0, weightsDense: 0,
    }));
  }

  countInput(layer: number, p: ProjectionInput, zeros: number, total: number): void {
    checkInt('layer', layer, 0, this.layers.length - 1);
    checkOneOf('p', p, PROJECTION_INPUTS);
    checkInt('total', total, 0);
    checkInt('zeros', zeros, 0, total);
    const c = (this.layers[layer].inputZeros[p] ??= { zeros: 0, total: 0 });
    c.zeros += zeros;
    c.total += total;
  }

  reset(): void {
    for (const L of this.layers) {
      L.ffnTokens = 0; L.gateZeros.fill(0); L.inputZeros = {}; L.weightsRead = 0; L.weightsDense = 0;
    }
  }

  summary(): SparsitySummary {
    let zeros = 0, cells = 0, cMin = Infinity, cMax = -Infinity, read = 0, dense = 0;
    const inputs: Partial<Record<ProjectionInput, { zeros: number; total: number }>> = {};
    for (const L of this.layers) {
      read += L.weightsRead; dense += L.weightsDense;
      for (const [p, c] of Object.entries(L.inputZeros) as [ProjectionInput, { zeros: number; total: number }][]) {
        const acc = (inputs[p] ??= { zeros: 0, total: 0 });
        acc.zeros += c.zeros; acc.total += c.total;
      }
      if (L.ffnTokens === 0 || !this.gateThresholded) continue;
      for (let i = 0; i < L.gateZeros.length; i++) {
        const f = L.gateZeros[i] / L.ffnTokens;
        zeros += L.gateZeros[i];
        cMin = Math.min(cMin, f); cMax = Math.max(cMax, f);
      }
      cells += L.ffnTokens * L.gateZeros.length;
    }
    const inputSparsity: Partial<Record<ProjectionInput, number>> = {};
    for (const [p, c] of Object.entries(inputs) as [ProjectionInput, { zeros: number; total: number }][]) {
      inputSparsity[p] = c.total > 0 ? c.zeros / c.total : NaN;
    }
    return {
      gateSparsity: cells > 0 ? zeros / cells : NaN,
      channelSparsityMin: cells > 0 ? cMin : NaN,
      channelSparsityMax: cells > 0 ? cMax : NaN,
      inputSparsity,
      weightsStreamed: dense > 0 ? read / dense : NaN,
    };
  }
}

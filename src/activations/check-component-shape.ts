/** The model a sparsity component is bound to must be the one its thresholds were calibrated on. */
import { badArgument } from '../core/errors.js';
import type { ModelShape } from '../llama/components.js';
import type { ActivationThresholds } from './thresholds.js';

export function checkComponentShape(th: ActivationThresholds, shape: ModelShape): void {
  const m = th.metadata;
  if (m.nLayers !== shape.nLayers || m.dim !== shape.dim || m.hiddenDim !== shape.hiddenDim) {
    throw badArgument(`thresholds are for nLayers ${m.nLayers}, dim ${m.dim}, hiddenDim ${m.hiddenDim}; `
      + `the model has ${shape.nLayers}, ${shape.dim}, ${shape.hiddenDim}`);
  }
}

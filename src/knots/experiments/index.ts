/** The registry of knot experiments (`sparse-inference knots experiment NAME`). */
import { badArgument } from '../../core/errors.js';
import { describe } from '../../core/validate.js';
import { diMatteoExperiment, donohoJohnstoneExperiment } from './classic-curves.js';
import { curveFittingExperiment } from './curve-fitting.js';
import type { Experiment } from './experiment-types.js';
import { glmKnotsExperiment } from './glm-knots.js';
import { knotCountExperiment } from './knot-count.js';
import { knotLocationExperiment } from './knot-location.js';
import { spiralExperiment, swissRollExperiment } from './manifold-denoising.js';
import { mcycleExperiment, tricepsExperiment } from './real-data.js';
import { surfaceFittingExperiment } from './surface-fitting.js';

export type { Experiment, ExperimentOptions, ExperimentResult } from './experiment-types.js';

export const KNOT_EXPERIMENTS: readonly Experiment[] = [
  knotLocationExperiment, knotCountExperiment, curveFittingExperiment, surfaceFittingExperiment,
  spiralExperiment, swissRollExperiment, tricepsExperiment, glmKnotsExperiment, mcycleExperiment,
  diMatteoExperiment, donohoJohnstoneExperiment,
];

/** Look an experiment up by name (undefined when unknown). */
export function findKnotExperiment(name: string): Experiment | undefined {
  if (typeof name !== 'string') throw badArgument(`name must be an experiment name (a string), got ${describe(name)}`);
  return KNOT_EXPERIMENTS.find((e) => e.name === name);
}

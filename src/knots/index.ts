/**
 * `sparse-inference/knots`: Bayesian knot inference for (multivariate) spline regression
 * (He, Yang & Kang, arXiv 2405.13353).
 */
export { fitKnots, KnotFit, type KnotFitOptions, type CurveSummary, type Diagnostics, type FitTiming } from './fit-knots.js';
export { convergenceWarnings, RHAT_LIMIT, ESS_LIMIT } from './convergence.js';
export { bsplineBasis, bsplineKnotVector, bsplineRows, sparseToDense, type BsplineOptions, type SparseDesign } from './bspline-basis.js';
export { bsplineDerivatives } from './bspline-derivatives.js';
export { naturalSplineBasis, type NaturalSplineOptions } from './natural-spline.js';
export { tensorBasis } from './tensor-basis.js';
export { runChain, runChainAsync, MOVE_BIRTH, MOVE_DEATH, MOVE_RELOCATE, MOVE_NULL, MOVE_PAIR, MOVE_TWIN_BIRTH, MOVE_TWIN_DEATH, MOVE_NEIGHBOUR_BIRTH, MOVE_NEIGHBOUR_DEATH, MOVE_MODE_JUMP, type ChainProblem, type ChainRecord, type ChainRunOptions } from './rjmcmc-chain.js';
export type { PairMoveOptions } from './chain/pair-move.js';
export type { NeighbourMoveOptions } from './chain/neighbour-move.js';
export { runChains, chainSeeds, type RunChainsOptions } from './run-chains.js';
export { exactKnotPosterior, type ExactKnotPosterior } from './exact-posterior.js';
export { birthProbability, deathProbability, logPriorRatio, type MoveScheme } from './move-probabilities.js';
export { GaussianMarginal, type MarginalVariant, type GaussianFitState } from './gaussian-marginal.js';
export { GlmEbic, type GlmFamily, type GlmFitState } from './glm-ebic.js';
export { splitRhat, effectiveSampleSize } from './mcmc-diagnostics.js';
export { kPosterior, kMode, knotDensity, sortedKnotSummary, KNOT_QUANTILE_LEVELS, type SortedKnotSummary } from './posterior-summary.js';
export { drawCurves, evaluateDraws, type CurveDraw } from './posterior-draws.js';
export { parseNumericCsv, type NumericTable } from './read-csv.js';
export { plotCurveFit, plotSurfaceFit } from './plot-fit.js';
export { KNOT_CASES, knotCaseTruth, knotCaseData, type KnotCase } from './generators/knot-cases.js';
export { CURVE_NAMES, CURVE_SIGMA, curveTruth, curveData, trimmedMse, type CurveName } from './generators/curves.js';
export { surfaceTruth, surfaceData, SURFACE_SIGMA, type SurfaceId } from './generators/surfaces.js';
export { diMatteoTruth, diMatteoData, type DiMatteoExample } from './generators/dimatteo.js';
export { DJ_SIGNALS, djRaw, djData, type DonohoJohnstoneSignal } from './generators/donoho-johnstone.js';
export { MCYCLE_TIMES, MCYCLE_ACCEL } from './data/mcycle.js';
export { denoiseManifold, type DenoiseOptions, type DenoiseResult } from './manifold/denoise-manifold.js';
export { pcaEmbedding } from './manifold/pca-embedding.js';
export { isomapEmbedding, knnGraph, type IsomapOptions } from './manifold/isomap-embedding.js';
export { spiralData, swissRollData, spiralDistance2, swissRollDistance2, meanSquaredDistance } from './manifold/manifold-generators.js';
export { KNOT_EXPERIMENTS, findKnotExperiment, type Experiment, type ExperimentOptions, type ExperimentResult } from './experiments/index.js';

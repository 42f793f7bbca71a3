/**
 * `sparse-inference/activations`: activation sparsity for SwiGLU FFNs — CHESS (He et al., EMNLP 2024,
 * arXiv 2409.01366) with the CATS and TEAL baselines. Saving and loading thresholds files is in
 * `sparse-inference/node`.
 */
export { ActivationCollector, type CollectorShape, type CollectorOptions } from './activation-collector.js';
export { ActivationStatistics, MAGNITUDE_TENSORS, type MagnitudeTensor, type ChessVariant } from './activation-statistics.js';
export { QuantileSketch, type QuantileSketchOptions } from './quantile-sketch.js';
export { ExactPool, SketchPool, type MagnitudePool, type QuantileMode } from './magnitude-pool.js';
export { thresholdRank } from './order-statistic.js';
export { calibrateModel, calibrateOnSequences, calibrationSequences, type CalibrateModelOptions } from './calibrate-model.js';
export { corpusCalibrationSequences, type CalibrationDocument, type CorpusCalibrationOptions } from './corpus-calibration.js';
export {
  evaluateCorpusSparsity, CORPUS_METHODS, type CorpusEvalOptions, type CorpusEvalResult, type CorpusEvalRow, type LastWordRow, type EvaluationDocument,
} from './evaluate-corpus.js';
export { compareMethods, METHOD_COMPARISONS, type MethodComparison } from './compare-methods.js';
export { catsThresholds } from './cats-thresholds.js';
export { chessThresholds } from './chess-thresholds.js';
export { tealThresholds, PROJECTION_INPUT_TENSOR, type ProjectionSparsities } from './teal-thresholds.js';
export { tealGreedyAllocation, projectionWeights, type TealGreedyOptions, type TealGreedyResult } from './teal-greedy.js';
export {
  PROJECTION_INPUTS, type ThresholdMethod, type ProjectionInput, type LayerThresholds, type ThresholdMetadata,
  type ActivationThresholds,
} from './thresholds.js';
export { serializeThresholds, parseThresholds, validateThresholds, THRESHOLDS_FORMAT } from './thresholds-file.js';
export {
  denseSwiGlu, gatedSparseSwiGlu, tealSparseSwiGlu, silu, type TealScratch, type GateThresholds,
  type TealThresholdSet, type TealZeros,
} from './sparse-swiglu.js';
export {
  installActivationSparsity, sparsityStrategyName, type InstallSparsityOptions, type SparsityInstallation,
  type LayerWeightBytes,
} from './install-sparsity.js';
export { SparsityCounters, type LayerCounters, type SparsitySummary } from './sparsity-counters.js';
// components the llama model hosts (model.use({ ffn, projections }))
export { GatedFfn, ChessFfn, CatsFfn, type GatedFfnOptions } from './gated-ffn.js';
export { TealFfn } from './teal-ffn.js';
export { SparseProjection, type SparseProjectionOptions } from './sparse-projection.js';
export { sparsityComponents, type SparsityComponents } from './sparsity-components.js';
export { createSyntheticSwiGlu, type SyntheticSwiGlu, type SyntheticSwiGluOptions } from './synthetic-swiglu.js';
export {
  evaluateSyntheticSwiGlu, SYNTHETIC_METHODS, type SyntheticMethod, type SyntheticRow, type SyntheticEvalOptions,
  type SyntheticEvalResult,
} from './evaluate-synthetic.js';
export {
  evaluateModelSparsity, splitCalibrationText, type ModelEvalOptions, type ModelEvalRow, type ModelEvalResult,
} from './evaluate-model.js';
export { syntheticErrorChart, modelNllChart, corpusPplChart, corpusDeltaNllChart } from './plots.js';

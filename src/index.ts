// sparse-inference: public API, grouped by family.

// core
export { SparseInferenceError, type ErrorCode } from './core/errors.js';
export { Rng } from './core/rng.js';
export {
  cholesky, solveLower, solveUpper, solveLowerT, choleskySolve, logDetFromCholesky, inverseLower,
  leastSquares, DEFAULT_MAX_CONDITION, matmul, transpose, gram,
} from './core/linalg/index.js';
export type {
  CholeskyOptions, CholeskyResult, JitterOptions, LeastSquaresOptions, LeastSquaresResult,
} from './core/linalg/index.js';
export {
  denseToBanded, bandedToDense, bandedMatVec, bandedCholesky, bandedSolve, bandedSolveLower,
  bandedSolveLowerT, bandedLogDet, bandedNormalEquations, sparseRowsRss,
} from './core/banded/index.js';
export type { BandedCholeskyResult, BandedNormalEquations, NormalEquationsOptions } from './core/banded/index.js';
export {
  quantile, quantiles, median, mean, variance, logSumExp, logGamma, logChoose,
} from './core/stats/index.js';
export type { QuantileMethod, QuantileOptions, VarianceOptions } from './core/stats/index.js';

// kernels and backends
export type { Kernels, KernelFunctions, KernelName, BackendName, RopePairing, ResidentArray } from './kernels/kernels.js';
export { KERNEL_NAMES } from './kernels/kernels.js';
export { packedGemvLength } from './kernels/packed-gemv-length.js';
export { createKernels, describeBackends, type CreateKernelsOptions, type BackendReport } from './kernels/create.js';
export { wasmSupport } from './backends/wasm/loader.js';
// asynchronous kernels (WebGPU, or any CPU backend through the async adapter)
export { createAsyncKernels, type CreateAsyncKernelsOptions } from './kernels/create-async.js';
export { toAsyncKernels, isAsyncKernels, hostResident } from './kernels/async-kernels.js';
export type { AsyncKernels, AsyncKernelFunctions, DeviceArray, F32Arg, I32Arg } from './kernels/async-kernels.js';
// multi-core: the wasm SIMD kernels on several threads over one shared memory (docs/parallel.md)
export { createParallelKernels, type CreateParallelKernelsOptions, type ParallelKernels } from './backends/wasm-threads/create-parallel-kernels.js';
export { parallelMissing } from './backends/wasm-threads/parallel-support.js';
export type { PoolStats } from './backends/wasm-threads/thread-pool.js';
export { settle, driveSync, driveAsync, type Step } from './kernels/maybe-async.js';

// benchmarks: the harness and the shipped suites (`sparse-inference bench`)
export { runSuite, formatTable, writeResult, sink, detectRuntime } from './bench/harness.js';
export type {
  BenchTask, RatioSpec, TaskResult, RatioResult, SuiteResult, SuiteOptions, Suite, RunOptions, Clock,
} from './bench/harness.js';
export { suites } from './bench/suites/index.js';

// plots and reports (pure SVG/HTML strings; writeSvg/writeReport need a file system)
export { lineChart, stackCharts, barChart, heatMap, htmlTable, writeSvg, PALETTE, viridis } from './plot/index.js';
export type { Series, Band, ChartOptions, BarChartOptions, HeatMapOptions } from './plot/index.js';
export { describeEnvironment, type EnvironmentReport } from './report/environment.js';
export { renderReport, type ReportMeta } from './report/html.js';
export type { ReportSection, SectionContext, SectionBuilder } from './report/section.js';

// llama: a Llama runtime on the Kernels interface (llama2.c and Hugging Face checkpoints)
export { LlamaModel, type WeightFiller, type PrefillOptions } from './llama/model.js';
export type {
  LlamaConfig, LayerWeights, LayerKvCache, AttentionContext, AttentionStrategy, FfnContext, FfnStrategy,
  ProjectionName, ProjectionContext, ProjectionStrategy, LayerStrategies, ActivationKind, ActivationCapture,
} from './llama/hooks.js';
export { ACTIVATION_KINDS } from './llama/hooks.js';
export { makeConfig, parameterCount, type LlamaShape } from './llama/config.js';
export { ExactAttention } from './llama/exact-attention.js';
export { loadLlama2c, parseLlama2cHeader, type LoadOptions, type Llama2cHeader } from './llama/load-llama2c.js';
export { loadSafetensors, type SafetensorsInput, type SafetensorsLoadOptions } from './llama/load-safetensors.js';
export { parseSafetensors, SAFETENSORS_DTYPES, type SafetensorsFile, type SafetensorsTensor } from './llama/safetensors.js';
export { writeSafetensors, type TensorToWrite } from './llama/write-safetensors.js';
export { parseHfConfig, toHfConfig, type HfConfigOptions } from './llama/hf-config.js';
export { hfTensorName } from './llama/hf-tensor-names.js';
export { toHfCheckpoint, permuteForHalfRope, type ToHfOptions } from './llama/convert-to-hf.js';
export { bf16ToF32, f32ToBf16, f16ToF32, f32ToF16 } from './llama/float-formats.js';
export { Tokenizer, loadTokenizer, BOS, EOS, type EncodeOptions, type LoadTokenizerOptions } from './llama/tokenizer.js';
export { Sampler, argmax, type SamplerOptions } from './llama/sampler.js';
export { generate, type GenerateOptions, type GenerateResult } from './llama/generate.js';
export { evaluateNll, tokenNll, type EvaluateOptions, type EvaluateResult } from './llama/evaluate-nll.js';
export { splitStories, STORY_SEPARATOR } from './llama/split-stories.js';
export { randomLlama, type RandomLlamaOptions } from './llama/random-llama.js';
export { WeightLayout, LAYER_TENSORS, type TensorSlot, type LayerTensorName } from './llama/weight-layout.js';

// activations: activation sparsity for SwiGLU FFNs — CHESS (He et al., EMNLP 2024, arXiv 2409.01366), CATS, TEAL
export { ActivationCollector, type CollectorShape, type CollectorOptions } from './activations/activation-collector.js';
export { ActivationStatistics, MAGNITUDE_TENSORS, type MagnitudeTensor, type ChessVariant } from './activations/activation-statistics.js';
export { QuantileSketch, type QuantileSketchOptions } from './activations/quantile-sketch.js';
export { ExactPool, SketchPool, type MagnitudePool, type QuantileMode } from './activations/magnitude-pool.js';
export { thresholdRank } from './activations/order-statistic.js';
export { calibrateModel, calibrationSequences, type CalibrateModelOptions } from './activations/calibrate-model.js';
export { catsThresholds } from './activations/cats-thresholds.js';
export { chessThresholds } from './activations/chess-thresholds.js';
export { tealThresholds, PROJECTION_INPUT_TENSOR, type ProjectionSparsities } from './activations/teal-thresholds.js';
export { tealGreedyAllocation, projectionWeights, type TealGreedyOptions, type TealGreedyResult } from './activations/teal-greedy.js';
export {
  PROJECTION_INPUTS, type ThresholdMethod, type ProjectionInput, type LayerThresholds, type ThresholdMetadata,
  type ActivationThresholds,
} from './activations/thresholds.js';
export { serializeThresholds, parseThresholds, validateThresholds, THRESHOLDS_FORMAT } from './activations/thresholds-file.js';
export { saveThresholds, loadThresholds } from './activations/thresholds-node.js';
export { denseSwiGlu, gatedSparseSwiGlu, tealSparseSwiGlu, thresholdInto, silu, type TealScratch } from './activations/sparse-swiglu.js';
export { denseSwiGluAsync, gatedSparseSwiGluAsync, tealSparseSwiGluAsync, type GateThresholds, type TealScratchArgs, type TealThresholdSet, type TealZeros } from './activations/sparse-swiglu.js';
export {
  installActivationSparsity, sparsityStrategyName, type InstallSparsityOptions, type SparsityInstallation,
  type LayerWeightBytes, type WeightLayoutMode,
} from './activations/install-sparsity.js';
export { SparsityCounters, type LayerCounters, type SparsitySummary } from './activations/sparsity-counters.js';
export { createSyntheticSwiGlu, type SyntheticSwiGlu, type SyntheticSwiGluOptions } from './activations/synthetic-swiglu.js';
export {
  evaluateSyntheticSwiGlu, SYNTHETIC_METHODS, type SyntheticMethod, type SyntheticRow, type SyntheticEvalOptions,
  type SyntheticEvalResult,
} from './activations/evaluate-synthetic.js';
export {
  evaluateModelSparsity, splitCalibrationText, type ModelEvalOptions, type ModelEvalRow, type ModelEvalResult,
} from './activations/evaluate-model.js';
export { syntheticErrorChart, modelNllChart } from './activations/plots.js';

// knots: Bayesian knot inference for (multivariate) spline regression (He, Yang & Kang, arXiv 2405.13353)
export { fitKnots, KnotFit, type KnotFitOptions, type CurveSummary, type Diagnostics } from './knots/fit-knots.js';
export { bsplineBasis, bsplineKnotVector, bsplineRows, sparseToDense, type BsplineOptions, type SparseDesign } from './knots/bspline-basis.js';
export { bsplineDerivatives } from './knots/bspline-derivatives.js';
export { naturalSplineBasis, type NaturalSplineOptions } from './knots/natural-spline.js';
export { tensorBasis } from './knots/tensor-basis.js';
export { runChain, MOVE_BIRTH, MOVE_DEATH, MOVE_RELOCATE, MOVE_NULL, type ChainProblem, type ChainRecord, type ChainRunOptions } from './knots/rjmcmc-chain.js';
export { runChains, chainSeeds, type RunChainsOptions } from './knots/run-chains.js';
export { exactKnotPosterior, type ExactKnotPosterior } from './knots/exact-posterior.js';
export { birthProbability, deathProbability } from './knots/move-probabilities.js';
export { GaussianMarginal, type MarginalVariant, type GaussianFitState } from './knots/gaussian-marginal.js';
export { GlmEbic, type GlmFamily, type GlmFitState } from './knots/glm-ebic.js';
export { splitRhat, effectiveSampleSize } from './knots/mcmc-diagnostics.js';
export { kPosterior, kMode, knotDensity, sortedKnotSummary, KNOT_QUANTILE_LEVELS, type SortedKnotSummary } from './knots/posterior-summary.js';
export { drawCurves, evaluateDraws, type CurveDraw } from './knots/posterior-draws.js';
export { parseNumericCsv, type NumericTable } from './knots/read-csv.js';
export { plotCurveFit, plotSurfaceFit } from './knots/plot-fit.js';
export { KNOT_CASES, knotCaseTruth, knotCaseData, type KnotCase } from './knots/generators/knot-cases.js';
export { CURVE_NAMES, CURVE_SIGMA, curveTruth, curveData, trimmedMse, type CurveName } from './knots/generators/curves.js';
export { surfaceTruth, surfaceData, SURFACE_SIGMA, type SurfaceId } from './knots/generators/surfaces.js';
export { diMatteoTruth, diMatteoData, type DiMatteoExample } from './knots/generators/dimatteo.js';
export { DJ_SIGNALS, djRaw, djData, type DonohoJohnstoneSignal } from './knots/generators/donoho-johnstone.js';
export { MCYCLE_TIMES, MCYCLE_ACCEL } from './knots/data/mcycle.js';
export { denoiseManifold, type DenoiseOptions, type DenoiseResult } from './knots/manifold/denoise-manifold.js';
export { pcaEmbedding } from './knots/manifold/pca-embedding.js';
export { isomapEmbedding, knnGraph, type IsomapOptions } from './knots/manifold/isomap-embedding.js';
export { spiralData, swissRollData, spiralDistance2, swissRollDistance2, meanSquaredDistance } from './knots/manifold/manifold-generators.js';
export { KNOT_EXPERIMENTS, findKnotExperiment, type Experiment, type ExperimentOptions, type ExperimentResult } from './knots/experiments/index.js';

// kvcache: A²ATS retrieval-based KV-cache reduction — windowed RoPE + query-aware VQ (He et al., arXiv 2502.12665)
export { DEFAULT_WROPE, checkWRope, rotateToDistance, wropeScore, type WRopeConfig } from './kvcache/wrope.js';
export { splitNearFar, type NearFarSplit } from './kvcache/near-far.js';
export { QueryMoment, metricFactor, type MetricFactor } from './kvcache/query-metric.js';
export { kmeans, kmeansSync, objective as kmeansObjective, type KMeansOptions, type KMeansResult } from './kvcache/kmeans.js';
export { lloydStep, lloydUpdate, lloydIteration, type LloydStepResult } from './kvcache/lloyd-step.js';
export { Codebook, ResidentCodebook } from './kvcache/codebook.js';
export { trainCodebook, type TrainCodebookOptions, type TrainedCodebook } from './kvcache/train-codebook.js';
export { CodebookSet, type CodebookSetInfo, type CodebookKind } from './kvcache/codebook-set.js';
export { readCodebookFile, writeCodebookFile, CODEBOOK_FORMAT, CODEBOOK_FORMAT_VERSION } from './kvcache/codebook-file.js';
export { KvCalibration, type CalibrationShape, type CalibrationTrainOptions } from './kvcache/calibration.js';
export { checkBudget, budgetTokens, type Budget } from './kvcache/budget.js';
export { FarSelector } from './kvcache/select-far.js';
export { KvStore, type KvStoreShape, type HeadKeys } from './kvcache/kv-store.js';
export type { RetrievalMethod, GroupQuery } from './kvcache/retrieval-method.js';
export type { ScoreBuffer } from './kvcache/retrieval-method.js';
export { interleave, settleAll } from './kernels/maybe-async.js';
export { Retrieval, type RetrievalOptions, type Selection } from './kvcache/retrieval.js';
export { attendSelected } from './kvcache/sparse-attention.js';
export { FullAttention } from './kvcache/methods/full-attention.js';
export { OracleTopK } from './kvcache/methods/oracle.js';
export { VqRetrieval, type VqRetrievalOptions } from './kvcache/methods/vq-retrieval.js';
export { Quest } from './kvcache/methods/quest.js';
export { PqCache, type PqCacheOptions } from './kvcache/methods/pqcache.js';
export { ExactReference, stepMetrics, summarize, type StepMetrics, type ExactHeadAttention } from './kvcache/metrics.js';
export { TwoTierKvCache, type TwoTierOptions, type DecodeStats } from './kvcache/two-tier/two-tier-cache.js';
export { InThreadSlowTier, type SlowTier, type SlowTierShape, type SlowTierRequest } from './kvcache/two-tier/slow-tier.js';
export { FastTier, type FastTierOptions } from './kvcache/two-tier/fast-tier.js';
export { GatherSlowTier } from './kvcache/two-tier/gather-slow-tier.js';
export { DeviceSlowTier } from './kvcache/two-tier/device-slow-tier.js';
export {
  predictThroughput, baselineStep, a2atsStep, LLAMA31_8B, A100_HOST, PAPER_WORKLOAD,
  type ThroughputModelShape, type TierSpec, type A2atsWorkload, type ThroughputPrediction, type ThroughputPoint,
} from './kvcache/throughput-model.js';
export { RetrievalAttention, type RetrievalAttentionOptions, type ProbeInfo } from './kvcache/llama-attention.js';
export { SyntheticAttention, type SyntheticSequence } from './kvcache/synthetic/generator.js';
export { syntheticConfig, DEFAULT_SYNTHETIC, type SyntheticConfig } from './kvcache/synthetic/config.js';
export {
  evaluateSynthetic, calibrateSynthetic, type SyntheticEvalOptions as KvSyntheticEvalOptions,
  type SyntheticEvalResult as KvSyntheticEvalResult,
} from './kvcache/eval/synthetic-eval.js';
export { evaluateLlama, calibrateLlama, type LlamaEvalOptions, type LlamaEvalResult } from './kvcache/eval/llama-eval.js';
export { runAblations, defaultAblations, type AblationVariant, type AblationRow } from './kvcache/eval/ablations.js';
export { createMethod, METHOD_NAMES, type MethodName } from './kvcache/eval/methods.js';
export type { EvalRow } from './kvcache/eval/eval-row.js';
export { evalHtmlTable, evalMarkdownTable, evalTextTable, metricChart } from './kvcache/eval/format.js';
export { WRopeExact } from './kvcache/methods/wrope-exact.js';

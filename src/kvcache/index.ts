/**
 * `sparse-inference/kvcache`: A²ATS retrieval-based KV-cache reduction — windowed RoPE and
 * query-aware vector quantization (He et al., Findings of ACL 2025, arXiv 2502.12665) — with the
 * Quest, PQCache, plain VQ, oracle and full-attention baselines.
 */
export { DEFAULT_WROPE, checkWRope, rotateToDistance, wropeScore, type WRopeConfig } from './wrope.js';
export { splitNearFar, type NearFarSplit } from './near-far.js';
export { QueryMoment, metricFactor, type MetricFactor } from './query-metric.js';
export { kmeans, objective as kmeansObjective, type KMeansOptions, type KMeansResult } from './kmeans.js';
export { lloydStep, lloydUpdate, lloydIteration, type AssignOptions, type LloydStepResult } from './lloyd-step.js';
export { Codebook, ResidentCodebook } from './codebook.js';
export { trainCodebook, type TrainCodebookOptions, type TrainedCodebook } from './train-codebook.js';
export { CodebookSet, type CodebookSetInfo, type CodebookKind } from './codebook-set.js';
export { readCodebookFile, writeCodebookFile, CODEBOOK_FORMAT, CODEBOOK_FORMAT_VERSION } from './codebook-file.js';
export { KvCalibration, type CalibrationShape, type CalibrationTrainOptions } from './calibration.js';
export { checkBudget, budgetTokens, type Budget } from './budget.js';
export { FarSelector } from './select-far.js';
export { KvStore, type KvStoreShape, type HeadKeys } from './kv-store.js';
export type { RetrievalMethod, GroupQuery } from './retrieval-method.js';
export type { ScoreBuffer } from './retrieval-method.js';
export { Retrieval, type RetrievalOptions, type Selection, type SelectOptions } from './retrieval.js';
export { attendSelected } from './sparse-attention.js';
export { FullAttention } from './methods/full-attention.js';
export { OracleTopK } from './methods/oracle.js';
export { VqRetrieval, type VqRetrievalOptions } from './methods/vq-retrieval.js';
export { Quest } from './methods/quest.js';
export { PqCache, type PqCacheOptions } from './methods/pqcache.js';
export { ExactReference, stepMetrics, summarize, type StepMetrics, type ExactHeadAttention } from './metrics.js';
export { TwoTierKvCache, type TwoTierOptions, type DecodeStats } from './two-tier/two-tier-cache.js';
export { TwoTierKvCacheComponent, type TwoTierKvCacheOptions } from './two-tier/two-tier-kv-cache.js';
export { InThreadSlowTier, type SlowTier, type SlowTierShape, type SlowTierRequest } from './two-tier/slow-tier.js';
export { FastTier, type FastTierOptions } from './two-tier/fast-tier.js';
export { GatherSlowTier } from './two-tier/gather-slow-tier.js';
export { DeviceSlowTier } from './two-tier/device-slow-tier.js';
export {
  predictThroughput, baselineStep, a2atsStep, LLAMA31_8B, A100_HOST, PAPER_WORKLOAD,
  type ThroughputModelShape, type TierSpec, type A2atsWorkload, type ThroughputPrediction, type ThroughputPoint,
} from './throughput-model.js';
export { RetrievalKvCache, type RetrievalKvCacheOptions, type KvProbeInfo } from './retrieval-kv-cache.js';
export { SyntheticAttention, type SyntheticSequence } from './synthetic/generator.js';
export { syntheticConfig, DEFAULT_SYNTHETIC, type SyntheticConfig } from './synthetic/config.js';
export {
  evaluateSynthetic, calibrateSynthetic, type SyntheticEvalOptions as KvSyntheticEvalOptions,
  type SyntheticEvalResult as KvSyntheticEvalResult,
} from './eval/synthetic-eval.js';
export { evaluateLlama, calibrateLlama, type LlamaEvalOptions, type LlamaEvalResult } from './eval/llama-eval.js';
export { calibrateOnDocuments, captureDocuments, trainCodebookKinds, type DocumentCalibrationOptions, type DocumentCalibrationResult, type DocumentCapture } from './eval/calibrate-documents.js';
export {
  evaluateDecode, densePrefill, DECODE_EVAL_METHODS, type DecodeEvalMethod, type DecodeEvalOptions, type RetrievalSettings, type DecodeEvalResult,
  type DecodeCell, type DecodeEvalDocument,
} from './eval/decode-eval.js';
export { evaluatePasskey, type PasskeyEvalOptions, type PasskeyTrial } from './eval/passkey-eval.js';
export { runAblations, defaultAblations, type AblationVariant, type AblationRow } from './eval/ablations.js';
export { createMethod, METHOD_NAMES, type MethodName } from './eval/methods.js';
export type { EvalRow } from './eval/eval-row.js';
export { evalHtmlTable, evalMarkdownTable, evalTextTable, metricChart } from './eval/format.js';
export { WRopeExact } from './methods/wrope-exact.js';

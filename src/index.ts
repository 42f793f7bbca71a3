// sparse-inference: the public API. Each family also has its own entry point
// (sparse-inference/kvcache, /activations, /knots, /llama, /plot); Node-only helpers that read
// and write files are in sparse-inference/node. Nothing here imports a Node module at load time.

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
  bootstrapMean, bootstrapPairedDifference,
} from './core/stats/index.js';
export type { QuantileMethod, QuantileOptions, VarianceOptions, BootstrapOptions, BootstrapInterval } from './core/stats/index.js';

// kernels and backends
export type {
  Kernels, CpuKernels, KernelMethods, CpuKernelMethods, Awaitable, KernelFunctions, KernelName, BackendName, RopePairing,
  DeviceArray, ResidentArray, F32Arg, I32Arg,
} from './kernels/kernels.js';
export { isCpuKernels } from './kernels/check-kernels.js';
export { KERNEL_NAMES } from './kernels/kernels.js';
export { packedGemvLength } from './kernels/packed-gemv-length.js';
export { createKernels, type CreateKernelsOptions, type CreateCpuKernelsOptions } from './backends/create-kernels.js';
export { describeBackends, type BackendReport } from './backends/describe-backends.js';
export { wasmSupport } from './backends/wasm/loader.js';
// multi-core: the wasm SIMD kernels on several threads over one shared memory (docs/parallel.md)
export { createParallelKernels, type CreateParallelKernelsOptions, type ParallelKernels } from './backends/wasm-threads/create-parallel-kernels.js';
export { parallelMissing } from './backends/wasm-threads/parallel-support.js';
export type { PoolStats } from './backends/wasm-threads/thread-pool.js';

// plots and reports (pure SVG/HTML strings; writing files is in sparse-inference/node)
export { lineChart, stackCharts, barChart, heatMap, htmlTable, writeSvg, PALETTE, viridis } from './plot/index.js';
export type { Series, Band, ChartOptions, BarChartOptions, HeatMapOptions } from './plot/index.js';
export { describeEnvironment, type EnvironmentReport } from './report/environment.js';
export { renderReport, type ReportMeta } from './report/html.js';
export type { ReportSection, SectionContext, SectionBuilder } from './report/section.js';

export * from './llama/index.js';
export * from './activations/index.js';
export * from './knots/index.js';
export * from './kvcache/index.js';

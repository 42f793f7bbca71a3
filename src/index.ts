// sparse-inference: public API, grouped by family.

// core
export { SparseInferenceError, type ErrorCode } from './core/errors.js';
export { Rng } from './core/rng.js';

// kernels and backends
export type { Kernels, KernelFunctions, KernelName, BackendName, RopePairing, ResidentArray } from './kernels/kernels.js';
export { KERNEL_NAMES } from './kernels/kernels.js';
export { createKernels, describeBackends, type CreateKernelsOptions, type BackendReport } from './kernels/create.js';
export { wasmSupport } from './backends/wasm/loader.js';

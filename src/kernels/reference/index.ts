/**
 * The kernel registry: every kernel's descriptor (its arguments, roles, lengths and checks, next
 * to its reference loop in ./<kernel>.ts). The reference backend, the shared shape checks, the
 * output lists, the wasm and webgpu bindings' argument tables and the differential tests are all
 * derived from this one table. The mapped type makes a missing or misnamed entry a `tsc` error.
 */
import type { KernelFunctions, KernelName } from '../kernels.js';
import type { AnyKernelDescriptor, KernelDescriptor, WorkSplit } from '../define-kernel.js';
import { dotKernel } from './dot.js';
import { sumKernel } from './sum.js';
import { axpyKernel } from './axpy.js';
import { gemvKernel } from './gemv.js';
import { gemvTKernel } from './gemv-t.js';
import { spvmmKernel } from './spvmm.js';
import { vmmspKernel } from './vmmsp.js';
import { l2sqrBatchKernel } from './l2sqr-batch.js';
import { argminL2Kernel } from './argmin-l2.js';
import { topKKernel } from './top-k.js';
import { argmaxKernel } from './argmax.js'; // llama: greedy decoding
import { softmaxKernel } from './softmax.js';
import { rmsnormKernel } from './rmsnorm.js';
import { ropeKernel } from './rope.js';
import { lutGatherKernel } from './lut-gather.js'; // kvcache
import { topKSelectKernel } from './top-k-select.js'; // kvcache
import { topKSelectRowsKernel } from './top-k-select-rows.js'; // kvcache
import { selectiveAttentionKernel } from './selective-attention.js'; // kvcache
import { selectiveAttentionHeadsKernel } from './selective-attention-heads.js'; // llama / kvcache
import { causalAttentionKernel } from './causal-attention.js'; // llama prefill
import { causalAttentionF16Kernel } from './causal-attention-f16.js'; // llama: f16 KV cache
import { packF16Kernel } from './pack-f16.js'; // llama: f16 KV cache
import { bsplineBasisKernel } from './bspline-basis.js'; // knots
import { bandedGramKernel } from './banded-gram.js'; // knots
import { swigluKernel } from './swiglu.js';
import { siluKernel } from './silu.js'; // llama / activations
import { siluThresholdKernel } from './silu-threshold.js'; // activations
import { thresholdKernel } from './threshold.js'; // activations
import { siluMulThresholdKernel } from './silu-mul-threshold.js'; // activations
import { packGemvKernel } from './pack-gemv.js';
import { gemvPackedKernel } from './gemv-packed.js';
import { decoderLayerKernel } from './decoder-layer.js'; // llama
import { gemvQ4_1Kernel } from './gemv-q4-1.js'; // llama (GGUF)
import { gemvQ8_0Kernel } from './gemv-q8-0.js'; // llama (GGUF)
import { gemmKernel } from './gemm.js'; // llama prefill
import { gemmQ4_1Kernel, gemmQ8_0Kernel } from './gemm-quantized.js'; // llama prefill (GGUF)
import { quantizeQ8_1Kernel } from './quantize-q8-1.js'; // llama: int8 activations
import { gemvQ4_1Q8_1Kernel, gemvQ8_0Q8_1Kernel } from './gemv-q8-1.js'; // llama: int8 activations
import { gemmQ4_1Q8_1Kernel, gemmQ8_0Q8_1Kernel } from './gemm-q8-1.js'; // llama: int8 activations

/** Every kernel's descriptor, by name; the order is the order of KERNEL_NAMES. */
const REGISTRY = {
  dot: dotKernel, axpy: axpyKernel, gemv: gemvKernel, gemvT: gemvTKernel, l2sqrBatch: l2sqrBatchKernel,
  argminL2: argminL2Kernel, topK: topKKernel, argmax: argmaxKernel, softmax: softmaxKernel, rmsnorm: rmsnormKernel, rope: ropeKernel,
  sum: sumKernel,
  spvmm: spvmmKernel, vmmsp: vmmspKernel,
  lutGather: lutGatherKernel, topKSelect: topKSelectKernel, selectiveAttention: selectiveAttentionKernel, // kvcache
  topKSelectRows: topKSelectRowsKernel, // kvcache
  selectiveAttentionHeads: selectiveAttentionHeadsKernel, // llama / kvcache
  causalAttention: causalAttentionKernel, // llama prefill
  causalAttentionF16: causalAttentionF16Kernel, packF16: packF16Kernel, // llama: f16 KV cache
  bsplineBasis: bsplineBasisKernel, bandedGram: bandedGramKernel, // knots
  swiglu: swigluKernel, silu: siluKernel, // llama / activations
  siluThreshold: siluThresholdKernel, threshold: thresholdKernel, siluMulThreshold: siluMulThresholdKernel, // activations
  packGemv: packGemvKernel, gemvPacked: gemvPackedKernel,
  decoderLayer: decoderLayerKernel, // llama
  gemvQ4_1: gemvQ4_1Kernel, gemvQ8_0: gemvQ8_0Kernel, // llama (GGUF)
  gemm: gemmKernel, gemmQ4_1: gemmQ4_1Kernel, gemmQ8_0: gemmQ8_0Kernel, // llama prefill
  quantizeQ8_1: quantizeQ8_1Kernel, gemvQ4_1Q8_1: gemvQ4_1Q8_1Kernel, gemvQ8_0Q8_1: gemvQ8_0Q8_1Kernel, // llama: int8 activations
  gemmQ4_1Q8_1: gemmQ4_1Q8_1Kernel, gemmQ8_0Q8_1: gemmQ8_0Q8_1Kernel,
};

/**
 * The registry: the kernel names and signatures everything else is typed by (KernelFunctions,
 * KernelName). The annotation makes an entry under another name than its descriptor's a `tsc` error.
 */
export const KERNELS: {
  readonly [K in keyof typeof REGISTRY]: KernelDescriptor<K, (typeof REGISTRY)[K]['reference'], (typeof REGISTRY)[K]['split']>
} = REGISTRY;

/** The kernels whose work splits as S says (see WorkSplit), from their descriptors. */
export type KernelsSplitBy<S extends WorkSplit> = { [K in KernelName]: (typeof KERNELS)[K]['split'] extends S ? K : never }[KernelName];

/** The descriptors as a list, for derivations that treat every kernel alike. */
export const KERNEL_DESCRIPTORS = Object.values(KERNELS) as readonly AnyKernelDescriptor[];

/** The reference backend: plain, readable TypeScript loops. It is the oracle for every other backend. */
export const referenceKernelFunctions = perKernel((d) => d.reference) as KernelFunctions;

/** Every kernel's name, in registry order. */
export const KERNEL_NAMES: readonly KernelName[] = KERNEL_DESCRIPTORS.map((d) => d.name);

/** A table with one entry per kernel, computed from each descriptor. */
export function perKernel<T>(f: (d: AnyKernelDescriptor) => T): Record<KernelName, T> {
  const table = {} as Record<KernelName, T>;
  for (const d of KERNEL_DESCRIPTORS) table[d.name] = f(d);
  return table;
}

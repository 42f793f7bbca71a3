/** The reference backend: plain, readable TypeScript loops. It is the oracle for every other backend. */
import type { KernelFunctions } from '../kernels.js';
import { dot } from './dot.js';
import { axpy } from './axpy.js';
import { gemv } from './gemv.js';
import { gemvT } from './gemv-t.js';
import { l2sqrBatch } from './l2sqr-batch.js';
import { argminL2 } from './argmin-l2.js';
import { topK } from './top-k.js';
import { softmax } from './softmax.js';
import { rmsnorm } from './rmsnorm.js';
import { rope } from './rope.js';
import { lutGather } from './lut-gather.js'; // kvcache
import { topKSelect } from './top-k-select.js'; // kvcache
import { topKSelectRows } from './top-k-select-rows.js'; // kvcache
import { selectiveAttention } from './selective-attention.js'; // kvcache
import { selectiveAttentionHeads } from './selective-attention-heads.js'; // llama / kvcache
import { causalAttention } from './causal-attention.js'; // llama prefill
import { bsplineBasis } from './bspline-basis.js'; // knots
import { bandedGram } from './banded-gram.js'; // knots
import { sum } from './sum.js';
import { spvmm } from './spvmm.js';
import { vmmsp } from './vmmsp.js';
import { swiglu } from './swiglu.js';
import { siluThreshold } from './silu-threshold.js'; // activations
import { threshold } from './threshold.js'; // activations
import { siluMulThreshold } from './silu-mul-threshold.js'; // activations
import { packGemv } from './pack-gemv.js';
import { gemvPacked } from './gemv-packed.js';
import { decoderLayer } from './decoder-layer.js'; // llama
import { gemvQ4_1 } from './gemv-q4-1.js'; // llama (GGUF)
import { gemvQ8_0 } from './gemv-q8-0.js'; // llama (GGUF)
import { gemm } from './gemm.js'; // llama prefill
import { gemmQ4_1, gemmQ8_0 } from './gemm-quantized.js'; // llama prefill (GGUF)
import { quantizeQ8_1 } from './quantize-q8-1.js'; // llama: int8 activations
import { gemvQ4_1Q8_1, gemvQ8_0Q8_1 } from './gemv-q8-1.js'; // llama: int8 activations
import { gemmQ4_1Q8_1, gemmQ8_0Q8_1 } from './gemm-q8-1.js'; // llama: int8 activations

export const referenceKernelFunctions: KernelFunctions = {
  dot, axpy, gemv, gemvT, l2sqrBatch, argminL2, topK, softmax, rmsnorm, rope,
  lutGather, topKSelect, selectiveAttention, // kvcache
  topKSelectRows, // kvcache
  selectiveAttentionHeads, // llama / kvcache
  causalAttention, // llama prefill
  bsplineBasis, bandedGram, // knots
  sum,
  spvmm, vmmsp,
  swiglu,
  siluThreshold, threshold, siluMulThreshold, // activations
  packGemv, gemvPacked,
  decoderLayer, // llama
  gemvQ4_1, gemvQ8_0, // llama (GGUF)
  gemm, gemmQ4_1, gemmQ8_0, // llama prefill
  quantizeQ8_1, gemvQ4_1Q8_1, gemvQ8_0Q8_1, gemmQ4_1Q8_1, gemmQ8_0Q8_1, // llama: int8 activations
};

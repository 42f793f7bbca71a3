// The wasm backend's exports: one function per kernel (pointers + sizes), plus the
// unmanaged heap (alloc/free) that keeps long-lived data resident in linear memory.
export { dot } from './dot';
export { sum } from './sum';
export { spvmm } from './spvmm';
export { vmmsp } from './vmmsp';
export { axpy } from './axpy';
export { gemv } from './gemv';
export { gemvT } from './gemv-t';
export { packGemv, gemvPacked } from './gemv-packed';
export { gemvQ4_1 } from './gemv-q4-1'; // llama (GGUF)
export { gemvQ8_0 } from './gemv-q8-0'; // llama (GGUF)
export { gemm } from './gemm'; // llama prefill
export { gemmQ4_1, gemmQ8_0 } from './gemm-quantized'; // llama prefill (GGUF)
export { quantizeQ8_1 } from './quantize-q8-1'; // llama: int8 activations
export { gemvQ4_1Q8_1, gemvQ8_0Q8_1, gemmQ4_1Q8_1, gemmQ8_0Q8_1 } from './gemv-q8-1'; // llama: int8 activations
export { l2sqrBatch, argminL2 } from './l2sqr-batch';
export { topK } from './top-k';
export { topKSelect } from './top-k-select'; // kvcache
export { lutGather } from './lut-gather'; // kvcache
export { selectiveAttention } from './selective-attention'; // kvcache
export { causalAttention, causalAttentionF16 } from './causal-attention'; // llama prefill, f16 KV cache
export { packF16 } from './pack-f16'; // llama: f16 KV cache
export { softmax } from './softmax';
export { rmsnorm } from './rmsnorm';
export { rope } from './rope';
export { bsplineBasis } from './bspline-basis'; // knots
export { bandedGram } from './banded-gram'; // knots
export { decoderLayer, swiglu } from './decoder-layer'; // llama
export { silu } from './silu'; // llama / activations

/** Allocate `size` bytes (16-byte aligned, so v128 loads are aligned) on the unmanaged heap. */
export function alloc(size: usize): usize {
  return heap.alloc(size);
}

/** Release a block from alloc. */
export function free(ptr: usize): void {
  heap.free(ptr);
}

/** 1 when this build uses SIMD (so the loader can report what it got). */
export function simdEnabled(): i32 {
  return ASC_FEATURE_SIMD ? 1 : 0;
}

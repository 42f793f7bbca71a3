/**
 * The two single-thread CPU backends as Kernels objects: the reference (plain TypeScript, the
 * oracle) and wasm (AssemblyScript, SIMD or scalar build). A backend implements what it can and
 * inherits the rest from the reference ({ ...reference, ...native }); every kernel goes through
 * the shape checks derived from the kernel descriptors.
 */
import type { CpuKernels, KernelFunctions } from '../kernels/kernels.js';
import { KERNEL_NAMES, referenceKernelFunctions } from '../kernels/reference/index.js';
import { withShapeChecks } from '../kernels/checked.js';
import { loadWasm, type WasmVariant } from './wasm/loader.js';
import { WasmHeap } from './wasm/memory.js';
import { wasmKernelFunctions } from './wasm/kernels.js';
import { checkInt } from '../core/validate.js';
import { hostResidentArray } from '../kernels/resident-array.js';

/**
 * The longest resident array on any CPU backend: 2³⁰ − 2¹⁴ four-byte elements, what a 4 GiB
 * wasm32 heap can address next to its static data (the reference backend keeps the same limit,
 * so code that runs on one backend runs on the other).
 */
const MAX_RESIDENT_LENGTH = 2 ** 30 - 2 ** 14;

/** The reference backend. */
export function referenceKernels(): CpuKernels {
  return {
    ...withShapeChecks(referenceKernelFunctions),
    cpu: true,
    backend: 'reference',
    variant: 'js',
    native: [...KERNEL_NAMES],
    device: 'reference (js)',
    allocF32: (n) => hostResidentArray('f32', new Float32Array(checkInt('length', n, 0, MAX_RESIDENT_LENGTH))),
    allocI32: (n) => hostResidentArray('i32', new Int32Array(checkInt('length', n, 0, MAX_RESIDENT_LENGTH))),
    allocF64: (n) => hostResidentArray('f64', new Float64Array(checkInt('length', n, 0, MAX_RESIDENT_LENGTH))),
  };
}

/** The wasm backend: the SIMD build when the runtime validates it (or `prefer`), else scalar. */
export async function wasmKernels(prefer?: WasmVariant): Promise<CpuKernels> {
  const { exports, variant } = await loadWasm(prefer);
  const heap = new WasmHeap(exports);
  const { fns, native } = wasmKernelFunctions(heap);
  const merged: KernelFunctions = { ...referenceKernelFunctions, ...fns };
  return {
    ...withShapeChecks(merged),
    cpu: true,
    backend: 'wasm',
    variant,
    native,
    device: `wasm (${variant})`,
    allocF32: (n) => heap.resident<Float32Array>(Float32Array, checkInt('length', n, 0, MAX_RESIDENT_LENGTH)),
    allocI32: (n) => heap.resident<Int32Array>(Int32Array, checkInt('length', n, 0, MAX_RESIDENT_LENGTH)),
    allocF64: (n) => heap.resident<Float64Array>(Float64Array, checkInt('length', n, 0, MAX_RESIDENT_LENGTH)),
  };
}

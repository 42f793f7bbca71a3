// The wasm module's heap API: the unmanaged heap (alloc/free) that keeps long-lived data resident
// in linear memory, and which build this is. The kernel exports are generated beside it
// (scripts/build-wasm.mjs exports every function of assembly/ named after a registry kernel).
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

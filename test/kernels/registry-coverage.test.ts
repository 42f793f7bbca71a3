/**
 * Every kernel of the registry has a place in every backend: the reference implements it; the
 * wasm builds export it or list it as left to the reference; the threads backend says whether it
 * splits it, and every export its workers run exists in the shared-memory build; webgpu has a
 * WGSL program for it or runs it on the CPU. A kernel added to the registry and forgotten by a
 * backend fails here (and, for threads and webgpu, already in `tsc`).
 */
import { describe, expect, it } from 'vitest';
import { KERNELS, KERNEL_NAMES, referenceKernelFunctions } from '../../src/kernels/reference/index.js';
import { createKernels } from '../../src/backends/create-kernels.js';
import { WASM_ON_REFERENCE } from '../../src/backends/wasm/kernels.js';
import { SIMD_SHARED_WASM_BASE64 } from '../../src/backends/wasm/binary.js';
import { OPS, WORKER_OPS } from '../../src/backends/wasm-threads/worker-source.js';
import { PARALLEL_KERNELS } from '../../src/backends/wasm-threads/parallel-kernel-functions.js';
import { parallelMissing } from '../../src/backends/wasm-threads/parallel-support.js';
import { WEBGPU_NATIVE, WEBGPU_ON_CPU } from '../../src/backends/webgpu/kernels.js';

const sorted = (names: readonly string[]) => [...names].sort();

/** `parts` split the registry: together every kernel, no kernel twice. */
function expectPartition(parts: readonly (readonly string[])[]): void {
  const all = parts.flat();
  expect(new Set(all).size, 'a kernel is listed twice').toBe(all.length);
  expect(sorted(all)).toEqual(sorted(KERNEL_NAMES));
}

describe('the kernel registry reaches every backend', () => {
  it('registry: one descriptor per name, each with its reference function', () => {
    expect(sorted(Object.keys(KERNELS))).toEqual(sorted(KERNEL_NAMES));
    for (const name of KERNEL_NAMES) {
      expect(KERNELS[name].name).toBe(name);
      expect(typeof referenceKernelFunctions[name], name).toBe('function');
      expect(KERNELS[name].args.length, name).toBe(KERNELS[name].reference.length);
    }
  });

  for (const wasmVariant of ['simd', 'scalar'] as const) {
    it(`wasm (${wasmVariant}): every kernel is exported or listed as left to the reference`, async () => {
      const k = await createKernels({ backend: 'wasm', wasmVariant });
      expect(k.variant).toBe(wasmVariant);
      expectPartition([k.native, WASM_ON_REFERENCE]);
    });
  }

  it('threads: every kernel is split or not; the workers\' exports exist; native as wasm SIMD', async () => {
    expect(sorted(Object.keys(WORKER_OPS))).toEqual(sorted(KERNEL_NAMES));
    expect(sorted(PARALLEL_KERNELS)).toEqual(sorted(KERNEL_NAMES.filter((n) => WORKER_OPS[n] !== null)));
    const bytes = Uint8Array.from(atob(SIMD_SHARED_WASM_BASE64), (c) => c.charCodeAt(0));
    const exported = new Set(WebAssembly.Module.exports(new WebAssembly.Module(bytes)).filter((e) => e.kind === 'function').map((e) => e.name));
    for (const op of OPS.slice(1)) expect(exported.has(op), `worker export ${op}`).toBe(true);
    const missing = await parallelMissing();
    if (missing !== null) return; // the runtime has no threads: the tables above are still checked
    const k = await createKernels({ backend: 'threads', threads: 2 });
    try {
      expect(sorted(k.parallel)).toEqual(sorted(PARALLEL_KERNELS));
      expectPartition([k.native, WASM_ON_REFERENCE]);
    } finally {
      await k.dispose();
    }
  });

  it('webgpu: every kernel has a WGSL program or runs on the CPU backend', () => {
    expectPartition([WEBGPU_NATIVE, WEBGPU_ON_CPU]);
  });
});

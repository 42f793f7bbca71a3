/**
 * Every kernel of the registry has a place in every backend, derived rather than listed: the
 * reference implements it; the wasm builds export exactly the kernels assembly/ implements
 * (scripts/build-wasm.mjs generates the export list) and bind each export from its descriptor;
 * the threads backend splits exactly the kernels whose descriptor says their work splits, and
 * every export its workers run exists in the shared-memory build; webgpu runs a kernel as WGSL
 * when it has an encoder and on the CPU backend otherwise (the differential suite runs every
 * kernel there either way).
 */
import { readFileSync, readdirSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { KERNELS, KERNEL_NAMES, referenceKernelFunctions } from '../../src/kernels/reference/index.js';
import { createKernels } from '../../src/backends/create-kernels.js';
import { SCALAR_WASM_BASE64, SIMD_SHARED_WASM_BASE64, SIMD_WASM_BASE64 } from '../../src/backends/wasm/binary.js';
import { OPS, WORKER_OPS } from '../../src/backends/wasm-threads/worker-source.js';
import { PARALLEL_KERNELS } from '../../src/backends/wasm-threads/parallel-kernel-functions.js';
import { parallelMissing } from '../../src/backends/wasm-threads/parallel-support.js';
import { WEBGPU_NATIVE } from '../../src/backends/webgpu/kernels.js';

const sorted = (names: Iterable<string>) => [...names].sort();
const kernelNames = new Set<string>(KERNEL_NAMES);

/** Function exports of a build. */
function functionExports(base64: string): string[] {
  const bytes = Uint8Array.from(atob(base64), (c) => c.charCodeAt(0));
  return WebAssembly.Module.exports(new WebAssembly.Module(bytes)).filter((e) => e.kind === 'function').map((e) => e.name);
}

/** `export function NAME` of every assembly/*.ts file, by file. */
const assemblyFiles = readdirSync('assembly').filter((f) => f.endsWith('.ts') && f !== 'index.ts');
const assemblySource = (file: string) => readFileSync(`assembly/${file}`, 'utf8');
const exportedFunctions = (file: string) => [...assemblySource(file).matchAll(/^export function (\w+)/gm)].map((m) => m[1]);

/** The kernels assembly/ implements: its exported functions named after registry kernels. */
const implementedInAssembly = assemblyFiles.flatMap(exportedFunctions).filter((n) => kernelNames.has(n));

describe('the kernel registry reaches every backend', () => {
  it('registry: one descriptor per name, each with its reference function and a work split', () => {
    expect(sorted(Object.keys(KERNELS))).toEqual(sorted(KERNEL_NAMES));
    for (const name of KERNEL_NAMES) {
      expect(KERNELS[name].name).toBe(name);
      expect(typeof referenceKernelFunctions[name], name).toBe('function');
      expect(KERNELS[name].args.length, name).toBe(KERNELS[name].reference.length);
      expect(['rows', 'partials', 'whole'], name).toContain(KERNELS[name].split);
    }
  });

  it('assembly/: every exported function is a registry kernel or a helper another assembly file imports', () => {
    // A kernel exported under a misspelt name would be neither: it is caught here, not left to
    // fall back to the reference unnoticed.
    const everything = assemblyFiles.map(assemblySource).join('\n') + readFileSync('assembly/parallel/index.ts', 'utf8');
    for (const file of assemblyFiles) {
      for (const name of exportedFunctions(file)) {
        if (kernelNames.has(name)) continue;
        const imported = new RegExp(`import \\{[^}]*\\b${name}\\b[^}]*\\}|export \\{[^}]*\\b${name}\\b[^}]*\\}`).test(everything);
        expect(imported, `assembly/${file} exports ${name}: no kernel of that name, and no assembly file imports it`).toBe(true);
      }
    }
  });

  it('wasm builds export the heap API and exactly the kernels assembly/ implements', () => {
    const heapApi = ['alloc', 'free', 'simdEnabled'];
    for (const base64 of [SIMD_WASM_BASE64, SCALAR_WASM_BASE64]) {
      expect(sorted(functionExports(base64))).toEqual(sorted([...heapApi, ...implementedInAssembly]));
    }
    const shared = functionExports(SIMD_SHARED_WASM_BASE64);
    for (const name of implementedInAssembly) expect(shared, name).toContain(name);
  });

  for (const wasmVariant of ['simd', 'scalar'] as const) {
    it(`wasm (${wasmVariant}): every exported kernel is bound (its parameters checked against the descriptor)`, async () => {
      // createKernels refuses an export whose parameter count disagrees with its descriptor.
      const k = await createKernels({ backend: 'wasm', wasmVariant });
      expect(k.variant).toBe(wasmVariant);
      // native: every export, plus kernels bound by hand over another kernel's export (topKSelectRows).
      for (const name of implementedInAssembly) expect(k.native, name).toContain(name);
      for (const name of k.native) expect(kernelNames.has(name), name).toBe(true);
    });
  }

  it('threads: splits exactly the kernels whose descriptor splits; the workers\' exports exist', async () => {
    const splitting = KERNEL_NAMES.filter((n) => KERNELS[n].split !== 'whole');
    expect(sorted(PARALLEL_KERNELS)).toEqual(sorted(splitting));
    expect(sorted(KERNEL_NAMES.filter((n) => WORKER_OPS[n] !== null))).toEqual(sorted(splitting));
    const exported = new Set(functionExports(SIMD_SHARED_WASM_BASE64));
    for (const op of OPS.slice(1)) expect(exported.has(op), `worker export ${op}`).toBe(true);
    const missing = await parallelMissing();
    if (missing !== null) return; // the runtime has no threads: the tables above are still checked
    const k = await createKernels({ backend: 'threads', threads: 2 });
    try {
      expect(sorted(k.parallel)).toEqual(sorted(splitting));
      const wasm = await createKernels({ backend: 'wasm', wasmVariant: 'simd' });
      expect(sorted(k.native)).toEqual(sorted(wasm.native));
    } finally {
      await k.dispose();
    }
  });

  it('webgpu: the native kernels (those with an encoder) are registry kernels', () => {
    expect(WEBGPU_NATIVE.length).toBeGreaterThan(0);
    for (const name of WEBGPU_NATIVE) expect(kernelNames.has(name), name).toBe(true);
  });
});

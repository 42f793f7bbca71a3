/**
 * The wasm loader: each build really is what it claims (simdEnabled() is 1 in the SIMD build,
 * 0 in the scalar one), and the two builds agree exactly on integer data.
 */
import { describe, expect, it } from 'vitest';
import { instantiate } from '@assemblyscript/loader';
import { loadWasm } from '../../src/backends/wasm/loader.js';
import { SIMD_WASM_BASE64 } from '../../src/backends/wasm/binary.js';

/** The `dot` export (pointers into memory), which WasmExports lists only by name. */
function dotExport(e: Record<string, unknown>): (x: number, y: number, n: number) => number {
  if (typeof e.dot !== 'function') throw new Error('the module exports no dot');
  return e.dot as (x: number, y: number, n: number) => number;
}

describe('wasm loader', () => {
  it('loads the SIMD build when asked, and it reports SIMD', async () => {
    const { exports, variant } = await loadWasm('simd');
    expect(variant).toBe('simd');
    expect(exports.simdEnabled()).toBe(1);
  });

  it('loads the scalar build when asked, and it reports no SIMD', async () => {
    const { exports, variant } = await loadWasm('scalar');
    expect(variant).toBe('scalar');
    expect(exports.simdEnabled()).toBe(0);
  });

  it('both builds give the same dot product on integer data (exact)', async () => {
    const results: number[] = [];
    for (const v of ['simd', 'scalar'] as const) {
      const { exports } = await loadWasm(v);
      const n = 1000;
      const p = exports.alloc(n * 8);
      const f = new Float32Array(exports.memory.buffer, p, 2 * n);
      for (let i = 0; i < n; i++) { f[i] = (i % 13) - 6; f[n + i] = (i % 5) - 2; }
      results.push(dotExport(exports)(p, p + 4 * n, n));
      exports.free(p);
    }
    let expected = 0;
    for (let i = 0; i < 1000; i++) expected += ((i % 13) - 6) * ((i % 5) - 2);
    expect(results).toEqual([expected, expected]);
  });

  it('the plain instantiation sees the same exports as AssemblyScript\'s own loader, with the same results', async () => {
    // The library instantiates with WebAssembly.instantiate (no runtime dependency); the
    // official loader is the independent check that nothing it would add is needed.
    const bytes = Uint8Array.from(atob(SIMD_WASM_BASE64), (c) => c.charCodeAt(0));
    const viaLoader = (await instantiate<Record<string, unknown>>(bytes, { env: { abort() { throw new Error('abort'); } } })).exports;
    const { exports: plain } = await loadWasm('simd');
    const kernelNames = (o: object) => Object.keys(o).filter((k) => !k.startsWith('__')).sort();
    // The loader adds only its own helpers (the `__` names and the function `table`).
    expect(kernelNames(viaLoader).filter((k) => k !== 'table')).toEqual(kernelNames(plain));
    const dotOf = (e: Record<string, unknown>) => {
      const alloc = e.alloc as (n: number) => number, free = e.free as (p: number) => void;
      const p = alloc(64 * 8);
      const f = new Float32Array((e.memory as WebAssembly.Memory).buffer, p, 128);
      for (let i = 0; i < 128; i++) f[i] = (i % 7) - 3;
      const r = dotExport(e)(p, p + 256, 64);
      free(p);
      return r;
    };
    expect(dotOf(plain)).toBe(dotOf(viaLoader));
  });
});

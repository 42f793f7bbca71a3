/**
 * The wasm loader: each build really is what it claims (simdEnabled() is 1 in the SIMD build,
 * 0 in the scalar one), and the two builds agree exactly on integer data.
 */
import { describe, expect, it } from 'vitest';
import { loadWasm } from '../../src/backends/wasm/loader.js';

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
      results.push(exports.dot(p, p + 4 * n, n));
      exports.free(p);
    }
    let expected = 0;
    for (let i = 0; i < 1000; i++) expected += ((i % 13) - 6) * ((i % 5) - 2);
    expect(results).toEqual([expected, expected]);
  });
});

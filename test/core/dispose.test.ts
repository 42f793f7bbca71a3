/**
 * One clean-up name: objects that hold resources release them with dispose(), which also runs
 * at the end of a `using` / `await using` block, and a second dispose() does nothing. The
 * symbol polyfill defines the two symbols only where they are missing.
 */
import { describe, expect, it } from 'vitest';
import { createKernels } from '../../src/backends/create-kernels.js';
import { createParallelKernels } from '../../src/backends/wasm-threads/create-parallel-kernels.js';
import { createSyntheticSwiGlu } from '../../src/activations/synthetic-swiglu.js';
import { ensureDisposeSymbols, disposeSymbol, asyncDisposeSymbol } from '../../src/core/dispose.js';
import { SparseInferenceError } from '../../src/core/errors.js';

describe('dispose symbols', () => {
  it('are the runtime\'s own where it has them', () => {
    expect(disposeSymbol).toBe(Symbol.dispose);
    expect(asyncDisposeSymbol).toBe(Symbol.asyncDispose);
    expect(typeof Symbol.dispose).toBe('symbol');
  });

  it('are defined as registered symbols where missing, and kept where present', () => {
    const bare = {};
    ensureDisposeSymbols(bare);
    expect((bare as { dispose: symbol }).dispose).toBe(Symbol.for('Symbol.dispose'));
    expect((bare as { asyncDispose: symbol }).asyncDispose).toBe(Symbol.for('Symbol.asyncDispose'));
    const own = Symbol('mine');
    const half = { dispose: own };
    ensureDisposeSymbols(half);
    expect(half.dispose).toBe(own);
    expect((half as unknown as { asyncDispose: symbol }).asyncDispose).toBe(Symbol.for('Symbol.asyncDispose'));
  });
});

describe('using releases what an object holds', () => {
  it('a wasm resident array is released at the end of the block; dispose() twice is harmless', async () => {
    const k = await createKernels({ backend: 'wasm' });
    let escaped: { view(): Float32Array; dispose(): void } | undefined;
    {
      using a = k.allocF32(16);
      a.view().fill(2);
      expect(k.sum(a.view(), 16)).toBe(32);
      escaped = a;
    }
    expect(() => escaped!.view()).toThrow(SparseInferenceError);
    expect(() => escaped!.dispose()).not.toThrow();
  });

  it('the synthetic SwiGLU releases its four weight matrices', async () => {
    const k = await createKernels({ backend: 'wasm' });
    let held: Awaited<ReturnType<typeof createSyntheticSwiGlu>> | undefined;
    {
      using ffn = await createSyntheticSwiGlu(k, { dim: 8, hidden: 16 });
      held = ffn;
      expect((await ffn.wGate.read()).length).toBe(128);
    }
    for (const w of [held!.wGate, held!.wUp, held!.wDown, held!.wDownT]) await expect(w.read()).rejects.toThrow(SparseInferenceError);
  });

  it('await using stops the worker threads of parallel kernels', async () => {
    let outside: { readonly threads: number } | undefined;
    {
      await using k = await createParallelKernels({ threads: 2 });
      outside = k;
      expect(k.threads).toBe(2);
    }
    expect(outside!.threads).toBe(1); // the workers stopped; calls run on this thread
  });
});

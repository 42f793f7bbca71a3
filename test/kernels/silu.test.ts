/**
 * silu on every backend: closed forms (SiLU(0) = 0, SiLU(v) → v for large v, → 0 for very
 * negative v), agreement with swiglu's first half (silu then the product equals swiglu exactly),
 * and bad input. (The generated registry suite covers it against the reference on every backend.)
 */
import { expect, it } from 'vitest';
import { describeEachCpuBackend } from '../_harness/each-backend.js';
import { expectBadArgument } from '../_harness/bad-input.js';
import { uniforms } from '../_harness/arbitraries.js';

describeEachCpuBackend('silu', (k) => {
  it('has SiLU\'s closed-form values and leaves elements past n alone', () => {
    const x = Float32Array.from([0, 40, -40, 1, -1, 7]);
    k.silu(x, 5);
    expect(x[0]).toBe(0);
    expect(x[1]).toBe(40);
    expect(Math.abs(x[2])).toBeLessThan(1e-15);
    expect(x[3]).toBe(Math.fround(1 / (1 + Math.exp(-1))));
    expect(x[4]).toBe(Math.fround(-1 / (1 + Math.exp(1))));
    expect(x[5]).toBe(7);
  });

  it('followed by the elementwise product equals swiglu bit for bit', () => {
    for (const n of [1, 3, 4, 5, 17, 64, 301]) {
      const gate = uniforms(n, n, -6, 6), up = uniforms(n, n + 1, -2, 2);
      const a = gate.slice(), b = gate.slice();
      k.swiglu(a, up, n);
      k.silu(b, n);
      for (let i = 0; i < n; i++) b[i] *= up[i];
      expect(b).toEqual(a);
    }
  });

  it('rejects bad input with BAD_ARGUMENT naming the argument', () => {
    const x = new Float32Array(4);
    expectBadArgument(() => k.silu(x, 5), 'x');
    expectBadArgument(() => k.silu(x, -1), 'n');
    expectBadArgument(() => k.silu(new Float64Array(4) as never, 4), 'x');
  });
});

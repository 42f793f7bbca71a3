/**
 * fast-check arbitraries for kernel tests: sizes that hit every SIMD tail and float data with a
 * mix of magnitudes. Float arrays are drawn from a seeded Rng (one shrinkable seed per array
 * instead of n shrinkable elements), so properties stay fast at n ≈ 512.
 */
import fc from 'fast-check';
import { Rng } from '../../src/core/rng.js';

/** Sizes around the 4-, 8-, 16- and 32-element blocks of the SIMD paths. */
export const TAIL_SIZES = [1, 3, 4, 5, 7, 8, 9, 15, 16, 17, 31, 32, 33, 64] as const;

/** A vector length: a tail size, or any size in [1, max]. */
export function size(max = 512): fc.Arbitrary<number> {
  return fc.oneof(fc.constantFrom(...TAIL_SIZES), fc.integer({ min: 1, max }));
}

/** How an array's values are drawn (see floats). */
export interface FloatSpec {
  seed: number;
  /**
   * 'mixed': normal × 10^u with u uniform in [−spread/2, spread/2] (magnitudes over `spread`
   * decades); 'levels': a few distinct values, so ties are common; 'zeros': exact zeros with
   * probability 1/2, else like 'mixed'.
   */
  kind: 'mixed' | 'levels' | 'zeros';
  spread: number;
}

/** A FloatSpec; pass it to floats(n, spec). */
export const floatSpec: fc.Arbitrary<FloatSpec> = fc.record({
  seed: fc.nat(),
  kind: fc.constantFrom('mixed', 'mixed', 'levels', 'zeros'),
  spread: fc.constantFrom(0, 2, 4, 6),
});

/** n float32 values drawn as `spec` says (deterministic in spec.seed). */
export function floats(n: number, spec: FloatSpec): Float32Array {
  const rng = new Rng(spec.seed);
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    if (spec.kind === 'levels') {
      out[i] = rng.int(5) - 2;
    } else if (spec.kind === 'zeros' && rng.uniform() < 0.5) {
      out[i] = 0;
    } else {
      out[i] = rng.normal() * 10 ** (spec.spread * (rng.uniform() - 0.5));
    }
  }
  return out;
}

/** n float32 values in [lo, hi) from a seed: for inputs that must stay in range (weights, logits). */
export function uniforms(n: number, seed: number, lo = -1, hi = 1): Float32Array {
  const rng = new Rng(seed);
  return Float32Array.from({ length: n }, () => lo + (hi - lo) * rng.uniform());
}

/**
 * Seeded pseudo-random numbers that are bit-identical in every runtime: xoshiro128** on
 * 32-bit integer operations (Math.imul, >>> 0), seeded through splitmix32. Doubles are built
 * from 53 random bits, so uniform() has full double resolution.
 *
 * Blackman & Vigna, "Scrambled linear pseudorandom number generators", ACM TOMS 2021.
 *
 * @example
 * const rng = new Rng(42);
 * rng.uniform(); rng.normal(); rng.int(10); rng.shuffle([1, 2, 3]);
 */
import { badArgument } from './errors.js';
import { checkInt, checkNumber, describe } from './validate.js';

export class Rng {
  private s0 = 0; private s1 = 0; private s2 = 0; private s3 = 0;
  private spareNormal: number | null = null;

  /** seed: any integer in [0, 2^53); equal seeds give equal streams everywhere. */
  constructor(seed: number) {
    checkInt('seed', seed, 0, Number.MAX_SAFE_INTEGER);
    // splitmix32 over the low and high 32-bit halves fills the 128-bit state (never all zero).
    let x = (seed >>> 0) ^ Math.imul(Math.floor(seed / 2 ** 32) >>> 0, 0x9e3779b9);
    const next = () => {
      x = (x + 0x9e3779b9) | 0;
      let z = x;
      z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
      z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
      return (z ^ (z >>> 16)) >>> 0;
    };
    this.s0 = next(); this.s1 = next(); this.s2 = next(); this.s3 = next();
    if ((this.s0 | this.s1 | this.s2 | this.s3) === 0) this.s0 = 1;
  }

  /** Next 32 random bits as an unsigned integer. */
  nextU32(): number {
    const result = Math.imul(rotl(Math.imul(this.s1, 5), 7), 9) >>> 0;
    const t = this.s1 << 9;
    this.s2 ^= this.s0; this.s3 ^= this.s1; this.s1 ^= this.s2; this.s0 ^= this.s3;
    this.s2 ^= t;
    this.s3 = rotl(this.s3, 11);
    return result;
  }

  /** Uniform double in [0, 1) with 53 random bits. */
  uniform(): number {
    const hi = this.nextU32() >>> 5; // 27 bits
    const lo = this.nextU32() >>> 6; // 26 bits
    return (hi * 67108864 + lo) / 9007199254740992;
  }

  /** Uniform double in (0, 1): safe for log(). */
  uniformOpen(): number {
    let u = 0;
    while (u === 0) u = this.uniform();
    return u;
  }

  /** Uniform integer in [0, n), unbiased (rejection on the 32-bit range). */
  int(n: number): number {
    checkInt('n', n, 1, 2 ** 32);
    const limit = Math.floor(2 ** 32 / n) * n;
    let r = this.nextU32();
    while (r >= limit) r = this.nextU32();
    return r % n;
  }

  /** Standard normal (polar Box–Muller; the second value is kept for the next call). */
  normal(mean = 0, sd = 1): number {
    if (mean !== 0 || sd !== 1) {
      // Only non-default arguments need checking, which keeps the common call free of it.
      checkNumber('mean', mean);
      checkNumber('sd', sd, 0);
    }
    if (this.spareNormal !== null) {
      const z = this.spareNormal;
      this.spareNormal = null;
      return mean + sd * z;
    }
    let u = 0, v = 0, s = 0;
    do {
      u = 2 * this.uniform() - 1;
      v = 2 * this.uniform() - 1;
      s = u * u + v * v;
    } while (s >= 1 || s === 0);
    const f = Math.sqrt((-2 * Math.log(s)) / s);
    this.spareNormal = v * f;
    return mean + sd * u * f;
  }

  /** Gamma(shape, scale) by Marsaglia & Tsang (2000); shape < 1 via the u^(1/shape) boost. */
  gamma(shape: number, scale = 1): number {
    checkNumber('shape', shape, 0, Infinity, { minExclusive: true });
    checkNumber('scale', scale, 0, Infinity, { minExclusive: true });
    if (shape < 1) return this.gamma(shape + 1, scale) * Math.pow(this.uniformOpen(), 1 / shape);
    const d = shape - 1 / 3;
    const c = 1 / Math.sqrt(9 * d);
    for (;;) {
      let x = 0, v = 0;
      do { x = this.normal(); v = 1 + c * x; } while (v <= 0);
      v = v * v * v;
      const u = this.uniformOpen();
      if (u < 1 - 0.0331 * x * x * x * x) return d * v * scale;
      if (Math.log(u) < 0.5 * x * x + d * (1 - v + Math.log(v))) return d * v * scale;
    }
  }

  /** Beta(a, b) as X/(X+Y) with X ~ Gamma(a), Y ~ Gamma(b). */
  beta(a: number, b: number): number {
    checkNumber('a', a, 0, Infinity, { minExclusive: true });
    checkNumber('b', b, 0, Infinity, { minExclusive: true });
    const x = this.gamma(a);
    const y = this.gamma(b);
    return x / (x + y);
  }

  /** Index drawn with probability proportional to weights (non-negative, positive sum). */
  categorical(weights: ArrayLike<number>): number {
    if (weights === null || typeof weights !== 'object' || typeof weights.length !== 'number') {
      throw badArgument(`weights must be an array of numbers, got ${describe(weights)}`);
    }
    let total = 0;
    for (let i = 0; i < weights.length; i++) {
      const w = weights[i];
      if (!(w >= 0) || !Number.isFinite(w)) throw badArgument(`weights[${i}] must be a finite non-negative number, got ${w}`);
      total += w;
    }
    if (!(total > 0)) throw badArgument('weights must have a positive sum');
    let u = this.uniform() * total;
    for (let i = 0; i < weights.length; i++) {
      u -= weights[i];
      if (u < 0) return i;
    }
    // Rounding left u ≥ 0: return the last index with positive weight.
    for (let i = weights.length - 1; i >= 0; i--) if (weights[i] > 0) return i;
    return weights.length - 1;
  }

  /** Fisher–Yates shuffle in place; returns the array. */
  shuffle<T>(a: T[]): T[] {
    if (!Array.isArray(a) && !(ArrayBuffer.isView(a) && !((a as unknown) instanceof DataView))) throw badArgument(`a must be an array, got ${describe(a)}`);
    for (let i = a.length - 1; i > 0; i--) {
      const j = this.int(i + 1);
      const t = a[i]; a[i] = a[j]; a[j] = t;
    }
    return a;
  }

  /** k distinct integers from [0, n), n ≤ 2^32, in random order (partial Fisher–Yates; O(k) memory via a map). */
  sampleWithoutReplacement(n: number, k: number): number[] {
    checkInt('n', n, 0, 2 ** 32);   // int() draws below at most 2^32
    checkInt('k', k, 0, n);
    const swapped = new Map<number, number>();
    const out: number[] = [];
    for (let i = 0; i < k; i++) {
      const j = i + this.int(n - i);
      const vj = swapped.get(j) ?? j;
      const vi = swapped.get(i) ?? i;
      swapped.set(j, vi);
      out.push(vj);
    }
    return out;
  }

  /** An independent generator derived from this one (for chains, workers). */
  split(): Rng {
    return new Rng(this.nextU32() * 2097152 + (this.nextU32() >>> 11));
  }
}

function rotl(x: number, k: number): number {
  return (x << k) | (x >>> (32 - k));
}

/**
 * Choosing the next token from logits, as llama2.c's `sample`: greedy argmax at temperature
 * 0; otherwise softmax(logits / T) and either plain multinomial sampling or nucleus (top-p)
 * sampling (Holtzman et al., "The curious case of neural text degeneration", ICLR 2020).
 * Randomness comes from the seeded Rng, so a seed fixes the whole generation on every backend
 * whose logits agree.
 *
 * @example
 * const sampler = new Sampler({ temperature: 0.8, topP: 0.9, seed: 42 });
 * const next = sampler.sample(logits);
 */
import { badArgument } from '../core/errors.js';
import { Rng } from '../core/rng.js';
import { checkNumber, checkInt, describe } from '../core/validate.js';
import { checkOptions, optionKeys } from '../core/options.js';

export interface SamplerOptions {
  /** 0 = greedy (default 0). Must be finite and ≥ 0. */
  temperature?: number;
  /** Nucleus mass in (0, 1]; 1 = no truncation (default 1). */
  topP?: number;
  /** Seed of the Rng (default 0). */
  seed?: number;
}

/** Every key of SamplerOptions, for checkOptions. */
export const SAMPLER_KEYS = optionKeys<SamplerOptions>({ temperature: true, topP: true, seed: true });

/** Index of the largest value; ties go to the lower index. NaN logits are an error. */
export function argmax(x: ArrayLike<number>, n = x?.length): number {
  if (x === null || typeof x !== 'object' || typeof x.length !== 'number') throw badArgument(`x must be an array of numbers, got ${describe(x)}`);
  checkInt('n', n, 1, x.length);
  let best = 0;
  let bestV = x[0];
  for (let i = 0; i < n; i++) {
    const v = x[i];
    if (v !== v) throw badArgument(`logits[${i}] is NaN`);
    if (v > bestV) { bestV = v; best = i; }
  }
  return best;
}

export class Sampler {
  readonly temperature: number;
  readonly topP: number;
  private readonly rng: Rng;
  private probs = new Float64Array(0);
  private order = new Int32Array(0);

  constructor(opts: SamplerOptions = {}) {
    opts = checkOptions('Sampler options', opts, SAMPLER_KEYS);
    this.temperature = checkNumber('temperature', opts.temperature ?? 0, 0, 1e6);
    this.topP = checkNumber('topP', opts.topP ?? 1, 0, 1, { minExclusive: true });
    this.rng = new Rng(checkInt('seed', opts.seed ?? 0, 0));
  }

  /** Next token id from `n` logits (default: all of them). */
  sample(logits: ArrayLike<number>, n = logits.length): number {
    checkInt('n', n, 1, logits.length);
    if (this.temperature === 0) return argmax(logits, n);
    if (this.probs.length < n) { this.probs = new Float64Array(n); this.order = new Int32Array(n); }
    const p = this.probs;
    let max = -Infinity;
    for (let i = 0; i < n; i++) {
      const v = logits[i];
      if (v - v !== 0) throw badArgument(`logits[${i}] must be finite, got ${v}`);
      if (v > max) max = v;
    }
    let sum = 0;
    for (let i = 0; i < n; i++) { p[i] = Math.exp((logits[i] - max) / this.temperature); sum += p[i]; }
    for (let i = 0; i < n; i++) p[i] /= sum;
    const coin = this.rng.uniform();
    return this.topP >= 1 ? this.multinomial(n, coin) : this.nucleus(n, coin);
  }

  private multinomial(n: number, coin: number): number {
    let cdf = 0;
    for (let i = 0; i < n; i++) {
      cdf += this.probs[i];
      if (coin < cdf) return i;
    }
    return n - 1; // rounding
  }

  /**
   * Top-p: candidates with p ≥ (1 − topP)/(n − 1) (they cannot all be needed otherwise), sorted
   * by probability (ties by index), cut after the cumulative mass first exceeds topP, then
   * sampled in proportion within the cut.
   */
  private nucleus(n: number, coin: number): number {
    const p = this.probs;
    const cutoff = n > 1 ? (1 - this.topP) / (n - 1) : 0;
    let m = 0;
    for (let i = 0; i < n; i++) if (p[i] >= cutoff) this.order[m++] = i;
    const idx = Array.from(this.order.subarray(0, m)).sort((a, b) => p[b] - p[a] || a - b);
    let cum = 0;
    let last = idx.length - 1;
    for (let i = 0; i < idx.length; i++) {
      cum += p[idx[i]];
      if (cum > this.topP) { last = i; break; }
    }
    const r = coin * cum;
    let cdf = 0;
    for (let i = 0; i <= last; i++) {
      cdf += p[idx[i]];
      if (r < cdf) return idx[i];
    }
    return idx[last];
  }
}

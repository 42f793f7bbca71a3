/**
 * Percentile bootstrap intervals for a mean and for a paired mean difference, resampling whole
 * units (documents, seeds) so that the interval reflects variation between them rather than the
 * much smaller variation between tokens of one document.
 *
 * Efron & Tibshirani, "An Introduction to the Bootstrap", Chapman & Hall 1993, ch. 13
 * (the percentile interval).
 */
import { badArgument } from '../errors.js';
import { Rng } from '../rng.js';
import { checkInt, checkNumber } from '../validate.js';
import { checkOptions, optionKeys } from '../options.js';
import { quantile } from './quantile.js';
import { checkValues, type NumericArray } from './values.js';

/** Options of {@link bootstrapMean} and {@link bootstrapPairedDifference}. */
export interface BootstrapOptions {
  /** Resamples drawn (default 10,000). */
  resamples?: number;
  /** Coverage of the interval, in (0, 1) (default 0.95). */
  level?: number;
  /** Seed of the resampling (default 0): equal seeds give equal intervals in every runtime. */
  seed?: number;
}

/** Every key of BootstrapOptions, for checkOptions. */
export const BOOTSTRAP_KEYS = optionKeys<BootstrapOptions>({ resamples: true, level: true, seed: true });

/** A point estimate with its percentile interval. */
export interface BootstrapInterval {
  /** The statistic on the sample itself (not the mean of the resamples). */
  estimate: number;
  lower: number;
  upper: number;
  level: number;
  /** Units resampled (documents, seeds, ...). */
  units: number;
  /** True when the interval excludes zero: the only case worth calling a difference. */
  excludesZero: boolean;
}

/**
 * Mean of `values` (one number per unit) with a percentile bootstrap interval.
 *
 * @example
 * bootstrapMean([0.12, 0.08, 0.15, 0.11, 0.09], { seed: 1 });
 * // → { estimate: 0.11, lower: ≈0.093, upper: ≈0.13, level: 0.95, units: 5, excludesZero: true }
 */
export function bootstrapMean(values: NumericArray, opts: BootstrapOptions = {}): BootstrapInterval {
  checkValues('values', values);
  return percentileInterval(Float64Array.from(values), readOptions(opts));
}

/**
 * Mean of the paired differences a[i] − b[i] (unit i measured under both methods) with a
 * percentile bootstrap interval over units. Pairing removes the between-document spread that both
 * methods share, which is most of it.
 *
 * @example
 * const delta = bootstrapPairedDifference(nllChess, nllDense, { seed: 1 });
 * delta.excludesZero ? 'a difference' : 'a tie';
 */
export function bootstrapPairedDifference(a: NumericArray, b: NumericArray, opts: BootstrapOptions = {}): BootstrapInterval {
  checkValues('a', a);
  checkValues('b', b);
  if (a.length !== b.length) throw badArgument(`a and b must pair up unit by unit: a has ${a.length} values, b has ${b.length}`);
  const d = new Float64Array(a.length);
  for (let i = 0; i < d.length; i++) d[i] = a[i] - b[i];
  return percentileInterval(d, readOptions(opts));
}

function readOptions(opts: BootstrapOptions): Required<BootstrapOptions> {
  opts = checkOptions('bootstrap options', opts, BOOTSTRAP_KEYS);
  return {
    resamples: opts.resamples === undefined ? 10_000 : checkInt('opts.resamples', opts.resamples, 100, 10_000_000),
    level: opts.level === undefined ? 0.95 : checkNumber('opts.level', opts.level, 0, 1, { minExclusive: true, maxExclusive: true }),
    seed: opts.seed === undefined ? 0 : checkInt('opts.seed', opts.seed, 0, Number.MAX_SAFE_INTEGER),
  };
}

function sampleMean(x: Float64Array): number {
  let s = 0;
  for (let i = 0; i < x.length; i++) s += x[i];
  return s / x.length;
}

function percentileInterval(x: Float64Array, o: Required<BootstrapOptions>): BootstrapInterval {
  const rng = new Rng(o.seed);
  const n = x.length;
  const means = new Float64Array(o.resamples);
  for (let r = 0; r < o.resamples; r++) {
    let s = 0;
    for (let i = 0; i < n; i++) s += x[rng.int(n)];
    means[r] = s / n;
  }
  const alpha = (1 - o.level) / 2;
  const lower = quantile(means, alpha, { overwrite: true });
  const upper = quantile(means, 1 - alpha, { overwrite: true });
  return { estimate: sampleMean(x), lower, upper, level: o.level, units: n, excludesZero: lower > 0 || upper < 0 };
}

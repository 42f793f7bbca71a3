/**
 * The diagonal-jitter retry schedule shared by the dense and banded Cholesky factorisations
 * (internal; not exported from the package barrel).
 *
 * A symmetric positive semi-definite matrix that is singular, or positive definite but
 * damaged by rounding, fails Cholesky at some pivot. Adding a small multiple of the identity
 * (jitter) makes it positive definite at the price of a tiny bias; the schedule tries no jitter
 * first, then `jitter0`, `10·jitter0`, `100·jitter0`, ... for `maxTries` retries. This is the
 * standard recipe of Gaussian-process software (e.g. GPyTorch's `psd_safe_cholesky`).
 */
import { SparseInferenceError } from '../errors.js';
import { checkInt, checkNumber } from '../validate.js';
import { optionKeys } from '../options.js';

/** Options shared by {@link cholesky} and `bandedCholesky`. */
export interface JitterOptions {
  /**
   * First jitter added to the diagonal after the plain factorisation fails (absolute, > 0).
   * Default: 1e-10 · mean(diag A), or 1e-10 when that mean is not positive.
   */
  jitter?: number;
  /**
   * Number of jittered retries, each with 10× the previous jitter; 0 disables jitter
   * (strict: fail at the first non-positive pivot). Default 6, so the largest jitter tried is
   * 1e5 · jitter (1e-5 · mean(diag A) by default).
   */
  maxTries?: number;
}

/** Every key of JitterOptions, for checkOptions. */
export const JITTER_KEYS = optionKeys<JitterOptions>({ jitter: true, maxTries: true });

/** Default number of jittered retries. */
export const DEFAULT_JITTER_TRIES = 6;

/**
 * Runs `attempt(shift)` with shift = 0, then the jitter schedule, until it returns −1 (success).
 * `attempt` returns the index of the failing pivot, or −1. Returns the jitter that worked.
 * Throws NOT_CONVERGED naming `what` when every attempt fails.
 */
export function withJitter(
  what: string,
  meanDiag: number,
  opts: JitterOptions,
  attempt: (shift: number) => number,
): number {
  const maxTries = opts.maxTries === undefined ? DEFAULT_JITTER_TRIES : checkInt('opts.maxTries', opts.maxTries, 0, 30);
  const base = opts.jitter === undefined
    ? 1e-10 * (meanDiag > 0 ? meanDiag : 1)
    : checkNumber('opts.jitter', opts.jitter, 0, Infinity, { minExclusive: true });
  let pivot = attempt(0);
  if (pivot < 0) return 0;
  let shift = base;
  for (let t = 0; t < maxTries; t++, shift *= 10) {
    pivot = attempt(shift);
    if (pivot < 0) return shift;
  }
  const last = maxTries > 0 ? base * 10 ** (maxTries - 1) : 0;
  throw new SparseInferenceError(
    'NOT_CONVERGED',
    `${what}: A is not positive definite (non-positive pivot at row ${pivot})` +
      (maxTries > 0
        ? ` even after adding jitter up to ${last.toExponential(2)} to the diagonal (${maxTries} tries)`
        : ' and jitter is disabled (opts.maxTries = 0)'),
  );
}

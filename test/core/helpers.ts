/**
 * Shared helpers for the core tests: fixture loading, random test matrices, tolerant
 * comparison and error expectations.
 */
import { readFileSync } from 'node:fs';
import { expect } from 'vitest';
import { SparseInferenceError, type ErrorCode } from '../../src/core/errors.js';
import type { Rng } from '../../src/core/rng.js';

/** Parses test/fixtures/core/<name>. */
export function loadFixture<T>(name: string): T {
  return JSON.parse(readFileSync(new URL(`../fixtures/core/${name}`, import.meta.url), 'utf8')) as T;
}

/** n*n lower-triangular matrix with entries N(0, 1) below and |N(0,1)| + 0.5 on the diagonal. */
export function randomLower(rng: Rng, n: number): Float64Array {
  const L = new Float64Array(n * n);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < i; j++) L[i * n + j] = rng.normal();
    L[i * n + i] = Math.abs(rng.normal()) + 0.5;
  }
  return L;
}

/** Random symmetric positive definite A = M·Mᵀ + n·I (M with N(0, 1) entries), n*n. */
export function randomSpd(rng: Rng, n: number): Float64Array {
  const M = Float64Array.from({ length: n * n }, () => rng.normal());
  const A = new Float64Array(n * n);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < n; j++) {
      let s = 0;
      for (let k = 0; k < n; k++) s += M[i * n + k] * M[j * n + k];
      A[i * n + j] = s + (i === j ? n : 0);
    }
  }
  return A;
}

export function randomVector(rng: Rng, n: number): Float64Array {
  return Float64Array.from({ length: n }, () => rng.normal());
}

/** Plain matrix-vector product (test oracle), A: m*n row-major. */
export function denseMatVec(A: ArrayLike<number>, x: ArrayLike<number>, m: number, n: number): Float64Array {
  const y = new Float64Array(m);
  for (let i = 0; i < m; i++) {
    let s = 0;
    for (let j = 0; j < n; j++) s += A[i * n + j] * x[j];
    y[i] = s;
  }
  return y;
}

export function maxAbs(a: ArrayLike<number>): number {
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i]));
  return m;
}

/** max |a_i − b_i| / scale ≤ tol, with a readable failure message. */
export function expectAllClose(
  actual: ArrayLike<number>, expected: ArrayLike<number>, tol: number, scale = Math.max(1, maxAbs(expected)),
): void {
  expect(actual.length).toBe(expected.length);
  let worst = 0, at = -1;
  for (let i = 0; i < expected.length; i++) {
    const d = Math.abs(actual[i] - expected[i]) / scale;
    if (!(d <= worst)) { worst = d; at = i; }
  }
  if (!(worst <= tol)) {
    throw new Error(`arrays differ at [${at}]: ${actual[at]} vs ${expected[at]} (scaled error ${worst} > ${tol})`);
  }
}

/** |a − b| ≤ rtol·|b| + atol. */
export function expectClose(actual: number, expected: number, rtol: number, atol = 0): void {
  if (!(Math.abs(actual - expected) <= rtol * Math.abs(expected) + atol)) {
    throw new Error(`${actual} is not within rtol ${rtol} / atol ${atol} of ${expected}`);
  }
}

/** fn must throw SparseInferenceError with the given code and a message matching `message`. */
export function expectError(fn: () => unknown, code: ErrorCode, message: RegExp): void {
  let err: unknown;
  try { fn(); } catch (e) { err = e; }
  expect(err, `expected ${code} error matching ${message}`).toBeInstanceOf(SparseInferenceError);
  const e = err as SparseInferenceError;
  expect(e.code).toBe(code);
  expect(e.message).toMatch(message);
}

/**
 * Shape checks shared by every backend: O(1) per call, so kernels never read out of bounds
 * (a WASM trap or garbage) and bad sizes surface as SparseInferenceError naming the argument.
 */
import type { KernelFunctions } from './kernels.js';
import { checkFloat32, checkInt32, checkInt, checkNumber, checkOneOf } from '../core/validate.js';
import { badArgument } from '../core/errors.js';

const MAX = 2 ** 31 - 1;

function size(name: string, v: number, min = 0): number {
  return checkInt(name, v, min, MAX);
}

function product(name: string, ...parts: number[]): number {
  const p = parts.reduce((a, b) => a * b, 1);
  if (p > MAX) throw badArgument(`${name} is too large (${p} elements)`);
  return p;
}

/** Wrap raw kernel functions with argument checks; the wrapped functions are what users get. */
export function withShapeChecks(k: KernelFunctions): KernelFunctions {
  return {
    dot(x, y, n) {
      size('n', n); checkFloat32('x', x, n); checkFloat32('y', y, n);
      return k.dot(x, y, n);
    },
    axpy(a, x, y, n) {
      checkNumber('a', a); size('n', n); checkFloat32('x', x, n); checkFloat32('y', y, n);
      k.axpy(a, x, y, n);
    },
    gemv(W, x, y, rows, cols) {
      size('rows', rows); size('cols', cols);
      checkFloat32('W', W, product('rows*cols', rows, cols)); checkFloat32('x', x, cols); checkFloat32('y', y, rows);
      k.gemv(W, x, y, rows, cols);
    },
    gemvT(W, x, y, rows, cols) {
      size('rows', rows); size('cols', cols);
      checkFloat32('W', W, product('rows*cols', rows, cols)); checkFloat32('x', x, rows); checkFloat32('y', y, cols);
      k.gemvT(W, x, y, rows, cols);
    },
    l2sqrBatch(X, C, out, n, kk, d) {
      size('n', n); size('k', kk); size('d', d, 1);
      checkFloat32('X', X, product('n*d', n, d)); checkFloat32('C', C, product('k*d', kk, d));
      checkFloat32('out', out, product('n*k', n, kk));
      k.l2sqrBatch(X, C, out, n, kk, d);
    },
    argminL2(X, C, codes, dist, n, kk, d) {
      size('n', n); size('k', kk, 1); size('d', d, 1);
      checkFloat32('X', X, product('n*d', n, d)); checkFloat32('C', C, product('k*d', kk, d));
      checkInt32('codes', codes, n); checkFloat32('dist', dist, n);
      k.argminL2(X, C, codes, dist, n, kk, d);
    },
    topK(x, n, kk, out) {
      size('n', n); checkInt('k', kk, 0, n); checkFloat32('x', x, n); checkInt32('out', out, kk);
      k.topK(x, n, kk, out);
    },
    softmax(x, out, n) {
      size('n', n, 1); checkFloat32('x', x, n); checkFloat32('out', out, n);
      k.softmax(x, out, n);
    },
    rmsnorm(x, w, out, n, eps) {
      size('n', n, 1); checkFloat32('x', x, n); checkFloat32('w', w, n); checkFloat32('out', out, n);
      checkNumber('eps', eps, 0, Infinity);
      k.rmsnorm(x, w, out, n, eps);
    },
    rope(x, nHeads, headDim, pos, base, pairing) {
      size('nHeads', nHeads); size('headDim', headDim, 2);
      if (headDim % 2 !== 0) throw badArgument(`headDim must be even, got ${headDim}`);
      checkFloat32('x', x, product('nHeads*headDim', nHeads, headDim));
      checkNumber('pos', pos); checkNumber('base', base, 1, Infinity, { minExclusive: true });
      checkOneOf('pairing', pairing, ['adjacent', 'half'] as const);
      k.rope(x, nHeads, headDim, pos, base, pairing);
    },
  };
}

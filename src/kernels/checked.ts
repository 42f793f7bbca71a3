/**
 * Shape checks shared by every backend: O(1) per call, so kernels never read out of bounds
 * (a WASM trap or garbage) and bad sizes surface as SparseInferenceError naming the argument.
 */
import type { DecoderLayerShape, KernelFunctions } from './kernels.js';
import { checkFloat32, checkFloat64, checkFinite, checkInt32, checkInt, checkNumber, checkOneOf, describe } from '../core/validate.js';
import { badArgument } from '../core/errors.js';
import { decoderLayerScratchLength, decoderLayerWeightLength } from './decoder-layer-layout.js';
import { quantizedRowWords, type QuantizedType } from './quantized-row-words.js';
import { q8ActivationWords } from './q8-activation-words.js';
import { causalAttentionScratchLength } from './causal-attention-scratch.js';

const MAX = 2 ** 31 - 1;

function size(name: string, v: number, min = 0): number {
  return checkInt(name, v, min, MAX);
}

function product(name: string, ...parts: number[]): number {
  const p = parts.reduce((a, b) => a * b, 1);
  if (p > MAX) throw badArgument(`${name} is too large (${p} elements)`);
  return p;
}

/** A threshold: any number but NaN (±Infinity keeps nothing / everything). */
function checkThreshold(name: string, t: unknown): void {
  if (typeof t !== 'number' || Number.isNaN(t)) throw badArgument(`${name} must be a number (not NaN), got ${describe(t)}`);
}

type Typed = Float32Array | Float64Array | Int32Array;

/**
 * An output must not overlap an input over the elements the kernel touches: backends that copy
 * arguments (wasm without resident arrays) and backends that work in place would otherwise give
 * different answers. `sameOk` allows the exact alias a signature documents ("may alias").
 */
function separate(outName: string, out: Typed, outLength: number, inName: string, input: Typed, inLength: number,
  sameOk = false): void {
  // Not both real views: the webgpu backend checks shapes on stand-ins for device arrays, and
  // compares device arrays itself.
  if (!ArrayBuffer.isView(out) || !ArrayBuffer.isView(input) || out.buffer !== input.buffer) return;
  const o0 = out.byteOffset, o1 = o0 + outLength * out.BYTES_PER_ELEMENT;
  const i0 = input.byteOffset, i1 = i0 + inLength * input.BYTES_PER_ELEMENT;
  if (o0 >= i1 || i0 >= o1 || outLength === 0 || inLength === 0) return;
  if (sameOk && o0 === i0 && o1 === i1) return;
  throw badArgument(`${outName} must not overlap ${inName}${sameOk ? ' (it may be the very same array)' : ''}`);
}

/** Throws naming the first non-finite element of a[0..n), found cheaply (see argminL2). */
function finiteBySum(k: KernelFunctions, name: string, a: Float32Array, n: number): void {
  if (!Number.isFinite(k.sum(a, n))) checkFinite(name, a, n); // a finite sum that overflowed passes the scan
}

/** rows, cols (a multiple of the 32-column block) and W's length for a quantized matrix. */
function quantizedShape(type: QuantizedType, W: Int32Array, rows: number, cols: number): void {
  size('rows', rows); size('cols', cols);
  if (cols % 32 !== 0) throw badArgument(`cols must be a multiple of 32 (one ${type} block), got ${cols}`);
  checkInt32('W', W, product(`rows*${type} row words`, rows, quantizedRowWords(type, cols)));
}

/** n vectors of cols values quantized by quantizeQ8_1 (n·q8ActivationWords(cols) words). */
function checkQ8Activations(name: string, q: Int32Array, cols: number, n = 1): void {
  checkInt32(name, q, product(`${n === 1 ? '' : 'n*'}q8 words(cols)`, n, q8ActivationWords(cols)));
}

/** Wrap raw kernel functions with argument checks; the wrapped functions are what users get. */
export function withShapeChecks(k: KernelFunctions): KernelFunctions {
  return {
    dot(x, y, n) {
      size('n', n); checkFloat32('x', x, n); checkFloat32('y', y, n);
      return k.dot(x, y, n);
    },
    sum(x, n) {
      size('n', n); checkFloat32('x', x, n);
      return k.sum(x, n);
    },
    spvmm(x, W, y, rows, cols) {
      size('rows', rows); size('cols', cols);
      checkFloat32('x', x, rows); checkFloat32('W', W, product('rows*cols', rows, cols)); checkFloat32('y', y, cols);
      separate('y', y, cols, 'x', x, rows); separate('y', y, cols, 'W', W, rows * cols);
      return k.spvmm(x, W, y, rows, cols);
    },
    vmmsp(x, W, s, out, rows, cols) {
      size('rows', rows); size('cols', cols);
      checkFloat32('x', x, cols); checkFloat32('W', W, product('rows*cols', rows, cols));
      checkFloat32('s', s, rows); checkFloat32('out', out, rows);
      separate('out', out, rows, 'x', x, cols); separate('out', out, rows, 'W', W, rows * cols); separate('out', out, rows, 's', s, rows);
      return k.vmmsp(x, W, s, out, rows, cols);
    },
    swiglu(gate, up, n) {
      size('n', n); checkFloat32('gate', gate, n); checkFloat32('up', up, n);
      separate('gate', gate, n, 'up', up, n);
      k.swiglu(gate, up, n);
    },
    siluThreshold(gate, t, n) { // activations
      size('n', n); checkFloat32('gate', gate, n);
      if (t instanceof Float64Array) checkFloat64('t', t, n);
      else if (t instanceof Float32Array) checkFloat32('t', t, n);
      else throw badArgument(`t must be a Float32Array or a Float64Array, got ${describe(t)}`);
      separate('gate', gate, n, 't', t, n);
      return k.siluThreshold(gate, t, n);
    },
    threshold(v, t, out, n) { // activations
      size('n', n); checkThreshold('t', t); checkFloat32('v', v, n); checkFloat32('out', out, n);
      separate('out', out, n, 'v', v, n);
      return k.threshold(v, t, out, n);
    },
    siluMulThreshold(gate, up, t, n) { // activations
      size('n', n); checkThreshold('t', t); checkFloat32('gate', gate, n); checkFloat32('up', up, n);
      separate('up', up, n, 'gate', gate, n);
      return k.siluMulThreshold(gate, up, t, n);
    },
    axpy(a, x, y, n) {
      checkNumber('a', a); size('n', n); checkFloat32('x', x, n); checkFloat32('y', y, n);
      separate('y', y, n, 'x', x, n, true);
      k.axpy(a, x, y, n);
    },
    gemv(W, x, y, rows, cols) {
      size('rows', rows); size('cols', cols);
      checkFloat32('W', W, product('rows*cols', rows, cols)); checkFloat32('x', x, cols); checkFloat32('y', y, rows);
      separate('y', y, rows, 'W', W, rows * cols); separate('y', y, rows, 'x', x, cols);
      k.gemv(W, x, y, rows, cols);
    },
    packGemv(W, P, rows, cols) {
      size('rows', rows); size('cols', cols);
      checkFloat32('W', W, product('rows*cols', rows, cols));
      checkFloat32('P', P, product('rows*cols', Math.ceil(rows / 16) * 16, cols));
      separate('P', P, Math.ceil(rows / 16) * 16 * cols, 'W', W, rows * cols);
      k.packGemv(W, P, rows, cols);
    },
    gemvPacked(P, x, y, rows, cols) {
      size('rows', rows); size('cols', cols);
      checkFloat32('P', P, product('rows*cols', Math.ceil(rows / 16) * 16, cols));
      checkFloat32('x', x, cols); checkFloat32('y', y, rows);
      separate('y', y, rows, 'P', P, Math.ceil(rows / 16) * 16 * cols); separate('y', y, rows, 'x', x, cols);
      k.gemvPacked(P, x, y, rows, cols);
    },
    gemvQ4_1(W, x, y, rows, cols) {
      quantizedShape('Q4_1', W, rows, cols); checkFloat32('x', x, cols); checkFloat32('y', y, rows);
      separate('y', y, rows, 'W', W, rows * quantizedRowWords('Q4_1', cols)); separate('y', y, rows, 'x', x, cols);
      k.gemvQ4_1(W, x, y, rows, cols);
    },
    gemvQ8_0(W, x, y, rows, cols) {
      quantizedShape('Q8_0', W, rows, cols); checkFloat32('x', x, cols); checkFloat32('y', y, rows);
      separate('y', y, rows, 'W', W, rows * quantizedRowWords('Q8_0', cols)); separate('y', y, rows, 'x', x, cols);
      k.gemvQ8_0(W, x, y, rows, cols);
    },
    gemm(W, X, Y, rows, cols, n) {
      size('rows', rows); size('cols', cols); size('n', n);
      checkFloat32('W', W, product('rows*cols', rows, cols));
      checkFloat32('X', X, product('n*cols', n, cols)); checkFloat32('Y', Y, product('n*rows', n, rows));
      k.gemm(W, X, Y, rows, cols, n);
    },
    gemmQ4_1(W, X, Y, rows, cols, n) {
      quantizedShape('Q4_1', W, rows, cols); size('n', n);
      checkFloat32('X', X, product('n*cols', n, cols)); checkFloat32('Y', Y, product('n*rows', n, rows));
      k.gemmQ4_1(W, X, Y, rows, cols, n);
    },
    gemmQ8_0(W, X, Y, rows, cols, n) {
      quantizedShape('Q8_0', W, rows, cols); size('n', n);
      checkFloat32('X', X, product('n*cols', n, cols)); checkFloat32('Y', Y, product('n*rows', n, rows));
      k.gemmQ8_0(W, X, Y, rows, cols, n);
    },
    quantizeQ8_1(x, q, length) {
      size('length', length);
      if (length % 32 !== 0) throw badArgument(`length must be a multiple of 32 (one Q8_1 block), got ${length}`);
      checkFloat32('x', x, length); checkQ8Activations('q', q, length);
      separate('q', q, q8ActivationWords(length), 'x', x, length);
      k.quantizeQ8_1(x, q, length);
    },
    gemvQ4_1Q8_1(W, xq, y, rows, cols) {
      quantizedShape('Q4_1', W, rows, cols); checkQ8Activations('xq', xq, cols); checkFloat32('y', y, rows);
      separate('y', y, rows, 'W', W, rows * quantizedRowWords('Q4_1', cols)); separate('y', y, rows, 'xq', xq, q8ActivationWords(cols));
      k.gemvQ4_1Q8_1(W, xq, y, rows, cols);
    },
    gemvQ8_0Q8_1(W, xq, y, rows, cols) {
      quantizedShape('Q8_0', W, rows, cols); checkQ8Activations('xq', xq, cols); checkFloat32('y', y, rows);
      separate('y', y, rows, 'W', W, rows * quantizedRowWords('Q8_0', cols)); separate('y', y, rows, 'xq', xq, q8ActivationWords(cols));
      k.gemvQ8_0Q8_1(W, xq, y, rows, cols);
    },
    gemmQ4_1Q8_1(W, Xq, Y, rows, cols, n) {
      quantizedShape('Q4_1', W, rows, cols); size('n', n);
      checkQ8Activations('Xq', Xq, cols, n); checkFloat32('Y', Y, product('n*rows', n, rows));
      separate('Y', Y, n * rows, 'W', W, rows * quantizedRowWords('Q4_1', cols)); separate('Y', Y, n * rows, 'Xq', Xq, n * q8ActivationWords(cols));
      k.gemmQ4_1Q8_1(W, Xq, Y, rows, cols, n);
    },
    gemmQ8_0Q8_1(W, Xq, Y, rows, cols, n) {
      quantizedShape('Q8_0', W, rows, cols); size('n', n);
      checkQ8Activations('Xq', Xq, cols, n); checkFloat32('Y', Y, product('n*rows', n, rows));
      separate('Y', Y, n * rows, 'W', W, rows * quantizedRowWords('Q8_0', cols)); separate('Y', Y, n * rows, 'Xq', Xq, n * q8ActivationWords(cols));
      k.gemmQ8_0Q8_1(W, Xq, Y, rows, cols, n);
    },
    gemvT(W, x, y, rows, cols) {
      size('rows', rows); size('cols', cols);
      checkFloat32('W', W, product('rows*cols', rows, cols)); checkFloat32('x', x, rows); checkFloat32('y', y, cols);
      separate('y', y, cols, 'W', W, rows * cols); separate('y', y, cols, 'x', x, rows);
      k.gemvT(W, x, y, rows, cols);
    },
    l2sqrBatch(X, C, out, n, kk, d) {
      size('n', n); size('k', kk); size('d', d, 1);
      checkFloat32('X', X, product('n*d', n, d)); checkFloat32('C', C, product('k*d', kk, d));
      checkFloat32('out', out, product('n*k', n, kk));
      separate('out', out, n * kk, 'X', X, n * d); separate('out', out, n * kk, 'C', C, kk * d);
      k.l2sqrBatch(X, C, out, n, kk, d);
    },
    argminL2(X, C, codes, dist, n, kk, d) {
      size('n', n); size('k', kk, 1); size('d', d, 1);
      checkFloat32('X', X, product('n*d', n, d)); checkFloat32('C', C, product('k*d', kk, d));
      checkInt32('codes', codes, n); checkFloat32('dist', dist, n);
      separate('codes', codes, n, 'X', X, n * d); separate('codes', codes, n, 'C', C, kk * d);
      separate('dist', dist, n, 'X', X, n * d); separate('dist', dist, n, 'C', C, kk * d); separate('dist', dist, n, 'codes', codes, n);
      // Non-finite input has no nearest centroid, and backends would disagree on the code (the
      // reference wrote −1). The scan is the backend's own streaming sum (NaN and ±Infinity
      // survive summation), so it costs a fraction of the kernel even for k = 1; only when the
      // sum is not finite is the element found and named.
      finiteBySum(k, 'C', C, kk * d); finiteBySum(k, 'X', X, n * d);
      k.argminL2(X, C, codes, dist, n, kk, d);
    },
    topK(x, n, kk, out) {
      size('n', n); checkInt('k', kk, 0, n); checkFloat32('x', x, n); checkInt32('out', out, kk);
      separate('out', out, kk, 'x', x, n);
      k.topK(x, n, kk, out);
    },
    topKSelect(x, n, kk, out) { // kvcache
      size('n', n); checkInt('k', kk, 0, n); checkFloat32('x', x, n); checkInt32('out', out, kk);
      separate('out', out, kk, 'x', x, n);
      k.topKSelect(x, n, kk, out);
    },
    topKSelectRows(x, rows, n, kk, out) { // kvcache
      size('rows', rows); size('n', n); checkInt('k', kk, 0, n);
      checkFloat32('x', x, product('rows*n', rows, n)); checkInt32('out', out, product('rows*k', rows, kk));
      separate('out', out, rows * kk, 'x', x, rows * n);
      k.topKSelectRows(x, rows, n, kk, out);
    },
    lutGather(table, tableSize, codes, n, out) { // kvcache
      size('tableSize', tableSize, 1); size('n', n);
      checkFloat32('table', table, tableSize); checkInt32('codes', codes, n); checkFloat32('out', out, n);
      separate('out', out, n, 'table', table, tableSize); separate('out', out, n, 'codes', codes, n);
      k.lutGather(table, tableSize, codes, n, out);
    },
    selectiveAttention(q, K, V, idx, count, rows, d, stride, scale, out) { // kvcache
      size('count', count); size('rows', rows); size('d', d, 1); checkInt('stride', stride, d, MAX);
      checkFloat32('q', q, d); checkInt32('idx', idx, count); checkFloat32('out', out, d);
      const span = rows === 0 ? 0 : product('(rows-1)*stride+d', rows - 1, stride) + d;
      checkFloat32('K', K, span); checkFloat32('V', V, span);
      checkNumber('scale', scale);
      separate('out', out, d, 'q', q, d); separate('out', out, d, 'K', K, span); separate('out', out, d, 'V', V, span);
      separate('out', out, d, 'idx', idx, count);
      // O(count) next to the O(count·d) kernel: an index outside [0, rows) must not read past K/V.
      for (let c = 0; c < count; c++) {
        const t = idx[c];
        if (t < 0 || t >= rows) throw badArgument(`idx[${c}] must be a row in [0, ${rows}), got ${t}`);
      }
      return k.selectiveAttention(q, K, V, idx, count, rows, d, stride, scale, out);
    },
    selectiveAttentionHeads(q, K, V, idx, count, rows, d, stride, nHeads, group, scale, out, lse) { // llama / kvcache
      size('count', count); size('rows', rows); size('d', d, 1); size('nHeads', nHeads); size('group', group, 1);
      const nKv = Math.ceil(nHeads / group); // KV heads read: 0..nKv−1, at column offsets g·d
      const width = product('nKv*d', Math.max(1, nKv), d);
      checkInt('stride', stride, width, MAX);
      const hd = product('nHeads*d', nHeads, d);
      checkFloat32('q', q, hd); checkInt32('idx', idx, count); checkFloat32('out', out, hd); checkFloat32('lse', lse, nHeads);
      const span = rows === 0 || nHeads === 0 ? 0 : product('(rows-1)*stride+nKv*d', rows - 1, stride) + width;
      checkFloat32('K', K, span); checkFloat32('V', V, span);
      checkNumber('scale', scale);
      for (const [name, a, len] of [['q', q, hd], ['K', K, span], ['V', V, span], ['idx', idx, count]] as const) {
        separate('out', out, hd, name, a, len); separate('lse', lse, nHeads, name, a, len);
      }
      separate('lse', lse, nHeads, 'out', out, hd);
      // O(count) next to the O(nHeads·count·d) kernel: an index outside [0, rows) must not read past K/V.
      for (let c = 0; c < count; c++) {
        const t = idx[c];
        if (t < 0 || t >= rows) throw badArgument(`idx[${c}] must be a row in [0, ${rows}), got ${t}`);
      }
      k.selectiveAttentionHeads(q, K, V, idx, count, rows, d, stride, nHeads, group, scale, out, lse);
    },
    causalAttention(Q, K, V, pos0, n, d, stride, nHeads, group, scale, out, scratch) { // llama prefill
      size('pos0', pos0); size('n', n, 1); size('d', d, 1); size('nHeads', nHeads, 1); size('group', group, 1);
      if (nHeads % group !== 0) throw badArgument(`group must divide nHeads, got group ${group} and nHeads ${nHeads}`);
      size('pos0+n', pos0 + n);
      const width = product('nKv*d', nHeads / group, d);
      checkInt('stride', stride, width, MAX);
      const rows = product('n*nHeads*d', product('n*nHeads', n, nHeads), d);
      const span = product('(pos0+n-1)*stride+nKv*d', pos0 + n - 1, stride) + width;
      const work = causalAttentionScratchLength(n, nHeads);
      checkFloat32('Q', Q, rows); checkFloat32('K', K, span); checkFloat32('V', V, span);
      checkFloat32('out', out, rows); checkFloat32('scratch', scratch, work);
      checkNumber('scale', scale);
      for (const [name, a, len] of [['Q', Q, rows], ['K', K, span], ['V', V, span]] as const) {
        separate('out', out, rows, name, a, len); separate('scratch', scratch, work, name, a, len);
      }
      separate('scratch', scratch, work, 'out', out, rows);
      k.causalAttention(Q, K, V, pos0, n, d, stride, nHeads, group, scale, out, scratch);
    },
    softmax(x, out, n) {
      size('n', n, 1); checkFloat32('x', x, n); checkFloat32('out', out, n);
      separate('out', out, n, 'x', x, n, true);
      k.softmax(x, out, n);
    },
    rmsnorm(x, w, out, n, eps) {
      size('n', n, 1); checkFloat32('x', x, n); checkFloat32('w', w, n); checkFloat32('out', out, n);
      checkNumber('eps', eps, 0, Infinity);
      separate('out', out, n, 'x', x, n, true); separate('out', out, n, 'w', w, n);
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
    decoderLayer(x, W, keys, keysPre, values, scratch, pos, shape) { // llama
      const s = checkDecoderLayerShape(shape);
      const kvDim = (s.dim / s.nHeads) * s.nKvHeads;
      checkInt('pos', pos, 0, MAX);
      checkFloat32('x', x, s.dim);
      checkFloat32('W', W, decoderLayerWeightLength(s));
      const rows = product('(pos+1)*kvDim', pos + 1, kvDim);
      checkFloat32('keys', keys, rows); checkFloat32('keysPre', keysPre, rows); checkFloat32('values', values, rows);
      checkFloat32('scratch', scratch, decoderLayerScratchLength(s, pos + 1));
      k.decoderLayer(x, W, keys, keysPre, values, scratch, pos, s);
    },
    bsplineBasis(x, n, t, nt, degree, first, values) { // knots
      size('n', n); checkInt('degree', degree, 0, 20); size('nt', nt, 2 * degree + 2);
      checkFloat64('x', x, n); checkFloat64('t', t, nt); checkInt32('first', first, n);
      checkFloat64('values', values, product('n*(degree+1)', n, degree + 1));
      for (const [name, a, len] of [['x', x, n], ['t', t, nt]] as const) {
        separate('first', first, n, name, a, len); separate('values', values, n * (degree + 1), name, a, len);
      }
      separate('values', values, n * (degree + 1), 'first', first, n);
      if (!(t[degree] < t[nt - degree - 1])) throw badArgument(`t must have t[degree] < t[nt−degree−1], got ${t[degree]} and ${t[nt - degree - 1]}`);
      k.bsplineBasis(x, n, t, nt, degree, first, values);
    },
    bandedGram(first, values, n, width, weights, z, p, band, btz) { // knots
      size('n', n); size('width', width, 1); size('p', p, width);
      checkInt32('first', first, n); checkFloat64('values', values, product('n*width', n, width));
      if (weights !== null) checkFloat64('weights', weights, n);
      checkFloat64('z', z, n); checkFloat64('band', band, product('p*width', p, width)); checkFloat64('btz', btz, p);
      const inputs = [['first', first, n], ['values', values, n * width], ['z', z, n]] as [string, Typed, number][];
      if (weights !== null) inputs.push(['weights', weights, n]);
      for (const [name, a, len] of inputs) { separate('band', band, p * width, name, a, len); separate('btz', btz, p, name, a, len); }
      separate('btz', btz, p, 'band', band, p * width);
      const bad = k.bandedGram(first, values, n, width, weights, z, p, band, btz);
      if (bad >= 0) throw badArgument(`first[${bad}] = ${first[bad]} puts row ${bad} outside columns [0, ${p})`);
      return bad;
    },
  };
}

/** Frozen shapes already checked: a model passes the same one for every layer of every token. */
const checkedShapes = new WeakSet<DecoderLayerShape>();

/** A decoderLayer shape: positive sizes, even headDim = dim/nHeads, nKvHeads dividing nHeads. */
function checkDecoderLayerShape(shape: DecoderLayerShape): DecoderLayerShape {
  if (typeof shape !== 'object' || shape === null) throw badArgument(`shape must be an object, got ${describe(shape)}`);
  if (checkedShapes.has(shape)) return shape;
  const dim = checkInt('shape.dim', shape.dim, 2, MAX);
  const hiddenDim = checkInt('shape.hiddenDim', shape.hiddenDim, 1, MAX);
  const nHeads = checkInt('shape.nHeads', shape.nHeads, 1, dim);
  const nKvHeads = checkInt('shape.nKvHeads', shape.nKvHeads, 1, nHeads);
  if (dim % nHeads !== 0 || (dim / nHeads) % 2 !== 0) {
    throw badArgument(`shape.dim / shape.nHeads must be an even integer, got ${dim} / ${nHeads}`);
  }
  if (nHeads % nKvHeads !== 0) throw badArgument(`shape.nKvHeads must divide shape.nHeads, got ${nKvHeads} and ${nHeads}`);
  checkNumber('shape.normEps', shape.normEps, 0, Infinity);
  checkNumber('shape.ropeBase', shape.ropeBase, 1, Infinity, { minExclusive: true });
  checkOneOf('shape.ropePairing', shape.ropePairing, ['adjacent', 'half'] as const);
  product('shape.hiddenDim*dim', hiddenDim, dim);
  if (Object.isFrozen(shape)) checkedShapes.add(shape); // a frozen shape cannot change after this check
  return shape;
}

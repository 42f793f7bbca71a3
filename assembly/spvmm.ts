/**
 * spvmm (CHESS §4): y = x·W for a sparse x. W: rows*cols, input-major (row k = input channel k,
 * contiguous, cols floats); x: rows; y: cols (overwritten); idx: rows i32 of caller scratch.
 * Pass 1 compacts the indices of nonzero x_k into idx; pass 2 streams only those rows of W,
 * eight per sweep over y (SIMD build; then four, then one): y is loaded and stored an eighth as
 * often, and eight concurrent row streams keep enough loads in flight to approach DRAM bandwidth
 * with rows scattered in memory (8 measured ~13% faster than 4 at 14336×4096). Every rows/cols
 * is handled (scalar tails); the authors' AVX2 kernel dropped the last partial block instead.
 * Returns the number of nonzero inputs.
 */
export function spvmm(x: usize, W: usize, y: usize, rows: i32, cols: i32, idx: usize): i32 {
  const nnz = compactNonzero(x, rows, idx);
  memory.fill(y, 0, <usize>cols << 2);
  const stride = <usize>cols << 2;
  let j = 0;
  if (ASC_FEATURE_SIMD) {
    for (; j + 8 <= nnz; j += 8) accumulateRows8(x, W, stride, idx + (<usize>j << 2), y, cols);
  }
  for (; j + 4 <= nnz; j += 4) {
    const p = idx + (<usize>j << 2);
    const r0 = load<i32>(p), r1 = load<i32>(p, 4), r2 = load<i32>(p, 8), r3 = load<i32>(p, 12);
    accumulateRows4(
      W + <usize>r0 * stride, W + <usize>r1 * stride, W + <usize>r2 * stride, W + <usize>r3 * stride,
      load<f32>(x + (<usize>r0 << 2)), load<f32>(x + (<usize>r1 << 2)),
      load<f32>(x + (<usize>r2 << 2)), load<f32>(x + (<usize>r3 << 2)), y, cols);
  }
  for (; j < nnz; j++) {
    const r = load<i32>(idx + (<usize>j << 2));
    accumulateRow(W + <usize>r * stride, load<f32>(x + (<usize>r << 2)), y, cols);
  }
  return nnz;
}

/**
 * Writes the indices i < n with v[i] != 0 (NaN counts as nonzero) to idx, in increasing order;
 * returns how many. SIMD: one compare and bitmask per four inputs, so zero blocks cost one branch.
 */
export function compactNonzero(v: usize, n: i32, idx: usize): i32 {
  let count = 0;
  let i = 0;
  if (ASC_FEATURE_SIMD) {
    const zero = f32x4.splat(0);
    for (; i + 4 <= n; i += 4) {
      let m = i32x4.bitmask(f32x4.ne(v128.load(v + (<usize>i << 2)), zero));
      while (m != 0) {
        store<i32>(idx + (<usize>count << 2), i + ctz(m));
        count++;
        m &= m - 1;
      }
    }
  }
  for (; i < n; i++) {
    if (load<f32>(v + (<usize>i << 2)) != 0) {
      store<i32>(idx + (<usize>count << 2), i);
      count++;
    }
  }
  return count;
}

/** y += Σ_{t<8} x[r_t]·W[r_t,:] for the eight row indices at p (SIMD build only). */
// @ts-ignore: decorator
@inline function accumulateRows8(x: usize, W: usize, stride: usize, p: usize, y: usize, cols: i32): void {
  const r0 = load<i32>(p), r1 = load<i32>(p, 4), r2 = load<i32>(p, 8), r3 = load<i32>(p, 12);
  const r4 = load<i32>(p, 16), r5 = load<i32>(p, 20), r6 = load<i32>(p, 24), r7 = load<i32>(p, 28);
  const w0 = W + <usize>r0 * stride, w1 = W + <usize>r1 * stride, w2 = W + <usize>r2 * stride, w3 = W + <usize>r3 * stride;
  const w4 = W + <usize>r4 * stride, w5 = W + <usize>r5 * stride, w6 = W + <usize>r6 * stride, w7 = W + <usize>r7 * stride;
  const x0 = load<f32>(x + (<usize>r0 << 2)), x1 = load<f32>(x + (<usize>r1 << 2));
  const x2 = load<f32>(x + (<usize>r2 << 2)), x3 = load<f32>(x + (<usize>r3 << 2));
  const x4 = load<f32>(x + (<usize>r4 << 2)), x5 = load<f32>(x + (<usize>r5 << 2));
  const x6 = load<f32>(x + (<usize>r6 << 2)), x7 = load<f32>(x + (<usize>r7 << 2));
  const v0 = f32x4.splat(x0), v1 = f32x4.splat(x1), v2 = f32x4.splat(x2), v3 = f32x4.splat(x3);
  const v4 = f32x4.splat(x4), v5 = f32x4.splat(x5), v6 = f32x4.splat(x6), v7 = f32x4.splat(x7);
  let c = 0;
  for (; c + 4 <= cols; c += 4) {
    const o = <usize>c << 2;
    let a = v128.load(y + o);
    a = f32x4.add(a, f32x4.mul(v0, v128.load(w0 + o)));
    a = f32x4.add(a, f32x4.mul(v1, v128.load(w1 + o)));
    a = f32x4.add(a, f32x4.mul(v2, v128.load(w2 + o)));
    a = f32x4.add(a, f32x4.mul(v3, v128.load(w3 + o)));
    a = f32x4.add(a, f32x4.mul(v4, v128.load(w4 + o)));
    a = f32x4.add(a, f32x4.mul(v5, v128.load(w5 + o)));
    a = f32x4.add(a, f32x4.mul(v6, v128.load(w6 + o)));
    a = f32x4.add(a, f32x4.mul(v7, v128.load(w7 + o)));
    v128.store(y + o, a);
  }
  for (; c < cols; c++) {
    const o = <usize>c << 2;
    store<f32>(y + o, load<f32>(y + o) + x0 * load<f32>(w0 + o) + x1 * load<f32>(w1 + o) + x2 * load<f32>(w2 + o)
      + x3 * load<f32>(w3 + o) + x4 * load<f32>(w4 + o) + x5 * load<f32>(w5 + o) + x6 * load<f32>(w6 + o)
      + x7 * load<f32>(w7 + o));
  }
}

/** y += x0·w0 + x1·w1 + x2·w2 + x3·w3 over cols floats (four arbitrary rows). */
// @ts-ignore: decorator
@inline function accumulateRows4(w0: usize, w1: usize, w2: usize, w3: usize,
  x0: f32, x1: f32, x2: f32, x3: f32, y: usize, cols: i32): void {
  let c = 0;
  if (ASC_FEATURE_SIMD) {
    const v0 = f32x4.splat(x0), v1 = f32x4.splat(x1), v2 = f32x4.splat(x2), v3 = f32x4.splat(x3);
    for (; c + 8 <= cols; c += 8) {
      const o = <usize>c << 2;
      let a = v128.load(y + o);
      let b = v128.load(y + o, 16);
      a = f32x4.add(a, f32x4.mul(v0, v128.load(w0 + o)));
      b = f32x4.add(b, f32x4.mul(v0, v128.load(w0 + o, 16)));
      a = f32x4.add(a, f32x4.mul(v1, v128.load(w1 + o)));
      b = f32x4.add(b, f32x4.mul(v1, v128.load(w1 + o, 16)));
      a = f32x4.add(a, f32x4.mul(v2, v128.load(w2 + o)));
      b = f32x4.add(b, f32x4.mul(v2, v128.load(w2 + o, 16)));
      a = f32x4.add(a, f32x4.mul(v3, v128.load(w3 + o)));
      b = f32x4.add(b, f32x4.mul(v3, v128.load(w3 + o, 16)));
      v128.store(y + o, a);
      v128.store(y + o, b, 16);
    }
    for (; c + 4 <= cols; c += 4) {
      const o = <usize>c << 2;
      let a = v128.load(y + o);
      a = f32x4.add(a, f32x4.mul(v0, v128.load(w0 + o)));
      a = f32x4.add(a, f32x4.mul(v1, v128.load(w1 + o)));
      a = f32x4.add(a, f32x4.mul(v2, v128.load(w2 + o)));
      a = f32x4.add(a, f32x4.mul(v3, v128.load(w3 + o)));
      v128.store(y + o, a);
    }
  }
  for (; c < cols; c++) {
    const o = <usize>c << 2;
    store<f32>(y + o, load<f32>(y + o) + x0 * load<f32>(w0 + o) + x1 * load<f32>(w1 + o)
      + x2 * load<f32>(w2 + o) + x3 * load<f32>(w3 + o));
  }
}

/** y += x0·w0 over cols floats (the last nnz mod 4 rows). */
// @ts-ignore: decorator
@inline function accumulateRow(w0: usize, x0: f32, y: usize, cols: i32): void {
  let c = 0;
  if (ASC_FEATURE_SIMD) {
    const v0 = f32x4.splat(x0);
    for (; c + 4 <= cols; c += 4) {
      const o = <usize>c << 2;
      v128.store(y + o, f32x4.add(v128.load(y + o), f32x4.mul(v0, v128.load(w0 + o))));
    }
  }
  for (; c < cols; c++) {
    const o = <usize>c << 2;
    store<f32>(y + o, load<f32>(y + o) + x0 * load<f32>(w0 + o));
  }
}

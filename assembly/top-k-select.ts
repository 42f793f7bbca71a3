/**
 * Indices of the k largest of x[0..n) in increasing index order (the same set as topK:
 * ties to the lower index), found by selection in O(n) — no heap, no sort. Built for the
 * large-n, k ≈ 1–10% case of decode-time retrieval (n = 32K scores, k ≈ 1K):
 *
 *  1. A strided sample of 1024 scores gives a threshold τ a little below the k-th largest
 *     (rank k·m/n plus a 3σ margin in the sample), so that ≥ k elements are ≥ τ with high
 *     probability. One SIMD pass keeps the candidates x[i] ≥ τ (≈ 1.5–2k of them).
 *  2. Radix select (11 + 11 + 10 bits of the order-preserving integer key) over the
 *     candidates finds the exact k-th largest value T and how many elements equal to T fit.
 *  3. One pass over the candidates (in index order) emits x > T, then the first ties = T.
 * When the sample misjudges (fewer than k candidates) the radix select runs over all of x.
 *
 * scratch: 2048 + 2n 32-bit words (histogram, candidate indices, candidate values).
 * NaN ranks below −Infinity (-0 and +0 are treated as equal, as the comparison in topK does);
 * comparisons in steps 2–3 are on keys, so the k slots of out are always written.
 */

const SAMPLE: i32 = 1024;
let needEq: i32 = 0; // set by radixThreshold: how many elements equal to the threshold are taken

/**
 * Order-preserving map from f32 to u32 (larger float ↔ larger key); -0 maps like +0, and every
 * NaN maps to 0, below −Infinity (key 0x007fffff): NaN ranks lowest, so it is chosen only when
 * fewer than k other values exist, and every output slot is always written.
 */
// @ts-ignore: decorator
@inline export function key(v: f32): u32 {
  let b = reinterpret<u32>(v);
  if ((b & 0x7fffffff) > 0x7f800000) return 0; // NaN, by its bits (any sign, any payload)
  if (b == 0x80000000) b = 0;
  return (b & 0x80000000) != 0 ? ~b : (b | 0x80000000);
}

/** Inverse of key(). */
// @ts-ignore: decorator
@inline function unkey(k: u32): f32 {
  return reinterpret<f32>((k & 0x80000000) != 0 ? (k & 0x7fffffff) : ~k);
}

/**
 * Key of the k-th largest among vals[0..count) (1 ≤ k ≤ count), by three histogram passes
 * over 11, 11 and 10 bits. Sets needEq to the number of elements equal to it that are taken.
 */
function radixThreshold(vals: usize, count: i32, k: i32, hist: usize): u32 {
  let prefix: u32 = 0;
  let prefixMask: u32 = 0;
  let remaining = k;
  for (let pass = 0; pass < 3; pass++) {
    const shift: u32 = pass == 0 ? 21 : pass == 1 ? 10 : 0;
    const mask: u32 = pass == 2 ? 0x3ff : 0x7ff;
    memory.fill(hist, 0, 2048 << 2);
    for (let i = 0; i < count; i++) {
      const kk = key(load<f32>(vals + (<usize>i << 2)));
      if ((kk & prefixMask) == prefix) {
        const h = hist + (<usize>((kk >> shift) & mask) << 2);
        store<i32>(h, load<i32>(h) + 1);
      }
    }
    // Walk buckets from the top until the k-th largest is inside the current bucket.
    let b = <i32>mask;
    let above = 0;
    while (true) {
      const h = load<i32>(hist + (<usize>b << 2));
      if (above + h >= remaining) break;
      above += h;
      b--;
    }
    remaining -= above;
    prefix |= (<u32>b) << shift;
    prefixMask |= mask << shift;
  }
  needEq = remaining;
  return prefix;
}

export function topKSelect(x: usize, n: i32, k: i32, out: usize, scratch: usize): void {
  if (k <= 0) return;
  if (k >= n) {
    for (let i = 0; i < n; i++) store<i32>(out + (<usize>i << 2), i);
    return;
  }
  const hist = scratch;
  const candI = scratch + (2048 << 2);
  const candV = candI + (<usize>n << 2);
  let count = 0;

  // 1. Sampled threshold and candidate filter (only when it can cut the work).
  const expected = <f64>k * <f64>SAMPLE / <f64>n;
  const r = <i32>Math.ceil(expected + 3 * Math.sqrt(expected) + 4);
  if (n >= 4 * SAMPLE && r < SAMPLE / 2) {
    const step = <f64>n / <f64>SAMPLE;
    for (let s = 0; s < SAMPLE; s++) {
      store<f32>(candV + (<usize>s << 2), load<f32>(x + (<usize>(<i32>(<f64>s * step)) << 2)));
    }
    const tau = unkey(radixThreshold(candV, SAMPLE, r, hist));
    let i = 0;
    if (ASC_FEATURE_SIMD) {
      const tv = f32x4.splat(tau);
      for (; i + 4 <= n; i += 4) {
        const v = v128.load(x + (<usize>i << 2));
        if (v128.any_true(f32x4.ge(v, tv))) {
          for (let j = 0; j < 4; j++) {
            const xv = load<f32>(x + (<usize>(i + j) << 2));
            if (xv >= tau) {
              store<i32>(candI + (<usize>count << 2), i + j);
              store<f32>(candV + (<usize>count << 2), xv);
              count++;
            }
          }
        }
      }
    }
    for (; i < n; i++) {
      const xv = load<f32>(x + (<usize>i << 2));
      if (xv >= tau) {
        store<i32>(candI + (<usize>count << 2), i);
        store<f32>(candV + (<usize>count << 2), xv);
        count++;
      }
    }
  }

  // 2–3. Exact threshold among the candidates (or all of x), then emit in index order.
  let taken = 0;
  if (count >= k) {
    const t = radixThreshold(candV, count, k, hist);
    let eq = needEq;
    for (let c = 0; c < count; c++) {
      const v = key(load<f32>(candV + (<usize>c << 2)));
      if (v > t || (v == t && eq-- > 0)) {
        store<i32>(out + (<usize>taken << 2), load<i32>(candI + (<usize>c << 2)));
        taken++;
      }
    }
  } else {
    const t = radixThreshold(x, n, k, hist);
    let eq = needEq;
    for (let i = 0; i < n; i++) {
      const v = key(load<f32>(x + (<usize>i << 2)));
      if (v > t || (v == t && eq-- > 0)) {
        store<i32>(out + (<usize>taken << 2), i);
        taken++;
      }
    }
  }
}

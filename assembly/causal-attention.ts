import { dot } from './dot';
import { f16ToF32Full, f16x4ToF32x4 } from './f16';
import { DOTS, axpy4, dot4, expShiftSum } from './selective-attention';

/** Keys per tile: a tile of K and V (2·64·d floats, 32 KB at d = 64) stays in cache for every row. */
const TILE = 64;

/**
 * Causal attention of n consecutive query rows (a prefill block; see src/kernels/kernels.ts
 * `causalAttention`). Row i sits at position pos0+i and attends to K/V rows 0..pos0+i; query head
 * h reads KV head g = h / group. Tiled as flash attention (Dao et al., NeurIPS 2022): for each KV
 * head and each tile of TILE keys, every row of the block takes its scores against the tile, and
 * its running maximum m, running sum l and output accumulator are updated (the accumulator is
 * rescaled by e^{m_old − m_new} when the maximum grows), so each key and value is read from
 * memory once per block instead of once per row and query head.
 * Q, out: n·nHeads·d; K, V: token-major rows of `stride` floats (KV head g at g·d);
 * scratch: 2·n·nHeads + TILE floats (running maxima, running sums, one tile's scores).
 */
export function causalAttention(Q: usize, K: usize, V: usize, pos0: i32, n: i32, d: i32, stride: i32,
  nHeads: i32, group: i32, scale: f32, out: usize, scratch: usize): void {
  const rows = n * nHeads;
  const len = pos0 + n;
  const kvRow = <usize>stride << 2;
  const headBytes = <usize>d << 2;
  const qRow = <usize>nHeads * headBytes;
  const maxes = scratch;
  const sums = maxes + (<usize>rows << 2);
  const scores = sums + (<usize>rows << 2);
  memory.fill(out, 0, <usize>rows * headBytes);
  for (let r = 0; r < rows; r++) {
    store<f32>(maxes + (<usize>r << 2), -Infinity);
    store<f32>(sums + (<usize>r << 2), 0);
  }
  const nKv = nHeads / group;
  for (let g = 0; g < nKv; g++) {
    const kHead = K + <usize>g * headBytes;
    const vHead = V + <usize>g * headBytes;
    for (let t0 = 0; t0 < len; t0 += TILE) {
      const tileEnd = min(t0 + TILE, len);
      // Rows that see part of this tile: pos0 + i ≥ t0.
      for (let i = max(0, t0 - pos0); i < n; i++) {
        const count = min(tileEnd, pos0 + i + 1) - t0;
        for (let j = 0; j < group; j++) {
          const h = g * group + j;
          const at = <usize>i * qRow + <usize>h * headBytes;
          const s = <usize>(i * nHeads + h) << 2;
          tileRow(Q + at, kHead + <usize>t0 * kvRow, vHead + <usize>t0 * kvRow, count, d, kvRow, scale,
            out + at, maxes + s, sums + s, scores);
        }
      }
    }
  }
  for (let r = 0; r < rows; r++) {
    const inv = <f32>(1.0 / <f64>load<f32>(sums + (<usize>r << 2)));
    const o = out + <usize>r * headBytes;
    for (let e = 0; e < d; e++) store<f32>(o + (<usize>e << 2), load<f32>(o + (<usize>e << 2)) * inv);
  }
}

/**
 * One query row against `count` keys of a tile: online-softmax update of (max, sum, acc), with
 * selectiveAttention's arithmetic per tile (four keys per pass, its vectorised exp).
 */
// @ts-ignore: decorator
@inline function tileRow(q: usize, K: usize, V: usize, count: i32, d: i32, kvRow: usize, scale: f32,
  acc: usize, maxAt: usize, sumAt: usize, scores: usize): void {
  let tileMax: f32 = -Infinity;
  let c = 0;
  for (; c + 4 <= count; c += 4) {
    const k = K + <usize>c * kvRow;
    dot4(q, k, k + kvRow, k + 2 * kvRow, k + 3 * kvRow, d);
    for (let j = 0; j < 4; j++) {
      const sc = load<f32>(DOTS + (<usize>j << 2)) * scale;
      store<f32>(scores + (<usize>(c + j) << 2), sc);
      if (sc > tileMax) tileMax = sc;
    }
  }
  for (; c < count; c++) {
    const sc = dot(q, K + <usize>c * kvRow, d) * scale;
    store<f32>(scores + (<usize>c << 2), sc);
    if (sc > tileMax) tileMax = sc;
  }
  let m = load<f32>(maxAt);
  let l = <f64>load<f32>(sumAt);
  if (tileMax > m) {
    const corr = <f32>Math.exp(<f64>m - <f64>tileMax); // 0 while nothing was accumulated (m = −∞)
    l *= corr;
    for (let e = 0; e < d; e++) store<f32>(acc + (<usize>e << 2), load<f32>(acc + (<usize>e << 2)) * corr);
    m = tileMax;
  }
  l += expShiftSum(scores, count, m);
  c = 0;
  for (; c + 4 <= count; c += 4) {
    const v = V + <usize>c * kvRow;
    const so = scores + (<usize>c << 2);
    axpy4(v, v + kvRow, v + 2 * kvRow, v + 3 * kvRow, load<f32>(so), load<f32>(so, 4), load<f32>(so, 8), load<f32>(so, 12), acc, d);
  }
  for (; c < count; c++) {
    const v = V + <usize>c * kvRow;
    axpy4(v, v, v, v, load<f32>(scores + (<usize>c << 2)), 0, 0, 0, acc, d);
  }
  store<f32>(maxAt, m);
  store<f32>(sumAt, <f32>l);
}

/**
 * causalAttention over a binary16 KV cache (K, V: two values per word, rows of `stride` values;
 * see src/kernels/kernels.ts `causalAttentionF16`). The same tiling: for each KV head and tile
 * of TILE keys, the tile's keys and values are decoded once into float32 (scratch) and every
 * query row and head of the group runs on them, so the conversion is shared by the group
 * (grouped-query attention) and the block's rows, and the cache streams half the bytes.
 * scratch: causalAttention's (2·n·nHeads + TILE floats), then 2·TILE·d floats of decoded tile.
 */
export function causalAttentionF16(Q: usize, K: usize, V: usize, pos0: i32, n: i32, d: i32, stride: i32,
  nHeads: i32, group: i32, scale: f32, out: usize, scratch: usize): void {
  const rows = n * nHeads;
  const len = pos0 + n;
  const kvRow = <usize>stride << 1; // bytes per cached row (binary16)
  const headBytes = <usize>d << 2;
  const qRow = <usize>nHeads * headBytes;
  const maxes = scratch;
  const sums = maxes + (<usize>rows << 2);
  const scores = sums + (<usize>rows << 2);
  const kTile = scores + (<usize>TILE << 2);
  const vTile = kTile + <usize>TILE * headBytes;
  memory.fill(out, 0, <usize>rows * headBytes);
  for (let r = 0; r < rows; r++) {
    store<f32>(maxes + (<usize>r << 2), -Infinity);
    store<f32>(sums + (<usize>r << 2), 0);
  }
  const nKv = nHeads / group;
  for (let g = 0; g < nKv; g++) {
    const kHead = K + (<usize>(g * d) << 1);
    const vHead = V + (<usize>(g * d) << 1);
    for (let t0 = 0; t0 < len; t0 += TILE) {
      const tileEnd = min(t0 + TILE, len);
      decodeRows(kHead + <usize>t0 * kvRow, kvRow, tileEnd - t0, d, kTile);
      decodeRows(vHead + <usize>t0 * kvRow, kvRow, tileEnd - t0, d, vTile);
      for (let i = max(0, t0 - pos0); i < n; i++) {
        const count = min(tileEnd, pos0 + i + 1) - t0;
        for (let j = 0; j < group; j++) {
          const h = g * group + j;
          const at = <usize>i * qRow + <usize>h * headBytes;
          const s = <usize>(i * nHeads + h) << 2;
          tileRow(Q + at, kTile, vTile, count, d, headBytes, scale, out + at, maxes + s, sums + s, scores);
        }
      }
    }
  }
  for (let r = 0; r < rows; r++) {
    const inv = <f32>(1.0 / <f64>load<f32>(sums + (<usize>r << 2)));
    const o = out + <usize>r * headBytes;
    for (let e = 0; e < d; e++) store<f32>(o + (<usize>e << 2), load<f32>(o + (<usize>e << 2)) * inv);
  }
}

/**
 * count rows of d binary16 values (row starts `rowBytes` apart) → contiguous float32 rows of d.
 * SIMD: each half moves to the top of a 32-bit lane by one shuffle; the magnitude bits shifted
 * into float32 position times 2^112 re-bias the exponent (subnormals included) and the sign bit
 * is already in place. Exponent 31 (Infinity, NaN) needs its exponent forced to 255: rows are
 * checked for it first and take the full decoding only when they hold one.
 */
function decodeRows(src: usize, rowBytes: usize, count: i32, d: i32, dst: usize): void {
  for (let t = 0; t < count; t++) {
    const s = src + <usize>t * rowBytes;
    const o = dst + <usize>t * (<usize>d << 2);
    let e = 0;
    if (ASC_FEATURE_SIMD) {
      const top = d & ~7;
      let special = i16x8.splat(0);
      for (let i = 0; i < top; i += 8) {
        const h = v128.load(s + (<usize>i << 1));
        special = v128.or(special, i16x8.eq(v128.and(h, i16x8.splat(0x7c00)), i16x8.splat(0x7c00)));
      }
      const exp31 = v128.any_true(special);
      const zero = i32x4.splat(0), magMask = i32x4.splat(0x7fff0000), signMask = i32x4.splat(<i32>0x80000000);
      const bias = f32x4.splat(reinterpret<f32>(0x77800000)); // 2^112
      for (; e < top; e += 8) {
        const h = v128.load(s + (<usize>e << 1));
        if (exp31) {
          v128.store(o + (<usize>e << 2), f16x4ToF32x4(i32x4.extend_low_i16x8_u(h)));
          v128.store(o + (<usize>e << 2), f16x4ToF32x4(i32x4.extend_high_i16x8_u(h)), 16);
          continue;
        }
        const lo = v128.shuffle<i16>(zero, h, 0, 8, 0, 9, 0, 10, 0, 11); // h_j << 16 in lane j
        const hi = v128.shuffle<i16>(zero, h, 0, 12, 0, 13, 0, 14, 0, 15);
        v128.store(o + (<usize>e << 2), v128.or(f32x4.mul(i32x4.shr_u(v128.and(lo, magMask), 3), bias), v128.and(lo, signMask)));
        v128.store(o + (<usize>e << 2), v128.or(f32x4.mul(i32x4.shr_u(v128.and(hi, magMask), 3), bias), v128.and(hi, signMask)), 16);
      }
    }
    for (; e < d; e++) store<f32>(o + (<usize>e << 2), f16ToF32Full(<u32>load<u16>(s + (<usize>e << 1))));
  }
}


import { dot } from './dot';
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

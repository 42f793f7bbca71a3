/**
 * topKSelectRows on the GPU: for each of `rows` rows of x (rows×n, row-major) the k largest as
 * a set, in increasing index order, ties to the lower index — exactly the reference's set per
 * row. Every pass covers all rows in ONE dispatch (the workgroup index names the row and the
 * part of it), so a batch costs 11 dispatches whatever `rows` is; topKSelect is the case
 * rows = 1 (top-k-select.ts). For A²ATS retrieval (the g query heads of a KV group, n = 32K
 * scores, k ≈ 1–10% of n) the selection stays on the GPU: no scores are read back.
 *
 * Floats are mapped to order-preserving u32 keys (sign-flip trick; −0 is first made +0 so
 * it ties with +0 as in the reference). Then, per row:
 * 1. Radix select, 4 rounds of 8 bits from the top: a histogram of the next digit over the
 *    keys that match the prefix found so far (workgroup-local atomics, then merged into the
 *    row's 256 bins; `perRow` workgroups per row), and a pick of the digit where the count from
 *    the top reaches the number still needed (one workgroup per row: a prefix sum over the 256
 *    bins). Afterwards T is the row's k-th largest key, and `need` says how many keys equal
 *    to T belong to the set (all keys > T do).
 * 2. Stable compaction in blocks of 1024: count keys > T and = T per block (one workgroup per
 *    row and block); one workgroup per row scans its blocks (output offset and equal keys
 *    before each block); each block then ranks its own elements with workgroup prefix sums and
 *    writes the chosen indices in order.
 * Integer counting only, so the result is exact and deterministic.
 *
 * Dispatches per batch: 4 × (histogram: rows·perRow groups; pick: rows groups), then count
 * (rows·blocks), scan (rows), scatter (rows·blocks) — 11, with perRow = min(256, ⌈n/4096⌉)
 * and blocks = ⌈n/1024⌉. Per-row state (prefix, mask, still needed), bins and block counts
 * live in arrays indexed by row.
 */
import type { GpuCall, GpuRef } from '../gpu-context.js';
import type { GpuProgram } from '../program.js';
import { exclusiveScan, inclusiveScan, treeReduce } from './snippets.js';

const WG = 256;
const BLOCK = 1024; // 4 consecutive elements per invocation
/** u32 words of per-row state: prefix, mask, keys equal to T still needed, padding. */
const STATE = 4;

const SORT_KEY = `
fn sortKey(v: f32) -> u32 {
  var b = bitcast<u32>(v);
  if ((b & 0x7fffffffu) > 0x7f800000u) { return 0u; } // NaN (by its bits) ranks below -Infinity
  if (v == 0.0) { b = 0u; }
  if ((b & 0x80000000u) != 0u) { return ~b; }
  return b | 0x80000000u;
}`;

const histogramProgram: GpuProgram = {
  cacheKey: 'topKSelectRows:histogram',
  workgroupSize: [WG, 1],
  uniforms: [{ name: 'n', type: 'u32' }, { name: 'shift', type: 'u32' }, { name: 'perRow', type: 'u32' }],
  bindings: [
    { name: 'x', type: 'f32', access: 'read' },
    { name: 'state', type: 'u32', access: 'read' },
    { name: 'hist', type: 'atomic<u32>', access: 'read_write' },
  ],
  prelude: `${SORT_KEY}
var<workgroup> lh: array<atomic<u32>, 256>;`,
  body: `
  atomicStore(&lh[lid], 0u);
  workgroupBarrier();
  let row = wid / P.perRow;
  let part = wid - row * P.perRow;
  let prefix = state[P.stateOff + ${STATE}u * row];
  let mask = state[P.stateOff + ${STATE}u * row + 1u];
  let base = P.xOff + row * P.n;
  let stride = P.perRow * ${WG}u;
  for (var i = part * ${WG}u + lid; i < P.n; i = i + stride) {
    let kk = sortKey(x[base + i]);
    if ((kk & mask) == prefix) { atomicAdd(&lh[(kk >> P.shift) & 255u], 1u); }
  }
  workgroupBarrier();
  let c = atomicLoad(&lh[lid]);
  if (c > 0u) { atomicAdd(&hist[P.histOff + 256u * row + lid], c); }`,
};

const pickProgram: GpuProgram = {
  cacheKey: 'topKSelectRows:pick',
  workgroupSize: [WG, 1],
  uniforms: [{ name: 'shift', type: 'u32' }],
  bindings: [
    { name: 'hist', type: 'u32', access: 'read_write' },
    { name: 'state', type: 'u32', access: 'read_write' },
  ],
  prelude: `var<workgroup> h: array<u32, ${WG}>;`,
  // One workgroup per row. Bins are loaded top digit first, so an inclusive prefix sum gives,
  // at position i, the number of keys whose digit is ≥ 255 − i; the one position where that
  // count first reaches the number still needed names the digit. The bins are cleared for
  // the next round.
  body: `
  let s = P.stateOff + ${STATE}u * wid;
  let hb = P.histOff + 256u * wid;
  let remaining = state[s + 2u];
  h[lid] = hist[hb + 255u - lid];
  hist[hb + 255u - lid] = 0u;
${inclusiveScan('h', WG)}
  let before = select(0u, h[max(lid, 1u) - 1u], lid > 0u);
  if (h[lid] >= remaining && before < remaining) {
    let digit = 255u - lid;
    state[s] = state[s] | (digit << P.shift);
    state[s + 1u] = state[s + 1u] | (255u << P.shift);
    state[s + 2u] = remaining - before;
  }`,
};

const countProgram: GpuProgram = {
  cacheKey: 'topKSelectRows:count',
  workgroupSize: [WG, 1],
  uniforms: [{ name: 'n', type: 'u32' }, { name: 'blocks', type: 'u32' }],
  bindings: [
    { name: 'x', type: 'f32', access: 'read' },
    { name: 'state', type: 'u32', access: 'read' },
    { name: 'counts', type: 'u32', access: 'read_write' },
  ],
  prelude: `${SORT_KEY}
var<workgroup> sg: array<u32, ${WG}>;
var<workgroup> se: array<u32, ${WG}>;`,
  // Workgroup wid = row·blocks + block: counts[2·wid] keys > T, counts[2·wid + 1] keys = T.
  body: `
  let row = wid / P.blocks;
  let blk = wid - row * P.blocks;
  let T = state[P.stateOff + ${STATE}u * row];
  let base = P.xOff + row * P.n;
  var g = 0u;
  var e = 0u;
  for (var q = 0u; q < 4u; q = q + 1u) {
    let i = blk * ${BLOCK}u + lid * 4u + q;
    if (i < P.n) {
      let kk = sortKey(x[base + i]);
      if (kk > T) { g = g + 1u; } else if (kk == T) { e = e + 1u; }
    }
  }
  sg[lid] = g;
  se[lid] = e;
${treeReduce('sg', WG, '+')}
${treeReduce('se', WG, '+')}
  if (lid == 0u) {
    counts[P.countsOff + 2u * wid] = sg[0];
    counts[P.countsOff + 2u * wid + 1u] = se[0];
  }`,
};

const scanProgram: GpuProgram = {
  cacheKey: 'topKSelectRows:scan',
  workgroupSize: [WG, 1],
  uniforms: [{ name: 'blocks', type: 'u32' }],
  bindings: [
    { name: 'counts', type: 'u32', access: 'read' },
    { name: 'state', type: 'u32', access: 'read' },
    { name: 'offs', type: 'u32', access: 'read_write' },
  ],
  prelude: `var<workgroup> a: array<u32, ${WG}>;
var<workgroup> tmp: array<u32, ${WG}>;`,
  // One workgroup per row. Per block: equal keys in earlier blocks of the row (which decides
  // how many of its own are taken) and its output offset within the row — two prefix sums,
  // over tiles of 256 blocks with running carries.
  body: `
  let need = state[P.stateOff + ${STATE}u * wid + 2u];
  let first = wid * P.blocks;
  var eqCarry = 0u;
  var outCarry = 0u;
  for (var t0 = 0u; t0 < P.blocks; t0 = t0 + ${WG}u) {
    let b = t0 + lid;
    var g = 0u;
    var e = 0u;
    if (b < P.blocks) { g = counts[P.countsOff + 2u * (first + b)]; e = counts[P.countsOff + 2u * (first + b) + 1u]; }
    a[lid] = e;
${exclusiveScan('a', 'tmp', WG)}
    let eqBefore = eqCarry + a[lid];
    let eqTotal = tmp[${WG - 1}u];
    a[lid] = g + min(e, need - min(need, eqBefore));
${exclusiveScan('a', 'tmp', WG)}
    if (b < P.blocks) {
      offs[P.offsOff + 2u * (first + b)] = outCarry + a[lid];
      offs[P.offsOff + 2u * (first + b) + 1u] = eqBefore;
    }
    eqCarry = eqCarry + eqTotal;
    outCarry = outCarry + tmp[${WG - 1}u];
    workgroupBarrier();
  }`,
};

const scatterProgram: GpuProgram = {
  cacheKey: 'topKSelectRows:scatter',
  workgroupSize: [WG, 1],
  uniforms: [{ name: 'n', type: 'u32' }, { name: 'blocks', type: 'u32' }, { name: 'k', type: 'u32' }],
  bindings: [
    { name: 'x', type: 'f32', access: 'read' },
    { name: 'state', type: 'u32', access: 'read' },
    { name: 'offs', type: 'u32', access: 'read' },
    { name: 'out', type: 'i32', access: 'read_write' },
  ],
  prelude: `${SORT_KEY}
var<workgroup> se: array<u32, ${WG}>;
var<workgroup> ss: array<u32, ${WG}>;
var<workgroup> tmp: array<u32, ${WG}>;`,
  // Workgroup wid = row·blocks + block; indices are written within the row (0..n) to out row `row`.
  body: `
  let row = wid / P.blocks;
  let blk = wid - row * P.blocks;
  let T = state[P.stateOff + ${STATE}u * row];
  let need = state[P.stateOff + ${STATE}u * row + 2u];
  let base = P.xOff + row * P.n;
  var kind = vec4<u32>(0u); // 2: key > T, 1: key == T, 0: not chosen
  var e = 0u;
  for (var q = 0u; q < 4u; q = q + 1u) {
    let i = blk * ${BLOCK}u + lid * 4u + q;
    if (i < P.n) {
      let kk = sortKey(x[base + i]);
      if (kk > T) { kind[q] = 2u; } else if (kk == T) { kind[q] = 1u; e = e + 1u; }
    }
  }
  se[lid] = e;
${exclusiveScan('se', 'tmp', WG)}
  var eqRank = offs[P.offsOff + 2u * wid + 1u] + se[lid];
  var chosen = vec4<u32>(0u);
  var s = 0u;
  for (var q = 0u; q < 4u; q = q + 1u) {
    if (kind[q] == 2u) { chosen[q] = 1u; }
    if (kind[q] == 1u) {
      if (eqRank < need) { chosen[q] = 1u; }
      eqRank = eqRank + 1u;
    }
    s = s + chosen[q];
  }
  ss[lid] = s;
${exclusiveScan('ss', 'tmp', WG)}
  var pos = P.outOff + row * P.k + offs[P.offsOff + 2u * wid] + ss[lid];
  for (var q = 0u; q < 4u; q = q + 1u) {
    if (chosen[q] == 1u) {
      out[pos] = i32(blk * ${BLOCK}u + lid * 4u + q);
      pos = pos + 1u;
    }
  }`,
};

/**
 * Encode out[r·k .. r·k + k) = the top-k set of x[r·n .. r·n + n) in increasing index order,
 * for every row r < rows (rows ≥ 1, 1 ≤ k ≤ n): 11 dispatches for the whole batch.
 */
export function encodeTopKSelectRows(call: GpuCall, x: GpuRef, rows: number, n: number, k: number, out: GpuRef): void {
  const init = new Int32Array(rows * STATE);
  for (let r = 0; r < rows; r++) init[r * STATE + 2] = k; // prefix 0, mask 0, k keys = T still needed
  const state = call.input(init, rows * STATE);
  const hist = call.input(new Int32Array(rows * 256), rows * 256);
  const perRow = Math.max(1, Math.min(256, Math.ceil(n / (WG * 16))));
  for (let shift = 24; shift >= 0; shift -= 8) {
    call.dispatch(histogramProgram, { n, shift, perRow }, [x, state, hist], rows * perRow);
    call.dispatch(pickProgram, { shift }, [hist, state], rows);
  }
  const blocks = Math.ceil(n / BLOCK);
  const counts = { buffer: call.scratch(rows * blocks * 8), offset: 0 };
  const offs = { buffer: call.scratch(rows * blocks * 8), offset: 0 };
  call.dispatch(countProgram, { n, blocks }, [x, state, counts], rows * blocks);
  call.dispatch(scanProgram, { blocks }, [counts, state, offs], rows);
  call.dispatch(scatterProgram, { n, blocks, k }, [x, state, offs, out], rows * blocks);
}

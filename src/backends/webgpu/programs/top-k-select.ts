/**
 * topKSelect on the GPU: the k largest of x[0..n) as a set, in increasing index order, ties
 * to the lower index — exactly the reference's set. For A²ATS retrieval (n = 32K scores,
 * k ≈ 1–10% of n) the whole selection stays on the GPU: no scores are read back.
 *
 * Floats are mapped to order-preserving u32 keys (sign-flip trick; −0 is first made +0 so
 * it ties with +0 as in the reference). Then:
 * 1. Radix select, 4 rounds of 8 bits from the top: a histogram of the next digit over the
 *    keys that match the prefix found so far (workgroup-local atomics, then merged), and a
 *    pick of the digit where the count from the top reaches the number still needed (a
 *    workgroup prefix sum over the 256 bins). Afterwards T is the k-th largest key,
 *    and `need` says how many keys equal to T belong to the set (all keys > T do).
 * 2. Stable compaction in blocks of 1024: count keys > T and = T per block; one workgroup
 *    scans the blocks (output offset and equal-keys-before of each block); each block then
 *    ranks its own elements with workgroup prefix sums and writes the chosen indices in order.
 * Integer counting only, so the result is exact and deterministic.
 */
import type { GpuCall, GpuRef } from '../gpu-context.js';
import type { GpuProgram } from '../program.js';
import { exclusiveScan, inclusiveScan, treeReduce } from './snippets.js';

const WG = 256;
const BLOCK = 1024; // 4 consecutive elements per invocation

const SORT_KEY = `
fn sortKey(v: f32) -> u32 {
  var b = bitcast<u32>(v);
  if (v == 0.0) { b = 0u; }
  if ((b & 0x80000000u) != 0u) { return ~b; }
  return b | 0x80000000u;
}`;

const histogramProgram: GpuProgram = {
  cacheKey: 'topKSelect:histogram',
  workgroupSize: [WG, 1],
  uniforms: [{ name: 'n', type: 'u32' }, { name: 'shift', type: 'u32' }],
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
  let prefix = state[P.stateOff];
  let mask = state[P.stateOff + 1u];
  let stride = P.groups * ${WG}u;
  for (var i = gid; i < P.n; i = i + stride) {
    let kk = sortKey(x[P.xOff + i]);
    if ((kk & mask) == prefix) { atomicAdd(&lh[(kk >> P.shift) & 255u], 1u); }
  }
  workgroupBarrier();
  let c = atomicLoad(&lh[lid]);
  if (c > 0u) { atomicAdd(&hist[P.histOff + lid], c); }`,
};

const pickProgram: GpuProgram = {
  cacheKey: 'topKSelect:pick',
  workgroupSize: [WG, 1],
  uniforms: [{ name: 'shift', type: 'u32' }],
  bindings: [
    { name: 'hist', type: 'u32', access: 'read_write' },
    { name: 'state', type: 'u32', access: 'read_write' },
  ],
  prelude: `var<workgroup> h: array<u32, ${WG}>;`,
  // Bins are loaded top digit first, so an inclusive prefix sum gives, at position i, the
  // number of keys whose digit is ≥ 255 − i; the one position where that count first reaches
  // the number still needed names the digit. The bins are cleared for the next round.
  body: `
  let remaining = state[P.stateOff + 2u];
  h[lid] = hist[P.histOff + 255u - lid];
  hist[P.histOff + 255u - lid] = 0u;
${inclusiveScan('h', WG)}
  let before = select(0u, h[max(lid, 1u) - 1u], lid > 0u);
  if (h[lid] >= remaining && before < remaining) {
    let digit = 255u - lid;
    state[P.stateOff] = state[P.stateOff] | (digit << P.shift);
    state[P.stateOff + 1u] = state[P.stateOff + 1u] | (255u << P.shift);
    state[P.stateOff + 2u] = remaining - before;
  }`,
};

const countProgram: GpuProgram = {
  cacheKey: 'topKSelect:count',
  workgroupSize: [WG, 1],
  uniforms: [{ name: 'n', type: 'u32' }],
  bindings: [
    { name: 'x', type: 'f32', access: 'read' },
    { name: 'state', type: 'u32', access: 'read' },
    { name: 'counts', type: 'u32', access: 'read_write' },
  ],
  prelude: `${SORT_KEY}
var<workgroup> sg: array<u32, ${WG}>;
var<workgroup> se: array<u32, ${WG}>;`,
  body: `
  let T = state[P.stateOff];
  var g = 0u;
  var e = 0u;
  for (var q = 0u; q < 4u; q = q + 1u) {
    let i = wid * ${BLOCK}u + lid * 4u + q;
    if (i < P.n) {
      let kk = sortKey(x[P.xOff + i]);
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
  cacheKey: 'topKSelect:scan',
  workgroupSize: [WG, 1],
  uniforms: [{ name: 'blocks', type: 'u32' }],
  bindings: [
    { name: 'counts', type: 'u32', access: 'read' },
    { name: 'state', type: 'u32', access: 'read' },
    { name: 'offs', type: 'u32', access: 'read_write' },
  ],
  prelude: `var<workgroup> a: array<u32, ${WG}>;
var<workgroup> tmp: array<u32, ${WG}>;`,
  // Per block: equal keys in earlier blocks (which decides how many of its own are taken) and
  // its output offset — two prefix sums, over tiles of 256 blocks with running carries.
  body: `
  let need = state[P.stateOff + 2u];
  var eqCarry = 0u;
  var outCarry = 0u;
  for (var t0 = 0u; t0 < P.blocks; t0 = t0 + ${WG}u) {
    let b = t0 + lid;
    var g = 0u;
    var e = 0u;
    if (b < P.blocks) { g = counts[P.countsOff + 2u * b]; e = counts[P.countsOff + 2u * b + 1u]; }
    a[lid] = e;
${exclusiveScan('a', 'tmp', WG)}
    let eqBefore = eqCarry + a[lid];
    let eqTotal = tmp[${WG - 1}u];
    a[lid] = g + min(e, need - min(need, eqBefore));
${exclusiveScan('a', 'tmp', WG)}
    if (b < P.blocks) {
      offs[P.offsOff + 2u * b] = outCarry + a[lid];
      offs[P.offsOff + 2u * b + 1u] = eqBefore;
    }
    eqCarry = eqCarry + eqTotal;
    outCarry = outCarry + tmp[${WG - 1}u];
    workgroupBarrier();
  }`,
};

const scatterProgram: GpuProgram = {
  cacheKey: 'topKSelect:scatter',
  workgroupSize: [WG, 1],
  uniforms: [{ name: 'n', type: 'u32' }],
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
  body: `
  let T = state[P.stateOff];
  let need = state[P.stateOff + 2u];
  var kind = vec4<u32>(0u); // 2: key > T, 1: key == T, 0: not chosen
  var e = 0u;
  for (var q = 0u; q < 4u; q = q + 1u) {
    let i = wid * ${BLOCK}u + lid * 4u + q;
    if (i < P.n) {
      let kk = sortKey(x[P.xOff + i]);
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
  var pos = offs[P.offsOff + 2u * wid] + ss[lid];
  for (var q = 0u; q < 4u; q = q + 1u) {
    if (chosen[q] == 1u) {
      out[P.outOff + pos] = i32(wid * ${BLOCK}u + lid * 4u + q);
      pos = pos + 1u;
    }
  }`,
};

/** Encode out[0..k) = the top-k set of x[0..n) in increasing index order (1 ≤ k ≤ n). */
export function encodeTopKSelect(call: GpuCall, x: GpuRef, n: number, k: number, out: GpuRef): void {
  const state = call.input(Int32Array.of(0, 0, k, 0), 4); // prefix, mask, keys = T still needed
  const hist = call.input(new Int32Array(256), 256);
  const groups = Math.max(1, Math.min(256, Math.ceil(n / (WG * 16))));
  for (let shift = 24; shift >= 0; shift -= 8) {
    call.dispatch(histogramProgram, { n, shift }, [x, state, hist], groups);
    call.dispatch(pickProgram, { shift }, [hist, state], 1);
  }
  const blocks = Math.ceil(n / BLOCK);
  const counts = { buffer: call.scratch(blocks * 8), offset: 0 };
  const offs = { buffer: call.scratch(blocks * 8), offset: 0 };
  call.dispatch(countProgram, { n }, [x, state, counts], blocks);
  call.dispatch(scanProgram, { blocks }, [counts, state, offs], 1);
  call.dispatch(scatterProgram, { n }, [x, state, offs, out], blocks);
}

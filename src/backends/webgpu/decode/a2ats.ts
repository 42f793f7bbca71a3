/**
 * A²ATS retrieval attention (He et al., arXiv 2502.12665) inside the decode step's submission,
 * the same selection as the CPU RetrievalKvCache (kvcache/retrieval-kv-cache.ts) with nothing
 * read back. Per layer, after qkvRope has written q, k, v and the pre-RoPE q̃ and k̃:
 *
 *   encodeKey   code[pos] = argmin_c |k̃L − (CL)_c|² (ties: lower c), and occ[pos] = how many
 *               tokens in [sinks, pos) have that code                (a workgroup per KV head)
 *   lut         t_h = C · R(b)q̃_h/√d                                 (a workgroup per query head)
 *   codeCounts  cnt_c = far tokens with code c                      (a workgroup per KV head)
 *   rankBase    G_h[c] = Σ_{c': t_h[c'] > t_h[c]} cnt_c'           (centroid blocks × query heads)
 *   then a far token j's rank in head h's ordering (score desc, older first) is
 *   G_h[code_j] + occ_j, and its interleaving key is κ_j = min_h (rank_h·g + h) over the group:
 *   'perHead' keeps κ < k·g (the union of per-head top-k); 'total' keeps the `want` smallest κ
 *   (rank 0 of every head, then rank 1, …: FarSelector.interleavedUnion):
 *   markKeys    mark[κ_j] = stamp for κ_j < want·g (keys are distinct, no write conflicts)
 *   cutoff      κ* = the bound below which `want` keys are marked (perHead: k·g)
 *   attention   chunks over sinks ∪ {far j: κ_j < κ*} ∪ window (attention-chunks.ts), combine.
 *
 * The rank formula counts as tied only tokens of one code: two centroids whose table entries
 * are exactly equal (measure zero for real queries; duplicate centroids never receive codes,
 * as encoding gives ties to the lower index) would be ordered by code, not by token age.
 * Deterministic: no float atomics, fixed summation orders; counts use integer atomics only.
 *
 * Step buffer words: [pos, token, stamp (a new value per submission), want (farBudget(pos))].
 * Layouts (u32/f32 elements): index = codes (nKv × seqLen) then occ (nKv × seqLen); book =
 * centroids (nKv·size·d), whitened (nKv·size·d), factor (nKv·d², query-aware only), the
 * rotation's cos (d/2) and sin (d/2).
 */
import type { RopePairing } from '../../../kernels/kernels.js';
import type { GpuProgram } from '../program.js';
import type { ChunkSelection } from './attention-chunks.js';

/** Invocations per workgroup of these programs; also the largest head size they take. */
export const A2ATS_WG = 256;
const W = A2ATS_WG;

/** The far range [farStart, farEnd) at pos (near-far.ts: splitNearFar), as WGSL lets. */
const FAR_RANGE = `
  let farStart = min(P.sinks, pos + 1u);
  let farEnd = max(farStart, select(0u, pos + 1u - P.window, pos + 1u >= P.window));`;

/** WGSL: κ of far token `j` of KV head `kvh` (index, rank bound; uniforms size, group, seqLen, nKv). */
const KEY_OF = `
fn keyOf(j: u32, kvh: u32) -> u32 {
  let code = index[P.indexOff + kvh * P.seqLen + j];
  let occ = index[P.indexOff + (P.nKv + kvh) * P.seqLen + j];
  var key = 0xFFFFFFFFu;
  for (var i = 0u; i < P.group; i = i + 1u) {
    let r = rank[P.rankOff + (kvh * P.group + i) * P.size + code] + occ;
    key = min(key, r * P.group + i);
  }
  return key;
}`;

const u32 = (name: string) => ({ name, type: 'u32' as const });

/** code and occurrence of the token at pos, per KV head. Workgroups: nKv. */
export function encodeKeyProgram(queryAware: boolean): GpuProgram {
  return {
    cacheKey: `decode:a2ats:encodeKey:${queryAware ? 'whitened' : 'plain'}`,
    workgroupSize: [W, 1],
    uniforms: [u32('dim'), u32('hd'), u32('size'), u32('seqLen'), u32('sinks'), u32('nKv'), u32('whitenedAt'), u32('factorAt')],
    bindings: [
      { name: 'q', type: 'f32', access: 'read' }, { name: 'book', type: 'f32', access: 'read' },
      { name: 'step', type: 'u32', access: 'read' }, { name: 'index', type: 'u32', access: 'read_write' },
    ],
    prelude: `var<workgroup> z: array<f32, ${W}>;
var<workgroup> bestD: array<f32, ${W}>;
var<workgroup> bestI: array<u32, ${W}>;
var<workgroup> cnt: array<u32, ${W}>;`,
    body: `
  let h = wid;
  let pos = step[P.stepOff];
  let d = P.hd;
  let k0 = P.qOff + 2u * P.dim + h * d;
  // z = k̃·L: (k̃L)_t = Σ_{s ≥ t} k̃_s L_st (L lower triangular).
  for (var t = lid; t < d; t = t + ${W}u) {
${queryAware ? `    let L0 = P.bookOff + P.factorAt + h * d * d;
    var acc = 0.0;
    for (var s = t; s < d; s = s + 1u) { acc = acc + q[k0 + s] * book[L0 + s * d + t]; }
    z[t] = acc;` : '    z[t] = q[k0 + t];'}
  }
  workgroupBarrier();
  var bd = 3.4e38;
  var bi = 0xFFFFFFFFu;
  let C0 = P.bookOff + P.whitenedAt + h * P.size * d;
  for (var c = lid; c < P.size; c = c + ${W}u) {
    var s = 0.0;
    for (var t = 0u; t < d; t = t + 1u) { let e = z[t] - book[C0 + c * d + t]; s = s + e * e; }
    if (s < bd) { bd = s; bi = c; } // c grows: equal distances keep the lower index
  }
  bestD[lid] = bd;
  bestI[lid] = bi;
  workgroupBarrier();
  for (var k = ${W / 2}u; k > 0u; k = k >> 1u) {
    if (lid < k) {
      let od = bestD[lid + k];
      let oi = bestI[lid + k];
      if (od < bestD[lid] || (od == bestD[lid] && oi < bestI[lid])) { bestD[lid] = od; bestI[lid] = oi; }
    }
    workgroupBarrier();
  }
  let code = min(bestI[0], P.size - 1u);
  let cb = P.indexOff + h * P.seqLen;
  var n = 0u;
  for (var i = P.sinks + lid; i < pos; i = i + ${W}u) { n = n + select(0u, 1u, index[cb + i] == code); }
  cnt[lid] = n;
  workgroupBarrier();
  for (var k = ${W / 2}u; k > 0u; k = k >> 1u) {
    if (lid < k) { cnt[lid] = cnt[lid] + cnt[lid + k]; }
    workgroupBarrier();
  }
  if (lid == 0u) {
    index[cb + pos] = code;
    index[cb + P.nKv * P.seqLen + pos] = cnt[0];
  }`,
  };
}

/** t_h = C_kv · R(b)q̃_h · scale, per query head (q̃ pre-RoPE at q[dim …]). Workgroups: nHeads. */
export function lutProgram(pairing: RopePairing): GpuProgram {
  const adjacent = pairing === 'adjacent';
  return {
    cacheKey: `decode:a2ats:lut:${pairing}`,
    workgroupSize: [W, 1],
    uniforms: [u32('dim'), u32('hd'), u32('half'), u32('size'), u32('group'), u32('csAt'), { name: 'scale', type: 'f32' }],
    bindings: [
      { name: 'q', type: 'f32', access: 'read' }, { name: 'book', type: 'f32', access: 'read' },
      { name: 'lut', type: 'f32', access: 'read_write' },
    ],
    prelude: `var<workgroup> qt: array<f32, ${W}>;`,
    body: `
  let hq = wid;
  let d = P.hd;
  let q0 = P.qOff + P.dim + hq * d;
  let cs0 = P.bookOff + P.csAt;
  for (var t = lid; t < P.half; t = t + ${W}u) {
    let r0 = ${adjacent ? '2u * t' : 't'};
    let r1 = r0 + ${adjacent ? '1u' : 'P.half'};
    let a = q[q0 + r0];
    let b = q[q0 + r1];
    let co = book[cs0 + t];
    let si = book[cs0 + P.half + t];
    qt[r0] = (a * co - b * si) * P.scale;
    qt[r1] = (a * si + b * co) * P.scale;
  }
  workgroupBarrier();
  let C0 = P.bookOff + (hq / P.group) * P.size * d;
  for (var c = lid; c < P.size; c = c + ${W}u) {
    var s = 0.0;
    for (var t = 0u; t < d; t = t + 1u) { s = s + book[C0 + c * d + t] * qt[t]; }
    lut[P.lutOff + hq * P.size + c] = s;
  }`,
  };
}

/** Workgroup-memory histogram slots for a codebook of `size` centroids (a power of two ≥ 256). */
export function countSlots(size: number): number {
  return Math.max(W, 2 ** Math.ceil(Math.log2(size)));
}

/** cnt[kvh·size + c] = far tokens with code c. Workgroups: nKv. */
export function codeCountsProgram(slots: number): GpuProgram {
  return {
    cacheKey: `decode:a2ats:codeCounts:${slots}`,
    workgroupSize: [W, 1],
    uniforms: [u32('size'), u32('seqLen'), u32('sinks'), u32('window')],
    bindings: [
      { name: 'index', type: 'u32', access: 'read' }, { name: 'step', type: 'u32', access: 'read' },
      { name: 'cnt', type: 'u32', access: 'read_write' },
    ],
    prelude: `var<workgroup> hw: array<atomic<u32>, ${slots}>;`,
    body: `
  let kvh = wid;
  let pos = step[P.stepOff];${FAR_RANGE}
  for (var c = lid; c < P.size; c = c + ${W}u) { atomicStore(&hw[c], 0u); }
  workgroupBarrier();
  let cb = P.indexOff + kvh * P.seqLen;
  for (var j = farStart + lid; j < farEnd; j = j + ${W}u) { atomicAdd(&hw[index[cb + j]], 1u); }
  workgroupBarrier();
  for (var c = lid; c < P.size; c = c + ${W}u) { cnt[P.cntOff + kvh * P.size + c] = atomicLoad(&hw[c]); }`,
  };
}

/** rank[hq·size + c] = far tokens of KV head hq/g that head hq scores above centroid c. Dispatch (⌈size/256⌉, nHeads). */
export const rankBaseProgram: GpuProgram = {
  cacheKey: 'decode:a2ats:rankBase',
  workgroupSize: [W, 1],
  uniforms: [u32('size'), u32('group')],
  bindings: [
    { name: 'lut', type: 'f32', access: 'read' }, { name: 'cnt', type: 'u32', access: 'read' },
    { name: 'rank', type: 'u32', access: 'read_write' },
  ],
  prelude: `var<workgroup> tv: array<f32, ${W}>;
var<workgroup> tc: array<u32, ${W}>;`,
  body: `
  let hq = wg.y;
  let c = wg.x * ${W}u + lid;
  let L0 = P.lutOff + hq * P.size;
  let N0 = P.cntOff + (hq / P.group) * P.size;
  var v = 0.0;
  if (c < P.size) { v = lut[L0 + c]; }
  var above = 0u;
  for (var base = 0u; base < P.size; base = base + ${W}u) {
    let cc = base + lid;
    tv[lid] = select(0.0, lut[L0 + min(cc, P.size - 1u)], cc < P.size);
    tc[lid] = select(0u, cnt[N0 + min(cc, P.size - 1u)], cc < P.size);
    workgroupBarrier();
    let n = min(${W}u, P.size - base);
    for (var i = 0u; i < n; i = i + 1u) { above = above + select(0u, tc[i], tv[i] > v); }
    workgroupBarrier();
  }
  if (c < P.size) { rank[P.rankOff + hq * P.size + c] = above; }`,
};

/** mark[kvh·seqLen·g + κ_j] = stamp for the far tokens j with κ_j < want·g. Dispatch (⌈(pos+1)/256⌉, nKv). */
export const markKeysProgram: GpuProgram = {
  cacheKey: 'decode:a2ats:markKeys',
  workgroupSize: [W, 1],
  uniforms: [u32('size'), u32('group'), u32('seqLen'), u32('nKv'), u32('sinks'), u32('window'), u32('nLayers'), u32('layer')],
  bindings: [
    { name: 'index', type: 'u32', access: 'read' }, { name: 'rank', type: 'u32', access: 'read' },
    { name: 'step', type: 'u32', access: 'read' }, { name: 'mark', type: 'u32', access: 'read_write' },
  ],
  prelude: KEY_OF,
  body: `
  let kvh = wg.y;
  let j = wg.x * ${W}u + lid;
  let pos = step[P.stepOff];${FAR_RANGE}
  if (j < farStart || j >= farEnd) { return; }
  let key = keyOf(j, kvh);
  if (key < step[P.stepOff + 3u] * P.group) {
    mark[P.markOff + kvh * P.seqLen * P.group + key] = step[P.stepOff + 2u] * P.nLayers + P.layer + 1u;
  }`,
};

/**
 * cutoff[kvh] = κ*: 'perHead' k·g; 'total' one past the key at which the count of marked keys
 * reaches want (an in-order scan of mark, 256 keys at a time; 'perHead' reads no marks). Workgroups: nKv.
 */
export function cutoffProgram(mode: 'perHead' | 'total'): GpuProgram {
  return {
    cacheKey: `decode:a2ats:cutoff:${mode}`,
    workgroupSize: [W, 1],
    uniforms: [u32('group'), u32('seqLen'), u32('nLayers'), u32('layer')],
    bindings: [
      ...(mode === 'total' ? [{ name: 'mark', type: 'u32' as const, access: 'read' as const }] : []),
      { name: 'step', type: 'u32', access: 'read' }, { name: 'cutoff', type: 'u32', access: 'read_write' },
    ],
    prelude: `var<workgroup> run: array<u32, ${W}>;`,
    body: mode === 'perHead' ? `
  if (lid == 0u) { cutoff[P.cutoffOff + wid] = step[P.stepOff + 3u] * P.group; }` : `
  let kvh = wid;
  let want = step[P.stepOff + 3u];
  let cap = want * P.group;
  let stamp = step[P.stepOff + 2u] * P.nLayers + P.layer + 1u;
  let M0 = P.markOff + kvh * P.seqLen * P.group;
  if (want == 0u && lid == 0u) { cutoff[P.cutoffOff + kvh] = 0u; }
  var before = 0u;
  for (var base = 0u; base < cap; base = base + ${W}u) {
    let x = base + lid;
    let f = select(0u, 1u, x < cap && mark[M0 + min(x, cap - 1u)] == stamp);
    run[lid] = f;
    workgroupBarrier();
    // Inclusive Hillis–Steele scan of the flags.
    for (var s = 1u; s < ${W}u; s = s << 1u) {
      var add = 0u;
      if (lid >= s) { add = run[lid - s]; }
      workgroupBarrier();
      run[lid] = run[lid] + add;
      workgroupBarrier();
    }
    if (f == 1u && before + run[lid] == want) { cutoff[P.cutoffOff + kvh] = x + 1u; }
    before = before + run[${W - 1}u];
    workgroupBarrier();
  }`,
  };
}

/** The attention chunks' selection: sinks, window, and far tokens with κ < cutoff[g]. */
export const A2ATS_SELECTION: ChunkSelection = {
  key: 'a2ats',
  uniforms: [u32('size'), u32('seqLen'), u32('nKv'), u32('sinks'), u32('window')],
  bindings: [
    { name: 'index', type: 'u32', access: 'read' }, { name: 'rank', type: 'u32', access: 'read' },
    { name: 'cutoff', type: 'u32', access: 'read' },
  ],
  prelude: KEY_OF,
  wgsl: `
  let pos = len - 1u;${FAR_RANGE}
  var on = t < len;
  if (on && t >= farStart && t < farEnd) { on = keyOf(t, g) < cutoff[P.cutoffOff + g]; }`,
};

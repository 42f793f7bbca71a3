/**
 * selectiveAttentionHeads on the GPU (A²ATS §3–4; GQA, Ainslie et al. 2023): exact attention
 * of nHeads query heads over the same selected tokens idx[0..count) of a K/V store with row
 * stride `stride`; head h reads KV head g = ⌊h / group⌋ at column offset g·d:
 * s_hc = scale·q_h·K[idx_c, g], out_h = Σ_c softmax(s_h)_c V[idx_c, g], lse_h = log Σ_c exp(s_hc).
 *
 * Every pass covers all heads in ONE dispatch (the workgroup or invocation index names the
 * head and its part), so a call costs 4 dispatches whatever nHeads is; selectiveAttention is
 * the case nHeads = 1 (selective-attention.ts).
 * 1. scores: one invocation per (head, selected token) computes its dot product (an index
 *    outside [0, rows) is recorded, as in lutGather, and scores −3.4e38, i.e. weight 0);
 * 2. softmax: one workgroup per head finds the max, turns scores into p_c = exp(s_c − max) in
 *    place, sums them, and stores Σp and the log-sum-exp;
 * 3. weighted sum: each head's tokens are split into chunks; invocation t of a (head, chunk)
 *    workgroup accumulates Σ_c p_c V[idx_c, t] for its dimension (neighbours read neighbouring
 *    values of the same V row), writing nHeads×chunks×d partial sums;
 * 4. reduce: per head, the chunks are added in order and divided by Σp (a fixed order, so the
 *    result is deterministic, which float atomics would not be).
 */
import type { GpuCall, GpuRef } from '../gpu-context.js';
import type { GpuProgram } from '../program.js';
import { treeReduce } from './snippets.js';

const WG = 256;
const LOWEST = '-3.4e38';

const scoresProgram: GpuProgram = {
  cacheKey: 'selectiveAttentionHeads:scores',
  workgroupSize: [64, 1],
  uniforms: [
    { name: 'count', type: 'u32' }, { name: 'rows', type: 'u32' }, { name: 'd', type: 'u32' },
    { name: 'stride', type: 'u32' }, { name: 'scale', type: 'f32' }, { name: 'total', type: 'u32' },
    { name: 'group', type: 'u32' },
  ],
  bindings: [
    { name: 'q', type: 'f32', access: 'read' },
    { name: 'K', type: 'f32', access: 'read' },
    { name: 'idx', type: 'i32', access: 'read' },
    { name: 'scores', type: 'f32', access: 'read_write' },
    { name: 'bad', type: 'atomic<u32>', access: 'read_write' },
  ],
  body: `
  if (gid >= P.total) { return; }
  let h = gid / P.count;
  let c = gid - h * P.count;
  let t = idx[P.idxOff + c];
  if (t < 0 || u32(t) >= P.rows) {
    atomicMin(&bad[P.badOff], c);
    scores[P.scoresOff + gid] = ${LOWEST};
    return;
  }
  let base = P.KOff + u32(t) * P.stride + (h / P.group) * P.d;
  let qb = P.qOff + h * P.d;
  var acc = 0.0;
  for (var u = 0u; u < P.d; u = u + 1u) { acc = acc + q[qb + u] * K[base + u]; }
  scores[P.scoresOff + gid] = acc * P.scale;`,
};

const softmaxProgram: GpuProgram = {
  cacheKey: 'selectiveAttentionHeads:softmax',
  workgroupSize: [WG, 1],
  uniforms: [{ name: 'count', type: 'u32' }],
  bindings: [
    { name: 'scores', type: 'f32', access: 'read_write' },
    { name: 'stats', type: 'f32', access: 'read_write' },
    { name: 'lse', type: 'f32', access: 'read_write' },
  ],
  prelude: `var<workgroup> red: array<f32, ${WG}>;`,
  body: `
  let h = wid;
  let sb = P.scoresOff + h * P.count;
  var m = ${LOWEST};
  for (var c = lid; c < P.count; c = c + ${WG}u) { m = max(m, scores[sb + c]); }
  red[lid] = m;
${treeReduce('red', WG, 'max')}
  let mx = red[0];
  workgroupBarrier();
  var s = 0.0;
  for (var c = lid; c < P.count; c = c + ${WG}u) {
    let p = exp(scores[sb + c] - mx);
    scores[sb + c] = p;
    s = s + p;
  }
  red[lid] = s;
${treeReduce('red', WG, '+')}
  if (lid == 0u) {
    stats[P.statsOff + h] = red[0];
    lse[P.lseOff + h] = mx + log(red[0]);
  }`,
};

const weightedProgram: GpuProgram = {
  cacheKey: 'selectiveAttentionHeads:weighted',
  workgroupSize: [64, 1],
  uniforms: [
    { name: 'count', type: 'u32' }, { name: 'd', type: 'u32' }, { name: 'stride', type: 'u32' },
    { name: 'dGroups', type: 'u32' }, { name: 'chunk', type: 'u32' }, { name: 'chunks', type: 'u32' },
    { name: 'rows', type: 'u32' }, { name: 'group', type: 'u32' },
  ],
  bindings: [
    { name: 'p', type: 'f32', access: 'read' },
    { name: 'V', type: 'f32', access: 'read' },
    { name: 'idx', type: 'i32', access: 'read' },
    { name: 'part', type: 'f32', access: 'read_write' },
  ],
  body: `
  let t = (wid % P.dGroups) * 64u + lid;
  let hc = wid / P.dGroups; // head·chunks + chunk
  let h = hc / P.chunks;
  let ch = hc - h * P.chunks;
  if (t >= P.d) { return; }
  let c0 = ch * P.chunk;
  let c1 = min(c0 + P.chunk, P.count);
  let pb = P.pOff + h * P.count;
  let vb = P.VOff + (h / P.group) * P.d + t;
  var acc = 0.0;
  for (var c = c0; c < c1; c = c + 1u) {
    let row = idx[P.idxOff + c];
    if (row < 0 || u32(row) >= P.rows) { continue; }
    acc = acc + p[pb + c] * V[vb + u32(row) * P.stride];
  }
  part[P.partOff + hc * P.d + t] = acc;`,
};

/** Per head: out[h·d + t] = Σ_chunk part[(h·chunks + chunk)·d + t] / den[h], chunks in order. */
const reduceProgram: GpuProgram = {
  cacheKey: 'selectiveAttentionHeads:reduce',
  workgroupSize: [WG, 1],
  uniforms: [{ name: 'chunks', type: 'u32' }, { name: 'd', type: 'u32' }, { name: 'total', type: 'u32' }],
  bindings: [
    { name: 'src', type: 'f32', access: 'read' },
    { name: 'den', type: 'f32', access: 'read' },
    { name: 'out', type: 'f32', access: 'read_write' },
  ],
  body: `
  if (gid >= P.total) { return; }
  let h = gid / P.d;
  let t = gid - h * P.d;
  let base = P.srcOff + h * P.chunks * P.d + t;
  var acc = 0.0;
  for (var r = 0u; r < P.chunks; r = r + 1u) { acc = acc + src[base + r * P.d]; }
  acc = acc / den[P.denOff + h];
  out[P.outOff + gid] = acc;`,
};

/**
 * Encode the attention of nHeads heads (4 dispatches). After completion lse[0..nHeads) holds
 * each head's log Σ exp(s) and bad[0] the first bad position of idx (it must start at
 * 0xFFFFFFFF: none). count ≥ 1, d ≥ 1, nHeads ≥ 1, group ≥ 1.
 */
export function encodeSelectiveAttentionHeads(call: GpuCall, q: GpuRef, K: GpuRef, V: GpuRef, idx: GpuRef,
  count: number, rows: number, d: number, stride: number, nHeads: number, group: number, scale: number,
  out: GpuRef, lse: GpuRef, bad: GpuRef): void {
  const scores = { buffer: call.scratch(nHeads * count * 4), offset: 0 };
  const stats = { buffer: call.scratch(Math.max(16, nHeads * 4)), offset: 0 };
  const total = nHeads * count;
  call.dispatch(scoresProgram, { count, rows, d, stride, scale, total, group }, [q, K, idx, scores, bad],
    Math.ceil(total / 64));
  call.dispatch(softmaxProgram, { count }, [scores, stats, lse], nHeads);
  const chunk = Math.max(32, Math.ceil(count / 64));
  const chunks = Math.ceil(count / chunk);
  const dGroups = Math.ceil(d / 64);
  const part = { buffer: call.scratch(nHeads * chunks * d * 4), offset: 0 };
  call.dispatch(weightedProgram, { count, d, stride, dGroups, chunk, chunks, rows, group }, [scores, V, idx, part],
    nHeads * chunks * dGroups);
  call.dispatch(reduceProgram, { chunks, d, total: nHeads * d }, [part, stats, out], Math.ceil(nHeads * d / WG));
}

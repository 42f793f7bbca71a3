/**
 * selectiveAttention on the GPU (A²ATS §3–4): exact attention of one query head over the
 * selected tokens idx[0..count) of a K/V store with row stride `stride`:
 * s_c = scale·q·K[idx_c], out = Σ_c softmax(s)_c V[idx_c], returning log Σ_c exp(s_c).
 *
 * 1. scores: one invocation per selected token computes its dot product (an index outside
 *    [0, rows) is recorded, as in lutGather, and scores −3.4e38, i.e. weight 0);
 * 2. softmax: one workgroup finds the max, turns scores into p_c = exp(s_c − max) in place,
 *    sums them, and stores max, Σp and the log-sum-exp;
 * 3. weighted sum: the tokens are split into chunks; invocation t of a chunk's workgroup
 *    accumulates Σ_c p_c V[idx_c, t] for its dimension (neighbours read neighbouring values
 *    of the same V row), writing chunks×d partial sums;
 * 4. reduce-rows adds the chunks in order and divides by Σp.
 */
import type { GpuCall, GpuRef, ScalarSlots } from '../gpu-context.js';
import type { GpuProgram } from '../program.js';
import { treeReduce } from './snippets.js';
import { encodeReduceRows } from './reduce-rows.js';

const WG = 256;
const LOWEST = '-3.4e38';

const scoresProgram: GpuProgram = {
  cacheKey: 'selectiveAttention:scores',
  workgroupSize: [64, 1],
  uniforms: [
    { name: 'count', type: 'u32' }, { name: 'rows', type: 'u32' }, { name: 'd', type: 'u32' },
    { name: 'stride', type: 'u32' }, { name: 'scale', type: 'f32' },
  ],
  bindings: [
    { name: 'q', type: 'f32', access: 'read' },
    { name: 'K', type: 'f32', access: 'read' },
    { name: 'idx', type: 'i32', access: 'read' },
    { name: 'scores', type: 'f32', access: 'read_write' },
    { name: 'bad', type: 'atomic<u32>', access: 'read_write' },
  ],
  body: `
  let c = gid;
  if (c >= P.count) { return; }
  let t = idx[P.idxOff + c];
  if (t < 0 || u32(t) >= P.rows) {
    atomicMin(&bad[P.badOff], c);
    scores[P.scoresOff + c] = ${LOWEST};
    return;
  }
  let base = P.KOff + u32(t) * P.stride;
  var acc = 0.0;
  for (var u = 0u; u < P.d; u = u + 1u) { acc = acc + q[P.qOff + u] * K[base + u]; }
  scores[P.scoresOff + c] = acc * P.scale;`,
};

const softmaxProgram: GpuProgram = {
  cacheKey: 'selectiveAttention:softmax',
  workgroupSize: [WG, 1],
  uniforms: [{ name: 'count', type: 'u32' }],
  bindings: [
    { name: 'scores', type: 'f32', access: 'read_write' },
    { name: 'stats', type: 'f32', access: 'read_write' },
    { name: 'lse', type: 'f32', access: 'read_write' },
  ],
  prelude: `var<workgroup> red: array<f32, ${WG}>;`,
  body: `
  var m = ${LOWEST};
  for (var c = lid; c < P.count; c = c + ${WG}u) { m = max(m, scores[P.scoresOff + c]); }
  red[lid] = m;
${treeReduce('red', WG, 'max')}
  let mx = red[0];
  workgroupBarrier();
  var s = 0.0;
  for (var c = lid; c < P.count; c = c + ${WG}u) {
    let p = exp(scores[P.scoresOff + c] - mx);
    scores[P.scoresOff + c] = p;
    s = s + p;
  }
  red[lid] = s;
${treeReduce('red', WG, '+')}
  if (lid == 0u) {
    stats[P.statsOff] = red[0];
    lse[P.lseOff] = mx + log(red[0]);
  }`,
};

const weightedProgram: GpuProgram = {
  cacheKey: 'selectiveAttention:weighted',
  workgroupSize: [64, 1],
  uniforms: [
    { name: 'count', type: 'u32' }, { name: 'd', type: 'u32' }, { name: 'stride', type: 'u32' },
    { name: 'dGroups', type: 'u32' }, { name: 'chunk', type: 'u32' }, { name: 'rows', type: 'u32' },
  ],
  bindings: [
    { name: 'p', type: 'f32', access: 'read' },
    { name: 'V', type: 'f32', access: 'read' },
    { name: 'idx', type: 'i32', access: 'read' },
    { name: 'part', type: 'f32', access: 'read_write' },
  ],
  body: `
  let t = (wid % P.dGroups) * 64u + lid;
  let ch = wid / P.dGroups;
  if (t >= P.d) { return; }
  let c0 = ch * P.chunk;
  let c1 = min(c0 + P.chunk, P.count);
  var acc = 0.0;
  for (var c = c0; c < c1; c = c + 1u) {
    let row = idx[P.idxOff + c];
    if (row < 0 || u32(row) >= P.rows) { continue; }
    acc = acc + p[P.pOff + c] * V[P.VOff + u32(row) * P.stride + t];
  }
  part[P.partOff + ch * P.d + t] = acc;`,
};

/**
 * Encode the attention; after completion `slots.f32(0)` is log Σ exp(s) and `slots.u32(1)`
 * the first bad position of idx (0xFFFFFFFF: none). count ≥ 1, d ≥ 1.
 */
export function encodeSelectiveAttention(call: GpuCall, q: GpuRef, K: GpuRef, V: GpuRef, idx: GpuRef, count: number,
  rows: number, d: number, stride: number, scale: number, out: GpuRef): ScalarSlots {
  const slots = call.scalars([0, 0xFFFFFFFF]);
  const lse = slots.ref;
  const bad = { buffer: slots.ref.buffer, offset: slots.ref.offset + 1 };
  const scores = { buffer: call.scratch(count * 4), offset: 0 };
  const stats = { buffer: call.scratch(16), offset: 0 };
  call.dispatch(scoresProgram, { count, rows, d, stride, scale }, [q, K, idx, scores, bad], Math.ceil(count / 64));
  call.dispatch(softmaxProgram, { count }, [scores, stats, lse], 1);
  const chunk = Math.max(32, Math.ceil(count / 64));
  const chunks = Math.ceil(count / chunk);
  const dGroups = Math.ceil(d / 64);
  const part = { buffer: call.scratch(chunks * d * 4), offset: 0 };
  call.dispatch(weightedProgram, { count, d, stride, dGroups, chunk, rows }, [scores, V, idx, part], dGroups * chunks);
  encodeReduceRows(call, part, out, chunks, d, stats);
  return slots;
}

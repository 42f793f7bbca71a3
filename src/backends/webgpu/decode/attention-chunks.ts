/**
 * Causal attention of one decode token over rows 0..pos of a layer's K/V store, every query head
 * in the same two dispatches (split-K, as FlashDecoding: Dao et al. 2023):
 *
 * 1. chunks: workgroup (chunk c, head h) scores its CHUNK tokens (one invocation each:
 *    s_t = scale·q_h·k_{t,g}, g = ⌊h / group⌋ the KV head), takes their max m_c and
 *    l_c = Σ exp(s_t − m_c), and writes o_c = Σ exp(s_t − m_c)·v_{t,g} with m_c and l_c;
 * 2. combine: one workgroup per head rescales the chunks to the global max m and writes
 *    out_h = Σ_c e^{m_c − m} o_c / Σ_c e^{m_c − m} l_c, adding the chunks in order (deterministic).
 *
 * The number of chunks, ⌈(pos + 1)/CHUNK⌉, is the dispatch's x size (encoded per token); both
 * programs read pos from the step buffer.
 */
import type { GpuProgram } from '../program.js';

/** Tokens per chunk workgroup (one invocation per token for the scores). */
export const ATTENTION_CHUNK = 64;
const C = ATTENTION_CHUNK;

const COMMON = [
  { name: 'hd', type: 'u32' as const }, { name: 'kvDim', type: 'u32' as const }, { name: 'group', type: 'u32' as const },
  { name: 'maxChunks', type: 'u32' as const },
];

/**
 * Which tokens a chunk program attends: every token up to pos (dense), or those a WGSL snippet
 * accepts — it reads t (the token), len (pos + 1), g (the KV head) and sets `var on: bool`
 * (its helper functions in `prelude`).
 */
export interface ChunkSelection {
  key: string;
  prelude: string;
  uniforms: GpuProgram['uniforms'];
  bindings: GpuProgram['bindings'];
  wgsl: string;
}

/** The chunk program over every token, or over those `selection` accepts (its K/V rows only are read). */
export function chunksProgram(selection?: ChunkSelection): GpuProgram {
  return {
    cacheKey: selection ? `decode:attentionChunks:${selection.key}` : 'decode:attentionChunks',
    workgroupSize: [C, 1],
    uniforms: [...COMMON, { name: 'scale', type: 'f32' }, ...(selection?.uniforms ?? [])],
    bindings: [
      { name: 'q', type: 'f32', access: 'read' },
      { name: 'keys', type: 'f32', access: 'read' },
      { name: 'values', type: 'f32', access: 'read' },
      { name: 'step', type: 'u32', access: 'read' },
      ...(selection?.bindings ?? []),
      { name: 'part', type: 'f32', access: 'read_write' },
    ],
    prelude: `var<workgroup> p: array<f32, ${C}>;
var<workgroup> red: array<f32, ${C}>;
${selection?.prelude ?? ''}`,
    body: `
  let chunk = wg.x;
  let h = wg.y;
  let len = step[P.stepOff] + 1u;
  let g = h / P.group;
  let t0 = chunk * ${C}u;
  let t = t0 + lid;
${selection ? selection.wgsl : '  let on = t < len;'}
  var s = -3.4e38;
  if (on) {
    let kb = P.keysOff + t * P.kvDim + g * P.hd;
    let qb = P.qOff + h * P.hd;
    var acc = 0.0;
    for (var u = 0u; u < P.hd; u = u + 1u) { acc = acc + q[qb + u] * keys[kb + u]; }
    s = acc * P.scale;
  }
  red[lid] = s;
  workgroupBarrier();
  for (var k = ${C / 2}u; k > 0u; k = k >> 1u) {
    if (lid < k) { red[lid] = max(red[lid], red[lid + k]); }
    workgroupBarrier();
  }
  let m = red[0];
  workgroupBarrier();
  var e = 0.0;
  if (on) { e = exp(s - m); }
  p[lid] = e;
  red[lid] = e;
  workgroupBarrier();
  for (var k = ${C / 2}u; k > 0u; k = k >> 1u) {
    if (lid < k) { red[lid] = red[lid] + red[lid + k]; }
    workgroupBarrier();
  }
  let n = min(${C}u, len - t0);
  let rec = (h * P.maxChunks + chunk) * (P.hd + 2u);
  let vb = P.valuesOff + t0 * P.kvDim + g * P.hd;
  for (var d = lid; d < P.hd; d = d + ${C}u) {
    var o = 0.0;
    for (var j = 0u; j < n; j = j + 1u) {
      ${selection ? 'if (p[j] != 0.0) { o = o + p[j] * values[vb + j * P.kvDim + d]; }' : 'o = o + p[j] * values[vb + j * P.kvDim + d];'}
    }
    part[P.partOff + rec + 2u + d] = o;
  }
  if (lid == 0u) {
    part[P.partOff + rec] = m;
    part[P.partOff + rec + 1u] = red[0];
  }`,
  };
}

/** Dispatch (chunks, nHeads). part: nHeads·maxChunks records of hd + 2 floats (m, l, o). */
export const attentionChunksProgram: GpuProgram = chunksProgram();

/** Dispatch nHeads workgroups: out (nHeads·hd) from the chunk records. */
export const attentionCombineProgram: GpuProgram = {
  cacheKey: 'decode:attentionCombine',
  workgroupSize: [C, 1],
  uniforms: COMMON,
  bindings: [
    { name: 'part', type: 'f32', access: 'read' },
    { name: 'step', type: 'u32', access: 'read' },
    { name: 'out', type: 'f32', access: 'read_write' },
  ],
  body: `
  let h = wid;
  let chunks = (step[P.stepOff] + ${C}u) / ${C}u;
  let rec0 = P.partOff + h * P.maxChunks * (P.hd + 2u);
  var m = -3.4e38;
  for (var c = 0u; c < chunks; c = c + 1u) { m = max(m, part[rec0 + c * (P.hd + 2u)]); }
  var l = 0.0;
  for (var c = 0u; c < chunks; c = c + 1u) {
    let rec = rec0 + c * (P.hd + 2u);
    l = l + exp(part[rec] - m) * part[rec + 1u];
  }
  for (var d = lid; d < P.hd; d = d + ${C}u) {
    var o = 0.0;
    for (var c = 0u; c < chunks; c = c + 1u) {
      let rec = rec0 + c * (P.hd + 2u);
      o = o + exp(part[rec] - m) * part[rec + 2u + d];
    }
    out[P.outOff + h * P.hd + d] = o / l;
  }`,
};

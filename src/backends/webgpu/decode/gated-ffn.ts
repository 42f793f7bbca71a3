/**
 * The gate-thresholded SwiGLU FFN (CATS / CHESS, arXiv 2404.08763, 2409.01366) inside the decode
 * step's submission, with the kept channels compacted on the GPU so the up and down projections
 * read only their rows (float32 weights; W_down as an input-major copy, hidden × dim):
 *
 *   gateRows     s_i = g_i if |g_i| ≥ t_i else 0,  g_i = SiLU(W1_i · RMSNorm(x))      (all rows)
 *   compactKept  idx = the i with s_i ≠ 0, in increasing order; count → an indirect dispatch
 *   upRows       h_k = s_{idx_k} · (W3_{idx_k} · RMSNorm(x))                  (count workgroups)
 *   downSlices   part_j,c = Σ_{k ≡ j mod S} h_k · W2ᵀ[idx_k, c]        (256-column blocks × S slices)
 *   addSlices    x_c += Σ_j part_j,c                                      (the residual add)
 *
 * The kept order is the channel order and each slice sums in a fixed order, so a token's result
 * does not depend on scheduling (no atomics). The CPU component (activations/gated-ffn.ts) runs
 * the same arithmetic as gemv → siluThreshold → vmmsp → spvmm; SiLU here is float32.
 */
import type { GpuProgram } from '../program.js';
import { SILU_WGSL } from '../programs/threshold.js';
import { normScale, rowDots, rowDotsPrelude, ROW_WG } from './row-dots.js';

/**
 * Slices the down projection's kept rows are split into: with DOWN_COLUMNS per workgroup, a
 * 4096-wide output gets 16 × 64 = 1024 workgroups of 4 independent loads per row each (as many
 * loads in flight as the dense W2 program's 4096 one-row workgroups); a fixed summation order.
 */
export const DOWN_SLICES = 64;
/** Output columns per down-projection workgroup: 64 invocations × 4 columns, 64 apart (coalesced). */
export const DOWN_COLUMNS = 256;
const DOWN_WG = 64;
/** Invocations of the single compaction workgroup. */
const COMPACT_WG = 256;

/** gate[i] = SiLU(W1_i·n) where |·| ≥ t[i], else 0; n = RMSNorm(x; W[norm …]). Workgroups: hidden rows. */
export const gateRowsProgram: GpuProgram = {
  cacheKey: 'decode:gatedFfn:gateRows',
  workgroupSize: [ROW_WG, 1],
  uniforms: [{ name: 'cols', type: 'u32' }, { name: 'w1', type: 'u32' }, { name: 'norm', type: 'u32' }, { name: 'eps', type: 'f32' }],
  bindings: [
    { name: 'W', type: 'f32', access: 'read' }, { name: 't', type: 'f32', access: 'read' },
    { name: 'x', type: 'f32', access: 'read' }, { name: 'gate', type: 'f32', access: 'read_write' },
  ],
  prelude: `${rowDotsPrelude(2)}\n${SILU_WGSL}`,
  body: `
${rowDots('f32', ['P.WOff + P.w1 + wid * P.cols'], 'x', 'P.xOff', 'P.cols', 'P.WOff + P.norm')}
  if (lid == 0u) {
${normScale('P.cols')}
    let g = silu(dot0 * r);
    gate[P.gateOff + wid] = select(0.0, g, abs(g) >= t[P.tOff + wid]);
  }`,
};

/**
 * One workgroup: idx = the channels with gate ≠ 0 in increasing order, args = (count, 1, 1) (the
 * up projection's indirect dispatch), args[3] = count. Invocation j scans a contiguous run of
 * channels; an exclusive scan of the runs' counts gives where each run writes.
 */
export const compactKeptProgram: GpuProgram = {
  cacheKey: 'decode:gatedFfn:compactKept',
  workgroupSize: [COMPACT_WG, 1],
  uniforms: [{ name: 'n', type: 'u32' }],
  bindings: [
    { name: 'gate', type: 'f32', access: 'read' }, { name: 'idx', type: 'u32', access: 'read_write' },
    { name: 'args', type: 'u32', access: 'read_write' },
  ],
  prelude: `var<workgroup> runs: array<u32, ${COMPACT_WG}>;`,
  body: `
  let per = (P.n + ${COMPACT_WG - 1}u) / ${COMPACT_WG}u;
  let begin = min(lid * per, P.n);
  let end = min(begin + per, P.n);
  var kept = 0u;
  for (var i = begin; i < end; i = i + 1u) { kept = kept + select(0u, 1u, gate[P.gateOff + i] != 0.0); }
  runs[lid] = kept;
  workgroupBarrier();
  // Inclusive Hillis–Steele scan of the run counts.
  for (var s = 1u; s < ${COMPACT_WG}u; s = s << 1u) {
    var add = 0u;
    if (lid >= s) { add = runs[lid - s]; }
    workgroupBarrier();
    runs[lid] = runs[lid] + add;
    workgroupBarrier();
  }
  var at = runs[lid] - kept;
  for (var i = begin; i < end; i = i + 1u) {
    if (gate[P.gateOff + i] != 0.0) { idx[P.idxOff + at] = i; at = at + 1u; }
  }
  if (lid == ${COMPACT_WG - 1}u) {
    args[P.argsOff] = runs[lid];
    args[P.argsOff + 1u] = 1u;
    args[P.argsOff + 2u] = 1u;
    args[P.argsOff + 3u] = runs[lid];
  }`,
};

/** h[k] = gate[i]·(W3_i·n), i = idx[k], n = RMSNorm(x; W[norm …]). Workgroups: the kept count (indirect). */
export const upRowsProgram: GpuProgram = {
  cacheKey: 'decode:gatedFfn:upRows',
  workgroupSize: [ROW_WG, 1],
  uniforms: [{ name: 'cols', type: 'u32' }, { name: 'w3', type: 'u32' }, { name: 'norm', type: 'u32' }, { name: 'eps', type: 'f32' }],
  bindings: [
    { name: 'W', type: 'f32', access: 'read' }, { name: 'x', type: 'f32', access: 'read' },
    { name: 'gate', type: 'f32', access: 'read' }, { name: 'idx', type: 'u32', access: 'read' },
    { name: 'h', type: 'f32', access: 'read_write' },
  ],
  prelude: rowDotsPrelude(2),
  body: `
  let i = idx[P.idxOff + wid];
${rowDots('f32', ['P.WOff + P.w3 + i * P.cols'], 'x', 'P.xOff', 'P.cols', 'P.WOff + P.norm')}
  if (lid == 0u) {
${normScale('P.cols')}
    h[P.hOff + wid] = gate[P.gateOff + i] * (dot0 * r);
  }`,
};

/**
 * part[j·dim + c] = Σ_{k = j, j + S, … < count} h[k]·WT[idx[k]·dim + c]: workgroup w takes columns
 * block (w mod blocks) and slice j = w / blocks; the kept count is args[3].
 */
export const downSlicesProgram: GpuProgram = {
  cacheKey: 'decode:gatedFfn:downSlices',
  workgroupSize: [DOWN_WG, 1],
  uniforms: [{ name: 'dim', type: 'u32' }, { name: 'blocks', type: 'u32' }],
  bindings: [
    { name: 'WT', type: 'f32', access: 'read' }, { name: 'h', type: 'f32', access: 'read' },
    { name: 'idx', type: 'u32', access: 'read' }, { name: 'args', type: 'u32', access: 'read' },
    { name: 'part', type: 'f32', access: 'read_write' },
  ],
  body: `
  let c = (wid % P.blocks) * ${DOWN_COLUMNS}u + lid;
  let j = wid / P.blocks;
  if (c >= P.dim) { return; }
  let count = args[P.argsOff + 3u];
  var acc = vec4<f32>(0.0);
  // Columns c + 64u·m (m < 4) that exist: a 4-wide mask, so the loop body has no branch.
  let live = vec4<bool>(true, c + ${DOWN_WG}u < P.dim, c + ${2 * DOWN_WG}u < P.dim, c + ${3 * DOWN_WG}u < P.dim);
  let last = P.dim - 1u;
  for (var k = j; k < count; k = k + ${DOWN_SLICES}u) {
    let row = P.WTOff + idx[P.idxOff + k] * P.dim;
    let w = vec4<f32>(WT[row + c], WT[row + min(c + ${DOWN_WG}u, last)], WT[row + min(c + ${2 * DOWN_WG}u, last)], WT[row + min(c + ${3 * DOWN_WG}u, last)]);
    acc = acc + h[P.hOff + k] * w;
  }
  let at = P.partOff + j * P.dim + c;
  part[at] = acc.x;
  if (live.y) { part[at + ${DOWN_WG}u] = acc.y; }
  if (live.z) { part[at + ${2 * DOWN_WG}u] = acc.z; }
  if (live.w) { part[at + ${3 * DOWN_WG}u] = acc.w; }`,
};

/** x[c] += Σ_j part[j·dim + c] over the S slices. Invocations: dim. */
export const addSlicesProgram: GpuProgram = {
  cacheKey: 'decode:gatedFfn:addSlices',
  workgroupSize: [DOWN_WG, 1],
  uniforms: [{ name: 'dim', type: 'u32' }],
  bindings: [{ name: 'part', type: 'f32', access: 'read' }, { name: 'x', type: 'f32', access: 'read_write' }],
  body: `
  let c = gid;
  if (c >= P.dim) { return; }
  var acc = 0.0;
  for (var j = 0u; j < ${DOWN_SLICES}u; j = j + 1u) { acc = acc + part[P.partOff + j * P.dim + c]; }
  x[P.xOff + c] = x[P.xOff + c] + acc;`,
};

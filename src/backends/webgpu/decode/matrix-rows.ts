/**
 * The decode step's other matrix products, one workgroup per output row (row-dots.ts):
 * - residual: x_i += W_i · v (Wo after attention, W2 after the FFN: the residual add fused);
 * - gateUp: u_i = SiLU(W1_i · n) · (W3_i · n) with n = RMSNorm(x; w) folded in (SwiGLU,
 *   Shazeer arXiv 2002.05202; both rows in one sweep);
 * - classifier: logits_i = Wcls_i · RMSNorm(x; w).
 * SiLU as v·e/(1 + e), e = exp(−|v|) for v < 0, so exp never overflows (as the swiglu program).
 */
import type { GpuProgram } from '../program.js';
import { normScale, rowDots, rowDotsPrelude, ROW_WG } from './row-dots.js';

const SHAPE = [{ name: 'cols', type: 'u32' as const }, { name: 'w', type: 'u32' as const }];

/** x[i] += W[w + i·cols …] · v. Workgroups: rows. */
export const residualRowsProgram: GpuProgram = {
  cacheKey: 'decode:residualRows',
  workgroupSize: [ROW_WG, 1],
  uniforms: SHAPE,
  bindings: [
    { name: 'W', type: 'f32', access: 'read' },
    { name: 'v', type: 'f32', access: 'read' },
    { name: 'x', type: 'f32', access: 'read_write' },
  ],
  prelude: rowDotsPrelude(1),
  body: `
${rowDots(['P.WOff + P.w + wid * P.cols'], 'v', 'P.vOff', 'P.cols')}
  if (lid == 0u) { x[P.xOff + wid] = x[P.xOff + wid] + dot0; }`,
};

/** u[i] = SiLU(W1_i·n)·(W3_i·n), n = RMSNorm(x; W[norm …]). Workgroups: hiddenDim. */
export const gateUpRowsProgram: GpuProgram = {
  cacheKey: 'decode:gateUpRows',
  workgroupSize: [ROW_WG, 1],
  uniforms: [{ name: 'cols', type: 'u32' }, { name: 'w1', type: 'u32' }, { name: 'w3', type: 'u32' },
    { name: 'norm', type: 'u32' }, { name: 'eps', type: 'f32' }],
  bindings: [
    { name: 'W', type: 'f32', access: 'read' },
    { name: 'x', type: 'f32', access: 'read' },
    { name: 'u', type: 'f32', access: 'read_write' },
  ],
  prelude: `${rowDotsPrelude(3)}
fn silu(v: f32) -> f32 {
  let e = exp(-abs(v));
  return select(v * e, v, v >= 0.0) / (1.0 + e);
}`,
  body: `
${rowDots(['P.WOff + P.w1 + wid * P.cols', 'P.WOff + P.w3 + wid * P.cols'], 'x', 'P.xOff', 'P.cols', 'P.WOff + P.norm')}
  if (lid == 0u) {
${normScale('P.cols')}
    u[P.uOff + wid] = silu(dot0 * r) * (dot1 * r);
  }`,
};

/** logits[i] = W_i · RMSNorm(x; W[norm …]). Workgroups: vocabSize. */
export const classifierRowsProgram: GpuProgram = {
  cacheKey: 'decode:classifierRows',
  workgroupSize: [ROW_WG, 1],
  uniforms: [...SHAPE, { name: 'norm', type: 'u32' }, { name: 'eps', type: 'f32' }],
  bindings: [
    { name: 'W', type: 'f32', access: 'read' },
    { name: 'x', type: 'f32', access: 'read' },
    { name: 'logits', type: 'f32', access: 'read_write' },
  ],
  prelude: rowDotsPrelude(2),
  body: `
${rowDots(['P.WOff + P.w + wid * P.cols'], 'x', 'P.xOff', 'P.cols', 'P.WOff + P.norm')}
  if (lid == 0u) {
${normScale('P.cols')}
    logits[P.logitsOff + wid] = dot0 * r;
  }`,
};

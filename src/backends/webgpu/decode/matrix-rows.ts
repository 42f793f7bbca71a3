/**
 * The decode step's other matrix products, one workgroup per output row (row-dots.ts), for each
 * storage format of the matrix (`rowLen`: floats or words per row; `w` in W's floats or Q's words):
 * - residual: x_i += W_i · v (Wo after attention, W2 after the FFN: the residual add fused);
 * - gateUp: u_i = SiLU(W1_i · n) · (W3_i · n) with n = RMSNorm(x; w) folded in (SwiGLU,
 *   Shazeer arXiv 2002.05202; both rows in one sweep);
 * - classifier: logits_i = Wcls_i · RMSNorm(x; w).
 * SiLU as v·e/(1 + e), e = exp(−|v|) for v < 0, so exp never overflows (as the swiglu program).
 */
import type { GpuProgram } from '../program.js';
import { matrixBindings, normScale, rowBase, rowDots, rowDotsPrelude, ROW_WG, type RowFormat } from './row-dots.js';
import { SILU_WGSL } from '../programs/threshold.js';

const SHAPE = [{ name: 'cols', type: 'u32' as const }, { name: 'rowLen', type: 'u32' as const }, { name: 'w', type: 'u32' as const }];

const cache = new Map<string, GpuProgram>();
function once(key: string, make: () => GpuProgram): GpuProgram {
  let p = cache.get(key);
  if (!p) cache.set(key, (p = make()));
  return p;
}

/**
 * x[i] += row i of the matrix at w · v. Workgroups: rows. `masked`: v_c is zeroed where |v_c| < P.t
 * (CHESS w/ and TEAL input sparsity of the o projection).
 */
export function residualRowsProgram(format: RowFormat, masked = false): GpuProgram {
  return once(`residual:${format}:${masked}`, () => ({
    cacheKey: `decode:residualRows:${format}${masked ? ':masked' : ''}`,
    workgroupSize: [ROW_WG, 1],
    uniforms: masked ? [...SHAPE, { name: 't', type: 'f32' as const }] : SHAPE,
    bindings: [...matrixBindings(format, false), { name: 'v', type: 'f32', access: 'read' }, { name: 'x', type: 'f32', access: 'read_write' }],
    prelude: rowDotsPrelude(1),
    body: `
${rowDots(format, [rowBase(format, 'P.w + wid * P.rowLen')], 'v', 'P.vOff', 'P.cols', undefined, masked ? { scale: '1.0', threshold: 'P.t' } : undefined)}
  if (lid == 0u) { x[P.xOff + wid] = x[P.xOff + wid] + dot0; }`,
  }));
}

/** u[i] = SiLU(W1_i·n)·(W3_i·n), n = RMSNorm(x; W[norm …]). Workgroups: hiddenDim. */
export function gateUpRowsProgram(format: RowFormat): GpuProgram {
  return once(`gateUp:${format}`, () => ({
    cacheKey: `decode:gateUpRows:${format}`,
    workgroupSize: [ROW_WG, 1],
    uniforms: [{ name: 'cols', type: 'u32' }, { name: 'rowLen', type: 'u32' }, { name: 'w1', type: 'u32' }, { name: 'w3', type: 'u32' },
      { name: 'norm', type: 'u32' }, { name: 'eps', type: 'f32' }],
    bindings: [...matrixBindings(format, true), { name: 'x', type: 'f32', access: 'read' }, { name: 'u', type: 'f32', access: 'read_write' }],
    prelude: `${rowDotsPrelude(3)}\n${SILU_WGSL}`,
    body: `
${rowDots(format, [rowBase(format, 'P.w1 + wid * P.rowLen'), rowBase(format, 'P.w3 + wid * P.rowLen')], 'x', 'P.xOff', 'P.cols', 'P.WOff + P.norm')}
  if (lid == 0u) {
${normScale('P.cols')}
    u[P.uOff + wid] = silu(dot0 * r) * (dot1 * r);
  }`,
  }));
}

/** logits[i] = W_i · RMSNorm(x; W[norm …]). Workgroups: vocabSize. */
export function classifierRowsProgram(format: RowFormat): GpuProgram {
  return once(`classifier:${format}`, () => ({
    cacheKey: `decode:classifierRows:${format}`,
    workgroupSize: [ROW_WG, 1],
    uniforms: [...SHAPE, { name: 'norm', type: 'u32' }, { name: 'eps', type: 'f32' }],
    bindings: [...matrixBindings(format, true), { name: 'x', type: 'f32', access: 'read' }, { name: 'logits', type: 'f32', access: 'read_write' }],
    prelude: rowDotsPrelude(2),
    body: `
${rowDots(format, [rowBase(format, 'P.w + wid * P.rowLen')], 'x', 'P.xOff', 'P.cols', 'P.WOff + P.norm')}
  if (lid == 0u) {
${normScale('P.cols')}
    logits[P.logitsOff + wid] = dot0 * r;
  }`,
  }));
}

/**
 * The attention block's input half of a decode step in one dispatch: RMSNorm of the residual
 * stream, the q, k and v rows (Wq, Wk, Wv), RoPE on q and k, and the token's key and value
 * written straight into row `pos` of the layer's K/V store.
 *
 * One workgroup per rotation pair: it computes the two rows that RoPE turns together ('adjacent':
 * rows 2t, 2t+1 of a head, llama2.c; 'half': rows t, t + headDim/2, HF), so the rotation needs no
 * second pass; v rows are paired the same way and stored unrotated. cos/sin come from the
 * resident table (rope-table.ts) at row pos, which the step buffer holds (step[0] = pos).
 */
import type { RopePairing } from '../../../kernels/kernels.js';
import type { GpuProgram } from '../program.js';
import { matrixBindings, normScale, normScaleFirst, rowBase, rowDots, rowDotsPrelude, ROW_WG, type RowFormat } from './row-dots.js';

/**
 * The program for a pairing and the format of Wq, Wk, Wv (`rowLen`: floats or words per row; the
 * matrix offsets are in W's floats or Q's words accordingly). Workgroups: (dim + 2·kvDim) / 2.
 * `pre`: the pre-RoPE q and k are kept too, at q[dim …] and q[2·dim …] (A²ATS codes and scores them).
 * `masked`: the normed input of q, k, v is thresholded first (uniforms tq, tk, tv; 0 keeps every
 * element; CHESS w/ and TEAL input sparsity), so the norm scale is computed before the sweep.
 */
export function qkvRopeProgram(pairing: RopePairing, format: RowFormat, masked = false, pre = false): GpuProgram {
  const adjacent = pairing === 'adjacent';
  return {
    cacheKey: `decode:qkvRope:${pairing}:${format}${masked ? ':masked' : ''}${pre ? ':pre' : ''}`,
    workgroupSize: [ROW_WG, 1],
    uniforms: [
      { name: 'dim', type: 'u32' }, { name: 'kvDim', type: 'u32' }, { name: 'half', type: 'u32' }, { name: 'eps', type: 'f32' },
      { name: 'rowLen', type: 'u32' }, { name: 'wq', type: 'u32' }, { name: 'wk', type: 'u32' }, { name: 'wv', type: 'u32' }, { name: 'norm', type: 'u32' },
      ...(masked ? [{ name: 'tq', type: 'f32' as const }, { name: 'tk', type: 'f32' as const }, { name: 'tv', type: 'f32' as const }] : []),
    ],
    bindings: [
      ...matrixBindings(format, true),
      { name: 'x', type: 'f32', access: 'read' },
      { name: 'cs', type: 'f32', access: 'read' },
      { name: 'step', type: 'u32', access: 'read' },
      { name: 'q', type: 'f32', access: 'read_write' },
      { name: 'keys', type: 'f32', access: 'read_write' },
      { name: 'values', type: 'f32', access: 'read_write' },
    ],
    prelude: rowDotsPrelude(3),
    body: `
  let pos = step[P.stepOff];
  let qPairs = P.dim / 2u;
  let kPairs = P.kvDim / 2u;
  var seg = 0u;
  var lp = wid;
  var mat = P.wq;
  if (wid >= qPairs + kPairs) { seg = 2u; lp = wid - qPairs - kPairs; mat = P.wv; }
  else if (wid >= qPairs) { seg = 1u; lp = wid - qPairs; mat = P.wk; }
  let h = lp / P.half;
  let t = lp - h * P.half;
  let r0 = h * 2u * P.half + ${adjacent ? '2u * t' : 't'};
  let r1 = r0 + ${adjacent ? '1u' : 'P.half'};
${masked ? `${normScaleFirst('x', 'P.xOff', 'P.dim')}
  let thr = select(select(P.tq, P.tk, seg == 1u), P.tv, seg == 2u);` : ''}
${rowDots(format, [rowBase(format, 'mat + r0 * P.rowLen'), rowBase(format, 'mat + r1 * P.rowLen')], 'x', 'P.xOff', 'P.dim', 'P.WOff + P.norm',
    masked ? { scale: 'rs', threshold: 'thr' } : undefined)}
  if (lid != 0u) { return; }
${masked ? '  let r = 1.0; // the input was scaled before the sweep' : normScale('P.dim')}
  let a = dot0 * r;
  let b = dot1 * r;
  let row = pos * P.kvDim;${pre ? `
  if (seg == 0u) { q[P.qOff + P.dim + r0] = a; q[P.qOff + P.dim + r1] = b; }
  if (seg == 1u) { q[P.qOff + 2u * P.dim + r0] = a; q[P.qOff + 2u * P.dim + r1] = b; }` : ''}
  if (seg == 2u) {
    values[P.valuesOff + row + r0] = a;
    values[P.valuesOff + row + r1] = b;
    return;
  }
  let at = P.csOff + pos * 2u * P.half + t;
  let co = cs[at];
  let si = cs[at + P.half];
  let a2 = a * co - b * si;
  let b2 = a * si + b * co;
  if (seg == 0u) {
    q[P.qOff + r0] = a2;
    q[P.qOff + r1] = b2;
  } else {
    keys[P.keysOff + row + r0] = a2;
    keys[P.keysOff + row + r1] = b2;
  }`,
  };
}

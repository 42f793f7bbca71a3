/**
 * The token's embedding row into x on the GPU, decoded from a quantized table (the token id is
 * step[1], written with the position): x_c = d·q_c + m (Q4_1) or d_b·q_c (Q8_0). A float32 table
 * needs no program: the step copies the row (copyBufferToBuffer). One invocation per 32-column block.
 */
import type { QuantizedType } from '../../../kernels/quantized-row-words.js';
import type { GpuProgram } from '../program.js';

export function embedRowProgram(format: QuantizedType): GpuProgram {
  const decode = format === 'Q4_1'
    ? `  let at = P.QOff + P.w + token * P.rowLen + b * 5u;
  let dm = unpack2x16float(u32(Q[at]));
  for (var j = 0u; j < 16u; j = j + 1u) {
    let by = (u32(Q[at + 1u + j / 4u]) >> (8u * (j % 4u))) & 255u;
    x[P.xOff + b * 32u + j] = dm.x * f32(by & 15u) + dm.y;
    x[P.xOff + b * 32u + j + 16u] = dm.x * f32(by >> 4u) + dm.y;
  }`
    : `  let row = P.QOff + P.w + token * P.rowLen;
  let dd = unpack2x16float(u32(Q[row + P.cols / 4u + b / 2u]));
  let d = select(dd.x, dd.y, (b & 1u) == 1u);
  for (var j = 0u; j < 32u; j = j + 1u) {
    let c = b * 32u + j;
    x[P.xOff + c] = d * f32(extractBits(Q[row + c / 4u], 8u * (c % 4u), 8u));
  }`;
  return {
    cacheKey: `decode:embedRow:${format}`,
    workgroupSize: [32, 1],
    uniforms: [{ name: 'cols', type: 'u32' }, { name: 'rowLen', type: 'u32' }, { name: 'w', type: 'u32' }],
    bindings: [
      { name: 'Q', type: 'i32', access: 'read' },
      { name: 'step', type: 'u32', access: 'read' },
      { name: 'x', type: 'f32', access: 'read_write' },
    ],
    body: `
  let b = gid;
  if (b >= P.cols / 32u) { return; }
  let token = step[P.stepOff + 1u];
${decode}`,
  };
}

/**
 * gemvQ4_1 and gemvQ8_0 on the GPU: y = W·x with W's rows in ggml's quantized layouts, read as
 * words straight from the resident blocks (kernels/quantized-row-words.ts; the block arithmetic
 * is the decode step's, decode/row-dots.ts). One workgroup of 64 invocations per row, invocation
 * i taking the row's 32-column blocks i, i + 64, …, then a tree reduce. Activations stay float32
 * (the CPU backends' 'f32' mode, gemvQ4_1/gemvQ8_0, not the int8 gemvQ4_1Q8_1 forms).
 */
import type { QuantizedType } from '../../../kernels/quantized-row-words.js';
import { quantizedRowWords } from '../../../kernels/quantized-row-words.js';
import type { GpuCall, GpuRef } from '../gpu-context.js';
import type { GpuProgram } from '../program.js';
import { rowDots, rowDotsPrelude, ROW_WG } from '../decode/row-dots.js';

function program(format: QuantizedType): GpuProgram {
  return {
    cacheKey: `gemvQuantized:${format}`,
    workgroupSize: [ROW_WG, 1],
    uniforms: [{ name: 'cols', type: 'u32' }, { name: 'rowLen', type: 'u32' }],
    bindings: [
      { name: 'Q', type: 'i32', access: 'read' },
      { name: 'x', type: 'f32', access: 'read' },
      { name: 'y', type: 'f32', access: 'read_write' },
    ],
    prelude: rowDotsPrelude(1),
    body: `
${rowDots(format, ['P.QOff + wid * P.rowLen'], 'x', 'P.xOff', 'P.cols')}
  if (lid == 0u) { y[P.yOff + wid] = dot0; }`,
  };
}

const PROGRAMS: Record<QuantizedType, GpuProgram> = { Q4_1: program('Q4_1'), Q8_0: program('Q8_0') };

/** Encode y = W·x for W rows × cols (cols a multiple of 32) in `format`. */
export function encodeGemvQuantized(call: GpuCall, format: QuantizedType, W: GpuRef, x: GpuRef, y: GpuRef, rows: number, cols: number): void {
  call.dispatch(PROGRAMS[format], { cols, rowLen: quantizedRowWords(format, cols) }, [W, x, y], rows);
}

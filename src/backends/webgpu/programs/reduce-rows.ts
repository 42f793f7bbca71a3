/**
 * Column sums of a chunks×cols row-major matrix of partial results: out[c] = Σ_r in[r*cols + c],
 * optionally divided by a scalar read from a buffer (selectiveAttention's softmax
 * denominator). The second pass of every kernel that splits its rows into chunks (gemvT,
 * spvmm, selectiveAttention): summing a fixed chunk order keeps the result deterministic,
 * which float atomics would not.
 */
import type { GpuCall, GpuRef } from '../gpu-context.js';
import type { GpuProgram } from '../program.js';

const WG = 256;

function program(divide: boolean): GpuProgram {
  return {
    cacheKey: `reduceRows:${divide ? 'divide' : 'plain'}`,
    workgroupSize: [WG, 1],
    uniforms: [{ name: 'rows', type: 'u32' }, { name: 'cols', type: 'u32' }],
    // layout 'auto' drops unused bindings, so the divisor is declared only where it is read.
    bindings: [
      { name: 'src', type: 'f32', access: 'read' },
      ...(divide ? [{ name: 'den', type: 'f32' as const, access: 'read' as const }] : []),
      { name: 'out', type: 'f32', access: 'read_write' },
    ],
    body: `
  let c = gid;
  if (c >= P.cols) { return; }
  var acc = 0.0;
  for (var r = 0u; r < P.rows; r = r + 1u) { acc = acc + src[P.srcOff + r * P.cols + c]; }
  ${divide ? 'acc = acc / den[P.denOff];' : ''}
  out[P.outOff + c] = acc;`,
  };
}

const plain = program(false);
const divided = program(true);

/** Encode out[c] = Σ_r src[r*cols + c] (÷ den[0] when `den` is given). */
export function encodeReduceRows(call: GpuCall, src: GpuRef, out: GpuRef, rows: number, cols: number,
  den?: GpuRef): void {
  call.dispatch(den ? divided : plain, { rows, cols }, den ? [src, den, out] : [src, out], Math.ceil(cols / WG));
}

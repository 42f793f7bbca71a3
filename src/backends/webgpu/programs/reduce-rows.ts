/**
 * Column sums of a chunks×cols row-major matrix of partial results: out[c] = Σ_r in[r*cols + c].
 * The second pass of a kernel that splits its rows into chunks (gemvT; selectiveAttentionHeads
 * has its own per-head variant that also divides by the softmax denominator): summing a fixed
 * chunk order keeps the result deterministic, which float atomics would not.
 */
import type { GpuCall, GpuRef } from '../gpu-context.js';
import type { GpuProgram } from '../program.js';

const WG = 256;

const plain: GpuProgram = {
  cacheKey: 'reduceRows:plain',
  workgroupSize: [WG, 1],
  uniforms: [{ name: 'rows', type: 'u32' }, { name: 'cols', type: 'u32' }],
  bindings: [
    { name: 'src', type: 'f32', access: 'read' },
    { name: 'out', type: 'f32', access: 'read_write' },
  ],
  body: `
  let c = gid;
  if (c >= P.cols) { return; }
  var acc = 0.0;
  for (var r = 0u; r < P.rows; r = r + 1u) { acc = acc + src[P.srcOff + r * P.cols + c]; }
  out[P.outOff + c] = acc;`,
};

/** Encode out[c] = Σ_r src[r*cols + c]. */
export function encodeReduceRows(call: GpuCall, src: GpuRef, out: GpuRef, rows: number, cols: number): void {
  call.dispatch(plain, { rows, cols }, [src, out], Math.ceil(cols / WG));
}

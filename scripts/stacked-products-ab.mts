/**
 * Separate vs stacked int8 Q4_1 products (q, k, v: 576 + 192 + 192 rows; gate, up: 1536 + 1536 rows,
 * SmolLM2-135M's shapes) on one kernels object, alternating in one process, on 1 and 2 threads:
 * what the model saves by multiplying neighbouring matrices in one call (src/llama/stacked-products.ts).
 *
 * @example npx tsx scripts/stacked-products-ab.mts
 */
import { createParallelKernels } from '../src/backends/wasm-threads/create-parallel-kernels.js';
import { quantizedRowWords } from '../src/kernels/quantized-row-words.js';
import { q8ActivationWords } from '../src/kernels/q8-activation-words.js';
import { Rng } from '../src/core/rng.js';
const rng = new Rng(1);
for (const threads of [1, 2]) {
  const k: any = await createParallelKernels({ threads });
  for (const [label, parts] of [['q/k/v', [576, 192, 192]], ['gate/up', [1536, 1536]]] as const) {
    const cols = 576, rw = quantizedRowWords('Q4_1', cols), rows = parts.reduce((a, b) => a + b, 0);
    const W = k.allocI32(rows * rw);
    const bytes = new Uint8Array(W.view().buffer, W.view().byteOffset, W.view().byteLength);
    for (let i = 0; i < bytes.length; i++) bytes[i] = Math.floor(256 * rng.uniform());
    const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    for (let r = 0; r < rows; r++) for (let b = 0; b < cols / 32; b++) { dv.setUint16(r * rw * 4 + 20 * b, 0x2000, true); dv.setUint16(r * rw * 4 + 20 * b + 2, 0xa000, true); }
    const x = k.allocF32(cols), xq = k.allocI32(q8ActivationWords(cols)), y1 = k.allocF32(rows), y2 = k.allocF32(rows);
    for (let i = 0; i < cols; i++) x.view()[i] = 2 * rng.uniform() - 1;
    k.quantizeQ8_1(x.view(), xq.view(), cols);
    const separate = () => { let r0 = 0; for (const n of parts) { k.gemvQ4_1Q8_1(W.view().subarray(r0 * rw, (r0 + n) * rw), xq.view(), y1.view().subarray(r0, r0 + n), n, cols); r0 += n; } };
    const stacked = () => k.gemvQ4_1Q8_1(W.view(), xq.view(), y2.view(), rows, cols);
    const reps = 200;
    const time = (f: () => void) => { const t0 = performance.now(); for (let i = 0; i < reps; i++) f(); return (performance.now() - t0) / reps; };
    separate(); stacked();
    const a: number[] = [], b: number[] = [];
    for (let round = 0; round < 11; round++) { a.push(time(separate)); b.push(time(stacked)); }
    const med = (v: number[]) => [...v].sort((p, q) => p - q)[v.length >> 1];
    const same = y1.view().every((v: number, i: number) => Object.is(v, y2.view()[i]));
    console.log(`${threads}t ${label}: separate ${med(a).toFixed(4)} ms, stacked ${med(b).toFixed(4)} ms, ${(med(a) / med(b)).toFixed(2)}x, bit-identical ${same}`);
  }
  await k.dispose();
}

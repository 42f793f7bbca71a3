/**
 * Per-call time of SmolLM2-135M's int8 matrix products (quantizeQ8_1 input, Q4_1 layers, Q8_0
 * classifier) on the wasm-threads backend: one thread (`serial`) against the split call on
 * N threads, alternating in one process; prints ms per call, the ratio and whether the outputs
 * are bit-identical for each shape.
 *
 * @example npx tsx scripts/threads-gemv-ab.mts [threads=2] [minQuantizedBytes=0] [spinPolls=2000]
 */
import { createParallelKernels } from '../src/backends/wasm-threads/create-parallel-kernels.js';
import { quantizedRowWords, type QuantizedType } from '../src/kernels/quantized-row-words.js';
import { q8ActivationWords } from '../src/kernels/q8-activation-words.js';
import { Rng } from '../src/core/rng.js';

const threads = Number(process.argv[2] ?? 2);
const minQuantizedBytes = Number(process.argv[3] ?? 0);
const spinPolls = process.argv[4] === undefined ? undefined : Number(process.argv[4]);
const k = await createParallelKernels({ threads, minQuantizedBytes, spinPolls });
const SHAPES: [string, QuantizedType, number, number][] = [
  ['wk/wv', 'Q4_1', 192, 576], ['wq/wo', 'Q4_1', 576, 576], ['w1/w3', 'Q4_1', 1536, 576], ['w2', 'Q4_1', 576, 1536],
  ['wcls', 'Q8_0', 49152, 576],
];
const rng = new Rng(1);
for (const [label, type, rows, cols] of SHAPES) {
  const W = k.allocI32(rows * quantizedRowWords(type, cols));
  const bytes = new Uint8Array(W.view().buffer, W.view().byteOffset, W.view().byteLength);
  for (let i = 0; i < bytes.length; i++) bytes[i] = Math.floor(256 * rng.uniform());
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const rowBytes = 4 * quantizedRowWords(type, cols);
  for (let r = 0; r < rows; r++) for (let b = 0; b < cols / 32; b++) {
    if (type === 'Q4_1') { dv.setUint16(r * rowBytes + 20 * b, 0x2000, true); dv.setUint16(r * rowBytes + 20 * b + 2, 0xa000, true); }
    else dv.setUint16(r * rowBytes + cols + 2 * b, 0x2000, true);
  }
  const x = k.allocF32(cols), xq = k.allocI32(q8ActivationWords(cols)), y1 = k.allocF32(rows), y2 = k.allocF32(rows);
  for (let i = 0; i < cols; i++) x.view()[i] = 2 * rng.uniform() - 1;
  k.quantizeQ8_1(x.view(), xq.view(), cols);
  const op = type === 'Q4_1' ? 'gemvQ4_1Q8_1' : 'gemvQ8_0Q8_1';
  const reps = Math.max(5, Math.round(4e6 / W.length));
  const time = (f: () => void) => { const t0 = performance.now(); for (let i = 0; i < reps; i++) f(); return (performance.now() - t0) / reps; };
  const one = () => k.serial[op](W.view(), xq.view(), y1.view(), rows, cols);
  const many = () => k[op](W.view(), xq.view(), y2.view(), rows, cols);
  one(); many();
  const a: number[] = [], b: number[] = [];
  for (let round = 0; round < 7; round++) { a.push(time(one)); b.push(time(many)); }
  const med = (v: number[]) => v.sort((p, q) => p - q)[v.length >> 1];
  const same = y1.view().every((v, i) => Object.is(v, y2.view()[i]));
  console.log(`${label.padEnd(6)} ${type} ${rows}x${cols} (${(4 * W.length / 1e6).toFixed(2)} MB): 1t ${med(a).toFixed(4)} ms, ${threads}t ${med(b).toFixed(4)} ms, speed-up ${(med(a) / med(b)).toFixed(2)}x, bit-identical ${same}`);
}
console.log('stats', k.stats());
await k.dispose();

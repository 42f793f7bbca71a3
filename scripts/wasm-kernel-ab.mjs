/**
 * gemvQ4_1Q8_1 and gemvQ8_0Q8_1 of two builds of the SIMD module (e.g. build/kernels-simd.wasm
 * copied away before a change, and the one after), alternating in one process on the same
 * SmolLM2-shaped data; prints ms per call, the ratio A/B and whether the outputs are bit-identical.
 *
 * @example node scripts/wasm-kernel-ab.mjs /tmp/before-simd.wasm build/kernels-simd.wasm
 */
import { readFileSync } from 'node:fs';

const [fa, fb] = process.argv.slice(2);
async function inst(f) {
  const { instance } = await WebAssembly.instantiate(readFileSync(f), { env: { abort() { throw new Error('abort'); } } });
  return instance.exports;
}
const A = await inst(fa), B = await inst(fb);
let seed = 1; const rnd = () => (seed = (seed * 1103515245 + 12345) >>> 0) / 2 ** 32;
const shapes = [['w1/w3', 'Q4_1', 1536, 576], ['w2', 'Q4_1', 576, 1536], ['wq', 'Q4_1', 576, 576], ['wcls rows', 'Q8_0', 2048, 576], ['wcls', 'Q8_0', 49152, 576]];
for (const [label, type, rows, cols] of shapes) {
  const rowBytes = type === 'Q4_1' ? cols / 32 * 20 : ((cols + (cols >> 4)) + 3) & ~3;
  const wBytes = rows * rowBytes;
  const bytes = new Uint8Array(wBytes); for (let i = 0; i < wBytes; i++) bytes[i] = (rnd() * 256) | 0;
  const dv = new DataView(bytes.buffer);
  for (let r = 0; r < rows; r++) for (let b = 0; b < cols / 32; b++) {
    if (type === 'Q4_1') { dv.setUint16(r * rowBytes + 20 * b, 0x2000, true); dv.setUint16(r * rowBytes + 20 * b + 2, 0xa000, true); }
    else dv.setUint16(r * rowBytes + cols + 2 * b, 0x2000, true);
  }
  const x = new Float32Array(cols); for (let i = 0; i < cols; i++) x[i] = 2 * rnd() - 1;
  const setup = (E) => {
    const W = E.alloc(wBytes), xp = E.alloc(cols * 4), xq = E.alloc(cols / 32 * 72), y = E.alloc(rows * 4);
    new Uint8Array(E.memory.buffer, W, wBytes).set(bytes); new Float32Array(E.memory.buffer, xp, cols).set(x);
    E.quantizeQ8_1(xp, xq, cols);
    const f = type === 'Q4_1' ? E.gemvQ4_1Q8_1 : E.gemvQ8_0Q8_1;
    return { run: () => f(W, xq, y, rows, cols), out: () => new Float32Array(E.memory.buffer, y, rows).slice() };
  };
  const a = setup(A), b = setup(B);
  const reps = Math.max(5, Math.round(2e6 / wBytes));
  const time = (s) => { const t0 = performance.now(); for (let i = 0; i < reps; i++) s.run(); return (performance.now() - t0) / reps; };
  for (let i = 0; i < 20; i++) { a.run(); b.run(); }
  const ta = [], tb = [];
  for (let round = 0; round < 15; round++) { ta.push(time(a)); tb.push(time(b)); }
  const med = (v) => v.sort((p, q) => p - q)[v.length >> 1];
  const ya = a.out(), yb = b.out();
  const same = ya.every((v, i) => Object.is(v, yb[i]));
  console.log(`${label.padEnd(6)} ${type} ${rows}x${cols}: A ${med(ta).toFixed(4)} ms, B ${med(tb).toFixed(4)} ms, A/B ${(med(ta) / med(tb)).toFixed(3)}x, bit-identical ${same}`);
}

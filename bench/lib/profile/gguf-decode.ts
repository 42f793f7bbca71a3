/**
 * Where decode time goes on a GGUF model: every kernel call of the model timed (wall clock, JS
 * side, per kernel) over 24 decode steps after a prefill to the given context. A profile, not a
 * suite (no same-run ratios); its output is quoted in docs/benchmarks.md.
 *
 * @example npx tsx bench/lib/profile/gguf-decode.ts 128 int8 f32   # context, activations (int8 | f32), KV cache (f32 | f16)
 */
import { readFileSync } from 'node:fs';
import { createKernels } from '../../../src/backends/create-kernels.js';
import { KERNEL_NAMES, type CpuKernels } from '../../../src/kernels/kernels.js';
import { readGgufModel, readGgufTokenizer } from '../../../src/node/gguf-file.js';
const ctx = Number(process.argv[2] ?? 128);
const activations = (process.argv[3] ?? 'int8') as 'int8' | 'f32';
const kvType = (process.argv[4] ?? 'f32') as 'f32' | 'f16';
const base = await createKernels({ backend: 'wasm' });
const spent = new Map<string, { ms: number; calls: number }>();
let on = false;
const k = Object.create(base) as CpuKernels;
for (const name of KERNEL_NAMES) {
  const fn = (base as unknown as Record<string, (...a: unknown[]) => unknown>)[name].bind(base);
  (k as unknown as Record<string, unknown>)[name] = (...a: unknown[]) => {
    if (!on) return fn(...a);
    const t = performance.now();
    const r = fn(...a);
    const e = spent.get(name) ?? { ms: 0, calls: 0 };
    e.ms += performance.now() - t; e.calls++;
    spent.set(name, e);
    return r;
  };
}
const path = `${process.env.SPARSE_INFERENCE_MODELS ?? 'models'}/SmolLM2-135M-Instruct.Q4_1.gguf`;
const model = await readGgufModel(path, { kernels: k, maxSeqLen: ctx + 64, activations, kvType });
const tok = readGgufTokenizer(path);
const ids = tok.encode(readFileSync('../shared/data/tinystories_sample.txt', 'utf8').slice(0, 40000)).slice(0, ctx);
await model.prefill(ids.slice(0, ctx - 32));
let pos = ctx - 32;
for (let i = 0; i < 4; i++) await model.forward(ids[pos + i], pos + i); // warm
pos += 4;
on = true;
const steps = 24;
const t0 = performance.now();
for (let i = 0; i < steps; i++) await model.forward(ids[pos + i] ?? 1, pos + i);
const total = performance.now() - t0;
on = false;
let inKernels = 0;
const rows = [...spent.entries()].sort((a, b) => b[1].ms - a[1].ms);
console.log(`context ${ctx}, activations ${activations}, KV cache ${kvType}: ${(total / steps).toFixed(2)} ms/token (${(1000 * steps / total).toFixed(1)} tok/s)`);
for (const [name, e] of rows) {
  inKernels += e.ms;
  console.log(`  ${name.padEnd(24)} ${(e.ms / steps).toFixed(3)} ms/token  ${(100 * e.ms / total).toFixed(1)}%  ${(e.calls / steps).toFixed(0)} calls/token`);
}
console.log(`  ${'outside kernels'.padEnd(24)} ${((total - inKernels) / steps).toFixed(3)} ms/token  ${(100 * (total - inKernels) / total).toFixed(1)}%`);
model.dispose();

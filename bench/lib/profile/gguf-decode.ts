/**
 * Where decode time goes on a GGUF model: every kernel call of the model timed (wall clock, JS
 * side, per kernel) over 24 decode steps after a prefill to the given context. A profile, not a
 * suite (no same-run ratios); its output is quoted in docs/benchmarks.md.
 *
 * @example npx tsx bench/lib/profile/gguf-decode.ts 128 int8 f32   # context, activations (int8 | f32), KV cache (f32 | f16)
 */
import { readFileSync } from 'node:fs';
import { createKernels } from '../../../src/backends/create-kernels.js';
import { readGgufModel, readGgufTokenizer } from '../../../src/node/gguf-file.js';
import { printProfile, timedKernels } from './timed-kernels.js';
const ctx = Number(process.argv[2] ?? 128);
const activations = (process.argv[3] ?? 'int8') as 'int8' | 'f32';
const kvType = (process.argv[4] ?? 'f32') as 'f32' | 'f16';
const base = await createKernels({ backend: 'wasm' });
const { kernels: k, spent, setTiming } = timedKernels(base);
const path = `${process.env.SPARSE_INFERENCE_MODELS ?? 'models'}/SmolLM2-135M-Instruct.Q4_1.gguf`;
const model = await readGgufModel(path, { kernels: k, maxSeqLen: ctx + 64, activations, kvType });
const tok = readGgufTokenizer(path);
const ids = tok.encode(readFileSync('../shared/data/tinystories_sample.txt', 'utf8').slice(0, 40000)).slice(0, ctx);
await model.prefill(ids.slice(0, ctx - 32));
let pos = ctx - 32;
for (let i = 0; i < 4; i++) await model.forward(ids[pos + i], pos + i); // warm
pos += 4;
setTiming(true);
const steps = 24;
const t0 = performance.now();
for (let i = 0; i < steps; i++) await model.forward(ids[pos + i] ?? 1, pos + i);
const total = performance.now() - t0;
setTiming(false);
console.log(`context ${ctx}, activations ${activations}, KV cache ${kvType}: ${(total / steps).toFixed(2)} ms/token (${(1000 * steps / total).toFixed(1)} tok/s)`);
printProfile(spent, total, steps, 'token');
model.dispose();

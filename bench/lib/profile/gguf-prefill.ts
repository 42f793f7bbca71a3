/**
 * Where block-prefill time goes on a GGUF model: every kernel call timed (wall clock, JS side,
 * per kernel) during one prefill of N prompt tokens (TinyStories under the GGUF's tokenizer),
 * after a short warm-up prefill. A profile, not a suite; its output is quoted in docs/llama.md.
 *
 * @example npx tsx bench/lib/profile/gguf-prefill.ts 1024 int8 f32   # tokens, activations (int8 | f32), KV cache (f32 | f16)
 */
import { readFileSync } from 'node:fs';
import { createKernels } from '../../../src/backends/create-kernels.js';
import { readGgufModel, readGgufTokenizer } from '../../../src/node/gguf-file.js';
import { printProfile, timedKernels } from './timed-kernels.js';

const n = Number(process.argv[2] ?? 1024);
const activations = (process.argv[3] ?? 'int8') as 'int8' | 'f32';
const kvType = (process.argv[4] ?? 'f32') as 'f32' | 'f16';
const { kernels, spent, setTiming } = timedKernels(await createKernels({ backend: 'wasm' }));
const path = `${process.env.SPARSE_INFERENCE_MODELS ?? 'models'}/SmolLM2-135M-Instruct.Q4_1.gguf`;
const model = await readGgufModel(path, { kernels, maxSeqLen: n, activations, kvType });
const ids = readGgufTokenizer(path).encode(readFileSync('../shared/data/tinystories_sample.txt', 'utf8').slice(0, 12 * n)).slice(0, n);
if (ids.length < n) throw new Error(`the text has only ${ids.length} tokens`);
await model.prefill(ids.slice(0, 64)); // warm-up: JIT and the kernels' first calls
model.reset();
setTiming(true);
const t0 = performance.now();
await model.prefill(ids);
const total = performance.now() - t0;
setTiming(false);
console.log(`prefill ${n} tokens, activations ${activations}, KV cache ${kvType}: ${(total / 1000).toFixed(1)} s (${(1000 * n / total).toFixed(1)} tok/s)`);
printProfile(spent, total, n, 'token');
model.dispose();

/**
 * Decode speed of SmolLM2 (Q4_1 GGUF, int8 activations, wasm, 1 thread) at a given context with a
 * float32 and a binary16 KV cache, in one process: both models prefill the first C − 16 tokens of
 * tinystories_sample.txt, then take turns decoding the next 16 tokens (wall and CPU ms per token).
 *
 *   npx tsx scripts/decode-kv-ab.mts [context = 4096] [rounds = 3]
 */
import { readFileSync } from 'node:fs';
import { createKernels } from '../src/backends/create-kernels.js';
import { readGgufModel, readGgufTokenizer } from '../src/node/gguf-file.js';
const path = `${process.env.SPARSE_INFERENCE_MODELS ?? 'models'}/SmolLM2-135M-Instruct.Q4_1.gguf`;
const ctx = Number(process.argv[2] ?? 4096), rounds = Number(process.argv[3] ?? 3);
const k = await createKernels({ backend: 'wasm' });
const tok = readGgufTokenizer(path);
const ids = tok.encode(readFileSync('../shared/data/tinystories_sample.txt', 'utf8').slice(0, 60000)).slice(0, ctx);
const models: Record<string, Awaited<ReturnType<typeof readGgufModel>>> = {};
for (const kvType of ['f32', 'f16'] as const) {
  const m = await readGgufModel(path, { kernels: k, maxSeqLen: ctx + 8, kvType });
  const t0 = performance.now();
  m.prefill(ids.slice(0, ctx - 16));
  console.log(`${kvType}: prefill ${ctx - 16} tokens ${((ctx - 16) / ((performance.now() - t0) / 1000)).toFixed(1)} tok/s`);
  models[kvType] = m;
}
for (let r = 0; r < rounds; r++) {
  for (const kvType of ['f32', 'f16']) {
    const m = models[kvType];
    const t0 = performance.now(); const c0 = process.cpuUsage();
    for (let i = 0; i < 16; i++) m.forward(ids[ctx - 16 + i], ctx - 16 + i);
    const cpu = process.cpuUsage(c0);
    console.log(`round ${r} ${kvType}: decode at ctx ${ctx}: ${((performance.now() - t0) / 16).toFixed(2)} ms/token wall, ${((cpu.user + cpu.system) / 1000 / 16).toFixed(2)} ms/token CPU`);
  }
}

/**
 * Our runtime on a GGUF model, as a child process of the llama-gguf suite (so its peak RSS is
 * its own, as for the peers): `node our-gguf-child.js <spec.json>` loads the model (weights kept
 * quantized) and runs the suite's workloads — prefill = model.prefill over the prompt, decode =
 * one model.forward per fixed token id — then prints one JSON line: per-workload seconds and
 * peak RSS (process.resourceUsage().maxRSS). spec: { model, threads, seqLen, workloads }. The model is read from its path
 * the way the CLI reads it (readGgufModel: tensor by tensor, no whole-file buffer).
 */
import { readFileSync } from 'node:fs';
import { createKernels } from '../../../src/backends/create-kernels.js';
import { createParallelKernels } from '../../../src/backends/wasm-threads/create-parallel-kernels.js';
import { readGgufModel } from '../../../src/node/gguf-file.js';
import type { GgufWorkload } from './gguf-workloads.js';

const spec = JSON.parse(readFileSync(process.argv[2], 'utf8')) as { model: string; threads: number; seqLen: number; workloads: GgufWorkload[] };
const pool = spec.threads > 1 ? await createParallelKernels({ threads: spec.threads }) : null;
const kernels = pool ?? await createKernels({ backend: 'wasm' });
// Read tensor by tensor from the file (no whole-file buffer), as `llama generate` does.
const model = await readGgufModel(spec.model, { kernels, maxSeqLen: spec.seqLen });
const results = [];
for (const w of spec.workloads) {
  model.reset();
  const t0 = performance.now();
  await model.prefill(w.prompt);
  const t1 = performance.now();
  let pos = w.prompt.length;
  for (const tok of w.decodeTokens) await model.forward(tok, pos++);
  const t2 = performance.now();
  results.push({ name: w.name, prefillSeconds: (t1 - t0) / 1000, decodeSeconds: (t2 - t1) / 1000 });
}
model.dispose();
await pool?.dispose();
process.stdout.write(JSON.stringify({ results, peakRss: process.resourceUsage().maxRSS * 1024,
  backend: `${kernels.backend}/${kernels.variant}` }) + '\n');

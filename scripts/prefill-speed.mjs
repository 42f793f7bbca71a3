#!/usr/bin/env node
/**
 * Prefill speed of a GGUF model on prompts of several lengths (not part of the package): the
 * first N tokens of a text, one `prefill` call each after a reset, timed with the wall clock.
 * `dist` is the built library to measure (npm run build; point it at another build to compare
 * two versions on the same machine in alternation):
 *
 *   node scripts/prefill-speed.mjs dist models/SmolLM2-135M-Instruct.Q4_1.gguf ../shared/data/tinystories_sample.txt 512,2048,4096
 */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';

const [dist = 'dist', model, textPath, lengthsArg = '512,2048'] = process.argv.slice(2);
if (!model || !textPath) throw new Error('usage: prefill-speed.mjs DIST MODEL.gguf TEXT N1,N2,...');
const lib = (p) => import(pathToFileURL(resolve(dist, p)).href);
const { createKernels } = await lib('index.js');
const { readGgufModel, readGgufTokenizer } = await lib('node/index.js');
const lengths = lengthsArg.split(',').map(Number);
const kernels = await createKernels();
const tok = readGgufTokenizer(model);
const ids = tok.encode(readFileSync(textPath, 'utf8'));
const m = await readGgufModel(model, { kernels, maxSeqLen: Math.max(...lengths) });
await m.prefill(ids.slice(0, 64)); // warm-up: JIT and the kernels' first calls
for (const n of lengths) {
  if (ids.length < n) throw new Error(`the text has only ${ids.length} tokens`);
  m.reset();
  const t0 = performance.now();
  await m.prefill(ids.slice(0, n));
  const s = (performance.now() - t0) / 1000;
  console.log(JSON.stringify({ dist, tokens: n, seconds: +s.toFixed(2), tokensPerSecond: +(n / s).toFixed(1), backend: `${kernels.backend}/${kernels.variant}` }));
}
m.dispose();

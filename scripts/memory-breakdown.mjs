#!/usr/bin/env node
/**
 * Where the resident memory of a GGUF generate run goes, stage by stage (not part of the package).
 * Runs what `sparse-inference llama generate` runs, from dist/ (npm run build first), and prints
 * after each stage: RSS, the peak RSS so far (getrusage), V8's heap, WASM linear memory and the
 * model's own count of resident bytes. Run each configuration in a fresh process:
 *
 *   node --expose-gc scripts/memory-breakdown.mjs models/SmolLM2-135M-Instruct.Q4_1.gguf 512 [tokens]
 */
import { statSync } from 'node:fs';
import { createKernels } from '../dist/index.js';
import { readGgufModel, readGgufTokenizer } from '../dist/node/index.js';
import { generate } from '../dist/llama/index.js';

const [path, ctxArg = '512', tokensArg = '32'] = process.argv.slice(2);
if (!path) throw new Error('usage: memory-breakdown.mjs MODEL.gguf [maxSeqLen] [tokens]');
const MB = (b) => (b / 1e6).toFixed(1);
const fileBytes = statSync(path).size;
let probe = null; // a one-float resident array: its view's buffer is WASM memory
const rows = [];
function stage(name, extra = '') {
  globalThis.gc?.();
  const m = process.memoryUsage();
  const peak = process.resourceUsage().maxRSS * 1024;
  const wasm = probe ? probe.view().buffer.byteLength : 0;
  rows.push({ name, rss: MB(m.rss), peak: MB(peak), heapUsed: MB(m.heapUsed), external: MB(m.external), wasm: MB(wasm), extra });
}

stage('library imported');
const kernels = await createKernels();
probe = kernels.allocF32(1);
stage('kernels created', `${kernels.backend}/${kernels.variant}`);
const model = await readGgufModel(path, { kernels, maxSeqLen: Number(ctxArg) });
const c = model.config;
stage('model loaded', `residentBytes ${MB(model.residentBytes)} MB`);
const tok = readGgufTokenizer(path);
stage('tokenizer built');
const out = await generate(model, tok, { prompt: 'Once upon a time', temperature: 0, maxTokens: Number(tokensArg) });
stage('generated', `${out.tokens.length} tokens`);

console.log(`file ${MB(fileBytes)} MB; ${c.nLayers} layers, kvDim ${c.kvDim}, seqLen ${c.seqLen}`);
console.table(rows);
const peak = process.resourceUsage().maxRSS * 1024;
console.log(`peak RSS ${MB(peak)} MB = ${(peak / fileBytes).toFixed(2)}x the file`);

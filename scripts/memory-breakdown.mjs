#!/usr/bin/env node
/**
 * Where the resident memory of a GGUF generate run goes, stage by stage (not part of the package).
 * Runs what `sparse-inference llama generate` runs, from dist/ (npm run build first), and prints
 * after each stage: RSS, the peak RSS so far (getrusage), V8's heap, WASM linear memory and the
 * model's own count of resident bytes. Run each configuration in a fresh process:
 *
 *   node --expose-gc scripts/memory-breakdown.mjs models/SmolLM2-135M-Instruct.Q4_1.gguf 512 [tokens] [kvType] [fill]
 *
 * kvType: f32 (default) or f16 (the binary16 KV cache). fill: prompt tokens taken from
 * ../shared/data/tinystories_sample.txt and prefilled before generating (default: the short
 * prompt "Once upon a time"), so the KV cache is filled up to fill + tokens positions.
 */
import { readFileSync, statSync } from 'node:fs';
import { createKernels } from '../dist/index.js';
import { readGgufModel, readGgufTokenizer } from '../dist/node/index.js';
import { generate } from '../dist/llama/index.js';

const [path, ctxArg = '512', tokensArg = '32', kvType = 'f32', fillArg = '0'] = process.argv.slice(2);
if (!path) throw new Error('usage: memory-breakdown.mjs MODEL.gguf [maxSeqLen] [tokens] [kvType] [fill]');
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
const model = await readGgufModel(path, { kernels, maxSeqLen: Number(ctxArg), kvType });
const c = model.config;
stage('model loaded', `residentBytes ${MB(model.residentBytes)} MB`);
const tok = readGgufTokenizer(path);
stage('tokenizer built');
const fill = Number(fillArg);
const prompt = fill > 0
  ? tok.decodeAll(tok.encode(readFileSync(new URL('../../shared/data/tinystories_sample.txt', import.meta.url), 'utf8').slice(0, 8 * fill)).slice(0, fill))
  : 'Once upon a time';
const out = await generate(model, tok, { prompt, temperature: 0, maxTokens: Number(tokensArg) });
stage('generated', `${out.tokens.length} tokens`);

console.log(`file ${MB(fileBytes)} MB; ${c.nLayers} layers, kvDim ${c.kvDim}, seqLen ${c.seqLen}, KV cache ${kvType}, prompt ${fill || 'short'}`);
console.table(rows);
const peak = process.resourceUsage().maxRSS * 1024;
console.log(`peak RSS ${MB(peak)} MB = ${(peak / fileBytes).toFixed(2)}x the file`);

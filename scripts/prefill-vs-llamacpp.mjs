#!/usr/bin/env node
/**
 * Prefill speed, ours against llama.cpp native, one thread each, alternating in one run (not part
 * of the package; the short form of the llama-gguf bench's prefill rows). Both engines get the
 * same N token ids (the text under the GGUF's tokenizer, ours: identical to llama.cpp's), each in
 * a fresh process per round that loads the model, evaluates a 64-token warm-up, resets, and times
 * one evaluation of the N ids (llama.cpp: llama-cpp-python, n_batch 512, logits of the last
 * position only; ours: `prefill`, blocks of 32). The engine that goes first alternates by round.
 *
 *   node scripts/prefill-vs-llamacpp.mjs dist models/SmolLM2-135M-Instruct.Q4_1.gguf ../shared/data/tinystories_sample.txt 4096 2
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir, loadavg } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';

const [dist = 'dist', model, textPath, nArg = '4096', roundsArg = '2'] = process.argv.slice(2);
if (!model || !textPath) throw new Error('usage: prefill-vs-llamacpp.mjs DIST MODEL.gguf TEXT N ROUNDS');
const n = Number(nArg), rounds = Number(roundsArg);
const lib = (p) => pathToFileURL(resolve(dist, p)).href;

const LLAMA_CPP = String.raw`
import json, sys, time
from llama_cpp import Llama
model, ids_file = sys.argv[1], sys.argv[2]
ids = json.load(open(ids_file))
llm = Llama(model_path=model, n_ctx=len(ids) + 8, n_batch=512, n_threads=1, n_threads_batch=1, logits_all=False, verbose=False)
llm.eval(ids[:64]); llm.reset()
t0 = time.perf_counter(); llm.eval(ids); print(time.perf_counter() - t0)
`;
const OURS = `
const { createKernels } = await import(${JSON.stringify(lib('index.js'))});
const { readGgufModel } = await import(${JSON.stringify(lib('node/index.js'))});
const ids = JSON.parse((await import('node:fs')).readFileSync(process.argv[2], 'utf8'));
const m = await readGgufModel(process.argv[1], { kernels: await createKernels(), maxSeqLen: ids.length });
await m.prefill(ids.slice(0, 64)); m.reset();
const t0 = performance.now(); await m.prefill(ids); console.log((performance.now() - t0) / 1000);
`;

const { readGgufTokenizer } = await import(lib('node/index.js'));
const ids = readGgufTokenizer(model).encode(readFileSync(textPath, 'utf8').replaceAll('<|endoftext|>', '\n')).slice(0, n);
if (ids.length < n) throw new Error(`the text has only ${ids.length} tokens`);
const dir = mkdtempSync(join(tmpdir(), 'prefill-vs-'));
const idsFile = join(dir, 'ids.json');
writeFileSync(idsFile, JSON.stringify(ids));

function timed(engine) {
  const r = engine === 'llama.cpp'
    ? spawnSync(process.env.PYTHON ?? 'python3', ['-c', LLAMA_CPP, model, idsFile], { encoding: 'utf8' })
    : spawnSync(process.execPath, ['--input-type=module', '-e', OURS, model, idsFile], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`${engine}: exit ${r.status}: ${r.stderr}`);
  return Number(r.stdout.trim().split('\n').at(-1));
}

try {
  console.log(`prefill ${n} tokens, 1 thread, ${rounds} rounds alternating; load at start ${loadavg().map((x) => x.toFixed(1)).join(' ')}`);
  const ratios = [];
  for (let i = 0; i < rounds; i++) {
    const order = i % 2 === 0 ? ['llama.cpp', 'ours'] : ['ours', 'llama.cpp'];
    const s = {};
    for (const e of order) s[e] = timed(e);
    ratios.push(s['llama.cpp'] / s.ours);
    console.log(`round ${i + 1} (${order.join(' then ')}): ours ${s.ours.toFixed(1)} s (${(n / s.ours).toFixed(1)} tok/s), ` +
      `llama.cpp ${s['llama.cpp'].toFixed(1)} s (${(n / s['llama.cpp']).toFixed(1)} tok/s), ours/llama.cpp ${ratios.at(-1).toFixed(3)}x; ` +
      `load ${loadavg()[0].toFixed(1)}`);
  }
  console.log(`ours/llama.cpp speed per round: ${ratios.map((r) => r.toFixed(3)).join(', ')}`);
} finally {
  rmSync(dir, { recursive: true, force: true });
}

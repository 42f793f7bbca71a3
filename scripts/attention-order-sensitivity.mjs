#!/usr/bin/env node
/**
 * How much the logits move when only the order of the attention sums changes (not part of the
 * package): SmolLM2's block prefill with its causalAttention kernel against the same prefill with
 * one selectiveAttentionHeads call per row (the earlier path), over the first N tokens of
 * tinystories_sample.txt, with float or int8 activations. From dist/ (npm run build):
 *
 *   node scripts/attention-order-sensitivity.mjs 512 f32
 *   node scripts/attention-order-sensitivity.mjs 512 int8
 */
import { readFileSync } from 'node:fs';
import { createKernels } from '../dist/index.js';
import { readGgufModel, readGgufTokenizer } from '../dist/node/index.js';

const M = new URL('../models/SmolLM2-135M-Instruct.Q4_1.gguf', import.meta.url).pathname;
const N = Number(process.argv[2] ?? 768), act = process.argv[3] ?? 'f32';
const kernels = await createKernels();
const ids = readGgufTokenizer(M).encode(readFileSync(new URL('../../shared/data/tinystories_sample.txt', import.meta.url), 'utf8')).slice(0, N);
const m = await readGgufModel(M, { kernels, maxSeqLen: N, activations: act });
const block = kernels.causalAttention;
const idx = kernels.allocI32(N); idx.view().forEach((_, i, a) => { a[i] = i; });
const lse = kernels.allocF32(64);
const rowwise = (Q, K, V, pos0, n, d, stride, nHeads, group, scale, out) => {
  for (let i = 0; i < n; i++) kernels.selectiveAttentionHeads(Q.subarray(i * nHeads * d, (i + 1) * nHeads * d), K, V, idx.view(), pos0 + i + 1, pos0 + n, d, stride, nHeads, group, scale, out.subarray(i * nHeads * d, (i + 1) * nHeads * d), lse.view().subarray(0, nHeads));
};
const run = async (f) => { kernels.causalAttention = f; m.reset(); const out = []; await m.prefill(ids, 0, { onLogits: (p, l) => out.push(l.slice()) }); return out; };
const a = await run(rowwise), b = await run(block);
let mx = 0, at = -1, flips = 0;
for (let p = 0; p < N; p++) { let am = 0, bm = 0; for (let i = 0; i < a[p].length; i++) { const d = Math.abs(a[p][i] - b[p][i]); if (d > mx) { mx = d; at = p; } if (a[p][i] > a[p][am]) am = i; if (b[p][i] > b[p][bm]) bm = i; } if (am !== bm) flips++; }
console.log(`${act} activations, ${N} tokens: rowwise vs causalAttention max |Δlogit| ${mx.toExponential(2)} at ${at}, top-1 flips ${flips}`);

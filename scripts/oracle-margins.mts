/**
 * Where our top-1 differs from llama.cpp's, and how close llama.cpp itself was to a tie there.
 * Runs our model (quantized weights) over the token ids of an oracle fixture written by
 * scripts/llama-cpp-oracle.py (every position's logits by block prefill, as the oracle test does)
 * and prints: top-1 agreement per prompt; for the positions that disagree, llama.cpp's own
 * margin (its top-1 logit minus its top-2) and whether our token is its 2nd or 3rd; the margin
 * distribution over all positions for comparison; and the disagreement rate by position (a drift
 * with position would point at RoPE); and per prompt our mean NLL of the next token against the
 * fixture's (llama.cpp's). JSON with every disagreement goes to --out.
 *
 *   npx tsx scripts/oracle-margins.mts [--fixture test/fixtures/llama/smollm2-oracle.json]
 *     [--kv f32|f16] [--activations int8|f32] [--out /tmp/margins.json]
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { createKernels } from '../src/backends/create-kernels.js';
import { readGgufModel } from '../src/node/gguf-file.js';

const { values: a } = parseArgs({ options: {
  fixture: { type: 'string', default: 'test/fixtures/llama/smollm2-oracle.json' },
  kv: { type: 'string', default: 'f32' }, activations: { type: 'string', default: 'int8' }, out: { type: 'string' },
} });
interface Prompt { name: string; tokens: number[]; topIds: number[][]; topLogits: number[][]; meanNll: number }
const fixture = JSON.parse(readFileSync(a.fixture!, 'utf8')) as { kvCache?: string; prompts: Prompt[] };
const path = `${process.env.SPARSE_INFERENCE_MODELS ?? 'models'}/SmolLM2-135M-Instruct.Q4_1.gguf`;
const kernels = await createKernels({ backend: 'wasm' });
const maxLen = Math.max(...fixture.prompts.map((p) => p.tokens.length));
const model = await readGgufModel(path, { kernels, maxSeqLen: maxLen + 1, kvType: a.kv as 'f32' | 'f16',
  activations: a.activations as 'int8' | 'f32' });

interface Disagreement { prompt: string; pos: number; ours: number; theirs: number; theirMargin: number; ourMargin: number; oursInTheirTop3: number }
const disagreements: Disagreement[] = [];
const allMargins: number[] = [];
const byPos = new Map<number, { n: number; miss: number }>();
let total = 0, agree = 0;
for (const p of fixture.prompts) {
  model.reset();
  let hits = 0, nllSum = 0;
  const t0 = performance.now();
  await model.prefill(p.tokens, 0, { onLogits: (pos, logits) => {
    let best = 0, second = -1;
    for (let j = 1; j < logits.length; j++) {
      if (logits[j] > logits[best]) { second = best; best = j; } else if (second < 0 || logits[j] > logits[second]) second = j;
    }
    if (pos + 1 < p.tokens.length) {
      let z = 0;
      for (let j = 0; j < logits.length; j++) z += Math.exp(logits[j] - logits[best]);
      nllSum += logits[best] + Math.log(z) - logits[p.tokens[pos + 1]];
    }
    const theirs = p.topIds[pos][0];
    const theirMargin = p.topLogits[pos][0] - p.topLogits[pos][1];
    allMargins.push(theirMargin);
    const bucket = Math.floor(pos / 1024);
    const b = byPos.get(bucket) ?? { n: 0, miss: 0 };
    b.n++;
    if (best === theirs) hits++;
    else {
      b.miss++;
      disagreements.push({ prompt: p.name, pos, ours: best, theirs, theirMargin, ourMargin: logits[best] - logits[second],
        oursInTheirTop3: p.topIds[pos].indexOf(best) });
    }
    byPos.set(bucket, b);
  } });
  const nll = nllSum / (p.tokens.length - 1);
  console.log(`${p.name}: ${hits}/${p.tokens.length} top-1 agree; mean NLL ${nll.toFixed(5)} vs llama.cpp ${p.meanNll.toFixed(5)} ` +
    `(${(100 * (nll / p.meanNll - 1)).toFixed(3)}%); ${((performance.now() - t0) / 1000).toFixed(1)} s`);
  total += p.tokens.length; agree += hits;
}
model.dispose();
console.log(`all: ${agree}/${total} = ${(100 * agree / total).toFixed(2)}% (our kv ${a.kv}, activations ${a.activations}; llama.cpp kv ${fixture.kvCache ?? 'f16'})`);
const edges = [0.05, 0.1, 0.25, 0.5, 1, Infinity];
const hist = (ms: number[]) => edges.map((e, i) => ms.filter((m) => m < e && m >= (i ? edges[i - 1] : -Infinity)).length);
console.log(`llama.cpp's margin (top-1 − top-2 logit), buckets < ${edges.join(', <')}:`);
console.log(`  at disagreements (${disagreements.length}): ${hist(disagreements.map((d) => d.theirMargin)).join(' / ')}`);
console.log(`  at all positions (${allMargins.length}): ${hist(allMargins).join(' / ')}`);
console.log(`  our token is llama.cpp's 2nd: ${disagreements.filter((d) => d.oursInTheirTop3 === 1).length}, 3rd: ${disagreements.filter((d) => d.oursInTheirTop3 === 2).length}, outside its top-3: ${disagreements.filter((d) => d.oursInTheirTop3 < 0).length}`);
const sorted = disagreements.map((d) => d.theirMargin).sort((x, y) => x - y);
console.log(`  median margin at disagreements ${sorted[Math.floor(sorted.length / 2)]?.toFixed(3)}, max ${sorted.at(-1)?.toFixed(3)}`);
console.log(`disagreement rate by position: ${[...byPos.entries()].map(([b, v]) => `${b * 1024}–${b * 1024 + 1023}: ${v.miss}/${v.n}`).join(', ')}`);
if (a.out) writeFileSync(a.out, JSON.stringify({ agree, total, disagreements }, null, 1));

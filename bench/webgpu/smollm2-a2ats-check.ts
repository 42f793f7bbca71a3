/**
 * SmolLM2-135M with the A²ATS retrieval cache and CHESS w/ at k = 0.5 (float32 weights: the
 * sparse components read float rows): greedy tokens of the WebGPU one-submission decode step
 * (selection on the GPU) against wasm with the same codebooks and thresholds. Codebooks from
 * `kvcache calibrate --model M.gguf --corpus DIR --out FILE` (query-aware); thresholds calibrated
 * here on wasm over 64 fixed token ids. The prompt is `prompt` fixed token ids, so retrieval
 * chooses among far tokens from the first generated token on (budget 'total', as the CLI).
 * Prints both token lists, whether they agree, and seconds per token. Too slow for CI on a
 * software adapter (SwiftShader: minutes).
 *
 *   VK_ICD_FILENAMES=/usr/lib/chromium/vk_swiftshader_icd.json npx tsx bench/webgpu/smollm2-a2ats-check.ts CODEBOOKS [model.gguf] [tokens] [prompt]
 */
import { readFileSync } from 'node:fs';
import type { LlamaModel } from '../../src/llama/model.js';
import { sparsityComponents } from '../../src/activations/sparsity-components.js';
import { readCodebookFile } from '../../src/kvcache/codebook-file.js';
import { RetrievalKvCache } from '../../src/kvcache/retrieval-kv-cache.js';
import { chessThresholdsOnFixedTokens, wasmAndGpuModels } from './smollm2-check-models.js';

const codebooks = process.argv[2];
if (!codebooks) throw new Error('usage: smollm2-a2ats-check.ts CODEBOOKS [model.gguf] [tokens] [prompt]');
const modelPath = process.argv[3] ?? 'models/SmolLM2-135M-Instruct.Q4_1.gguf';
const n = Number(process.argv[4] ?? 8), promptLength = Number(process.argv[5] ?? 64);
const set = readCodebookFile(new Uint8Array(readFileSync(codebooks)), codebooks);
const { cpu, gpu } = await wasmAndGpuModels(modelPath, 256);
const c = cpu.config;
const th = await chessThresholdsOnFixedTokens(cpu);
for (const m of [cpu, gpu]) {
  const { ffn, projections } = sparsityComponents(th, { attention: true });
  const kv = new RetrievalKvCache({ method: 'a2ats', codebooks: { queryAware: set }, sinks: 4, budget: { mode: 'total', fraction: 0.1 } });
  await m.use({ ffn, projections, kv });
}
const prompt = Array.from({ length: promptLength }, (_, i) => (i * 1009 + 7) % c.vocabSize);
async function greedy(m: LlamaModel): Promise<{ tokens: number[]; sPerToken: number }> {
  const t0 = performance.now();
  const logits = await m.prefill(prompt);
  const tokens = [logits.indexOf(Math.max(...logits))];
  while (tokens.length < n) tokens.push(await m.forwardGreedy(tokens[tokens.length - 1], prompt.length + tokens.length - 1));
  return { tokens, sPerToken: (performance.now() - t0) / 1000 / (prompt.length + n - 1) };
}
const want = await greedy(cpu), got = await greedy(gpu);
console.log(JSON.stringify({ wasm: want.tokens, webgpu: got.tokens, equal: JSON.stringify(want.tokens) === JSON.stringify(got.tokens),
  window: set.info.wrope.window, centroids: set.info.size, prompt: prompt.length,
  webgpuSecondsPerToken: +got.sPerToken.toFixed(2), wasmSecondsPerToken: +want.sPerToken.toFixed(2) }));
cpu.dispose(); gpu.dispose();

/**
 * SmolLM2-135M with CHESS w/ at k = 0.5 (float32 weights: the sparse components read float rows):
 * greedy tokens of the WebGPU one-submission decode step against wasm with the same thresholds
 * (calibrated here on wasm over 64 fixed token ids). Prints both token lists, whether they agree,
 * and the GPU's seconds per token. Too slow for CI on a software adapter (SwiftShader: minutes).
 *
 *   VK_ICD_FILENAMES=/usr/lib/chromium/vk_swiftshader_icd.json npx tsx bench/webgpu/smollm2-chess-check.ts [model.gguf] [tokens]
 */
import type { LlamaModel } from '../../src/llama/model.js';
import { sparsityComponents } from '../../src/activations/sparsity-components.js';
import { chessThresholdsOnFixedTokens, wasmAndGpuModels } from './smollm2-check-models.js';

const n = Number(process.argv[3] ?? 8);
const { cpu, gpu } = await wasmAndGpuModels(process.argv[2] ?? 'models/SmolLM2-135M-Instruct.Q4_1.gguf', 128);
const th = await chessThresholdsOnFixedTokens(cpu);
for (const m of [cpu, gpu]) {
  const { ffn, projections } = sparsityComponents(th, { attention: true });
  await m.use({ ffn, projections });
}
async function greedy(m: LlamaModel): Promise<{ tokens: number[]; sPerToken: number }> {
  const logits = await m.prefill([1]);
  const tokens = [logits.indexOf(Math.max(...logits))];
  const t0 = performance.now();
  while (tokens.length < n) tokens.push(await m.forwardGreedy(tokens[tokens.length - 1], tokens.length));
  return { tokens, sPerToken: (performance.now() - t0) / 1000 / Math.max(1, n - 1) };
}
const want = await greedy(cpu), got = await greedy(gpu);
console.log(JSON.stringify({ wasm: want.tokens, webgpu: got.tokens, equal: JSON.stringify(want.tokens) === JSON.stringify(got.tokens),
  webgpuSecondsPerToken: +got.sPerToken.toFixed(1), wasmSecondsPerToken: +want.sPerToken.toFixed(2) }));
cpu.dispose(); gpu.dispose();

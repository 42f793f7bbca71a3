/**
 * Report section "Llama runtime": a greedy sample and a small NLL / speed table.
 * With --model/--tokenizer it runs that checkpoint; without, a random-weight model with
 * stories260K shapes (the numbers then show speed and backend agreement, not language).
 */
import type { SectionBuilder } from '../section.js';
import { htmlTable } from '../../plot/html-table.js';
import { barChart } from '../../plot/bar-chart.js';
import { escapeXml } from '../../plot/svg.js';
import { createKernels } from '../../kernels/create.js';
import { throwIfAborted } from '../../core/errors.js';
import { randomLlama } from '../../llama/random-llama.js';
import { evaluateNll } from '../../llama/evaluate-nll.js';
import { generate } from '../../llama/generate.js';
import type { LlamaModel } from '../../llama/model.js';
import type { Tokenizer } from '../../llama/tokenizer.js';

/** Three short stories in TinyStories style (written for this report) used as held-out text. */
const SAMPLE_TEXT = `Tom had a red kite. One windy day he ran to the hill with his dad. The kite went up high into the sky. Tom laughed and said, "Look, Dad, it can fly!" They played until the sun went down.
<|endoftext|>
Mia found a small bird under a tree. The bird was sad because it could not fly. Mia gave it some water and a soft bed. The next morning the bird sang a happy song and flew away. Mia smiled and waved goodbye.
<|endoftext|>
Ben and Sue wanted to build a big sand castle at the beach. They worked together and made tall towers. A wave came and broke one tower, but they did not give up. They built it again, even bigger.`;

export const llamaSection: SectionBuilder = async (ctx) => {
  throwIfAborted(ctx.signal, 'llama section');
  const backends = ['reference', 'wasm'] as const;
  const rows: (string | number)[][] = [];
  let sample = '';
  let source: string;
  let tokenizer: Tokenizer | null = null;
  if (ctx.modelPath && ctx.tokenizerPath) {
    source = `checkpoint ${ctx.modelPath} with tokenizer ${ctx.tokenizerPath}`;
  } else {
    source = 'random weights with stories260K shapes (no --model given): the NLL is that of an untrained model';
  }
  for (const [i, backend] of backends.entries()) {
    const kernels = backend === ctx.kernels.backend ? ctx.kernels : await createKernels({ backend });
    let model: LlamaModel;
    if (ctx.modelPath && ctx.tokenizerPath) {
      const files = await import('../../llama/node-files.js');
      model = await files.readLlamaModel(ctx.modelPath, { kernels });
      tokenizer ??= await files.readTokenizer(ctx.tokenizerPath, model.config.vocabSize);
    } else {
      model = randomLlama({ dim: 64, hiddenDim: 172, nLayers: 5, nHeads: 8, nKvHeads: 4, vocabSize: 512, seqLen: 512 },
        { kernels, seed: 260 });
    }
    try {
      ctx.onProgress?.(i / backends.length, `llama on ${backend}`);
      const steps = ctx.quick ? 32 : 128;
      if (tokenizer) {
        const out = await generate(model, tokenizer, { temperature: 0, maxTokens: steps, signal: ctx.signal });
        if (!sample) sample = out.text;
        const nll = await evaluateNll(model, tokenizer, SAMPLE_TEXT, { signal: ctx.signal });
        rows.push([`${kernels.backend} (${kernels.variant})`, nll.meanNll.toFixed(4), nll.perplexity.toFixed(3), nll.tokens,
          out.tokensPerSecond.toFixed(0)]);
      } else {
        // No tokenizer: time greedy decoding on token ids directly.
        model.reset();
        let token = 1;
        const t0 = performance.now();
        for (let pos = 0; pos < steps; pos++) {
          const logits = model.forward(token, pos);
          let best = 0;
          for (let v = 1; v < logits.length; v++) if (logits[v] > logits[best]) best = v;
          token = best;
        }
        const tps = steps / ((performance.now() - t0) / 1000);
        rows.push([`${kernels.backend} (${kernels.variant})`, '—', '—', 0, tps.toFixed(0)]);
      }
    } finally {
      model.dispose();
    }
  }
  ctx.onProgress?.(1, 'done');
  // Decode speed per backend, the number a reader compares first.
  const speedChart = barChart({
    title: 'Greedy decode speed, batch 1', yLabel: 'tokens / s', width: 520, height: 260,
    bars: rows.map((r) => ({ label: String(r[0]), value: Number(r[4]) })),
  });
  const table = htmlTable(['Backend', 'Mean NLL (nats/token)', 'Perplexity', 'Predicted tokens', 'Greedy decode tok/s'], rows);
  const html = `<p>A Llama-architecture decoder (RMSNorm, RoPE, grouped-query attention with a KV cache, SwiGLU)
running batch-1 on the <code>Kernels</code> interface, weights resident in WASM memory. Model: ${escapeXml(source)}.
NLL uses the README protocol (stories split on <code>&lt;|endoftext|&gt;</code>, BOS-prefixed, each run from position 0)
on three short held-out stories written for this report; both backends must agree.</p>
${table}
${speedChart}
${sample ? `<h3>Greedy sample (temperature 0, from BOS)</h3><pre>${escapeXml(sample)}</pre>` : ''}`;
  const first = rows[rows.length - 1];
  const summary = tokenizer
    ? `llama: NLL ${first[1]} nats/token on the sample stories; greedy decode ${first[4]} tok/s (${first[0]})`
    : `llama: random stories260K-shaped model, greedy decode ${first[4]} tok/s (${first[0]})`;
  return { id: 'llama', title: 'Llama runtime', html, summary };
};

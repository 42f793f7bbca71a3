/**
 * The llama suite: batch-1 decode speed of the Llama runtime on the reference and wasm
 * backends, for stories260K (the real checkpoint when ../shared/models is beside the working
 * directory, else random weights of the same shapes — the speed depends only on the shapes)
 * and for a random-weight model with stories110M shapes (dim 768, hidden 2048, 12 layers,
 * 12 heads, vocab 32000, seq_len 1024).
 *
 * Decode is weight-streaming-bound: every token reads every layer matrix and the classifier
 * once. For the larger model the suite reports the achieved bandwidth (weight bytes per token /
 * time per token) against the same-run streaming-read roofline (`kernels.sum` over a 64 MB
 * resident buffer): target ≥ 60%. It also reports peak resident memory while decoding the
 * larger wasm model (process RSS and WASM memory), measured before anything else large is
 * allocated, against its weight bytes: target RSS ≤ 1.5x weights.
 *
 * One task call = one decode step; positions cycle through 0..63 (reset at the wrap), so the
 * attention share is that of a short context.
 *
 * @example
 * const result = await llamaSuite({ quick: true });
 * console.log(formatTable(result));
 */
import { createKernels } from '../../../src/backends/create-kernels.js';
import type { CpuKernels } from '../../../src/kernels/kernels.js';
import { runSuite, sink, type BenchTask, type RatioSpec, type SuiteOptions, type SuiteResult } from '../harness.js';
import { randomLlama } from '../../../src/llama/random-llama.js';
import { loadLlama2c } from '../../../src/llama/load-llama2c.js';
import type { LlamaModel } from '../../../src/llama/model.js';
import type { LlamaShape } from '../../../src/llama/config.js';

const STORIES_260K: LlamaShape = { dim: 64, hiddenDim: 172, nLayers: 5, nHeads: 8, nKvHeads: 4, vocabSize: 512, seqLen: 512 };
export const STORIES_110M: LlamaShape = { dim: 768, hiddenDim: 2048, nLayers: 12, nHeads: 12, nKvHeads: 12, vocabSize: 32000, seqLen: 1024 };
const CYCLE = 64;
const ROOFLINE_FLOATS = 16 * 1024 * 1024; // 64 MB

/** stories260K from ../shared/models when readable (Node/Deno), else null. */
async function realStories260K(kernels: CpuKernels): Promise<LlamaModel | null> {
  try {
    const fs = await import('node:fs/promises');
    const path = await import('node:path');
    const file = path.resolve(process.cwd(), '..', 'shared', 'models', 'stories260K.bin');
    return loadLlama2c(new Uint8Array(await fs.readFile(file)), { kernels, name: file });
  } catch {
    return null;
  }
}

/**
 * One decode step per call, cycling positions 0..CYCLE−1 (forward, or forwardAsync on
 * asynchronous kernels — then each call awaits its logits).
 */
export function decoder(model: LlamaModel): () => void | Promise<void> {
  let pos = 0;
  let token = 1;
  const next = () => {
    if (pos === CYCLE) { model.reset(); pos = 0; }
    const at = pos++;
    const t = token;
    token = (token * 7 + 3) % model.config.vocabSize; // varied tokens; no sampling cost
    return [t, at] as const;
  };
  if (model.asynchronous) return async () => { const [t, at] = next(); sink((await model.forwardAsync(t, at))[0]); };
  return () => { const [t, at] = next(); sink(model.forward(t, at)[0]); };
}

function memoryNow(): { rss: number } | null {
  const p = (globalThis as { process?: { memoryUsage?: { rss?: () => number } } }).process;
  return typeof p?.memoryUsage?.rss === 'function' ? { rss: p.memoryUsage.rss() } : null;
}

export async function llamaSuite(opts: SuiteOptions = {}): Promise<SuiteResult> {
  const quick = opts.quick ?? false;
  const wasm = await createKernels({ backend: 'wasm' });
  const ref = await createKernels({ backend: 'reference' });
  const W = `wasm-${wasm.variant}`;
  const R = 'reference';
  const name = (backend: string, shape: string) => `llama/decode:${backend}:${shape}`;
  const models: LlamaModel[] = [];
  const keep = (m: LlamaModel) => { models.push(m); return m; };
  const resident: { dispose(): void }[] = [];
  const notes: string[] = [`decode = one forward step (batch 1); positions cycle 0..${CYCLE - 1}; wasm build ${wasm.variant}`];
  const tasks: BenchTask[] = [];
  const ratios: RatioSpec[] = [];

  try {
    // 1. The larger model first: peak memory while decoding it, before anything else is big.
    const big = keep(randomLlama(STORIES_110M, { kernels: wasm, seed: 110 }));
    const weightBytes = 4 * big.layout.weightCount;
    const step = decoder(big);
    let peakRss = memoryNow()?.rss ?? NaN;
    for (let i = 0; i < (quick ? 8 : 32); i++) {
      step();
      peakRss = Math.max(peakRss, memoryNow()?.rss ?? NaN);
    }
    const wasmMemory = big.layerWeights(0).wq.buffer.byteLength;
    notes.push(`110M-shapes: ${(weightBytes / 1e6).toFixed(1)} MB of weights, ${(big.weightBytesPerToken / 1e6).toFixed(1)} MB streamed per token, ` +
      `${(big.residentBytes / 1e6).toFixed(1)} MB resident (weights + KV + activations)`);
    notes.push(`peak memory while decoding 110M-shapes on wasm: RSS ${(peakRss / 1e6).toFixed(0)} MB ` +
      `(${(peakRss / weightBytes).toFixed(2)}x weights), WASM memory ${(wasmMemory / 1e6).toFixed(0)} MB ` +
      `(${(wasmMemory / weightBytes).toFixed(2)}x weights); includes the Node runtime and anything this process ran before`);
    ratios.push({
      name: 'weights / peak RSS, decoding 110M-shapes (wasm)', value: () => weightBytes / peakRss, target: 1 / 1.5,
      note: `≥ 0.667 ⇔ RSS ≤ 1.5x weights; RSS ${(peakRss / 1e6).toFixed(0)} MB, WASM memory ${(wasmMemory / 1e6).toFixed(0)} MB`,
    });

    // 2. Decode tasks.
    const realSmall = await realStories260K(wasm);
    const small = keep(realSmall ?? randomLlama(STORIES_260K, { kernels: wasm, seed: 260 }));
    const smallRef = keep((await realStories260K(ref)) ?? randomLlama(STORIES_260K, { kernels: ref, seed: 260 }));
    notes.push(realSmall ? 'stories260K: the real checkpoint from ../shared/models'
      : 'stories260K: random weights with its shapes (../shared/models not found)');
    const bigRef = keep(randomLlama(STORIES_110M, { kernels: ref, seed: 110 }));
    for (const [m, backend, shape] of [[small, W, 'stories260K'], [smallRef, R, 'stories260K'],
      [big, W, '110M-shapes'], [bigRef, R, '110M-shapes']] as const) {
      tasks.push({ name: name(backend, shape), fn: decoder(m), bytes: m.weightBytesPerToken });
    }
    for (const shape of ['stories260K', '110M-shapes']) {
      ratios.push({ name: `decode ${shape}: wasm vs reference`, unit: 'x',
        value: (t) => t(name(R, shape)).medianMs / t(name(W, shape)).medianMs });
      ratios.push({ name: `decode ${shape}: wasm tokens/s`, unit: 'tok/s', value: (t) => 1000 / t(name(W, shape)).medianMs });
      ratios.push({ name: `decode ${shape}: reference tokens/s`, unit: 'tok/s', value: (t) => 1000 / t(name(R, shape)).medianMs });
    }

    // 3. The streaming-read roofline, in the same run.
    const buf = wasm.allocF32(ROOFLINE_FLOATS);
    resident.push(buf);
    buf.view().fill(1);
    const rooflineName = `llama/sum:${W}:64MB`;
    tasks.push({ name: rooflineName, bytes: 4 * ROOFLINE_FLOATS, fn: () => sink(wasm.sum(buf.view(), ROOFLINE_FLOATS)) });
    ratios.push({
      name: 'decode 110M-shapes (wasm): weight bandwidth / streaming-read roofline', target: 0.6, unit: 'of roofline',
      value: (t) => t(name(W, '110M-shapes')).gbPerS! / t(rooflineName).gbPerS!,
      note: 'weight bytes read per token / time per token, against kernels.sum over 64 MB',
    });

    return await runSuite('llama', tasks, { ...opts, ratios, notes });
  } finally {
    for (const m of models) m.dispose();
    for (const r of resident) r.dispose();
  }
}

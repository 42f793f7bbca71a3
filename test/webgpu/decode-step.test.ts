/**
 * The WebGPU decode step in one submission per token (src/backends/webgpu/decode/): the model's
 * forward, prefill and forwardGreedy on webgpu kernels hand each token to it when the components
 * are the dense float32 ones.
 *
 * Oracles: the same model on wasm (same seeded weights, same tokens), and the known greedy text of
 * stories260K. Structure: queue.submit calls and buffer mapAsync read-backs are counted by
 * wrapping the device the GpuContext is given (its queue, and every buffer it creates), so the
 * count is what the GPU saw, not what the decoder says it did.
 *
 * Tolerance on logits: max |gpu − wasm| ≤ 2e-5 · max |wasm logit| per step (float32 sums in
 * another order: the RMSNorm scale is applied after the row's dot product, attention adds 64-token
 * chunks; observed ~3e-7). Greedy tokens must be identical.
 */
import { readFileSync } from 'node:fs';
import { afterAll, expect, it } from 'vitest';
import { acquireGpu, webgpuMissing, type GpuHandle } from '../../src/backends/webgpu/device.js';
import { GpuContext } from '../../src/backends/webgpu/gpu-context.js';
import { webgpuKernels } from '../../src/backends/webgpu/kernels.js';
import { createKernels } from '../../src/backends/create-kernels.js';
import { randomLlama } from '../../src/llama/random-llama.js';
import { loadLlama2c } from '../../src/llama/load-llama2c.js';
import { loadTokenizer } from '../../src/llama/tokenizer.js';
import { generate } from '../../src/llama/generate.js';
import { DenseFfn } from '../../src/llama/dense-ffn.js';
import { DenseKvCache } from '../../src/llama/dense-kv-cache.js';
import type { Ffn } from '../../src/llama/components.js';
import type { GpuBuffer, GpuDevice } from '../../src/backends/webgpu/gpu-types.js';
import type { Kernels } from '../../src/kernels/kernels.js';
import { describeWithRuntime } from '../runtimes/harness.js';
import { describeWithShared } from '../_harness/shared-data.js';
import { describeWithModels, SMOLLM2_GGUF } from '../_harness/models.js';
import { lcg, randomQuantizedRows } from '../_harness/quantized-rows.js';
import { WeightLayout, type WeightFormats } from '../../src/llama/weight-layout.js';
import { loadGguf } from '../../src/llama/gguf/load-gguf.js';
import { LlamaModel } from '../../src/llama/model.js';

const missing = await webgpuMissing();

/** GQA 8/2, HF pairing, untied classifier; seqLen past the first 64-token attention chunk. */
const HALF = { dim: 64, hiddenDim: 160, nLayers: 2, nHeads: 8, nKvHeads: 2, vocabSize: 300, seqLen: 90,
  ropePairing: 'half' as const, sharedClassifier: false };
/** llama2.c pairing, MHA, tied classifier, odd hidden width. */
const ADJACENT = { dim: 48, hiddenDim: 100, nLayers: 3, nHeads: 4, nKvHeads: 4, vocabSize: 97, seqLen: 72,
  ropePairing: 'adjacent' as const, sharedClassifier: true };

/** GPU work seen by the device: submissions and read-backs (mapAsync on any buffer it created). */
interface Seen { submits: number; maps: number }

/**
 * A GpuContext on a device wrapper that counts queue.submit, and mapAsync on GPU buffers (the
 * buffer prototype's method is wrapped once for the file: Dawn's native objects cannot be proxied
 * when they are handed back to it).
 */
async function countingKernels(): Promise<{ k: Kernels; seen: Seen }> {
  const handle = await acquireGpu();
  const seen: Seen = { submits: 0, maps: 0 };
  counters.add(seen);
  const real = handle.device;
  const queue = new Proxy(real.queue, {
    get(q, p) {
      if (p === 'submit') return (b: Parameters<GpuDevice['queue']['submit']>[0]) => { seen.submits++; return q.submit(b); };
      const v = Reflect.get(q, p);
      return typeof v === 'function' ? v.bind(q) : v;
    },
  });
  const device = new Proxy(real, {
    get(d, p) {
      if (p === 'queue') return queue;
      const v = Reflect.get(d, p);
      return typeof v === 'function' ? v.bind(d) : v;
    },
  });
  const ctx = new GpuContext({ ...handle, device } as GpuHandle);
  return { k: webgpuKernels(ctx, await createKernels({ backend: 'wasm' }), { cpuThreshold: 0 }), seen };
}

/** Every live counter; mapAsync counts into each (the tests run one at a time). */
const counters = new Set<Seen>();
if (missing === null) {
  const probe = (await acquireGpu()).device.createBuffer({ size: 16, usage: 0x0001 | 0x0008 });
  const proto = Object.getPrototypeOf(probe) as { mapAsync: GpuBuffer['mapAsync'] };
  probe.destroy();
  const original = proto.mapAsync;
  proto.mapAsync = function (this: GpuBuffer, ...a: Parameters<GpuBuffer['mapAsync']>) {
    for (const c of counters) c.maps++;
    return original.apply(this, a);
  };
  afterAll(() => { proto.mapAsync = original; });
}

function maxRelDiff(got: Float32Array, want: Float32Array): number {
  let scale = 0, diff = 0;
  for (let i = 0; i < want.length; i++) { scale = Math.max(scale, Math.abs(want[i])); diff = Math.max(diff, Math.abs(got[i] - want[i])); }
  return diff / Math.max(scale, 1e-30);
}

/** The dense FFN behind another class: the model must run its step call by call. */
class WrappedDenseFfn implements Ffn {
  readonly name = 'wrapped-dense';
  private readonly inner = new DenseFfn();
  bind(...a: Parameters<Ffn['bind']>) { return this.inner.bind(...a); }
  forward(...a: Parameters<Ffn['forward']>) { return this.inner.forward(...a); }
  dispose() { this.inner.dispose(); }
}

describeWithRuntime('webgpu decode step: one submission per token', missing, () => {
  for (const shape of [HALF, ADJACENT]) {
    it(`gives the wasm model's logits token by token and by prefill (${shape.ropePairing} pairing, ${shape.nHeads}/${shape.nKvHeads} heads)`, async () => {
      const { k } = await countingKernels();
      const cpu = randomLlama(shape, { kernels: await createKernels({ backend: 'wasm' }), seed: 11 });
      const gpu = randomLlama(shape, { kernels: k, seed: 11 });
      const tokens = Array.from({ length: shape.seqLen - 2 }, (_, i) => (i * 37 + 5) % shape.vocabSize);
      // Step by step past the 64-token attention chunk boundaries (and the end of the context
      // but one), checking logits every few steps.
      for (let pos = 0; pos < tokens.length; pos++) {
        const check = pos % 9 === 0 || pos === 63 || pos === 64 || pos === tokens.length - 1;
        const want = await cpu.forward(tokens[pos], pos);
        if (!check) { await gpu.prefill([tokens[pos]], pos); continue; }
        expect(maxRelDiff(await gpu.forward(tokens[pos], pos), want)).toBeLessThan(2e-5);
      }
      // Rewind to position 3: rows 3.. are overwritten, later ones dropped.
      expect(maxRelDiff(await gpu.forward(9, 3), await cpu.forward(9, 3))).toBeLessThan(2e-5);
      expect(gpu.cachedTokens).toBe(4);
      // The greedy id is the argmax of the same step's logits.
      const logits = (await cpu.forward(2, 4)).slice();
      const best = logits.indexOf(Math.max(...logits));
      expect(await gpu.forwardGreedy(2, 4)).toBe(best);
      cpu.dispose(); gpu.dispose();
    }, 300_000);
  }

  it('reads back once and submits once per generated token; none per prompt token but the last', async () => {
    const { k, seen } = await countingKernels();
    const gpu = randomLlama(HALF, { kernels: k, seed: 3 });
    await gpu.forward(1, 0); // pipelines compiled, tables uploaded
    const s0 = { ...seen };
    await gpu.prefill([4, 5, 6, 7, 8], 1); // 5 submissions, 1 read-back (the last token's logits)
    expect(seen.submits - s0.submits).toBe(5);
    expect(seen.maps - s0.maps).toBe(1);
    let next = 9;
    const s1 = { ...seen };
    for (let pos = 6; pos < 6 + 16; pos++) next = await gpu.forwardGreedy(next, pos);
    expect(seen.submits - s1.submits).toBe(16);
    expect(seen.maps - s1.maps).toBe(16);
    gpu.dispose();
  }, 120_000);

  it('shares the K/V store with the call-by-call step: switching components mid-sequence keeps the logits', async () => {
    const { k, seen } = await countingKernels();
    const cpu = randomLlama(HALF, { kernels: await createKernels({ backend: 'wasm' }), seed: 5 });
    const gpu = randomLlama(HALF, { kernels: k, seed: 5 });
    const tokens = [1, 17, 250, 3, 99, 42, 7, 200, 5, 11];
    for (let pos = 0; pos < 5; pos++) { await cpu.forward(tokens[pos], pos); await gpu.forward(tokens[pos], pos); }
    // A component the whole step does not know: the rest runs kernel call by kernel call,
    // attending over K/V rows the whole step wrote.
    await gpu.use({ ffn: new WrappedDenseFfn() });
    const before = seen.submits;
    for (let pos = 5; pos < tokens.length; pos++) {
      expect(maxRelDiff(await gpu.forward(tokens[pos], pos), await cpu.forward(tokens[pos], pos))).toBeLessThan(2e-4);
    }
    expect(seen.submits - before).toBeGreaterThan(tokens.length - 5); // the per-call path awaits more than once per token
    // Back to the dense FFN: the whole step again, after rows the call-by-call path wrote.
    await gpu.use({ ffn: new DenseFfn() });
    expect(maxRelDiff(await gpu.forward(3, tokens.length), await cpu.forward(3, tokens.length))).toBeLessThan(2e-4);
    // A new KvCache starts empty and gets a new whole step.
    await gpu.use({ kv: new DenseKvCache() });
    cpu.reset();
    expect(maxRelDiff(await gpu.forward(8, 0), await cpu.forward(8, 0))).toBeLessThan(2e-5);
    cpu.dispose(); gpu.dispose();
  }, 120_000);

  it('reads Q4_1 and Q8_0 matrices in place: the CPU model\'s logits with float32 activations, matrix by matrix', async () => {
    const { k } = await countingKernels();
    const wasm = await createKernels({ backend: 'wasm' });
    const shape = { ...ADJACENT, dim: 64, hiddenDim: 96, nHeads: 4, nKvHeads: 2, seqLen: 8 };
    const config = randomLlama(shape, { kernels: wasm, seed: 1 }).config;
    const cases: WeightFormats[] = [
      { wq: 'Q4_1', wk: 'Q4_1', wv: 'Q4_1' }, { wo: 'Q8_0', w2: 'Q4_1' }, { w1: 'Q4_1', w3: 'Q4_1' },
      { tokEmb: 'Q8_0', wq: 'Q8_0', wk: 'Q8_0', wv: 'Q8_0', w1: 'Q8_0', w3: 'Q8_0' }, { tokEmb: 'Q4_1' },
    ];
    for (const formats of cases) {
      // Random blocks with finite scales; float32 tensors uniform in ±0.25, norms 1.
      const make = (kernels: Kernels) => LlamaModel.create(config, kernels, (all, layout, words) => {
        const rand = lcg(5);
        for (let i = 0; i < all.length; i++) all[i] = (rand() - 0.5) * 0.5;
        for (const slot of [layout.tokEmb, ...layout.layers.flatMap((l) => Object.values(l))]) {
          if (slot.format) words.set(randomQuantizedRows(slot.format, slot.rows, slot.cols, lcg(slot.offset + 3)), slot.offset);
        }
        for (const l of layout.layers) { WeightLayout.view(all, l.rmsAtt).fill(1); WeightLayout.view(all, l.rmsFfn).fill(1); }
      }, formats, { activations: 'f32' });
      const cpu = make(wasm), gpu = make(k);
      for (let pos = 0; pos < 4; pos++) {
        expect(maxRelDiff(await gpu.forward(pos + 2, pos), await cpu.forward(pos + 2, pos)), JSON.stringify(formats)).toBeLessThan(2e-5);
      }
      cpu.dispose(); gpu.dispose();
    }
  }, 120_000);

  it('bad input is BAD_ARGUMENT naming it; NaN weights are reported, not sampled', async () => {
    const { k } = await countingKernels();
    const gpu = randomLlama(ADJACENT, { kernels: k, seed: 1 });
    await expect(gpu.forwardGreedy(ADJACENT.vocabSize, 0)).rejects.toThrow(/^token/);
    await expect(gpu.forwardGreedy(1, 1)).rejects.toThrow(/^pos must be ≤ 0/);
    await expect(gpu.forwardGreedy(1.5, 0)).rejects.toThrow(/^token/);
    // A NaN in the final norm's weights makes every logit NaN: the GPU's argmax reports the
    // first, as the host sampler does, instead of returning an id.
    const poisoned = LlamaModel.create(gpu.config, k, (all, layout) => { all.fill(0.01); all[layout.rmsFinal.offset] = NaN; });
    await expect(poisoned.forwardGreedy(1, 0)).rejects.toThrow(/^logits\[0\] is NaN/);
    gpu.dispose(); poisoned.dispose();
  }, 120_000);

  describeWithShared('stories260K', ['models/stories260K.bin', 'models/tok512.bin', 'models/stories260K_greedy.txt'], ([model, tok, known]) => {
  it('stories260K: 64 greedy tokens identical to wasm and to the known text', async () => {
    const bytes = new Uint8Array(readFileSync(model));
    const tokenizer = loadTokenizer(new Uint8Array(readFileSync(tok)), { vocabSize: 512 });
    const { k, seen } = await countingKernels();
    const gpu = loadLlama2c(bytes, { kernels: k });
    const cpu = loadLlama2c(bytes, { kernels: await createKernels({ backend: 'wasm' }) });
    const s0 = { ...seen };
    const got = await generate(gpu, tokenizer, { temperature: 0, maxTokens: 64 });
    const want = await generate(cpu, tokenizer, { temperature: 0, maxTokens: 64 });
    expect(got.generated).toEqual(want.generated);
    expect(got.generated.length).toBe(64);
    expect(readFileSync(known, 'utf8').startsWith(got.text)).toBe(true);
    // BOS prefill (1 submission, 1 read-back of its logits), then 63 forwardGreedy steps.
    expect(seen.submits - s0.submits).toBe(64);
    expect(seen.maps - s0.maps).toBe(64);
    gpu.dispose(); cpu.dispose();
  }, 600_000);
  });

  // SwiftShader runs a SmolLM2 step (30 layers, 49152-row classifier) in 20–75 s here: 8 tokens only,
  // so the test stays a few minutes of CI time (16 tokens took 17 min at load 17).
  describeWithModels('SmolLM2-135M Q4_1', [SMOLLM2_GGUF], ([path]) => {
    it('SmolLM2-135M Q4_1: 8 greedy tokens equal to the CPU model with float32 activations', async () => {
      const bytes = new Uint8Array(readFileSync(path));
      const { k } = await countingKernels();
      const gpu = loadGguf(bytes, { kernels: k, maxSeqLen: 64 });
      const cpu = loadGguf(bytes, { kernels: await createKernels({ backend: 'wasm' }), maxSeqLen: 64, activations: 'f32' });
      const prompt = [1];   // <|im_start|>: 8 steps in all
      const want = await cpu.prefill(prompt);
      const got = await gpu.prefill(prompt);
      expect(maxRelDiff(got, want)).toBeLessThan(1e-4);
      const first = want.indexOf(Math.max(...want));
      const tokensOf = async (m: LlamaModel) => {
        const out = [first];
        while (out.length < 8) out.push(await m.forwardGreedy(out[out.length - 1], prompt.length + out.length - 1));
        return out;
      };
      expect(await tokensOf(gpu)).toEqual(await tokensOf(cpu));
      gpu.dispose(); cpu.dispose();
    }, 1_800_000);
  });
});

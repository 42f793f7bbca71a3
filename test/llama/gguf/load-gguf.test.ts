import { describe, expect, it } from 'vitest';
import { createKernels } from '../../../src/backends/create-kernels.js';
import { parseGguf } from '../../../src/llama/gguf/parse-gguf.js';
import { f32ToF16 } from '../../../src/llama/float-formats.js';
import { loadGguf } from '../../../src/llama/gguf/load-gguf.js';
import { LlamaModel } from '../../../src/llama/model.js';
import { permuteForHalfRope } from '../../../src/llama/convert-to-hf.js';
import { LAYER_TENSORS, WeightLayout } from '../../../src/llama/weight-layout.js';
import { expectError, maxAbsDiff, modelLogits, oracleLogits } from '../helpers.js';
import { writeGguf, type MetaEntry, type TensorEntry } from './write-gguf.js';
import { stackedSlot } from '../../../src/llama/stacked-products.js';
import type { Ffn, ModelWeights, Projection } from '../../../src/llama/components.js';
import type { CpuKernels } from '../../../src/kernels/kernels.js';

const C = { dim: 64, hidden: 96, layers: 2, heads: 4, kvHeads: 2, vocab: 40, ctx: 96 };
const TYPE = { F32: 0, Q4_1: 3, Q5_0: 6, Q8_0: 8 } as const;

/** Random ggml data for a rows×cols tensor of `type` (quantized scales kept small). */
function tensorData(type: number, rows: number, cols: number, rand: () => number): Uint8Array {
  if (type === TYPE.F32) return new Uint8Array(Float32Array.from({ length: rows * cols }, () => 0.5 + rand()).buffer);
  const blockBytes = type === TYPE.Q4_1 ? 20 : type === TYPE.Q5_0 ? 22 : 34;
  const out = new Uint8Array((rows * cols / 32) * blockBytes);
  const dv = new DataView(out.buffer);
  for (let at = 0; at < out.length; at += blockBytes) {
    dv.setUint16(at, f32ToF16((rand() + 0.1) * (type === TYPE.Q4_1 ? 0.04 : 0.006)), true);
    if (type === TYPE.Q4_1) dv.setUint16(at + 2, f32ToF16(-0.3 * rand()), true);
    for (let j = type === TYPE.Q4_1 ? 4 : 2; j < blockBytes; j++) out[at + j] = Math.floor(rand() * 256);
  }
  return out;
}

function smallLlama(over: { emb?: number; proj?: number; drop?: string; meta?: MetaEntry[] } = {}): Uint8Array {
  let s = 12345;
  const rand = () => ((s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 2 ** 32);
  const a = 'llama';
  const meta: MetaEntry[] = over.meta ?? [
    ['general.architecture', 'string', a], [`${a}.block_count`, 'u32', C.layers], [`${a}.context_length`, 'u32', C.ctx],
    [`${a}.embedding_length`, 'u32', C.dim], [`${a}.feed_forward_length`, 'u32', C.hidden],
    [`${a}.attention.head_count`, 'u32', C.heads], [`${a}.attention.head_count_kv`, 'u32', C.kvHeads],
    [`${a}.rope.freq_base`, 'f32', 10000], [`${a}.attention.layer_norm_rms_epsilon`, 'f32', 1e-5],
  ];
  const kv = (C.dim / C.heads) * C.kvHeads;
  const t = (name: string, type: number, rows: number, cols: number): TensorEntry =>
    ({ name, typeId: type, shape: rows === 1 ? [cols] : [cols, rows], data: tensorData(type, rows, cols, rand) });
  const proj = over.proj ?? TYPE.Q4_1;
  const tensors = [t('token_embd.weight', over.emb ?? TYPE.Q8_0, C.vocab, C.dim)];
  for (let l = 0; l < C.layers; l++) {
    tensors.push(t(`blk.${l}.attn_norm.weight`, TYPE.F32, 1, C.dim), t(`blk.${l}.attn_q.weight`, proj, C.dim, C.dim),
      t(`blk.${l}.attn_k.weight`, proj, kv, C.dim), t(`blk.${l}.attn_v.weight`, proj, kv, C.dim),
      t(`blk.${l}.attn_output.weight`, proj, C.dim, C.dim), t(`blk.${l}.ffn_norm.weight`, TYPE.F32, 1, C.dim),
      t(`blk.${l}.ffn_gate.weight`, proj, C.hidden, C.dim), t(`blk.${l}.ffn_down.weight`, proj, C.dim, C.hidden),
      t(`blk.${l}.ffn_up.weight`, proj, C.hidden, C.dim));
  }
  tensors.push(t('output_norm.weight', TYPE.F32, 1, C.dim));
  return writeGguf(meta, tensors.filter((x) => x.name !== over.drop));
}

const TOKENS = [1, 7, 39, 0, 22, 22, 5, 13, 31, 2, 8, 17];

describe('loadGguf', () => {
  it('float32 mode matches the float64 oracle forward pass on the dequantized weights', async () => {
    const model = loadGguf(smallLlama(), { kernels: await createKernels({ backend: 'reference' }), weights: 'f32' });
    const want = oracleLogits(model, TOKENS);
    const got = await modelLogits(model, TOKENS);
    for (let i = 0; i < TOKENS.length; i++) expect(maxAbsDiff(got[i], want[i])).toBeLessThan(1e-4);
  });

  for (const backend of ['reference', 'wasm'] as const) {
    it(`quantized mode with float activations gives the float32 mode's logits, in about a quarter of the memory [${backend}]`, async () => {
      const kernels = await createKernels({ backend });
      const bytes = smallLlama();
      const f32 = loadGguf(bytes, { kernels, weights: 'f32' });
      const q = loadGguf(bytes, { kernels, activations: 'f32' });
      expect(q.layout.formats).toEqual({ tokEmb: 'Q8_0', wq: 'Q4_1', wk: 'Q4_1', wv: 'Q4_1', wo: 'Q4_1', w1: 'Q4_1', w2: 'Q4_1', w3: 'Q4_1' });
      expect(q.weightBytesPerToken / f32.weightBytesPerToken).toBeLessThan(0.3);
      const want = await modelLogits(f32, TOKENS);
      const got = await modelLogits(q, TOKENS);
      for (let i = 0; i < TOKENS.length; i++) expect(maxAbsDiff(got[i], want[i])).toBeLessThan(1e-4);
      // Block prefill (gemmQ4_1/gemmQ8_0 over 32-token blocks) against token-by-token gemv steps.
      const long = Array.from({ length: 70 }, (_, i) => (i * 11 + 5) % C.vocab);
      const steps = await modelLogits(q, long);
      q.reset();
      expect(maxAbsDiff((await q.prefill(long)), steps[69])).toBeLessThan(1e-4);
      expectError(() => q.layerWeights(0), 'UNAVAILABLE', /quantized/);
      expectError(() => q.globalWeights(), 'UNAVAILABLE', /float32 weights/);
      f32.dispose(); q.dispose();
    });

    it(`stacked q/k/v and gate/up products (one call each) give the bits of one call per matrix [${backend}]`, async () => {
      const kernels = await createKernels({ backend });
      const bytes = smallLlama();
      // The rows of every Q4_1 product the stacked model asks for.
      const rowsCalled = new Set<number>();
      const counting = Object.create(kernels) as CpuKernels;
      counting.gemvQ4_1Q8_1 = (W, xq, y, rows, cols) => { rowsCalled.add(rows); return (kernels as CpuKernels).gemvQ4_1Q8_1(W, xq, y, rows, cols); };
      const stacked = loadGguf(bytes, { kernels: counting });
      for (const s of stacked.layout.layers) { // the quantized layout puts each group back to back
        expect(s.wk.offset).toBe(s.wq.offset + s.wq.length);
        expect(s.wv.offset).toBe(s.wk.offset + s.wk.length);
        expect(s.w3.offset).toBe(s.w1.offset + s.w1.length);
      }
      // The same model with components that multiply q, k, v, gate, up and down one matrix per
      // call through ModelWeights.matvec (the model's own kernels, the same int8 activations).
      const separate = loadGguf(bytes, { kernels });
      let w: ModelWeights | null = null;
      let k: CpuKernels | null = null;
      const projections: Projection = {
        name: 'one-call-per-matrix',
        bind(_c, kk, weights) { w = weights; k = kk as CpuKernels; },
        covers: (_l, which) => which !== 'o',
        project: (l, which, x, out) => w!.matvec(l, `w${which}`, x, out),
        dispose() {},
      };
      const hidden = new Float32Array(C.hidden), up = new Float32Array(C.hidden);
      const ffn: Ffn = {
        name: 'one-call-per-matrix',
        bind() {},
        forward(l, x, out) {
          w!.matvec(l, 'w1', x, hidden);
          w!.matvec(l, 'w3', x, up);
          k!.swiglu(hidden, up, C.hidden);
          return w!.matvec(l, 'w2', hidden, out);
        },
        dispose() {},
      };
      await separate.use({ projections, ffn });
      const want = await modelLogits(separate, TOKENS);
      expect(await modelLogits(stacked, TOKENS)).toEqual(want);
      const kv = (C.dim / C.heads) * C.kvHeads;
      expect([...rowsCalled].sort((a, b) => a - b)).toEqual([C.dim, C.dim + 2 * kv, 2 * C.hidden]); // o and down; q/k/v; gate/up
      // Matrices that cannot stack (38 rows: not whole row groups of 4; a gap; another format) do not.
      const slot = (offset: number, rows: number, format: 'Q4_1' | 'Q8_0' = 'Q4_1') => ({ offset, length: rows * 10, rows, cols: 64, format });
      expect(stackedSlot([slot(0, 40), slot(400, 40)])).toEqual({ offset: 0, length: 800, rows: 80, cols: 64, format: 'Q4_1' });
      expect(stackedSlot([slot(0, 38), slot(380, 40)])).toBeNull();
      expect(stackedSlot([slot(0, 40), slot(416, 40)])).toBeNull();
      expect(stackedSlot([slot(0, 40), slot(400, 40, 'Q8_0')])).toBeNull();
    });

    it(`quantized mode multiplies int8 activations by default: within 8-bit rounding of the float path; block prefill = steps [${backend}]`, async () => {
      const kernels = await createKernels({ backend });
      const bytes = smallLlama();
      const float = loadGguf(bytes, { kernels, activations: 'f32' });
      const int8 = loadGguf(bytes, { kernels });
      const explicit = loadGguf(bytes, { kernels, activations: 'int8' });
      const want = await modelLogits(float, TOKENS);
      const got = await modelLogits(int8, TOKENS);
      expect(await modelLogits(explicit, TOKENS)).toEqual(got);
      for (let i = 0; i < TOKENS.length; i++) {
        const scale = Math.max(...want[i].map(Math.abs));
        const d = maxAbsDiff(got[i], want[i]);
        // Activations rounded to 8 bits (steps of 1/127 of each block's max) move this random
        // model's logits by up to ~5% of their scale (measured); they must move (the int8 kernels
        // ran), and by no more than 10%.
        expect(d).toBeGreaterThan(1e-6);
        expect(d).toBeLessThan(0.1 * scale);
      }
      const long = Array.from({ length: 70 }, (_, i) => (i * 11 + 5) % C.vocab);
      const steps = await modelLogits(int8, long);
      int8.reset();
      expect(maxAbsDiff((await int8.prefill(long)), steps[69])).toBeLessThan(1e-4);
      expectError(() => loadGguf(bytes, { kernels, activations: 'int4' as 'f32' }), 'BAD_ARGUMENT', /opts.activations/);
      float.dispose(); int8.dispose(); explicit.dispose();
    });
  }

  it('dequantizes matrix kinds the kernels cannot read (here: float32 projections, Q4_1 embedding)', async () => {
    const q = loadGguf(smallLlama({ proj: TYPE.F32, emb: TYPE.Q4_1 }), { kernels: await createKernels({ backend: 'reference' }), activations: 'f32' });
    expect(q.layout.formats).toEqual({ tokEmb: 'Q4_1' });
    const f = loadGguf(smallLlama({ proj: TYPE.F32, emb: TYPE.Q4_1 }), { kernels: await createKernels({ backend: 'reference' }), weights: 'f32' });
    expect(maxAbsDiff((await modelLogits(q, TOKENS)).at(-1)!, (await modelLogits(f, TOKENS)).at(-1)!)).toBeLessThan(1e-4);
  });

  it('stored q/k rows expect adjacent RoPE pairs: un-permuted to half-split order they need the half pairing', async () => {
    const k = await createKernels({ backend: 'reference' });
    const model = loadGguf(smallLlama(), { kernels: k, weights: 'f32' });
    const c = model.config;
    expect(c.ropePairing).toBe('adjacent');
    const hfOrder = (pairing: 'half' | 'adjacent') => LlamaModel.create({ ...c, ropePairing: pairing }, k, (all, layout) => {
      const src = model.globalWeights();
      WeightLayout.view(all, layout.tokEmb).set(src.tokEmb);
      WeightLayout.view(all, layout.rmsFinal).set(src.rmsFinal);
      for (let l = 0; l < c.nLayers; l++) {
        const w = model.layerWeights(l);
        for (const t of LAYER_TENSORS) WeightLayout.view(all, layout.layers[l][t]).set(w[t]);
        WeightLayout.view(all, layout.layers[l].wq).set(permuteForHalfRope(w.wq, c.nHeads, c.dim, c.dim));
        WeightLayout.view(all, layout.layers[l].wk).set(permuteForHalfRope(w.wk, c.nKvHeads, c.kvDim, c.dim));
      }
    });
    const want = await modelLogits(model, TOKENS);
    const same = await modelLogits(hfOrder('half'), TOKENS);
    const wrong = await modelLogits(hfOrder('adjacent'), TOKENS);
    expect(maxAbsDiff(same.at(-1)!, want.at(-1)!)).toBeLessThan(1e-4);
    expect(maxAbsDiff(wrong.at(-1)!, want.at(-1)!)).toBeGreaterThan(1e-2);
  });

  it('rejects missing tensors, unsupported types, non-finite scales and bad options, naming file and tensor', async () => {
    const k = await createKernels({ backend: 'reference' });
    expectError(() => loadGguf(smallLlama({ drop: 'blk.1.ffn_up.weight' }), { kernels: k, name: 'm.gguf' }), 'BAD_FILE', 'm.gguf', /blk.1.ffn_up.weight is missing/);
    expectError(() => loadGguf(smallLlama({ emb: TYPE.Q5_0 }), { kernels: k, name: 'm.gguf' }), 'BAD_FILE', /token_embd.weight has type Q5_0/);
    const bytes = smallLlama();
    // Make the first Q8_0 scale of the embedding +Infinity (f16 0x7c00).
    const at = parseGguf(bytes).tensors.get('token_embd.weight')!.offset;
    const inf = bytes.slice(); inf[at] = 0x00; inf[at + 1] = 0x7c;
    expectError(() => loadGguf(inf, { kernels: k, name: 'm.gguf' }), 'BAD_FILE', /token_embd.weight has a non-finite Q8_0 scale in row 0, block 0/);
    expectError(() => loadGguf(inf, { kernels: k, name: 'm.gguf', weights: 'f32' }), 'BAD_FILE', /token_embd.weight has a non-finite value/);
    expect(() => loadGguf(inf, { kernels: k, checkFinite: false })).not.toThrow();
    expectError(() => loadGguf(bytes, { kernels: k, weights: 'q4' as 'f32' }), 'BAD_ARGUMENT', /opts.weights/);
    expectError(() => loadGguf(bytes, { kernels: k, maxSeqLen: 97 }), 'BAD_ARGUMENT', /maxSeqLen/);
    expectError(() => loadGguf(bytes, { kernels: k, thread: 2 } as never), 'BAD_ARGUMENT', /unknown option 'thread'/);
    expectError(() => loadGguf(null as unknown as Uint8Array, { kernels: k }), 'BAD_ARGUMENT', /bytes/);
  });
});


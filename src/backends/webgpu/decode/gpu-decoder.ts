/**
 * A dense Llama decode step as one command submission per token (DecodeStep, kernels/decode-step.ts).
 *
 * Built once per model: the RoPE table for every position, the activation buffers, and for every
 * layer its dispatches with their uniforms and bind groups (static-dispatch.ts). Per token the
 * host writes the position into the step buffer, encodes the copy of the embedding row and
 * 6 dispatches per layer (+2 for the classifier and argmax) into one command encoder, submits it
 * once, and maps one staging buffer when the logits or the greedy token are wanted:
 *
 *   per layer l:  qkvRope        q, k, v = W·RMSNorm(x); RoPE; k, v → K/V row pos
 *                 attentionChunks, attentionCombine   all heads, split over 64-token chunks
 *                 (an A²ATS retrieval cache instead: retrieval-attention.ts, the selection and
 *                 attention over the selected tokens, 7–8 dispatches; the step keeps the K/V)
 *                 residualRows   x += Wo·att
 *                 gateUpRows     u = SiLU(W1·RMSNorm(x))·(W3·RMSNorm(x))
 *                 residualRows   x += W2·u
 *                 (a gate-thresholded FFN instead: gated-ffn.ts, 5 dispatches over the kept rows;
 *                 thresholded q/k/v/o inputs: the same dispatches with their input masked)
 *   then          classifierRows logits = Wcls·RMSNorm(x);  argmax (greedy token)
 *
 * Activations live in separate buffers because WebGPU forbids one buffer bound both read-only and
 * writable in a dispatch. Work issued earlier through the kernels (the same GpuContext) is
 * submitted first, so the two paths can share the model's K/V store in program order.
 */
import { SparseInferenceError, badArgument } from '../../../core/errors.js';
import type { DecodeStep, DecodeStepSpec, DecodeWant } from '../../../kernels/decode-step.js';
import { GpuDeviceArray, type GpuContext, type GpuRef } from '../gpu-context.js';
import type { GpuBuffer, GpuComputePass } from '../gpu-types.js';
import { BufferUsage, MAP_READ_MODE } from '../gpu-types.js';
import { grid } from '../program.js';
import { ALL_GROUPS, StaticDispatch } from './static-dispatch.js';
import { qkvRopeProgram } from './qkv-rope.js';
import { ATTENTION_CHUNK, attentionChunksProgram, attentionCombineProgram } from './attention-chunks.js';
import { classifierRowsProgram, gateUpRowsProgram, residualRowsProgram } from './matrix-rows.js';
import { argmaxProgram } from './argmax.js';
import { ropeTableAll } from './rope-table.js';
import { embedRowProgram } from './embed-row.js';
import { addSlicesProgram, compactKeptProgram, DOWN_COLUMNS, DOWN_SLICES, downSlicesProgram, gateRowsProgram, upRowsProgram } from './gated-ffn.js';
import type { RowFormat } from './row-dots.js';
import { quantizedRowWords } from '../../../kernels/quantized-row-words.js';
import { A2ATS_WG } from './a2ats.js';
import { MAX_A2ATS_CENTROIDS, RetrievalAttention, retrievalScratchBuffers, retrievalScratchSizes } from './retrieval-attention.js';

const STORAGE = BufferUsage.STORAGE | BufferUsage.COPY_SRC | BufferUsage.COPY_DST;

/** A layer's FFN as recorded dispatches (ending with the residual add into x). */
interface FfnDispatches {
  encode(pass: GpuComputePass): void;
  readonly dispatches: StaticDispatch[];
}

interface LayerDispatches {
  qkv: StaticDispatch; attention: AttentionDispatches; wo: StaticDispatch; ffn: FfnDispatches;
}

/** A layer's attention (dense chunks + combine, or A²ATS retrieval) as recorded dispatches. */
interface AttentionDispatches {
  encode(pass: GpuComputePass, pos: number): void;
  readonly dispatches: StaticDispatch[];
}

/** The GPU's device-array ref, or BAD_ARGUMENT naming `what`. */
function refOf(what: string, a: unknown): GpuRef {
  if (!(a instanceof GpuDeviceArray)) throw badArgument(`${what} must be a device array of the webgpu backend`);
  return a.ref();
}

export class GpuDecoder implements DecodeStep {
  private readonly buffers: GpuBuffer[] = [];
  private readonly layers: LayerDispatches[];
  private readonly classifier: StaticDispatch;
  private readonly argmax: StaticDispatch;
  /** Decodes the token's row of a quantized embedding table (null: float32, copied). */
  private readonly embed: StaticDispatch | null;
  private readonly step: GpuBuffer;
  private readonly x: GpuBuffer;
  private readonly logits: GpuBuffer;
  private readonly token: GpuBuffer;
  private readonly staging: GpuBuffer;
  private readonly weights: GpuRef;
  private readonly stepWords = new Uint32Array(4);
  /** Submissions so far (the A²ATS mark stamp; wraps after 2³² / nLayers tokens). */
  private submitted = 0;
  private disposed = false;
  /** The previous token's read-back: the next step waits for it (one staging buffer). */
  private busy: Promise<unknown> = Promise.resolve();

  /**
   * null when the model is outside what the programs handle: odd head sizes, or matrices that one
   * dispatch reads together (Wq, Wk, Wv; W1, W3) stored in different formats.
   */
  static create(ctx: GpuContext, spec: DecodeStepSpec): GpuDecoder | null {
    if (spec.headDim % 2 !== 0 || spec.nHeads % spec.nKvHeads !== 0) return null;
    const f = (n: keyof NonNullable<DecodeStepSpec['formats']>) => spec.formats?.[n];
    if (f('wq') !== f('wk') || f('wq') !== f('wv') || f('w1') !== f('w3')) return null;
    // The gated FFN reads float32 W1/W3 rows and counts its kept rows in one indirect dispatch.
    if (spec.gatedFfn?.some((g) => g !== null) && (f('w1') !== undefined || spec.hiddenDim > ctx.maxGroupsPerDim)) return null;
    // A²ATS keeps a head and its histogram in one workgroup's memory.
    if (spec.retrieval && (spec.headDim > A2ATS_WG || spec.retrieval.size > MAX_A2ATS_CENTROIDS)) return null;
    return new GpuDecoder(ctx, spec);
  }

  private constructor(private readonly ctx: GpuContext, private readonly spec: DecodeStepSpec) {
    const s = spec;
    const d = ctx.device;
    const kvDim = s.nKvHeads * s.headDim;
    const buffer = (floats: number) => {
      const b = d.createBuffer({ size: Math.max(16, Math.ceil(floats / 4) * 16), usage: STORAGE });
      this.buffers.push(b);
      return b;
    };
    const at = (b: GpuBuffer): GpuRef => ({ buffer: b, offset: 0 });
    this.weights = refOf('weights', s.weights);
    const Q = s.quantized ? refOf('quantized', s.quantized) : null;
    const format = (n: keyof NonNullable<DecodeStepSpec['formats']>): RowFormat => s.formats?.[n] ?? 'f32';
    /** The bindings of a matrix of format f (row-dots.ts: matrixBindings), and its row length (floats or words) for `cols` columns. */
    const matrix = (f: RowFormat, normed = true) => (f === 'f32' ? [this.weights] : normed ? [this.weights, Q!] : [Q!]);
    const rowLen = (f: RowFormat, cols: number) => (f === 'f32' ? cols : quantizedRowWords(f, cols));
    try {
      const cs = buffer(s.seqLen * s.headDim);
      d.queue.writeBuffer(cs, 0, ropeTableAll(s.seqLen, s.headDim, s.ropeBase));
      this.step = buffer(4);
      this.x = buffer(s.dim);
      const r = s.retrieval;
      const q = buffer(r ? 2 * s.dim + kvDim : s.dim), att = buffer(s.dim), u = buffer(s.hiddenDim);
      const maxChunks = Math.ceil(s.seqLen / ATTENTION_CHUNK);
      const part = buffer(s.nHeads * maxChunks * (s.headDim + 2));
      this.logits = buffer(s.vocabSize);
      this.token = buffer(4);
      this.staging = d.createBuffer({ size: Math.ceil(s.vocabSize / 4) * 16, usage: BufferUsage.MAP_READ | BufferUsage.COPY_DST });
      this.buffers.push(this.staging);
      const x = at(this.x), step = at(this.step);
      const rows = (n: number) => grid(n, ctx.maxGroupsPerDim);
      // Scratch of the gated FFN, shared by its layers (none when every layer is dense).
      const gated = s.gatedFfn?.some((g) => g !== null) ? {
        gate: at(buffer(s.hiddenDim)), idx: at(buffer(s.hiddenDim)), h: at(buffer(s.hiddenDim)), part: at(buffer(DOWN_SLICES * s.dim)),
        args: d.createBuffer({ size: 16, usage: BufferUsage.STORAGE | BufferUsage.INDIRECT }),
      } : null;
      if (gated) this.buffers.push(gated.args);
      const attention = { hd: s.headDim, kvDim, group: s.nHeads / s.nKvHeads, maxChunks };
      const denseFfn = (steps: [StaticDispatch, number[]][]): FfnDispatches => ({
        dispatches: steps.map(([dsp]) => dsp),
        encode: (pass) => { for (const [dsp, groups] of steps) dsp.encode(pass, groups); },
      });
      const gatedFfnDispatches = (l: number, o: DecodeStepSpec['layers'][number]): FfnDispatches => {
        const g = s.gatedFfn![l]!, G = gated!;
        const blocks = Math.ceil(s.dim / DOWN_COLUMNS);
        const norm = { cols: s.dim, norm: o.rmsFfn, eps: s.normEps };
        const gate = new StaticDispatch(ctx, gateRowsProgram, { ...norm, w1: o.w1 },
          [this.weights, refOf(`gatedFfn[${l}].thresholds`, g.thresholds), x, G.gate], s.hiddenDim);
        const compact = new StaticDispatch(ctx, compactKeptProgram, { n: s.hiddenDim }, [G.gate, G.idx, at(G.args)], 1);
        const up = new StaticDispatch(ctx, upRowsProgram, { ...norm, w3: o.w3 }, [this.weights, x, G.gate, G.idx, G.h], ALL_GROUPS);
        const down = new StaticDispatch(ctx, downSlicesProgram, { dim: s.dim, blocks },
          [refOf(`gatedFfn[${l}].wDownT`, g.wDownT), G.h, G.idx, at(G.args), G.part], blocks * DOWN_SLICES);
        const addGroups = Math.ceil(s.dim / 64);
        const add = new StaticDispatch(ctx, addSlicesProgram, { dim: s.dim }, [G.part, x], addGroups);
        return {
          dispatches: [gate, compact, up, down, add],
          encode: (pass) => {
            gate.encode(pass, rows(s.hiddenDim));
            compact.encode(pass, [1]);
            up.encodeIndirect(pass, G.args);
            down.encode(pass, rows(blocks * DOWN_SLICES));
            add.encode(pass, rows(addGroups));
          },
        };
      };
      const scratch = r ? retrievalScratchBuffers(retrievalScratchSizes(s, r), (n) => at(buffer(n))) : null;
      const denseAttention = (keys: GpuRef, values: GpuRef): AttentionDispatches => {
        const chunks = new StaticDispatch(ctx, attentionChunksProgram, { ...attention, scale: 1 / Math.sqrt(s.headDim) },
          [at(q), keys, values, step, at(part)], ALL_GROUPS);
        const combine = new StaticDispatch(ctx, attentionCombineProgram, attention, [at(part), step, at(att)], s.nHeads);
        return {
          dispatches: [chunks, combine],
          encode: (pass, pos) => {
            chunks.encode(pass, [Math.ceil((pos + 1) / ATTENTION_CHUNK), s.nHeads]);
            combine.encode(pass, rows(s.nHeads));
          },
        };
      };
      this.layers = s.layers.map((o, l) => {
        // With retrieval the step keeps the layer's K/V itself (the cache lives on the device).
        const keys = r ? at(buffer(s.seqLen * kvDim)) : refOf(`kv[${l}].keys`, s.kv[l].keys);
        const values = r ? at(buffer(s.seqLen * kvDim)) : refOf(`kv[${l}].values`, s.kv[l].values);
        const fq = format('wq'), fo = format('wo'), f1 = format('w1'), f2 = format('w2');
        const t = s.inputThresholds?.[l] ?? {};
        const qkvMasked = t.q !== undefined || t.k !== undefined || t.v !== undefined;
        return {
          qkv: new StaticDispatch(ctx, qkvRopeProgram(s.ropePairing, fq, qkvMasked, r !== undefined), {
            dim: s.dim, kvDim, half: s.headDim / 2, eps: s.normEps, rowLen: rowLen(fq, s.dim), wq: o.wq, wk: o.wk, wv: o.wv, norm: o.rmsAtt,
            tq: t.q ?? 0, tk: t.k ?? 0, tv: t.v ?? 0,
          }, [...matrix(fq), x, at(cs), step, at(q), keys, values], (s.dim + 2 * kvDim) / 2),
          attention: r ? new RetrievalAttention(ctx, s, l, { q: at(q), keys, values, step, part: at(part), att: at(att) }, scratch!, buffer)
            : denseAttention(keys, values),
          wo: new StaticDispatch(ctx, residualRowsProgram(fo, t.o !== undefined), { cols: s.dim, rowLen: rowLen(fo, s.dim), w: o.wo, t: t.o ?? 0 },
            [...matrix(fo, false), at(att), x], s.dim),
          ffn: s.gatedFfn?.[l] && gated ? gatedFfnDispatches(l, o) : denseFfn([
            [new StaticDispatch(ctx, gateUpRowsProgram(f1), {
              cols: s.dim, rowLen: rowLen(f1, s.dim), w1: o.w1, w3: o.w3, norm: o.rmsFfn, eps: s.normEps,
            }, [...matrix(f1), x, at(u)], s.hiddenDim), rows(s.hiddenDim)],
            [new StaticDispatch(ctx, residualRowsProgram(f2), { cols: s.hiddenDim, rowLen: rowLen(f2, s.hiddenDim), w: o.w2 },
              [...matrix(f2, false), at(u), x], s.dim), rows(s.dim)],
          ]),
        };
      });
      const fc = format('wcls'), fe = format('tokEmb');
      this.classifier = new StaticDispatch(ctx, classifierRowsProgram(fc), {
        cols: s.dim, rowLen: rowLen(fc, s.dim), w: s.wcls, norm: s.rmsFinal, eps: s.normEps,
      }, [...matrix(fc), x, at(this.logits)], s.vocabSize);
      this.embed = fe === 'f32' ? null
        : new StaticDispatch(ctx, embedRowProgram(fe), { cols: s.dim, rowLen: rowLen(fe, s.dim), w: s.tokEmb }, [Q!, step, x], s.dim / 32);
      this.argmax = new StaticDispatch(ctx, argmaxProgram, { n: s.vocabSize }, [at(this.logits), at(this.token)], 1);
    } catch (e) {
      this.dispose();
      throw e;
    }
  }

  run(token: number, pos: number, want: 'logits'): Promise<Float32Array>;
  run(token: number, pos: number, want: 'token'): Promise<number>;
  run(token: number, pos: number, want: 'none'): Promise<void>;
  run(token: number, pos: number, want: DecodeWant): Promise<Float32Array | number | void> {
    if (this.disposed) return Promise.reject(badArgument('decoder was disposed'));
    const s = this.spec;
    if (!Number.isInteger(token) || token < 0 || token >= s.vocabSize) return Promise.reject(badArgument(`token must be an integer in [0, ${s.vocabSize}), got ${token}`));
    if (!Number.isInteger(pos) || pos < 0 || pos >= s.seqLen) return Promise.reject(badArgument(`pos must be an integer in [0, ${s.seqLen}), got ${pos}`));
    const result = this.busy.then(() => this.ctx.ordered(() => this.submit(token, pos, want)));
    this.busy = result.catch(() => undefined);
    return result as Promise<Float32Array | number | void>;
  }

  /** Encode and submit one token; resolves when its read-back (if any) has arrived. */
  private async submit(token: number, pos: number, want: DecodeWant): Promise<Float32Array | number | void> {
    const s = this.spec, ctx = this.ctx, d = ctx.device;
    ctx.flush(); // kernel calls issued before this step run first
    ctx.checkAlive();
    d.pushErrorScope('validation');
    this.stepWords[0] = pos;
    this.stepWords[1] = token;
    if (s.retrieval) {
      this.stepWords[2] = ++this.submitted; // a new stamp for the selection's marks (a2ats.ts)
      this.stepWords[3] = s.retrieval.farBudget(pos);
    }
    d.queue.writeBuffer(this.step, 0, this.stepWords);
    const enc = d.createCommandEncoder();
    if (!this.embed) enc.copyBufferToBuffer(this.weights.buffer, (this.weights.offset + s.tokEmb + token * s.dim) * 4, this.x, 0, s.dim * 4);
    const pass = enc.beginComputePass();
    const rows = (n: number) => grid(n, ctx.maxGroupsPerDim);
    this.embed?.encode(pass, rows(s.dim / 32));
    const kvPairs = s.nKvHeads * s.headDim / 2;
    for (const L of this.layers) {
      L.qkv.encode(pass, rows(s.dim / 2 + 2 * kvPairs));
      L.attention.encode(pass, pos);
      L.wo.encode(pass, rows(s.dim));
      L.ffn.encode(pass);
    }
    if (want !== 'none') this.classifier.encode(pass, rows(s.vocabSize));
    if (want === 'token') this.argmax.encode(pass, [1]);
    pass.end();
    const bytes = want === 'logits' ? s.vocabSize * 4 : 8;
    if (want !== 'none') enc.copyBufferToBuffer(want === 'logits' ? this.logits : this.token, 0, this.staging, 0, bytes);
    d.queue.submit([enc.finish()]);
    ctx.submissions++;
    const validation = d.popErrorScope().then((err) => {
      if (err) throw new SparseInferenceError('UNAVAILABLE', `webgpu validation error in the decode step (a bug in the backend): ${err.message}`);
    });
    if (want === 'none') return validation;
    await Promise.all([validation, this.staging.mapAsync(MAP_READ_MODE, 0, bytes)]);
    const data = this.staging.getMappedRange(0, bytes).slice(0);
    this.staging.unmap();
    if (want === 'logits') return new Float32Array(data);
    const [best, nan] = new Uint32Array(data);
    if (nan !== 0xFFFFFFFF) throw badArgument(`logits[${nan}] is NaN`);
    return best;
  }

  get residentBytes(): number {
    const uniforms = [...this.layers.flatMap((L) => [L.qkv, ...L.attention.dispatches, L.wo, ...L.ffn.dispatches]), this.classifier, this.argmax, ...(this.embed ? [this.embed] : [])]
      .reduce((t, dsp) => t + dsp.uniformBuffer.size, 0);
    return this.buffers.reduce((t, b) => t + b.size, 0) + uniforms;
  }

  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    this.ctx.flush();
    for (const L of this.layers ?? []) for (const dsp of [L.qkv, ...L.attention.dispatches, L.wo, ...L.ffn.dispatches]) dsp.dispose();
    this.classifier?.dispose();
    this.embed?.dispose();
    this.argmax?.dispose();
    for (const b of this.buffers) b.destroy();
  }
}

/**
 * A layer's A²ATS attention as recorded dispatches of the decode step (programs: a2ats.ts).
 * The step owns the cache: per layer the full K/V, the codes and occurrences, and the layer's
 * codebooks with the WRoPE rotation; the tables and counts are scratch shared by the layers
 * (each layer's dispatches finish before the next layer's start, in pass order).
 */
import type { DecodeRetrieval, DecodeStepSpec } from '../../../kernels/decode-step.js';
import type { GpuContext, GpuRef } from '../gpu-context.js';
import type { GpuBuffer, GpuComputePass } from '../gpu-types.js';
import { grid } from '../program.js';
import { ALL_GROUPS, StaticDispatch } from './static-dispatch.js';
import { ATTENTION_CHUNK, attentionCombineProgram, chunksProgram } from './attention-chunks.js';
import { A2ATS_SELECTION, A2ATS_WG, codeCountsProgram, countSlots, cutoffProgram, encodeKeyProgram, lutProgram, markKeysProgram, rankBaseProgram } from './a2ats.js';

/** Largest codebook the counting program's workgroup memory holds (4096 u32 = 16 KiB). */
export const MAX_A2ATS_CENTROIDS = 4096;

/** Scratch every layer's retrieval shares. */
export interface RetrievalScratch {
  lut: GpuRef; cnt: GpuRef; rank: GpuRef; mark: GpuRef; cutoff: GpuRef;
}

/** Sizes (in 4-byte elements) of the shared scratch. */
export function retrievalScratchSizes(s: DecodeStepSpec, r: DecodeRetrieval): Record<keyof RetrievalScratch, number> {
  return {
    lut: s.nHeads * r.size, cnt: s.nKvHeads * r.size, rank: s.nHeads * r.size,
    mark: r.mode === 'total' ? s.seqLen * s.nHeads : 1, cutoff: s.nKvHeads,
  };
}

/** The shared scratch, one buffer per field of the given sizes. */
export function retrievalScratchBuffers(sizes: Record<keyof RetrievalScratch, number>, make: (elements: number) => GpuRef): RetrievalScratch {
  return { lut: make(sizes.lut), cnt: make(sizes.cnt), rank: make(sizes.rank), mark: make(sizes.mark), cutoff: make(sizes.cutoff) };
}

/** One layer's codebooks and rotation in the `book` layout (a2ats.ts). */
export function layerBook(s: DecodeStepSpec, r: DecodeRetrieval, layer: number): { data: Float32Array; whitenedAt: number; factorAt: number; csAt: number } {
  const d = s.headDim, per = s.nKvHeads * r.size * d, sq = s.nKvHeads * d * d, half = d / 2;
  const factorAt = 2 * per, csAt = factorAt + (r.factor ? sq : 0);
  const data = new Float32Array(csAt + d);
  data.set(r.centroids.subarray(layer * per, (layer + 1) * per), 0);
  data.set(r.whitened.subarray(layer * per, (layer + 1) * per), per);
  if (r.factor) data.set(r.factor.subarray(layer * sq, (layer + 1) * sq), factorAt);
  // WRoPE: queries rotated to position b (kernels' rope: angle = b·base^(−2t/d)).
  for (let t = 0; t < half; t++) {
    const angle = r.distance * Math.pow(s.ropeBase, (-2 * t) / d);
    data[csAt + t] = Math.cos(angle);
    data[csAt + half + t] = Math.sin(angle);
  }
  return { data, whitenedAt: per, factorAt, csAt };
}

export class RetrievalAttention {
  readonly dispatches: StaticDispatch[];
  private readonly encodeKey: StaticDispatch;
  private readonly lut: StaticDispatch;
  private readonly counts: StaticDispatch;
  private readonly rankBase: StaticDispatch;
  private readonly mark: StaticDispatch | null;
  private readonly cutoff: StaticDispatch;
  private readonly chunks: StaticDispatch;
  private readonly combine: StaticDispatch;

  /**
   * @param q q (dim), then the pre-RoPE q (dim) and k (kvDim), as qkvRope writes them with `pre`
   * @param own allocates a zeroed storage buffer of n 4-byte elements that the step owns
   */
  constructor(private readonly ctx: GpuContext, private readonly s: DecodeStepSpec, layer: number,
    io: { q: GpuRef; keys: GpuRef; values: GpuRef; step: GpuRef; part: GpuRef; att: GpuRef }, scratch: RetrievalScratch,
    own: (n: number) => GpuBuffer) {
    const r = s.retrieval!, kvDim = s.nKvHeads * s.headDim, group = s.nHeads / s.nKvHeads;
    const book = layerBook(s, r, layer);
    const bookBuffer = own(book.data.length);
    ctx.device.queue.writeBuffer(bookBuffer, 0, book.data);
    const index = { buffer: own(2 * s.nKvHeads * s.seqLen), offset: 0 }, bookRef = { buffer: bookBuffer, offset: 0 };
    const maxChunks = Math.ceil(s.seqLen / ATTENTION_CHUNK);
    const shape = { size: r.size, seqLen: s.seqLen, nKv: s.nKvHeads, sinks: r.sinks, window: r.window, group, nLayers: s.nLayers, layer };
    this.encodeKey = new StaticDispatch(ctx, encodeKeyProgram(r.factor !== null), {
      ...shape, dim: s.dim, hd: s.headDim, whitenedAt: book.whitenedAt, factorAt: book.factorAt,
    }, [io.q, bookRef, io.step, index], s.nKvHeads);
    this.lut = new StaticDispatch(ctx, lutProgram(s.ropePairing), {
      ...shape, dim: s.dim, hd: s.headDim, half: s.headDim / 2, csAt: book.csAt, scale: 1 / Math.sqrt(s.headDim),
    }, [io.q, bookRef, scratch.lut], s.nHeads);
    this.counts = new StaticDispatch(ctx, codeCountsProgram(countSlots(r.size)), shape, [index, io.step, scratch.cnt], s.nKvHeads);
    this.rankBase = new StaticDispatch(ctx, rankBaseProgram, shape, [scratch.lut, scratch.cnt, scratch.rank], ALL_GROUPS);
    this.mark = r.mode === 'total' ? new StaticDispatch(ctx, markKeysProgram, shape, [index, scratch.rank, io.step, scratch.mark], ALL_GROUPS) : null;
    this.cutoff = new StaticDispatch(ctx, cutoffProgram(r.mode), shape, [...(this.mark ? [scratch.mark] : []), io.step, scratch.cutoff], s.nKvHeads);
    this.chunks = new StaticDispatch(ctx, chunksProgram(A2ATS_SELECTION), {
      ...shape, hd: s.headDim, kvDim, maxChunks, scale: 1 / Math.sqrt(s.headDim),
    }, [io.q, io.keys, io.values, io.step, index, scratch.rank, scratch.cutoff, io.part], ALL_GROUPS);
    this.combine = new StaticDispatch(ctx, attentionCombineProgram, { hd: s.headDim, kvDim, group, maxChunks }, [io.part, io.step, io.att], s.nHeads);
    this.dispatches = [this.encodeKey, this.lut, this.counts, this.rankBase, ...(this.mark ? [this.mark] : []), this.cutoff, this.chunks, this.combine];
  }

  /** Record the layer's selection and attention for the token at pos (after its qkvRope). */
  encode(pass: GpuComputePass, pos: number): void {
    const s = this.s, r = s.retrieval!, rows = (n: number) => grid(n, this.ctx.maxGroupsPerDim);
    this.encodeKey.encode(pass, rows(s.nKvHeads));
    this.lut.encode(pass, rows(s.nHeads));
    this.counts.encode(pass, rows(s.nKvHeads));
    this.rankBase.encode(pass, [Math.ceil(r.size / A2ATS_WG), s.nHeads]);
    this.mark?.encode(pass, [Math.ceil((pos + 1) / A2ATS_WG), s.nKvHeads]);
    this.cutoff.encode(pass, rows(s.nKvHeads));
    this.chunks.encode(pass, [Math.ceil((pos + 1) / ATTENTION_CHUNK), s.nHeads]);
    this.combine.encode(pass, rows(s.nHeads));
  }

  dispose(): void {
    for (const d of this.dispatches) d.dispose();
  }
}

/**
 * The A²ATS evaluation protocol on a real model (He et al., arXiv 2502.12665 §4, after Quest's
 * perplexity protocol): each document is truncated to `context + scored` tokens; its first
 * context − 1 tokens are prefilled once with dense attention, and every method then decodes the
 * last `scored` tokens with teacher forcing, retrieving at every decode step in every layer:
 *
 *   dense prefill of ids[0 … C−2]  →  snapshot of every layer's K/V (shared by all methods)
 *   per method: restore the snapshot into its RetrievalKvCache, then for p = C−1 … C+L−2
 *               logits_p = forward(ids[p], p),  NLL += −log softmax(logits_p)[ids[p+1]]
 *
 * So each scored token ids[C … C+L−1] is predicted by a step that attended sparsely in all layers.
 *
 * Budgets: A²ATS keeps each query head's top-⌊ρn⌋ far tokens and attends to their union over the
 * GQA group (the paper's rule; the union factor is reported). Every other method (oracle, plain
 * VQ, Quest, PQCache) then gets, per KV head and step, the same number of far tokens as A²ATS
 * selected on average on that document (budget mode 'total' at A²ATS's realized far fraction):
 * all methods are compared at the same realized budget. Without A²ATS every method uses the
 * per-head rule. Sinks and window come on top of the far budget.
 *
 * `full` (every token, through the same RetrievalKvCache and attention kernel) is the reference of
 * ΔNLL, so ρ = 1 gives ΔNLL = 0 exactly. With `tiesBudget`, A²ATS also runs with ties broken
 * toward recent tokens at that ρ, to measure what the tie rule costs.
 */
import type { CpuKernels } from '../../kernels/kernels.js';
import { checkKernels } from '../../kernels/check-kernels.js';
import { badArgument, throwIfAborted } from '../../core/errors.js';
import { checkInt, checkNumber, checkOneOf } from '../../core/validate.js';
import { checkOptions, optionKeys } from '../../core/options.js';
import type { LlamaModel } from '../../llama/model.js';
import type { LayerKvCache } from '../../llama/dense-kv-cache.js';
import { DenseKvCache } from '../../llama/dense-kv-cache.js';
import { checkLlamaModel } from '../../llama/check-llama-args.js';
import { tokenNll } from '../../llama/evaluate-nll.js';
import type { Budget } from '../budget.js';
import type { CodebookSet } from '../codebook-set.js';
import type { PqCacheOptions } from '../methods/pqcache.js';
import { RetrievalKvCache } from '../retrieval-kv-cache.js';
import { yieldToEventLoop } from '../cooperative.js';
import { LayerMetrics, type LayerRow } from './layer-metrics.js';
import type { MethodName } from './methods.js';

/** The methods of the protocol. */
export const DECODE_EVAL_METHODS = ['full', 'oracle', 'a2ats', 'vq-wrope', 'quest', 'pqcache'] as const;
export type DecodeEvalMethod = (typeof DECODE_EVAL_METHODS)[number];

/** The retrieval caches' settings, shared by evaluateDecode and evaluatePasskey. */
export interface RetrievalSettings {
  /** Window w (default 64), sinks (default 8), WRoPE distance b (default the codebooks', else 2048). */
  window?: number;
  sinks?: number;
  distance?: number;
  codebooks?: { queryAware?: CodebookSet; plain?: CodebookSet };
  /** Quest page size (default 16, Quest's). */
  questPageSize?: number;
}

/** Sizes, budgets, methods and retrieval settings of evaluateDecode. */
export interface DecodeEvalOptions extends RetrievalSettings {
  /** Tokens before the first scored token (C). */
  context: number;
  /** Tokens scored at the end of each (truncated) document (L). */
  scored: number;
  /** ρ values (default 0.01, 0.03, 0.1). */
  budgets?: number[];
  /** Default: all of DECODE_EVAL_METHODS. 'full' is always run (the reference). */
  methods?: DecodeEvalMethod[];
  pq?: PqCacheOptions;
  /** Measure recall and score errors at every k-th scored step (default 1: all); budgets and NLL use every step. */
  metricsEvery?: number;
  /** Also run A²ATS with ties broken toward recent tokens at this ρ. */
  tiesBudget?: number;
  onProgress?: (fraction: number, label: string) => void;
  signal?: AbortSignal;
}

const DECODE_EVAL_KEYS = optionKeys<DecodeEvalOptions>({
  context: true, scored: true, budgets: true, methods: true, window: true, sinks: true, distance: true, codebooks: true,
  questPageSize: true, pq: true, metricsEvery: true, tiesBudget: true, onProgress: true, signal: true,
});

/** One method at one nominal budget, over every document. */
export interface DecodeCell {
  method: DecodeEvalMethod;
  /** Nominal ρ (1 for full). */
  budget: number;
  /** 'perHead': top-⌊ρn⌋ per query head, GQA union; 'total': far tokens matched to A²ATS per document. */
  mode: 'perHead' | 'total';
  ties: 'oldest' | 'recent';
  /** Per document: mean NLL of the scored tokens, mean recall, relError, far fraction realized. */
  nll: number[];
  recall: number[];
  relError: number[];
  farFraction: number[];
  /** Pooled over documents, steps and KV heads. */
  realized: { selected: number; far: number; unionFactor: number };
  pooled: Omit<LayerRow, 'layer'>;
  layers: LayerRow[];
}

export interface DecodeEvalResult {
  documents: { id: string; tokens: number }[];
  context: number;
  scored: number;
  window: number;
  sinks: number;
  distance: number;
  cells: DecodeCell[];
  seconds: { prefill: number; decode: number };
}

/** A document: an id and its token ids (at least context + scored). */
export interface DecodeEvalDocument {
  id: string;
  ids: readonly number[];
}

/**
 * Run the protocol on `documents` (see the file header).
 * @example const r = await evaluateDecode(kernels, model, docs, { context: 2048, scored: 128, codebooks });
 */
export async function evaluateDecode(kernels: CpuKernels, model: LlamaModel, documents: readonly DecodeEvalDocument[],
  options: DecodeEvalOptions): Promise<DecodeEvalResult> {
  checkKernels('kernels', kernels);
  checkLlamaModel('model', model);
  if (options === null || typeof options !== 'object') throw badArgument('evaluateDecode options must give context and scored');
  const o = checkOptions('evaluateDecode options', options, DECODE_EVAL_KEYS);
  const c = model.config, d = c.headDim, g = c.nHeads / c.nKvHeads;
  const scored = checkInt('scored', o.scored, 1);
  const context = checkInt('context', o.context, 2, c.seqLen - scored);
  const budgets = o.budgets ?? [0.01, 0.03, 0.1];
  if (!Array.isArray(budgets) || budgets.length === 0) throw badArgument('budgets must be a non-empty array of fractions');
  budgets.forEach((b, i) => checkNumber(`budgets[${i}]`, b, 0, 1));
  const methods = o.methods ?? [...DECODE_EVAL_METHODS];
  if (!Array.isArray(methods) || methods.length === 0) throw badArgument('methods must be a non-empty array');
  for (const m of methods) checkOneOf('methods[]', m, DECODE_EVAL_METHODS);
  const recorded = (o.codebooks?.queryAware ?? o.codebooks?.plain)?.info.wrope;
  const window = checkInt('window', o.window ?? 64, 0), sinks = checkInt('sinks', o.sinks ?? 8, 0);
  const distance = checkNumber('distance', o.distance ?? recorded?.distance ?? 2048, 0);
  const metricsEvery = checkInt('metricsEvery', o.metricsEvery ?? 1, 1);
  if (o.tiesBudget !== undefined) checkNumber('tiesBudget', o.tiesBudget, 0, 1);
  if (!Array.isArray(documents) || documents.length === 0) throw badArgument('documents must be a non-empty array of { id, ids }');
  documents.forEach((doc, i) => {
    if (doc === null || typeof doc !== 'object' || !Array.isArray(doc.ids)) throw badArgument(`documents[${i}] must be { id, ids }`);
    if (doc.ids.length < context + scored) throw badArgument(`documents[${i}] (${doc.id}) has ${doc.ids.length} tokens, fewer than context + scored = ${context + scored}`);
  });
  const progress = o.onProgress ?? (() => {});
  const signal = o.signal;
  const rope = { distance, base: c.ropeBase, pairing: c.ropePairing };

  // Cells in run order: full, then per ρ A²ATS first (its realized budget sets the others').
  const matched = methods.includes('a2ats');
  type Plan = { method: DecodeEvalMethod; budget: number; mode: 'perHead' | 'total'; ties: 'oldest' | 'recent' };
  const plans: Plan[] = [{ method: 'full', budget: 1, mode: 'perHead', ties: 'oldest' }];
  for (const b of budgets) {
    if (matched) plans.push({ method: 'a2ats', budget: b, mode: 'perHead', ties: 'oldest' });
    for (const m of methods) if (m !== 'full' && m !== 'a2ats') plans.push({ method: m, budget: b, mode: matched ? 'total' : 'perHead', ties: 'oldest' });
  }
  if (o.tiesBudget !== undefined && matched) plans.push({ method: 'a2ats', budget: o.tiesBudget, mode: 'perHead', ties: 'recent' });
  const accs = plans.map((p) => new LayerMetrics(kernels, c.nLayers, d, g, rope, p.mode === 'perHead' && p.method !== 'full' ? p.budget : undefined));
  const cells: DecodeCell[] = plans.map((p) => ({
    ...p, nll: [], recall: [], relError: [], farFraction: [],
    realized: { selected: NaN, far: NaN, unionFactor: NaN }, pooled: { recall: NaN, relError: NaN, scoreError: NaN, quantError: NaN, wropeError: NaN }, layers: [],
  }));
  let prefillSeconds = 0, decodeSeconds = 0;
  const total = documents.length * plans.length;
  try {
    for (let di = 0; di < documents.length; di++) {
      const ids = documents[di].ids.slice(0, context + scored);
      const t0 = performance.now();
      const snapshot = await densePrefill(model, ids.slice(0, context - 1), signal);
      prefillSeconds += (performance.now() - t0) / 1000;
      const t1 = performance.now();
      const a2atsFar = new Map<number, number>();
      for (let pi = 0; pi < plans.length; pi++) {
        throwIfAborted(signal, 'evaluation');
        const p = plans[pi], acc = accs[pi];
        const fraction = p.mode === 'total' ? a2atsFar.get(p.budget)! : p.budget;
        const budget: Budget = { mode: p.mode, fraction: Math.min(1, fraction) };
        let scoring = false;
        acc.startDocument();
        const kv = new RetrievalKvCache({
          method: p.method as MethodName, window, sinks, budget, distance, codebooks: o.codebooks, ties: p.ties,
          questPageSize: o.questPageSize ?? 16, pq: o.pq ?? { subspaces: 2, bits: 4 }, signal,
          probe: (info) => acc.add(info, scoring && p.method !== 'full'), probeOutput: 'selected',
        });
        await model.use({ kv });
        let nll = 0;
        try {
          await model.restoreKv(snapshot, context - 1);
          for (let s = 0; s < scored; s++) {
            await yieldToEventLoop();
            throwIfAborted(signal, 'evaluation');
            const pos = context - 1 + s;
            scoring = s % metricsEvery === 0;
            const logits = await model.forward(ids[pos], pos);
            nll += tokenNll(logits, c.vocabSize, ids[pos + 1]);
          }
        } finally {
          await model.use({ kv: new DenseKvCache() }); // disposes the method's cache
        }
        const cell = cells[pi], m = acc.documentMeans();
        cell.nll.push(nll / scored);
        cell.recall.push(m.recall);
        cell.relError.push(m.relError);
        cell.farFraction.push(m.farFraction);
        if (p.method === 'a2ats' && p.ties === 'oldest') a2atsFar.set(p.budget, m.farFraction);
        progress((di * plans.length + pi + 1) / total, `${documents[di].id}: ${p.method} ρ=${p.budget}`);
      }
      decodeSeconds += (performance.now() - t1) / 1000;
    }
    for (let pi = 0; pi < plans.length; pi++) {
      const acc = accs[pi], b = acc.budget;
      cells[pi].realized = { selected: b.selected / b.context, far: b.far / b.context, unionFactor: b.perHeadK > 0 ? b.unionFar / b.perHeadK : NaN };
      cells[pi].pooled = acc.pooled();
      cells[pi].layers = acc.rows();
    }
  } finally {
    for (const a of accs) a.dispose();
  }
  return {
    documents: documents.map((doc) => ({ id: doc.id, tokens: context + scored })), context, scored, window, sinks, distance, cells,
    seconds: { prefill: prefillSeconds, decode: decodeSeconds },
  };
}

/**
 * Prefill `ids` with the dense cache (in blocks) and copy every layer's keys (pre- and post-RoPE)
 * and values: the snapshot each method's cache is restored from.
 */
export async function densePrefill(model: LlamaModel, ids: readonly number[], signal?: AbortSignal): Promise<LayerKvCache[]> {
  checkLlamaModel('model', model);
  if (!(model.components.kv instanceof DenseKvCache)) await model.use({ kv: new DenseKvCache() });
  model.reset();
  await model.prefill(ids, 0, { signal });
  const n = ids.length * model.config.kvDim;
  return Array.from({ length: model.config.nLayers }, (_, l) => {
    const s = model.kvCache(l);
    return { keys: s.keys.slice(0, n), keysPreRope: s.keysPreRope.slice(0, n), values: s.values.slice(0, n), length: ids.length };
  });
}

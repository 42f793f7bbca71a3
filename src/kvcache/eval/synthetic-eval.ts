/**
 * Evaluation on synthetic long-context data (spec §7a): calibrate codebooks on calibration
 * sequences, then on other (test) sequences prefill n − steps tokens and run `steps` decode
 * steps; at each step every method selects tokens for every KV head at every budget and is
 * scored against exact attention (metrics.ts).
 *
 * @example
 * const res = await evaluateSynthetic(kernels, { n: 32768, budgets: [0.015, 0.03, 0.06] });
 * console.table(res.rows);
 */
import { checkKernels } from '../../kernels/check-kernels.js';
import type { CpuKernels } from '../../kernels/kernels.js';
import { throwIfAborted } from '../../core/errors.js';
import { checkInt } from '../../core/validate.js';
import { checkOptions, optionKeys, LONG_RUN_KEYS } from '../../core/options.js';
import type { Budget } from '../budget.js';
import { KvCalibration } from '../calibration.js';
import type { CodebookSet } from '../codebook-set.js';
import { yieldToEventLoop } from '../cooperative.js';
import { KvStore } from '../kv-store.js';
import { ExactReference, stepMetrics } from '../metrics.js';
import type { PqCacheOptions } from '../methods/pqcache.js';
import { farEstimates } from './estimates.js';
import { Retrieval, type Selection } from '../retrieval.js';
import type { RetrievalMethod } from '../retrieval-method.js';
import { attendSelected } from '../sparse-attention.js';
import type { SyntheticConfig } from '../synthetic/config.js';
import { SyntheticAttention } from '../synthetic/generator.js';
import type { WRopeConfig } from '../wrope.js';
import { RowAccumulator, type EvalRow } from './eval-row.js';
import { createMethod, type MethodName } from './methods.js';

/** How the synthetic codebooks are calibrated. */
export interface SyntheticCalibrationOptions {
  /** Calibration sequences and their length (default 4 × n; the codebooks must see the topic vocabulary). */
  sequences?: number;
  length?: number;
  /** Collect the queries of every `queryStride`-th position (default 8). */
  queryStride?: number;
  /** Codebook size K_c (default 1024) and Lloyd iterations (default 25). */
  size?: number;
  iterations?: number;
  /** Use at most this many keys per codebook (default all). */
  maxKeys?: number;
  kinds?: ('query-aware' | 'plain')[];
  seed?: number;
}

/** Data, sizes, methods, budgets and WRoPE setting of a synthetic evaluation. */
export interface SyntheticEvalOptions {
  synthetic?: Partial<SyntheticConfig>;
  /** Context length at the first decode step + steps (default 32768). */
  n?: number;
  testSequences?: number;
  decodeSteps?: number;
  calibration?: SyntheticCalibrationOptions;
  /** Reuse codebooks (e.g. across ablations) instead of calibrating. */
  codebooks?: { queryAware?: CodebookSet; plain?: CodebookSet };
  window?: number;
  sinks?: number;
  /** WRoPE distance b (default 2048). */
  distance?: number;
  budgets?: number[];
  budgetMode?: 'total' | 'perHead';
  methods?: MethodName[];
  questPageSize?: number;
  pq?: PqCacheOptions;
  onProgress?: (fraction: number, label: string) => void;
  signal?: AbortSignal;
}

/** Every key of SyntheticEvalOptions (for checkOptions; the ablation runner extends it). */
export const SYNTHETIC_EVAL_KEYS = optionKeys<SyntheticEvalOptions>({
  synthetic: true, n: true, testSequences: true, decodeSteps: true, calibration: true, codebooks: true,
  window: true, sinks: true, distance: true, budgets: true, budgetMode: true, methods: true,
  questPageSize: true, pq: true, onProgress: true, signal: true,
});

/** Rows, the resolved configuration, the codebooks used, and timings. */
export interface SyntheticEvalResult {
  rows: EvalRow[];
  config: SyntheticConfig;
  n: number;
  wrope: WRopeConfig;
  sinks: number;
  codebooks: { queryAware?: CodebookSet; plain?: CodebookSet };
  seconds: { calibration: number; evaluation: number };
}

/** What calibrateSynthetic takes: the calibration settings, the sequence length, progress and cancel. */
export interface SyntheticCalibrationRunOptions extends SyntheticCalibrationOptions {
  /** Tokens per calibration sequence. */
  length: number;
  /** fraction in [0, 1] and what is being done ('calibration data 2/4', 'query-aware lloyd 3/25', …). */
  onProgress?: (fraction: number, label: string) => void;
  signal?: AbortSignal;
}

const CALIBRATION_KEYS = optionKeys<SyntheticCalibrationOptions>({
  sequences: true, length: true, queryStride: true, size: true, iterations: true, maxKeys: true, kinds: true, seed: true,
});

/**
 * Between units of work (one KV head of a step, one method's prefill of one head, one
 * calibration query): return to the event loop when ~20 ms have passed, then check the signal.
 */
async function pause(signal: AbortSignal | undefined, what: string): Promise<void> {
  await yieldToEventLoop(20);
  throwIfAborted(signal, what);
}

/**
 * Calibrate query-aware and/or plain codebooks on synthetic calibration sequences.
 * @example const { queryAware } = await calibrateSynthetic(kernels, gen, wrope, { length: 4096, size: 256 });
 */
export async function calibrateSynthetic(kernels: CpuKernels, gen: SyntheticAttention, wrope: WRopeConfig,
  options: SyntheticCalibrationRunOptions): Promise<{ queryAware?: CodebookSet; plain?: CodebookSet }> {
  checkKernels('kernels', kernels);
  const o = checkOptions('calibrateSynthetic options', options, [...CALIBRATION_KEYS, ...LONG_RUN_KEYS]);
  const signal = o.signal;
  const progress = o.onProgress ?? (() => {});
  const c = gen.config, d = c.headDim;
  const sequences = checkInt('calibration.sequences', o.sequences ?? 4, 1);
  const len = checkInt('calibration.length', o.length, 2);
  const stride = checkInt('calibration.queryStride', o.queryStride ?? 8, 1);
  const cal = new KvCalibration({ nLayers: 1, nKvHeads: c.nKvHeads, nHeads: c.nKvHeads * c.groupSize, headDim: d, wrope });
  for (let s = 0; s < sequences; s++) {
    throwIfAborted(signal, 'calibration');
    const seq = await gen.sequenceAsync(len, 100000 + s + (o.seed ?? 0) * 1000, { signal });
    for (let h = 0; h < c.nKvHeads; h++) cal.addKeys(0, h, seq.keysPre.subarray(h * len * d, (h + 1) * len * d), len);
    for (let pos = stride - 1; pos < len; pos += stride) {
      cal.addQueries(0, seq.queries(pos), kernels);
      await pause(signal, 'calibration');
    }
    progress((s + 1) / sequences * 0.1, `calibration data ${s + 1}/${sequences}`);
    await yieldToEventLoop();
  }
  const out: { queryAware?: CodebookSet; plain?: CodebookSet } = {};
  const kinds = o.kinds ?? ['query-aware', 'plain'];
  for (let i = 0; i < kinds.length; i++) {
    const set = await cal.train(kernels, {
      size: o.size ?? 1024, kind: kinds[i], maxIterations: o.iterations ?? 25, maxKeys: o.maxKeys, seed: o.seed ?? 0,
      signal, onProgress: (f, l) => progress(0.1 + 0.9 * (i + f) / kinds.length, `${kinds[i]} ${l}`),
    });
    if (kinds[i] === 'query-aware') out.queryAware = set; else out.plain = set;
  }
  return out;
}

/**
 * Calibrate (unless codebooks are given), then evaluate every method at every budget on test
 * sequences (see the file header).
 * @example const { rows } = await evaluateSynthetic(kernels, { n: 8192, budgets: [0.03] });
 */
export async function evaluateSynthetic(kernels: CpuKernels, options: SyntheticEvalOptions = {}): Promise<SyntheticEvalResult> {
  checkKernels('kernels', kernels);
  const o = checkOptions('evaluateSynthetic options', options, SYNTHETIC_EVAL_KEYS);
  checkOptions('calibration', o.calibration, CALIBRATION_KEYS);
  const gen = await SyntheticAttention.create(o.synthetic ?? {}, { signal: o.signal });
  const c = gen.config, d = c.headDim, g = c.groupSize, H = c.nKvHeads;
  const n = checkInt('n', o.n ?? 32768, 16);
  const steps = checkInt('decodeSteps', o.decodeSteps ?? 8, 1, n - 1);
  const tests = checkInt('testSequences', o.testSequences ?? 2, 1);
  const window = checkInt('window', o.window ?? 64, 0);
  const sinks = checkInt('sinks', o.sinks ?? 8, 0);
  const wrope: WRopeConfig = { window, distance: o.distance ?? 2048, base: c.ropeBase, pairing: c.ropePairing };
  const budgets = o.budgets ?? [0.015, 0.03, 0.06];
  const mode = o.budgetMode ?? 'total';
  const names = o.methods ?? ['full', 'oracle', 'a2ats', 'vq-wrope', 'quest', 'pqcache'];
  const progress = o.onProgress ?? (() => {});
  const t0 = performance.now();
  let codebooks = o.codebooks ?? {};
  const needQA = (names.includes('a2ats') || names.includes('a2ats-bands')) && !codebooks.queryAware;
  const needPlain = names.includes('vq-wrope') && !codebooks.plain;
  if (needQA || needPlain) {
    const kinds: ('query-aware' | 'plain')[] = [];
    if (needQA) kinds.push('query-aware');
    if (needPlain) kinds.push('plain');
    const got = await calibrateSynthetic(kernels, gen, wrope, {
      ...o.calibration, length: o.calibration?.length ?? n, kinds,
      onProgress: (f, l) => progress(0.5 * f, l), signal: o.signal,
    });
    codebooks = { ...codebooks, ...got };
  }
  const t1 = performance.now();

  const methods: RetrievalMethod[] = names.map((nm) => createMethod(kernels, nm, {
    headDim: d, groupSize: g, nKvHeads: H, layer: 0, wrope, queryAware: codebooks.queryAware, plain: codebooks.plain,
    questPageSize: o.questPageSize, pq: o.pq,
  }));
  const cells: { method: RetrievalMethod; budget: number; retrieval: Retrieval; acc: RowAccumulator }[] = [];
  for (const m of methods) {
    const bs = m.scoring === 'all' ? [1] : budgets;
    for (const b of bs) {
      const budget: Budget = { mode, fraction: b };
      cells.push({ method: m, budget: b, retrieval: new Retrieval(kernels, m, { window, sinks, budget, groupSize: g, headDim: d }), acc: new RowAccumulator(m.name, b, mode) });
    }
  }
  const store = new KvStore(kernels, { nKvHeads: H, headDim: d, capacity: n, ropeBase: c.ropeBase, ropePairing: c.ropePairing });
  const exactRef = new ExactReference(kernels, d);
  const sel: Selection = { indices: new Int32Array(0), count: 0, farCount: 0, split: { sinkEnd: 0, farStart: 0, farEnd: 0, windowStart: 0, end: 0 } };
  const out = new Float32Array(g * d);
  const kRow = new Float32Array(H * d), vRow = new Float32Array(H * d);
  try {
    for (let s = 0; s < tests; s++) {
      const seq = await gen.sequenceAsync(n, 1 + s, { signal: o.signal });
      const prefill = n - steps;
      store.clear();
      store.appendBlock(seq.keysPre, seq.values, prefill, n * d);
      for (const m of methods) {
        m.reset();
        for (let h = 0; h < H; h++) {
          m.observe(h, store.head(h), 0, prefill);
          await pause(o.signal, 'evaluation');
        }
      }
      for (let st = 0; st < steps; st++) {
        throwIfAborted(o.signal, 'evaluation');
        const pos = prefill + st;
        for (let h = 0; h < H; h++) {
          kRow.set(seq.keysPre.subarray((h * n + pos) * d, (h * n + pos + 1) * d), h * d);
          vRow.set(seq.values.subarray((h * n + pos) * d, (h * n + pos + 1) * d), h * d);
        }
        store.append(kRow, vRow);
        for (const m of methods) for (let h = 0; h < H; h++) m.observe(h, store.head(h), pos, pos + 1);
        const qPre = seq.queries(pos);
        const qPost = Float32Array.from(qPre);
        kernels.rope(qPost, H * g, d, pos, c.ropeBase, c.ropePairing);
        const len = pos + 1;
        for (let h = 0; h < H; h++) {
          const query = { pre: qPre.subarray(h * g * d, (h + 1) * g * d), post: qPost.subarray(h * g * d, (h + 1) * g * d), pos };
          const exact = Array.from({ length: g }, (_, r) => exactRef.compute(store.head(h), query.post.subarray(r * d, (r + 1) * d), len));
          for (const cell of cells) {
            // store.head() views re-derive themselves, so they survive memory growth in the methods.
            // Per-request fitting (PqCache's codebooks) runs here, abortably, not inside select.
            await cell.method.prepare?.(h, store.head(h), { signal: o.signal });
            cell.retrieval.select(h, store.head(h), query, sel);
            attendSelected(kernels, store.head(h), query.post, g, d, sel.indices, sel.count, out);
            const m = sel.split.farEnd - sel.split.farStart;
            const est = farEstimates(cell.method, cell.retrieval, g, m);
            for (let r = 0; r < g; r++) {
              const approx = cell.method.name.startsWith('oracle')
                ? exact[r].logits.subarray(sel.split.farStart, sel.split.farEnd)
                : est ? est.subarray(r * m, (r + 1) * m) : null;
              cell.acc.add(stepMetrics(exact[r], sel, out.subarray(r * d, (r + 1) * d), approx), len);
            }
            cell.acc.addBytes(cell.method.indexBytes(len, m) + sel.count * 2 * d * 4, len * 2 * d * 4);
          }
          await pause(o.signal, 'evaluation');
        }
        progress(0.5 + 0.5 * (s * steps + st + 1) / (tests * steps), `sequence ${s + 1}/${tests} step ${st + 1}/${steps}`);
        await yieldToEventLoop();
      }
    }
  } finally {
    store.dispose();
    exactRef.dispose();
    for (const cell of cells) cell.retrieval.dispose();
    for (const m of methods) m.dispose();
  }
  const t2 = performance.now();
  // bytes were accumulated per KV head; a layer's step reads all H of them.
  const rows = cells.map((cl) => {
    const r = cl.acc.row();
    return { ...r, bytesPerStep: r.bytesPerStep * H, bytesFull: r.bytesFull * H };
  });
  return { rows, config: { ...c }, n, wrope, sinks, codebooks, seconds: { calibration: (t1 - t0) / 1000, evaluation: (t2 - t1) / 1000 } };
}

/**
 * `--kv` and `--ffn` of the model-running commands: which KvCache and Ffn the model hosts.
 *
 *   --kv   dense | a2ats | quest | pqcache | oracle     (a2ats reads --codebooks)
 *   --ffn  dense | chess | cats | teal                  (the sparse ones read --thresholds)
 *
 * plus --budget (fraction of the context a retrieval cache attends), --sinks and --window (tokens
 * always attended at the start and the end of the context), and --kv-type f32|f16 (how the dense
 * cache stores its rows: float32, or binary16 at half the memory). The dense ones are the model's own
 * components; the sparse FFNs are the activations family's (CatsFfn, ChessFfn, TealFfn, with a
 * SparseProjection for CHESS w/ and TEAL), the retrieval caches the kvcache family's
 * RetrievalKvCache — all on any backend. The model disposes its components with itself.
 *
 * @example
 * const { notes } = await useComponents(model, { kv: 'a2ats', ffn: 'chess', codebooks: 'cb.bin', thresholds: 'th.json', budget: 0.1, sinks: 4, window: 16 });
 */
import { CliUsageError } from './args.js';
import { SparseInferenceError } from '../core/errors.js';
import type { KvType, LlamaModel } from '../llama/model.js';
import { loadThresholds } from '../activations/thresholds-node.js';
import { sparsityComponents } from '../activations/sparsity-components.js';
import { sparsityStrategyName } from '../activations/install-sparsity.js';
import { readCodebookFile } from '../kvcache/codebook-file.js';
import type { MethodName } from '../kvcache/eval/methods.js';
import { RetrievalKvCache } from '../kvcache/retrieval-kv-cache.js';
import { DEFAULT_WROPE, type WRopeConfig } from '../kvcache/wrope.js';
import type { CodebookSet } from '../kvcache/codebook-set.js';

export const KV_CACHE_NAMES = ['dense', 'a2ats', 'quest', 'pqcache', 'oracle'] as const;
export type KvCacheName = (typeof KV_CACHE_NAMES)[number];
export const FFN_NAMES = ['dense', 'chess', 'cats', 'teal'] as const;
export type FfnName = (typeof FFN_NAMES)[number];
export const KV_TYPES = ['f32', 'f16'] as const;

/** What the options ask for (names already checked by the argument parser). */
export interface ComponentSettings {
  kv: KvCacheName;
  ffn: FfnName;
  codebooks?: string;
  thresholds?: string;
  budget: number;
  sinks: number;
  /** Recent tokens always attended by quest, pqcache and oracle (a2ats: the codebooks' WRoPE window). */
  window: number;
}

/** The components in use, described for the output (the model disposes them with itself). */
export interface ComponentsInUse {
  /** e.g. "ffn CHESS w/; kv a2ats (256 centroids, budget 0.1, window 16, sinks 4)". */
  notes: string;
}

/**
 * Resolve the old spellings: --codebooks alone means --kv a2ats, --thresholds alone means the
 * file's method as --ffn. An explicit --kv/--ffn wins and must agree with the files given.
 */
export function componentNames(kv: string | undefined, ffn: string | undefined, codebooks: string | undefined,
  thresholds: string | undefined): { kv: KvCacheName; ffn: FfnName | 'from-thresholds' } {
  const k = (kv ?? (codebooks ? 'a2ats' : 'dense')) as KvCacheName;
  if (codebooks !== undefined && k !== 'a2ats') throw new CliUsageError(`--codebooks is for --kv a2ats, not --kv ${k}`);
  if (k === 'a2ats' && codebooks === undefined) throw new CliUsageError('--kv a2ats needs --codebooks FILE (from kvcache calibrate --out)');
  const f = (ffn ?? (thresholds ? 'from-thresholds' : 'dense')) as FfnName | 'from-thresholds';
  if (f === 'dense' && thresholds !== undefined) throw new CliUsageError('--thresholds is for --ffn chess, cats or teal, not --ffn dense');
  if (f !== 'dense' && f !== 'from-thresholds' && thresholds === undefined) {
    throw new CliUsageError(`--ffn ${f} needs --thresholds FILE (from activations calibrate --out)`);
  }
  return { kv: k, ffn: f };
}

/**
 * The dense cache's storage for --kv-type (checked before anything loads): binary16 is the dense
 * cache's own option, so it cannot go with a retrieval cache (which replaces the dense one and
 * reads float32 rows) or with WebGPU (its kernels read float32).
 */
export function kvStorage(kvType: KvType | undefined, kv: KvCacheName, backend: string): KvType | undefined {
  if (kvType !== 'f16') return kvType;
  if (kv !== 'dense') throw new CliUsageError(`--kv-type f16 is for the dense KV cache, not --kv ${kv} (retrieval caches store float32)`);
  if (backend === 'webgpu') throw new CliUsageError('--kv-type f16 needs a CPU backend (--backend auto, wasm, threads or reference), not webgpu');
  return kvType;
}

/** Host the asked-for components on `model`. */
export async function useComponents(model: LlamaModel, s: ComponentSettings | (Omit<ComponentSettings, 'ffn'> & { ffn: FfnName | 'from-thresholds' })):
  Promise<ComponentsInUse> {
  const notes: string[] = [];
  if (s.ffn !== 'dense') {
    const th = await loadThresholds(s.thresholds!);
    const method = th.metadata.method === 'chess-sq' || th.metadata.method === 'chess-abs' ? 'chess' : th.metadata.method;
    if (s.ffn !== 'from-thresholds' && s.ffn !== method) {
      throw new CliUsageError(`--ffn ${s.ffn} but ${s.thresholds} holds ${th.metadata.method} thresholds`);
    }
    const first = th.layers[0]?.inputs;
    const attention = method !== 'teal' && first?.q !== undefined && first?.o !== undefined;
    const { ffn, projections } = sparsityComponents(th, { attention });
    await model.use({ ffn, projections: projections ?? null });
    notes.push(`ffn ${sparsityStrategyName(th, attention)}`);
  }
  if (s.kv !== 'dense') notes.push(`kv ${await useRetrieval(model, s)}`);
  return { notes: notes.join('; ') };
}

/** Read a codebooks file and check it fits the model. */
async function readCodebooks(model: LlamaModel, path: string): Promise<CodebookSet> {
  const { readFile } = await import('node:fs/promises');
  let bytes: Uint8Array;
  try {
    bytes = new Uint8Array(await readFile(path));
  } catch (e) {
    throw new SparseInferenceError('BAD_FILE', `cannot read codebooks ${path}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`, { cause: e });
  }
  const set = readCodebookFile(bytes, path);
  const c = model.config;
  if (set.info.nLayers !== c.nLayers || set.info.nKvHeads !== c.nKvHeads || set.info.headDim !== c.headDim) {
    throw new SparseInferenceError('BAD_FILE', `${path}: codebooks are for ${set.info.nLayers} layers × ${set.info.nKvHeads} KV heads × d ${set.info.headDim}; `
      + `the model has ${c.nLayers} × ${c.nKvHeads} × ${c.headDim}`);
  }
  return set;
}

/**
 * Make the model's KV cache retrieval with the named method (A²ATS over the codebooks:
 * query-aware ones; plain ones give VQ with WRoPE), attending `budget` of the context plus sinks
 * and the recent window — a RetrievalKvCache the model hosts, on any backend.
 */
async function useRetrieval(model: LlamaModel, s: ComponentSettings | (Omit<ComponentSettings, 'ffn'> & { ffn: unknown })): Promise<string> {
  let name: MethodName = s.kv as MethodName;
  let set: CodebookSet | undefined;
  let wrope: Pick<WRopeConfig, 'window' | 'distance'> = { window: s.window, distance: DEFAULT_WROPE.distance };
  let detail = `budget ${s.budget}, window ${s.window}, sinks ${s.sinks}`;
  if (s.kv === 'a2ats') {
    set = await readCodebooks(model, s.codebooks!);
    if (set.info.kind !== 'query-aware') name = 'vq-wrope';
    wrope = set.info.wrope;
    detail = `${set.info.size} centroids, budget ${s.budget}, window ${wrope.window}, sinks ${s.sinks}`;
  }
  await model.use({ kv: new RetrievalKvCache({
    method: name, window: wrope.window, distance: wrope.distance, sinks: s.sinks, budget: { mode: 'total', fraction: s.budget },
    codebooks: set === undefined ? undefined : set.info.kind === 'query-aware' ? { queryAware: set } : { plain: set },
  }) });
  return `${name} (${detail})`;
}

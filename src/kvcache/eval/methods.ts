/**
 * Builds the retrieval methods an evaluation compares, by name, for one layer.
 */
import { checkKernels } from '../../kernels/check-kernels.js';
import type { CpuKernels } from '../../kernels/kernels.js';
import { badArgument } from '../../core/errors.js';
import type { CodebookSet } from '../codebook-set.js';
import { FullAttention } from '../methods/full-attention.js';
import { OracleTopK } from '../methods/oracle.js';
import { PqCache, type PqCacheOptions } from '../methods/pqcache.js';
import { Quest } from '../methods/quest.js';
import { VqRetrieval } from '../methods/vq-retrieval.js';
import { WRopeExact } from '../methods/wrope-exact.js';
import type { RetrievalMethod } from '../retrieval-method.js';
import type { WRopeConfig } from '../wrope.js';
import { checkOptions, optionKeys } from '../../core/options.js';

/** Every method an evaluation can name. */
export const METHOD_NAMES = ['full', 'oracle', 'a2ats', 'vq-wrope', 'quest', 'pqcache', 'oracle-union', 'a2ats-bands', 'wrope-exact'] as const;
export type MethodName = (typeof METHOD_NAMES)[number];

/** What createMethod needs: shapes, layer, WRoPE, codebooks and baseline settings. */
export interface MethodFactoryOptions {
  headDim: number;
  groupSize: number;
  nKvHeads: number;
  layer: number;
  wrope: WRopeConfig;
  queryAware?: CodebookSet;
  plain?: CodebookSet;
  questPageSize?: number;
  pq?: PqCacheOptions;
  /** Distance bands of 'a2ats-bands' (default 5). */
  bands?: number;
}

/** Every key of MethodFactoryOptions, for checkOptions. */
export const METHOD_FACTORY_KEYS = optionKeys<MethodFactoryOptions>({ headDim: true, groupSize: true, nKvHeads: true, layer: true, wrope: true, queryAware: true, plain: true, questPageSize: true, pq: true, bands: true });

/**
 * A retrieval method by name for one layer (A²ATS and plain VQ need codebooks).
 * @example createMethod(kernels, 'quest', { headDim: 128, groupSize: 4, nKvHeads: 8, layer: 0, wrope })
 */
export function createMethod(kernels: CpuKernels, name: MethodName, o: MethodFactoryOptions): RetrievalMethod {
  checkKernels('kernels', kernels);
  if (o === null || o === undefined) throw badArgument('createMethod options must give the layer shape and wrope');
  checkOptions('createMethod options', o, METHOD_FACTORY_KEYS);
  const books = (set: CodebookSet | undefined, what: string) => {
    if (!set) throw badArgument(`method '${name}' needs ${what} codebooks`);
    return Array.from({ length: o.nKvHeads }, (_, h) => set.get(o.layer, h));
  };
  switch (name) {
    case 'full': return new FullAttention();
    case 'oracle': return new OracleTopK(kernels, o.headDim, o.groupSize, 'group');
    case 'oracle-union': return new OracleTopK(kernels, o.headDim, o.groupSize, 'union');
    case 'a2ats': return new VqRetrieval(kernels, books(o.queryAware, 'query-aware'), { wrope: o.wrope, groupSize: o.groupSize, name: 'a2ats' });
    case 'a2ats-bands': return new VqRetrieval(kernels, books(o.queryAware, 'query-aware'), { wrope: o.wrope, groupSize: o.groupSize, bands: o.bands ?? 5 });
    case 'wrope-exact': return new WRopeExact(kernels, o.headDim, o.groupSize, o.wrope);
    case 'vq-wrope': return new VqRetrieval(kernels, books(o.plain, 'plain'), { wrope: o.wrope, groupSize: o.groupSize, name: 'vq-wrope' });
    case 'quest': return new Quest(o.headDim, o.groupSize, o.nKvHeads, o.questPageSize ?? 16);
    case 'pqcache': return new PqCache(kernels, o.headDim, o.groupSize, o.nKvHeads, o.pq ?? {});
    default: throw badArgument(`unknown method '${String(name)}' (expected one of ${METHOD_NAMES.join(', ')})`);
  }
}

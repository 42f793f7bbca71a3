/**
 * Parameters of the synthetic long-context attention generator (spec §7). Every ingredient the
 * spec lists has a knob; defaults were set so that retrieval is neither trivial (recall ≈ 1
 * for every method) nor hopeless at a 3% budget — see docs/kvcache.md#synthetic-data.
 */
import type { RopePairing } from '../../kernels/kernels.js';
import { badArgument } from '../../core/errors.js';
import { checkInt, checkNumber, checkOneOf } from '../../core/validate.js';
import { checkOptions } from '../../core/options.js';

/** Every knob of the synthetic generator (spec §7). */
export interface SyntheticConfig {
  /** Head dimension d (even). */
  headDim: number;
  /** Query heads per KV head g. */
  groupSize: number;
  nKvHeads: number;
  ropeBase: number;
  ropePairing: RopePairing;
  /** Rotation pairs with a large constant key offset ("massive channels"), among the lowest frequencies. */
  massiveChannels: number;
  massiveScale: number;
  /** Rank r of the per-head topic subspace; number of topics; topic vector scale. */
  topicRank: number;
  topics: number;
  topicScale: number;
  /** Topic energy decays as exp(−(d/2 − 1 − t)/lowFreqWidth) over rotation pairs t (0 = fastest). */
  lowFreqWidth: number;
  /** Share of topic-basis energy spread evenly over all pairs (what WRoPE cannot fix). */
  spread: number;
  /** Mean span length of one topic (tokens); probability a new span revisits an earlier topic. */
  spanMean: number;
  recurProb: number;
  /** Per-token jitter around the span topic, relative to topicScale. */
  topicJitter: number;
  /** Isotropic key noise (scaled per dimension by U(0.5, 1.5)). */
  keyNoise: number;
  /** Norm of the sink key component along the mean query. */
  sinkScale: number;
  /** Norm of the mean query; scale of anisotropic query noise (singular values ∝ i^−decay). */
  queryMean: number;
  queryNoise: number;
  queryNoiseDecay: number;
  /** Weight α of the queried topic in a query; probability a query asks for the current topic. */
  queryTopic: number;
  currentTopicProb: number;
  /** Probability a head follows the group's choice of topic (else picks its own); head transform I + ε·W. */
  headShare: number;
  headPerturb: number;
  /** Planted far needles per sequence, their key scale, and how often / how strongly a head asks for one. */
  needles: number;
  needleScale: number;
  needleQueryProb: number;
  needleQueryScale: number;
  /** Values: topic-dependent mean scale and noise. */
  valueTopic: number;
  valueNoise: number;
  /** Multiplies every query: sets the logit spread (temperature 1/τ of attention). */
  temperature: number;
  /** Seed of the model-level structure (bases, means, transforms); sequences have their own. */
  seed: number;
}

/** Defaults (docs/kvcache.md#synthetic-data): d = 128, g = 4, 2 KV heads, base 500 000, T = 7. */
export const DEFAULT_SYNTHETIC: SyntheticConfig = {
  headDim: 128, groupSize: 4, nKvHeads: 2, ropeBase: 500000, ropePairing: 'half',
  massiveChannels: 2, massiveScale: 6,
  topicRank: 16, topics: 64, topicScale: 1, lowFreqWidth: 10, spread: 0.25,
  spanMean: 192, recurProb: 0.6, topicJitter: 0.15,
  keyNoise: 0.15, sinkScale: 8,
  queryMean: 2, queryNoise: 1, queryNoiseDecay: 0.8,
  queryTopic: 1.5, currentTopicProb: 0.4, headShare: 0.6, headPerturb: 0.3,
  needles: 8, needleScale: 2.5, needleQueryProb: 0.2, needleQueryScale: 2.5,
  valueTopic: 1, valueNoise: 1,
  temperature: 7, seed: 1,
};

/** Merge overrides into the defaults and validate (BAD_ARGUMENT names the field). */
export function syntheticConfig(over: Partial<SyntheticConfig> = {}): SyntheticConfig {
  if (over === null || typeof over !== 'object') throw badArgument('synthetic config must be an object');
  checkOptions('synthetic config', over, Object.keys(DEFAULT_SYNTHETIC));
  const c = { ...DEFAULT_SYNTHETIC, ...over };
  // Defaults that cannot exceed a small head: the topic rank (≤ d) and massive pairs (≤ d/2).
  if (over.topicRank === undefined && Number.isInteger(c.headDim)) c.topicRank = Math.min(c.topicRank, c.headDim);
  if (over.massiveChannels === undefined && Number.isInteger(c.headDim)) c.massiveChannels = Math.min(c.massiveChannels, c.headDim / 2);
  checkInt('headDim', c.headDim, 2, 1024);
  if (c.headDim % 2) throw badArgument(`headDim must be even, got ${c.headDim}`);
  checkInt('groupSize', c.groupSize, 1, 64); checkInt('nKvHeads', c.nKvHeads, 1, 64);
  checkNumber('ropeBase', c.ropeBase, 1, Infinity, { minExclusive: true });
  checkOneOf('ropePairing', c.ropePairing, ['adjacent', 'half'] as const);
  checkInt('massiveChannels', c.massiveChannels, 0, c.headDim / 2);
  checkInt('topicRank', c.topicRank, 1, c.headDim); checkInt('topics', c.topics, 1);
  checkNumber('lowFreqWidth', c.lowFreqWidth, 0, Infinity, { minExclusive: true });
  checkNumber('spread', c.spread, 0, 1);
  checkNumber('spanMean', c.spanMean, 1);
  for (const p of ['recurProb', 'currentTopicProb', 'headShare', 'needleQueryProb'] as const) checkNumber(p, c[p], 0, 1);
  for (const s of ['massiveScale', 'topicScale', 'topicJitter', 'keyNoise', 'sinkScale', 'queryMean', 'queryNoise',
    'queryNoiseDecay', 'queryTopic', 'headPerturb', 'needleScale', 'needleQueryScale', 'valueTopic', 'valueNoise'] as const) {
    checkNumber(s, c[s], 0);
  }
  checkInt('needles', c.needles, 0);
  checkNumber('temperature', c.temperature, 0, Infinity, { minExclusive: true });
  checkInt('seed', c.seed, 0);
  return c;
}

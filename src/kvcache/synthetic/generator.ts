/**
 * Synthetic long-context attention data with the structure that makes retrieval non-trivial
 * (spec §7; docs/kvcache.md#synthetic-data). Everything is in pre-RoPE space; RoPE (either
 * pairing, any base) is applied by the consumers exactly as in a real model.
 *
 * Keys of KV head h at token j:
 *     k_j = μ_h + (a_{τ(j)} + ξ_j) U_h + ε_j          (+ σ_s·m̂_h at the sink j = 0, + ν_h at needles)
 *   μ_h: a few massive channels in low-frequency pairs; U_h: r×d topic basis whose energy sits in
 *   low-frequency rotation pairs (plus a `spread` share everywhere); τ(j): topic of the span
 *   containing j (spans ~ Geometric(1/spanMean), revisiting earlier topics with recurProb);
 *   ε: per-dimension-scaled Gaussian noise.
 * Queries of head h' (group of h) at position i:
 *     q = T·[ m_{h'} + α·a_{τ*} U_h G_{h'} + β·ν_h (sometimes) + A_{h'} z ]
 *   m_{h'}: non-zero mean (the sink key is aligned with it); τ*: the current topic or an earlier
 *   one, shared by the group with probability headShare (related-but-distinct heads); G_{h'} =
 *   I + ε·W; A_{h'}: non-diagonal noise with decaying spectrum (so H = E[q̃ᵀq̃] is not diagonal);
 *   T: the temperature knob (logit spread).
 * Values: v_j = valueTopic·a_{τ(j)} W_h + noise, so retrieving the right topic matters for the output.
 *
 * Model-level structure is drawn from `config.seed`; each sequence from its own seed, so
 * calibration and test sequences share the "model" but not the content.
 *
 * @example
 * const gen = new SyntheticAttention(syntheticConfig({ ropeBase: 500000 }));
 * const seq = gen.sequence(32768, 7);
 * seq.keysPre   // nKvHeads × n × d, head-major
 * seq.queries(32767)   // (nKvHeads·g) × d pre-RoPE queries at the last position
 */
import { Rng } from '../../core/rng.js';
import { checkInt } from '../../core/validate.js';
import { badArgument, throwIfAborted } from '../../core/errors.js';
import { syntheticConfig, type SyntheticConfig } from './config.js';

/** Tokens of one head generated between pauses (well under a millisecond at d = 128). */
const TOKEN_BLOCK = 64;
/** Work between returns to the event loop in sequenceAsync and create. */
const SLICE_MS = 20;
/** The constructor's private flag: leave the head structure to `create` (which builds it in slices). */
const DEFER_HEADS = Symbol('defer head construction');

interface HeadModel {
  mean: Float64Array;        // μ_h (d)
  basis: Float64Array;       // U_h (r × d)
  noiseScale: Float64Array;  // per-dim key noise
  sinkDir: Float64Array;     // unit vector along the mean query (d)
  needleDirs: Float64Array;  // needle directions (needles × d), unit, low-frequency
  valueMap: Float64Array;    // W_h (r × d)
  qMean: Float64Array[];     // per query head (d)
  qTransform: Float64Array[]; // G_{h'} (d × d)
  qNoise: Float64Array[];    // A_{h'} (d × d)
}

/** One generated sequence: keys, values, topics, needles, and queries at any position. */
export interface SyntheticSequence {
  n: number;
  seed: number;
  /** nKvHeads*n*d pre-RoPE keys, head-major (head h, token j at (h*n + j)*d). */
  keysPre: Float32Array;
  /** nKvHeads*n*d values, same layout. */
  values: Float32Array;
  /** Topic id per token. */
  topic: Int32Array;
  /** Positions of planted needles. */
  needlePositions: number[];
  /** Pre-RoPE queries of every query head at position pos: (nKvHeads*g)*d, head h' = kv*g + r. */
  queries(pos: number): Float32Array;
}

/** The synthetic "model": shared structure drawn from config.seed; `sequence()` draws content. */
export class SyntheticAttention {
  readonly config: Readonly<SyntheticConfig>;
  private readonly heads: HeadModel[];
  /** Draws the model-level structure (seeded by config.seed); sequences use their own. */
  private readonly rng: Rng;
  private readonly topicVecs: Float64Array; // topics × r
  private readonly pairWeight: Float64Array; // per dimension, topic-energy profile

  constructor(config: Partial<SyntheticConfig> = {}, defer?: typeof DEFER_HEADS) {
    const c = syntheticConfig(config);
    this.config = Object.freeze(c);
    this.rng = new Rng(c.seed);
    const d = c.headDim, r = c.topicRank, P = d / 2;
    // Energy profile over rotation pairs: low frequencies (t → P−1) dominate, plus a flat share.
    const pw = new Float64Array(d);
    let tot = 0;
    for (let t = 0; t < P; t++) {
      const w = (1 - c.spread) * Math.exp(-(P - 1 - t) / c.lowFreqWidth) + c.spread / P * 4;
      pw[this.dim(t, 0)] = w; pw[this.dim(t, 1)] = w; tot += 2 * w;
    }
    for (let i = 0; i < d; i++) pw[i] = Math.sqrt(pw[i] / tot * d);
    this.pairWeight = pw;
    this.topicVecs = new Float64Array(c.topics * r).map(() => this.rng.normal() * c.topicScale);
    this.heads = [];
    if (defer !== DEFER_HEADS) drain(this.headSteps());
  }

  /**
   * The constructor without blocking: the per-head structure (a d×d transform and a random
   * rotation per query head, ~10 ms each at d = 128) is built in ~20 ms slices, checking
   * `signal` between them. The same generator as `new SyntheticAttention(config)`.
   * @example const gen = await SyntheticAttention.create({ headDim: 128 }, { signal });
   */
  static async create(config: Partial<SyntheticConfig> = {}, opts: { signal?: AbortSignal } = {}): Promise<SyntheticAttention> {
    throwIfAborted(opts.signal, 'synthetic data setup');
    const gen = new SyntheticAttention(config, DEFER_HEADS);
    await driveInSlices(gen.headSteps(), opts.signal, 'synthetic data setup');
    return gen;
  }

  /** Builds this.heads, pausing after each query head's matrices. */
  private *headSteps(): Generator<void, void, void> {
    for (let h = 0; h < this.config.nKvHeads; h++) this.heads.push(yield* this.headModel(this.rng));
  }

  /** Dimension index of component c ∈ {0, 1} of rotation pair t under the configured pairing. */
  dim(t: number, c: number): number {
    checkInt('t', t, 0, this.config.headDim / 2 - 1);
    checkInt('c', c, 0, 1);
    return this.config.ropePairing === 'adjacent' ? 2 * t + c : t + c * (this.config.headDim / 2);
  }

  private *headModel(rng: Rng): Generator<void, HeadModel, void> {
    const c = this.config, d = c.headDim, r = c.topicRank, P = d / 2;
    const lowVec = (scale: number) => {
      // A random vector with the low-frequency energy profile, normalised to `scale`.
      const v = new Float64Array(d).map((_, i) => rng.normal() * this.pairWeight[i]);
      const nrm = Math.hypot(...v) || 1;
      return v.map((x) => (x / nrm) * scale);
    };
    const mean = new Float64Array(d).map(() => rng.normal() * 0.2);
    for (let m = 0; m < c.massiveChannels; m++) {
      const t = P - 1 - rng.int(Math.min(P, 8));
      const ang = rng.uniform() * 2 * Math.PI;
      mean[this.dim(t, 0)] += c.massiveScale * Math.cos(ang);
      mean[this.dim(t, 1)] += c.massiveScale * Math.sin(ang);
    }
    const basis = new Float64Array(r * d);
    for (let k = 0; k < r; k++) basis.set(lowVec(1), k * d);
    const noiseScale = new Float64Array(d).map(() => c.keyNoise * (0.5 + rng.uniform()));
    const needleDirs = new Float64Array(Math.max(1, c.needles) * d);
    for (let k = 0; k < Math.max(1, c.needles); k++) needleDirs.set(lowVec(1), k * d);
    const valueMap = new Float64Array(r * d).map(() => rng.normal() / Math.sqrt(r));
    const baseMean = lowVec(c.queryMean);
    const sinkDir = baseMean.map((x) => x / (c.queryMean || 1));
    const qMean: Float64Array[] = [], qTransform: Float64Array[] = [], qNoise: Float64Array[] = [];
    for (let g = 0; g < c.groupSize; g++) {
      qMean.push(baseMean.map((x) => x + rng.normal() * 0.2 * c.queryMean / Math.sqrt(d)));
      const G = new Float64Array(d * d);
      for (let i = 0; i < d; i++) {
        for (let j = 0; j < d; j++) G[i * d + j] = (i === j ? 1 : 0) + rng.normal() * c.headPerturb / Math.sqrt(d);
      }
      qTransform.push(G);
      yield;
      // A = Q·diag(s)·R with random rotations: non-diagonal, spectrum ∝ i^−decay.
      const A = new Float64Array(d * d);
      const s = Array.from({ length: d }, (_, i) => c.queryNoise * Math.pow(i + 1, -c.queryNoiseDecay) * Math.sqrt(d) / 4);
      const Q = yield* randomOrthogonal(rng, d);
      for (let i = 0; i < d; i++) for (let j = 0; j < d; j++) A[i * d + j] = Q[i * d + j] * s[j];
      qNoise.push(A);
      yield;
    }
    return { mean, basis, noiseScale, sinkDir, needleDirs, valueMap, qMean, qTransform, qNoise };
  }

  /**
   * Generate one sequence of n tokens.
   * @param seed - sequence seed (use different seeds for calibration and test).
   */
  sequence(n: number, seed: number): SyntheticSequence {
    return drain(this.sequenceSteps(n, seed));
  }

  /**
   * sequence() that returns to the event loop every ~20 ms of work and checks `signal` there,
   * so generating a long sequence (seconds at n = 4096 and up) can be cancelled. Same result.
   * @example const seq = await gen.sequenceAsync(32768, 7, { signal });
   */
  sequenceAsync(n: number, seed: number, opts: { signal?: AbortSignal } = {}): Promise<SyntheticSequence> {
    return driveInSlices(this.sequenceSteps(n, seed), opts.signal, 'synthetic sequence generation');
  }

  /** The generation as a generator that pauses every TOKEN_BLOCK tokens of one head. */
  private *sequenceSteps(n: number, seed: number): Generator<void, SyntheticSequence, void> {
    checkInt('n', n, 1, 1 << 22); checkInt('seed', seed, 0);
    const c = this.config, d = c.headDim, r = c.topicRank, H = c.nKvHeads;
    const rng = new Rng(seed * 7919 + 17);
    // Topic spans.
    const topic = new Int32Array(n);
    const used: number[] = [];
    for (let j = 0; j < n;) {
      const len = 1 + Math.floor(Math.log(rng.uniformOpen()) / Math.log(1 - 1 / c.spanMean));
      const t = used.length > 0 && rng.uniform() < c.recurProb ? used[rng.int(used.length)] : rng.int(c.topics);
      used.push(t);
      topic.fill(t, j, Math.min(n, j + len));
      j += len;
    }
    const needlePositions: number[] = [];
    if (n >= 64) {
      for (let k = 0; k < c.needles; k++) needlePositions.push(Math.floor(n * (0.05 + 0.8 * rng.uniform())));
    }
    const needleAt = new Map<number, number>(needlePositions.map((p, k) => [p, k]));
    const keysPre = new Float32Array(H * n * d);
    const values = new Float32Array(H * n * d);
    const a = new Float64Array(r);
    for (let h = 0; h < H; h++) {
      const hm = this.heads[h];
      for (let j = 0; j < n; j++) {
        if (j % TOKEN_BLOCK === TOKEN_BLOCK - 1) yield;
        const tv = topic[j] * r;
        for (let k = 0; k < r; k++) a[k] = this.topicVecs[tv + k] + rng.normal() * c.topicJitter * c.topicScale;
        const o = (h * n + j) * d;
        for (let i = 0; i < d; i++) keysPre[o + i] = hm.mean[i] + rng.normal() * hm.noiseScale[i];
        for (let k = 0; k < r; k++) {
          const ak = a[k];
          for (let i = 0; i < d; i++) keysPre[o + i] += ak * hm.basis[k * d + i];
        }
        if (j === 0) for (let i = 0; i < d; i++) keysPre[o + i] += c.sinkScale * hm.sinkDir[i];
        const nk = needleAt.get(j);
        if (nk !== undefined) for (let i = 0; i < d; i++) keysPre[o + i] += c.needleScale * hm.needleDirs[nk * d + i];
        for (let i = 0; i < d; i++) {
          let v = rng.normal() * c.valueNoise;
          for (let k = 0; k < r; k++) v += c.valueTopic * this.topicVecs[tv + k] * hm.valueMap[k * d + i];
          values[o + i] = v;
        }
      }
    }
    const queries = (pos: number) => this.queries(pos, seed, topic, needlePositions);
    return { n, seed, keysPre, values, topic, needlePositions, queries };
  }

  private queries(pos: number, seed: number, topic: Int32Array, needles: number[]): Float32Array {
    const c = this.config, d = c.headDim, r = c.topicRank, g = c.groupSize;
    if (!Number.isInteger(pos) || pos < 0 || pos >= topic.length) throw badArgument(`pos must be in [0, ${topic.length}), got ${pos}`);
    const rng = new Rng((seed * 1000003 + pos * 31 + 5) % 2 ** 52);
    const out = new Float32Array(c.nKvHeads * g * d);
    const pickTopic = () => (rng.uniform() < c.currentTopicProb || pos < 2 ? topic[pos] : topic[rng.int(pos)]);
    const groupTopic = pickTopic();
    const q = new Float64Array(d), t = new Float64Array(d), z = new Float64Array(d);
    for (let h = 0; h < c.nKvHeads; h++) {
      const hm = this.heads[h];
      for (let k = 0; k < g; k++) {
        const tp = rng.uniform() < c.headShare ? groupTopic : pickTopic();
        // Topic direction a_τ U_h, then the head transform G.
        t.fill(0);
        for (let m = 0; m < r; m++) {
          const am = this.topicVecs[tp * r + m];
          for (let i = 0; i < d; i++) t[i] += am * hm.basis[m * d + i];
        }
        if (needles.length > 0 && rng.uniform() < c.needleQueryProb) {
          const nk = rng.int(needles.length);
          if (needles[nk] < pos) for (let i = 0; i < d; i++) t[i] += c.needleQueryScale * hm.needleDirs[nk * d + i] / c.queryTopic;
        }
        const G = hm.qTransform[k], A = hm.qNoise[k];
        for (let i = 0; i < d; i++) z[i] = rng.normal();
        for (let i = 0; i < d; i++) {
          let s = hm.qMean[k][i];
          let gt = 0, az = 0;
          for (let j = 0; j < d; j++) { gt += t[j] * G[j * d + i]; az += A[i * d + j] * z[j]; }
          s += c.queryTopic * gt + az / Math.sqrt(d);
          q[i] = s * c.temperature;
        }
        out.set(q, (h * g + k) * d);
      }
    }
    return out;
  }
}

/** Runs a generator of work to its end on the calling thread. */
function drain<T>(steps: Generator<void, T, void>): T {
  for (;;) {
    const r = steps.next();
    if (r.done) return r.value;
  }
}

/** Runs a generator of work, returning to the event loop every SLICE_MS and checking the signal. */
async function driveInSlices<T>(steps: Generator<void, T, void>, signal: AbortSignal | undefined, what: string): Promise<T> {
  let sliceStart = performance.now();
  for (;;) {
    throwIfAborted(signal, what);
    const r = steps.next();
    if (r.done) return r.value;
    if (performance.now() - sliceStart >= SLICE_MS) {
      await new Promise((resolve) => setTimeout(resolve, 0));
      sliceStart = performance.now();
    }
  }
}

/** A Haar-ish random orthogonal matrix (Gram–Schmidt on Gaussian columns), d×d row-major; pauses between column blocks. */
function* randomOrthogonal(rng: Rng, d: number): Generator<void, Float64Array, void> {
  const Q = new Float64Array(d * d).map(() => rng.normal());
  for (let j = 0; j < d; j++) {
    if (j % 32 === 31) yield; // O(j·d) per column: pause every 32 columns
    for (let k = 0; k < j; k++) {
      let dotp = 0;
      for (let i = 0; i < d; i++) dotp += Q[i * d + j] * Q[i * d + k];
      for (let i = 0; i < d; i++) Q[i * d + j] -= dotp * Q[i * d + k];
    }
    let nrm = 0;
    for (let i = 0; i < d; i++) nrm += Q[i * d + j] ** 2;
    nrm = Math.sqrt(nrm);
    for (let i = 0; i < d; i++) Q[i * d + j] /= nrm;
  }
  return Q;
}

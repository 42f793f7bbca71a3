/**
 * Bayesian knot inference for (multivariate) spline regression — the public entry point.
 *
 * He, Yang & Kang, *Adaptive Bayesian Multivariate Spline Knot Inference with Prior
 * Specifications on Model Complexity*, arXiv 2405.13353: inputs are min–max scaled to [0, 1];
 * each coordinate gets a knot set on the grid T_n = {i/(n+1)}, n = ⌊times·m⌋ (or fixed); the
 * knot-set prior is C(n, k)^{−γ}; the likelihood is the g-prior marginal (Gaussian) or EBIC
 * (Poisson, binomial); reversible-jump MCMC samples knot sets (rjmcmc-chain.ts); several chains
 * run from different seeds (in parallel on Web Workers or worker_threads; run-chains.ts).
 *
 * @example
 * const fit = await fitKnots(times, accel, { iterations: 5000, burnIn: 5000, chains: 2 });
 * fit.kPosterior();                  // P(k = 0, 1, 2, ...)
 * fit.curve(grid).mean;              // posterior mean curve on the original x scale
 * fit.predict([10, 20]);             // posterior mean at new x
 */
import { badArgument, throwIfAborted } from '../core/errors.js';
import { checkOptions, LONG_RUN_KEYS } from '../core/options.js';
import { checkFinite, checkFloat64, checkInt, checkNumber, checkOneOf, describe } from '../core/validate.js';
import { checkKernels } from '../kernels/check-kernels.js';
import { createKernels } from '../backends/create-kernels.js';
import type { CpuKernels } from '../kernels/kernels.js';
import { quantiles } from '../core/stats/quantile.js';
import { Rng } from '../core/rng.js';
import type { GlmFamily } from './glm-ebic.js';
import type { MarginalVariant } from './gaussian-marginal.js';
import type { MoveScheme } from './move-probabilities.js';
import { defaultMoveMix } from './default-move-mix.js';
import { effectiveSampleSize, splitRhat } from './mcmc-diagnostics.js';
import { fitMinMaxScaler, scaleColumn, unscale, type MinMaxScaler } from './min-max-scaler.js';
import { drawCurves, evaluateDraws, randomPoisson, type CurveDraw } from './posterior-draws.js';
import { kMode, kPosterior, knotDensity, sortedKnotSummary, type SortedKnotSummary } from './posterior-summary.js';
import type { ChainProblem, ChainRecord } from './rjmcmc-chain.js';
import { checkChainProblem, checkChainRecords } from './check-chain.js';
import { runChains } from './run-chains.js';
import { convergenceWarnings } from './convergence.js';
import { standardizeResponse, type ResponseScale } from './standardize-response.js';

export interface KnotFitOptions {
  /** Response family (default 'gaussian'). */
  family?: GlmFamily;
  /** Binomial trials per observation (default 1: Bernoulli). */
  trials?: ArrayLike<number>;
  /** Spline degree per coordinate (default 3; 1 for change-point/knot inference). */
  degree?: number | number[];
  /** Fixed number of knots per coordinate (relocation-only sampler); default: k is inferred. */
  k?: number | number[];
  /** EBIC exponent γ of the prior C(n,k)^{−γ} (default 1: uniform prior on k). */
  gamma?: number;
  /**
   * Move-probability constant c ∈ (0, 0.5]: births and deaths are each proposed with probability
   * c (balanced moves) or the authors' c-scaled rates (prior-free). Default for balanced moves
   * 0.3/max(1, γ) (at γ > 1 most births are rejected; relocations mix the knots: default-move-mix.ts),
   * 0.3 (the authors' value) for prior-free moves.
   */
  c?: number;
  /** Candidate grid size n = ⌊times·m⌋ (default times = 2) ... */
  times?: number;
  /** ... or a fixed grid size per coordinate (overrides times). */
  candidates?: number | number[];
  /** Recorded iterations per chain after burn-in (default 5000). */
  iterations?: number;
  /** Burn-in iterations per chain (default 5000). */
  burnIn?: number;
  /** Number of chains from different seeds (default 2). */
  chains?: number;
  seed?: number;
  /** Gaussian marginal: 'exact' g-prior (default) or the authors' 'large-m' form. */
  marginal?: MarginalVariant;
  /**
   * Birth/death probabilities: 'balanced' (default: b_k = d_k = c, prior ratio in the acceptance;
   * mixes at every γ) or the authors' 'prior-free' (b_k, d_k cancel the prior; at γ > 1 births
   * are almost never proposed).
   */
  moves?: MoveScheme;
  /**
   * Near proposals: births 1..r grid steps from a knot, relocations by 1..r steps (default on:
   * probability 0.3 at γ ≤ 1 rising to 0.6 at γ ≥ 2 for free k (default-move-mix.ts), r = max(1, round(n/100))); false turns them off.
   */
  nearProposals?: boolean | { probability?: number; radius?: number };
  /**
   * Twin births and deaths: two knots at most r grid steps apart added or removed in one move
   * (a jump pair in a linear spline; without it a chain holding one knot there can stay stuck).
   * Default on for free k: probability 0.05 per iteration, r = max(1, round(n/100)); false: off.
   */
  twinMoves?: boolean | { probability?: number; radius?: number };
  /**
   * Births and deaths with neighbour relocation: a knot added or removed while `depth` knots
   * each side are redrawn from their full conditionals over s and s ± offsets (default off;
   * true: probability 0.05, offsets 1, 2, 3, 5, 8, 13, 21, 34, 55 grid steps, depth 2). Free k
   * only. Each such move costs 2–4·depth·(2·#offsets + 1) evaluations (about 4.6x the time per
   * iteration at the defaults); on knot case 3 at γ = 2 it lowered split-R̂ of k modestly, and
   * longer chains of the default sampler did better for the same time (docs/knots.md).
   */
  neighbourMoves?: boolean | { probability?: number; offsets?: number[]; depth?: number };
  /**
   * Mode jumps: k changed by one while every other knot keeps its offset from the best state of
   * k knots seen in burn-in, carried over to the best state of k ± 1 knots (anchors frozen after
   * burn-in). Free k only. Default on: probability 0.2 per iteration at γ ≤ 1 rising to 0.3 at γ ≥ 2, r = max(1, round(0.06·n))
   * grid steps; false: off. One evaluation per move, like a birth. pairWidth w > 0 keeps anchors
   * per pattern of narrow gaps (knots at most w grid steps apart) too, so that a jump can also
   * swap a narrow pair for a wide one at the same k (default 0: one anchor per k).
   */
  modeJumps?: boolean | { probability?: number; radius?: number; pairWidth?: number };
  /**
   * Where each chain starts: 'random' (default: one knot at a random grid point, or the fixed k)
   * or 'greedy' (from there, the best single birth, death or relocation while the log posterior
   * improves: a greedy EBIC-style search costing about 2n evaluations per step). Free k only.
   * Chains that all start at one mode make split-R̂ less able to reveal another, hence the default.
   */
  start?: 'random' | 'greedy';
  /**
   * Parallel tempering: temperatures 1 = T_0 < T_1 < ... (at most 16) of replicas that exchange
   * states (only T = 1 is recorded); each costs one more evaluation per iteration. Default [1].
   */
  temperatures?: number[];
  /** BARS-style local proposals (true: ρ = 0.5, ν = 50). */
  localProposals?: boolean | { probability?: number; nu?: number };
  /** Posterior draws used for curves and bands (default 1000). */
  draws?: number;
  /** Points (original scale) where f is recorded for R̂/ESS; default 5 quantiles of x. */
  probes?: ArrayLike<number>[] | ArrayLike<number>;
  /**
   * 'auto' (default): with chains ≥ 2, worker_threads in Node, Web Workers in Deno and where the
   * package is loaded unbundled in a browser; otherwise in-thread. true: workers or an error.
   */
  parallel?: boolean | 'auto';
  /** Parallel chains: at most this many worker threads at once (default: one per chain). */
  threads?: number;
  /** Kernels to use (default: createKernels({ backend })). */
  kernels?: CpuKernels;
  backend?: 'auto' | 'reference' | 'wasm';
  onProgress?: (fraction: number) => void;
  signal?: AbortSignal;
}

/**
 * Each iteration makes one move: twin, neighbour and mode-jump moves take their probabilities
 * first and births, deaths and relocations share the rest, so the three must sum below 1. The
 * error names each share and how far to lower one.
 */
function checkMoveShares(shares: { twinMoves: number; neighbourMoves: number; modeJumps: number }): void {
  const total = shares.twinMoves + shares.neighbourMoves + shares.modeJumps;
  if (total < 1) return;
  const listed = Object.entries(shares).filter(([, p]) => p > 0).map(([name, p]) => `${name}.probability ${p}`).join(' + ');
  throw badArgument(`move probabilities must sum below 1, got ${listed} = ${+total.toFixed(6)}: each iteration makes one move, `
    + 'these take their shares first and births, deaths and relocations share the rest; lower one of them by more than '
    + `${+(total - 1).toFixed(6)} or turn one off (false)`);
}

/** Recorded states (chains × iterations) kept in memory: each costs ~50–100 bytes. */
const MAX_RECORDED = 1e7;
/** knotDensity histogram bins. */
const MAX_DENSITY_BINS = 1e6;
/** draws × points evaluated by curve() and predict() at once (8 bytes each). */
const MAX_CURVE_VALUES = 5e7;

/** Every option fitKnots understands (an unknown key is rejected, not silently ignored). */
export const KNOT_FIT_OPTION_KEYS = [
  'family', 'trials', 'degree', 'k', 'gamma', 'c', 'times', 'candidates', 'iterations', 'burnIn', 'chains', 'seed',
  'marginal', 'moves', 'nearProposals', 'twinMoves', 'neighbourMoves', 'modeJumps', 'start', 'temperatures', 'localProposals', 'draws', 'probes', 'parallel', 'threads', 'kernels', 'backend', ...LONG_RUN_KEYS,
] as const;

/** Curve summary at evaluation points. */
export interface CurveSummary {
  mean: Float64Array;
  lower: Float64Array;
  upper: Float64Array;
  /** Predictive interval for a new observation (Gaussian noise, Poisson or binomial draws). */
  predLower: Float64Array;
  predUpper: Float64Array;
}

export interface Diagnostics {
  /** Split-R̂ and ESS of k per coordinate (NaN when k is fixed). */
  k: { rhat: number; ess: number }[];
  /** Split-R̂ and ESS of f at the probe points. */
  f: { point: number[]; rhat: number; ess: number }[];
  /** Fraction of iterations whose proposal was accepted. */
  acceptance: number;
  /** Accepted proposals after burn-in, per chain (0: the chain never moved). */
  acceptedPerChain: number[];
  /**
   * False when split-R̂ > 1.05 or ESS < 100 for k or for f at a probe point, or a chain never
   * moved (convergence.ts); the reasons are in `warnings`. Results of an unconverged fit are
   * not to be trusted: run longer, with more chains, or check the data.
   */
  converged: boolean;
  warnings: string[];
}

/** Wall time of the sampling and its throughput. */
export interface FitTiming {
  /** Seconds spent running the chains (wall clock). */
  seconds: number;
  /** Iterations (burn-in included) of all chains per second of wall time. */
  iterationsPerSecond: number;
}

/** The result of fitKnots. Knot locations and inputs are on the original x scale. */
export class KnotFit {
  readonly d: number;
  readonly m: number;
  readonly diagnostics: Diagnostics;
  private drawsCache: CurveDraw[] | null = null;

  constructor(
    readonly problem: ChainProblem,
    readonly records: ChainRecord[],
    readonly scaler: MinMaxScaler,
    private readonly kernels: CpuKernels,
    private readonly nDraws: number,
    private readonly seed: number,
    readonly probePoints: number[][],
    /** How the sampler's standardised response maps back to y: y = center + scale·ỹ. */
    readonly responseScale: ResponseScale = { center: 0, scale: 1 },
    /** Wall time and throughput of the sampling (NaN when not measured). */
    readonly timing: FitTiming = { seconds: NaN, iterationsPerSecond: NaN },
  ) {
    checkKnotFitParts(problem, records, scaler, kernels, nDraws, seed, probePoints, responseScale, timing);
    this.d = problem.xs.length;
    this.m = problem.y.length;
    this.diagnostics = this.computeDiagnostics();
  }

  get family(): GlmFamily { return this.problem.family; }
  get candidates(): number[] { return this.problem.candidates; }

  /** P(k_j = k), k = 0..max recorded (pooled over chains). */
  kPosterior(j = 0): Float64Array { return kPosterior(this.records, this.coord(j)); }

  /** Modal number of knots of coordinate j. */
  kMode(j = 0): number { return kMode(this.records, this.coord(j)); }

  /** Knot-location density of coordinate j on the original x scale (integrates to E[k]). */
  knotDensity(j = 0, bins = 100): { x: Float64Array; density: Float64Array } {
    const c = this.coord(j);
    checkInt('bins', bins, 1, MAX_DENSITY_BINS);
    const { x, density } = knotDensity(this.records, c, this.problem.candidates[c], bins);
    const w = this.scaler.max[c] - this.scaler.min[c];
    return { x: x.map((v) => unscale(this.scaler, c, v)), density: density.map((v) => v / w) };
  }

  /**
   * Posterior mean and quantiles of the sorted knots of coordinate j, for the fixed k (or the
   * modal k when k was inferred), on the original x scale.
   */
  knotSummary(j = 0, k?: number): SortedKnotSummary {
    const c = this.coord(j);
    const kk = k === undefined ? (this.problem.fixedK ? this.problem.fixedK[c] : this.kMode(c)) : checkInt('k', k, 0, this.problem.candidates[c]);
    const s = sortedKnotSummary(this.records, c, this.problem.candidates[c], kk);
    const f = (v: number) => unscale(this.scaler, c, v);
    return { ...s, mean: s.mean.map(f), quantiles: s.quantiles.map((q) => q.map(f)) };
  }

  /** Posterior draws (knots + β), computed once on first use. */
  draws(): CurveDraw[] {
    if (this.drawsCache === null) {
      const { center, scale } = this.responseScale;
      // B-splines sum to one, so center + scale·f is the curve with coefficients center + scale·β.
      this.drawsCache = drawCurves(this.problem, this.records, this.kernels, this.nDraws, this.seed + 1).map((d) => ({
        knotVectors: d.knotVectors, beta: d.beta.map((b) => center + scale * b), sigma2: d.sigma2 * scale * scale, sigma: d.sigma * scale,
      }));
    }
    return this.drawsCache;
  }

  /**
   * Posterior mean curve, pointwise credible band and predictive interval at points given on
   * the original scale (d = 1: one array; d > 1: d coordinate arrays). level: default 0.95.
   */
  curve(points: ArrayLike<number> | ArrayLike<number>[], level = 0.95): CurveSummary {
    checkNumber('level', level, 0, 1, { minExclusive: true, maxExclusive: true });
    const cols = this.scalePoints(points);
    const npts = cols[0].length;
    const draws = this.draws();
    const values = evaluateDraws(draws, cols, this.problem.degrees, this.problem.family);
    const nd = draws.length;
    const lo = (1 - level) / 2, hi = 1 - lo;
    const out: CurveSummary = {
      mean: new Float64Array(npts), lower: new Float64Array(npts), upper: new Float64Array(npts),
      predLower: new Float64Array(npts), predUpper: new Float64Array(npts),
    };
    const rng = new Rng(this.seed + 2);
    const col = new Float64Array(nd), pred = new Float64Array(nd);
    for (let t = 0; t < npts; t++) {
      let s = 0;
      for (let i = 0; i < nd; i++) {
        const v = values[i * npts + t];
        col[i] = v; s += v;
        pred[i] = this.family === 'gaussian' ? v + draws[i].sigma * rng.normal()
          : this.family === 'poisson' ? randomPoisson(rng, v)
            : (rng.uniform() < v ? 1 : 0);
      }
      out.mean[t] = s / nd;
      const q = quantiles(col, [lo, hi]);
      out.lower[t] = q[0]; out.upper[t] = q[1];
      const pq = quantiles(pred, [lo, hi]);
      out.predLower[t] = pq[0]; out.predUpper[t] = pq[1];
    }
    return out;
  }

  /** Posterior mean of f at new points (original scale). */
  predict(points: ArrayLike<number> | ArrayLike<number>[]): Float64Array {
    const cols = this.scalePoints(points);
    const npts = cols[0].length;
    const draws = this.draws();
    const values = evaluateDraws(draws, cols, this.problem.degrees, this.problem.family);
    const out = new Float64Array(npts);
    for (let i = 0; i < draws.length; i++) for (let t = 0; t < npts; t++) out[t] += values[i * npts + t] / draws.length;
    return out;
  }

  /** A plain-object summary (for JSON output). */
  summary(): Record<string, unknown> {
    return {
      family: this.family, m: this.m, d: this.d, degrees: this.problem.degrees,
      candidates: this.problem.candidates, gamma: this.problem.gamma,
      chains: this.records.length, iterations: this.records[0].iterations, burnIn: this.problem.burnIn,
      fixedK: this.problem.fixedK,
      kPosterior: Array.from({ length: this.d }, (_, j) => Array.from(this.kPosterior(j))),
      kMode: Array.from({ length: this.d }, (_, j) => this.kMode(j)),
      knots: Array.from({ length: this.d }, (_, j) => {
        const s = this.knotSummary(j);
        return { k: s.k, iterations: s.iterations, mean: Array.from(s.mean), quantiles: s.quantiles.map((q) => Array.from(q)) };
      }),
      diagnostics: this.diagnostics,
      converged: this.diagnostics.converged,
      warnings: this.diagnostics.warnings,
      timing: this.timing,
    };
  }

  private coord(j: number): number { return checkInt('coordinate', j, 0, this.d - 1); }

  private scalePoints(points: ArrayLike<number> | ArrayLike<number>[]): Float64Array[] {
    const cols = asColumns('points', points);
    if (cols.length !== this.d) throw badArgument(`points must have ${this.d} coordinate column(s), got ${cols.length}`);
    const n = cols[0].length;
    if (n * this.nDraws > MAX_CURVE_VALUES) {
      throw badArgument(`points has ${n} points; with ${this.nDraws} draws that is more than ${MAX_CURVE_VALUES} curve values (evaluate in batches)`);
    }
    cols.forEach((c, j) => {
      if (c.length !== n) throw badArgument(`points column ${j} has length ${c.length}, expected ${n}`);
      checkFinite(`points[${j}]`, c);
    });
    return cols.map((c, j) => scaleColumn(this.scaler, j, c));
  }

  private computeDiagnostics(): Diagnostics {
    const k = Array.from({ length: this.d }, (_, j) => {
      const chains = this.records.map((r) => r.k[j]);
      return { rhat: splitRhat(chains), ess: effectiveSampleSize(chains) };
    });
    const nProbe = this.records[0].nProbe;
    const f = Array.from({ length: nProbe }, (_, i) => {
      const chains = this.records.map((r) => Float64Array.from({ length: r.iterations }, (_, t) => r.probe[t * nProbe + i]));
      return { point: this.probePoints[i], rhat: splitRhat(chains), ess: effectiveSampleSize(chains) };
    });
    let acc = 0, tot = 0;
    const acceptedPerChain = this.records.map((r) => { let a = 0; for (const v of r.accepted) a += v; return a; });
    for (const r of this.records) { tot += r.iterations; }
    for (const a of acceptedPerChain) acc += a;
    const kForVerdict = this.problem.fixedK ? [] : k;
    const warnings = convergenceWarnings({ k: kForVerdict, f, acceptedPerChain });
    return { k, f, acceptance: acc / tot, acceptedPerChain, converged: warnings.length === 0, warnings };
  }
}

/**
 * KnotFit's constructor arguments, as fitKnots makes them: a valid problem, records of every
 * coordinate on its grid, a scaler with lo < hi per coordinate, kernels, the draw count and
 * seed, probe points of d finite coordinates, a response scale with a positive finite scale and
 * timing numbers (NaN allowed: "not measured").
 */
function checkKnotFitParts(
  problem: unknown, records: unknown, scaler: unknown, kernels: unknown, nDraws: unknown, seed: unknown,
  probePoints: unknown, responseScale: unknown, timing: unknown,
): void {
  const p = checkChainProblem('problem', problem);
  const d = p.xs.length;
  p.candidates.forEach((n, j) => checkChainRecords('records', records, j, n));
  const nProbe = p.probes.length > 0 ? p.probes[0].length : 0;
  (records as ChainRecord[]).forEach((rec, c) => {
    if (rec.nProbe !== nProbe) throw badArgument(`records[${c}].nProbe must be ${nProbe} (the problem's probe points), got ${describe(rec.nProbe)}`);
    checkFloat64(`records[${c}].probe`, rec.probe, rec.iterations * nProbe);
    checkFinite(`records[${c}].probe`, rec.probe, rec.iterations * nProbe);
    if (!(rec.accepted instanceof Uint8Array) || rec.accepted.length < rec.iterations) throw badArgument(`records[${c}].accepted must be a Uint8Array of ${rec.iterations} flags`);
  });
  const s = scaler as MinMaxScaler | null;
  if (s === null || typeof s !== 'object' || !Array.isArray(s.min) || !Array.isArray(s.max) || s.min.length !== d || s.max.length !== d) {
    throw badArgument(`scaler must be { min, max } with ${d} entries each, got ${describe(scaler)}`);
  }
  for (let j = 0; j < d; j++) {
    checkNumber(`scaler.min[${j}]`, s.min[j]);
    checkNumber(`scaler.max[${j}]`, s.max[j], s.min[j], Infinity, { minExclusive: true });
  }
  checkKernels('kernels', kernels);
  checkInt('nDraws', nDraws, 1, 1e5);
  checkInt('seed', seed, 0);
  if (!Array.isArray(probePoints)) throw badArgument(`probePoints must be an array of points, got ${describe(probePoints)}`);
  probePoints.forEach((pt, i) => {
    if (!Array.isArray(pt) || pt.length !== d) throw badArgument(`probePoints[${i}] must be an array of ${d} coordinates, got ${describe(pt)}`);
    checkFinite(`probePoints[${i}]`, pt);
  });
  const r = responseScale as ResponseScale | null;
  if (r === null || typeof r !== 'object') throw badArgument(`responseScale must be { center, scale }, got ${describe(responseScale)}`);
  checkNumber('responseScale.center', r.center);
  checkNumber('responseScale.scale', r.scale, 0, Infinity, { minExclusive: true });
  const t = timing as FitTiming | null;
  if (t === null || typeof t !== 'object' || typeof t.seconds !== 'number' || typeof t.iterationsPerSecond !== 'number') {
    throw badArgument(`timing must be { seconds, iterationsPerSecond }, got ${describe(timing)}`);
  }
}

/** 1-D input (numbers) or d coordinate columns. */
function asColumns(name: string, x: ArrayLike<number> | ArrayLike<number>[]): ArrayLike<number>[] {
  if (x === null || typeof x !== 'object' || typeof (x as ArrayLike<unknown>).length !== 'number') {
    throw badArgument(`${name} must be an array of numbers or an array of coordinate columns`);
  }
  if ((x as ArrayLike<unknown>).length === 0) throw badArgument(`${name} must not be empty`);
  const first = (x as ArrayLike<unknown>)[0];
  if (typeof first === 'number') return [x as ArrayLike<number>];
  const cols = Array.from(x as ArrayLike<ArrayLike<number>>);
  cols.forEach((c, j) => {
    if (c === null || typeof c !== 'object' || typeof c.length !== 'number') throw badArgument(`${name}[${j}] must be an array of numbers`);
  });
  return cols;
}

function perCoordinate(name: string, v: number | number[] | undefined, d: number, dflt: number): number[] {
  if (v === undefined) return new Array<number>(d).fill(dflt);
  if (typeof v === 'number') return new Array<number>(d).fill(v);
  if (!Array.isArray(v) || v.length !== d) throw badArgument(`${name} must be a number or an array of ${d} numbers`);
  return v;
}

/**
 * Fit a spline with Bayesian knot inference. x: one array (d = 1) or d coordinate columns of
 * length m; y: m responses. See KnotFitOptions for the settings and their defaults.
 */
export async function fitKnots(
  x: ArrayLike<number> | ArrayLike<number>[], y: ArrayLike<number>, options?: KnotFitOptions | null,
): Promise<KnotFit> {
  const opts = checkOptions<KnotFitOptions>('fitKnots options', options, KNOT_FIT_OPTION_KEYS);
  throwIfAborted(opts.signal, 'fitKnots');
  const cols = asColumns('x', x);
  const d = cols.length;
  if (y === null || typeof y !== 'object' || typeof y.length !== 'number') throw badArgument('y must be an array of numbers');
  const m = y.length;
  cols.forEach((c, j) => {
    if (c.length !== m) throw badArgument(`x column ${j} has length ${c.length}, but y has length ${m}`);
    checkFinite(d === 1 ? 'x' : `x[${j}]`, c);
  });
  checkFinite('y', y);
  const family = checkOneOf('family', opts.family ?? 'gaussian', ['gaussian', 'poisson', 'binomial'] as const);
  const degrees = perCoordinate('degree', opts.degree, d, 3).map((q, j) => checkInt(`degree[${j}]`, q, 0, 5));
  const gamma = checkNumber('gamma', opts.gamma ?? 1, 0, 100);
  const iterations = checkInt('iterations', opts.iterations ?? 5000, 1, MAX_RECORDED);
  const burnIn = checkInt('burnIn', opts.burnIn ?? 5000, 0, 1e9);
  const chains = checkInt('chains', opts.chains ?? 2, 1, 64);
  const threads = opts.threads === undefined ? undefined : checkInt('threads', opts.threads, 1, 64);
  if (chains * iterations > MAX_RECORDED) {
    throw badArgument(`chains × iterations = ${chains * iterations} recorded states exceeds ${MAX_RECORDED} (memory); thin the run or use fewer chains`);
  }
  const seed = checkInt('seed', opts.seed ?? 1, 0);
  const nDraws = checkInt('draws', opts.draws ?? 1000, 1, 1e5);
  const marginal = checkOneOf('marginal', opts.marginal ?? 'exact', ['exact', 'large-m'] as const);
  let candidates: number[];
  if (opts.candidates !== undefined) {
    candidates = perCoordinate('candidates', opts.candidates, d, 0).map((n, j) => checkInt(`candidates[${j}]`, n, 1, 1e7));
  } else {
    const times = checkNumber('times', opts.times ?? 2, 0, 1000, { minExclusive: true });
    const n = Math.floor(times * m);
    if (n < 1) throw badArgument(`times·m must be at least 1, got ${times}·${m}`);
    candidates = new Array<number>(d).fill(n);
  }
  let minRows = 1;
  for (const q of degrees) minRows *= q + 1;
  if (m < Math.max(5, minRows + 2)) throw badArgument(`need at least ${Math.max(5, minRows + 2)} observations, got ${m}`);
  let fixedK: number[] | null = null;
  if (opts.k !== undefined) {
    fixedK = perCoordinate('k', opts.k, d, 0).map((k, j) => checkInt(`k[${j}]`, k, 0, candidates[j]));
    let p = 1;
    fixedK.forEach((k, j) => { p *= k + degrees[j] + 1; });
    if (p >= m) throw badArgument(`k = ${fixedK.join(',')} gives ${p} basis functions, but there are only ${m} observations`);
  }
  let yArr: Float64Array = Float64Array.from(y);
  let responseScale: ResponseScale = { center: 0, scale: 1 };
  if (family === 'gaussian') ({ y: yArr, transform: responseScale } = standardizeResponse(yArr));
  let trials: Float64Array | undefined;
  if (family === 'binomial') {
    trials = opts.trials === undefined ? new Float64Array(m).fill(1) : Float64Array.from(opts.trials);
    if (trials.length !== m) throw badArgument(`trials must have length ${m}, got ${trials.length}`);
    for (let i = 0; i < m; i++) {
      if (!Number.isInteger(trials[i]) || trials[i] < 1) throw badArgument(`trials[${i}] must be a positive integer, got ${trials[i]}`);
      if (!Number.isInteger(yArr[i]) || yArr[i] < 0 || yArr[i] > trials[i]) throw badArgument(`y[${i}] must be an integer in [0, trials[${i}]] for the binomial family, got ${yArr[i]}`);
    }
  } else if (family === 'poisson') {
    for (let i = 0; i < m; i++) {
      if (!Number.isInteger(yArr[i]) || yArr[i] < 0) throw badArgument(`y[${i}] must be a non-negative integer count for the poisson family, got ${yArr[i]}`);
    }
  }
  let local: ChainProblem['local'] = null;
  if (opts.localProposals) {
    const lp = opts.localProposals === true ? {} : opts.localProposals;
    local = {
      probability: checkNumber('localProposals.probability', lp.probability ?? 0.5, 0, 1, { minExclusive: true }),
      nu: checkNumber('localProposals.nu', lp.nu ?? 50, 0, 1e6, { minExclusive: true }),
    };
  }
  const moves = checkOneOf('moves', opts.moves ?? 'balanced', ['balanced', 'prior-free'] as const);
  // Default move probabilities lean toward relocation at γ > 1 (default-move-mix.ts); at fixed k
  // γ does not enter the posterior, so it does not change them either.
  const mix = defaultMoveMix(fixedK === null ? gamma : 1);
  const c = checkNumber('c', opts.c ?? (moves === 'balanced' ? mix.c : 0.3), 0, 0.5, { minExclusive: true });
  let near: ChainProblem['near'] = null;
  if (opts.nearProposals !== false) {
    const np = opts.nearProposals === true || opts.nearProposals === undefined ? {} : opts.nearProposals;
    if (np === null || typeof np !== 'object') throw badArgument('nearProposals must be true, false or { probability, radius }');
    const nMin = Math.min(...candidates);
    near = {
      probability: checkNumber('nearProposals.probability', np.probability ?? mix.near, 0, 1),
      radius: checkInt('nearProposals.radius', np.radius ?? Math.max(1, Math.round(nMin / 100)), 1, nMin),
    };
    if (near.probability === 0) near = null;
  }
  if ((near?.probability ?? 0) + (local?.probability ?? 0) > 1) {
    throw badArgument('nearProposals.probability + localProposals.probability must not exceed 1');
  }
  // Twin births/deaths (a jump pair in one move): on by default for free k, at 5 % of iterations.
  let twins: ChainProblem['twins'] = null;
  if (opts.twinMoves !== false && fixedK === null) {
    const tw = opts.twinMoves === true || opts.twinMoves === undefined ? {} : opts.twinMoves;
    if (tw === null || typeof tw !== 'object') throw badArgument('twinMoves must be true, false or { probability, radius }');
    const nMin = Math.min(...candidates);
    twins = {
      probability: checkNumber('twinMoves.probability', tw.probability ?? mix.twinMoves, 0, 1, { maxExclusive: true }),
      radius: checkInt('twinMoves.radius', tw.radius ?? Math.max(1, Math.round(nMin / 100)), 1, nMin),
    };
    if (twins.probability === 0) twins = null;
  }
  let neighbour: ChainProblem['neighbour'] = null;
  if (opts.neighbourMoves !== undefined && opts.neighbourMoves !== false && fixedK === null) {
    const nb = opts.neighbourMoves === true ? {} : opts.neighbourMoves;
    if (nb === null || typeof nb !== 'object') throw badArgument('neighbourMoves must be true, false or { probability, offsets, depth }');
    const nMin = Math.min(...candidates);
    const offsets = nb.offsets ?? [1, 2, 3, 5, 8, 13, 21, 34, 55].filter((o) => o <= nMin);
    if (!Array.isArray(offsets) || offsets.length < 1 || offsets.length > 64) throw badArgument('neighbourMoves.offsets must be an array of 1 to 64 increasing positive integers');
    offsets.forEach((o, i) => checkInt(`neighbourMoves.offsets[${i}]`, o, i === 0 ? 1 : offsets[i - 1] + 1, nMin));
    neighbour = {
      probability: checkNumber('neighbourMoves.probability', nb.probability ?? mix.neighbourMoves, 0, 1, { maxExclusive: true }),
      offsets: offsets.slice(),
      depth: checkInt('neighbourMoves.depth', nb.depth ?? 2, 1, 100),
    };
    if (neighbour.probability === 0) neighbour = null;
  }
  let jumps: ChainProblem['jumps'] = null;
  if (opts.modeJumps !== false && fixedK === null) {
    const mj = opts.modeJumps === true || opts.modeJumps === undefined ? {} : opts.modeJumps;
    if (mj === null || typeof mj !== 'object') throw badArgument('modeJumps must be true, false or { probability, radius }');
    const nMin = Math.min(...candidates);
    jumps = {
      probability: checkNumber('modeJumps.probability', mj.probability ?? mix.modeJumps, 0, 1, { maxExclusive: true }),
      radius: checkInt('modeJumps.radius', mj.radius ?? Math.max(1, Math.round(0.06 * nMin)), 0, nMin),
      ...(mj.pairWidth === undefined || mj.pairWidth === 0 ? {} : { pairWidth: checkInt('modeJumps.pairWidth', mj.pairWidth, 0, nMin) }),
    };
    if (jumps.probability === 0) jumps = null;
  }
  checkMoveShares({ twinMoves: twins?.probability ?? 0, neighbourMoves: neighbour?.probability ?? 0, modeJumps: jumps?.probability ?? 0 });
  const start = checkOneOf('start', opts.start ?? 'random', ['random', 'greedy'] as const);
  let temperatures: number[] | undefined;
  if (opts.temperatures !== undefined) {
    const t = opts.temperatures;
    if (!Array.isArray(t) || t.length < 1 || t.length > 16) throw badArgument('temperatures must be an array of 1 to 16 numbers starting with 1');
    t.forEach((v, i) => checkNumber(`temperatures[${i}]`, v, i === 0 ? 1 : t[i - 1], i === 0 ? 1 : 1e6, i === 0 ? {} : { minExclusive: true }));
    temperatures = t.slice();
  }
  const scaler = fitMinMaxScaler(cols);
  const xs = cols.map((col, j) => scaleColumn(scaler, j, col));
  // Probe points for R̂/ESS of f: given, or 5 quantiles of each coordinate (the median elsewhere).
  let probeCols: number[][];
  if (opts.probes !== undefined) {
    probeCols = asColumns('probes', opts.probes).map((c) => Array.from(c));
    if (probeCols.length !== d) throw badArgument(`probes must have ${d} coordinate column(s)`);
    probeCols.forEach((c, j) => checkFinite(`probes[${j}]`, c));
  } else {
    const levels = [0.1, 0.3, 0.5, 0.7, 0.9];
    probeCols = cols.map((col, j) => {
      const q = quantiles(Array.from(col), levels);
      return d === 1 ? Array.from(q) : levels.map((_, i) => (j === i % d ? q[i] : quantiles(Array.from(col), [0.5])[0]));
    });
  }
  const probes = probeCols.map((c, j) => scaleColumn(scaler, j, c));
  const probePoints = probeCols[0].map((_, i) => probeCols.map((c) => c[i]));
  const problem: ChainProblem = {
    xs, y: yArr, trials, family, marginal, degrees, candidates, gamma, c, moves, fixedK, local, near, twins, temperatures, burnIn, iterations, probes,
    ...(neighbour === null ? {} : { neighbour }),
    ...(jumps === null ? {} : { jumps }),
    ...(start === 'greedy' ? { start } : {}),
  };
  const kernels = opts.kernels ?? await createKernels({ backend: opts.backend ?? 'auto' });
  const started = Date.now();
  const records = await runChains(problem, {
    chains, seed, kernels, parallel: opts.parallel, threads, onProgress: opts.onProgress, signal: opts.signal,
  });
  const seconds = (Date.now() - started) / 1000;
  const timing = { seconds, iterationsPerSecond: (chains * (burnIn + iterations)) / Math.max(seconds, 1e-3) };
  return new KnotFit(problem, records, scaler, kernels, nDraws, seed, probePoints, responseScale, timing);
}

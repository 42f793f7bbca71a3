/**
 * One reversible-jump MCMC chain over knot sets (He, Yang & Kang, arXiv 2405.13353, §3; Green
 * 1995). Each iteration picks a coordinate uniformly (d > 1), then
 *   birth    with probability b_k: add a target from the proposal mixture (knot-proposals.ts),
 *   death    with probability d_k: remove a uniformly chosen knot,
 *   relocate otherwise:            move a uniformly chosen knot to a target from the mixture,
 * and accepts with the posterior ratio times the proposal ratio (b_k, d_k and the target
 * probabilities; move-probabilities.ts has the 'balanced' and the authors' 'prior-free' b_k, d_k).
 * Optionally, each with a fixed probability per iteration, one of two moves replaces the above:
 * a pair move (pair-move.ts: a Gibbs update of two neighbouring knots together) or a twin birth
 * or death (two knots at most r grid steps apart added or removed at once). Fixed-k mode only
 * relocates (and makes pair moves). With several temperatures, replicas of the chain sample the
 * tempered posteriors and exchange states (parallel tempering); only T = 1 is recorded.
 *
 * Every iteration after burn-in is recorded — including rejected proposals, where the state
 * repeats — which is what standard Metropolis–Hastings requires (storing only accepted moves
 * would sample the jump chain, not the posterior).
 *
 * Each evaluation rebuilds only the moved coordinate's sparse rows (kernel bsplineBasis), the
 * banded Gram (kernel bandedGram) and its banded Cholesky: O(m q² + p q²) per iteration for d = 1.
 */
import { SparseInferenceError, throwIfAborted } from '../core/errors.js';
import { checkOptions } from '../core/options.js';
import { Rng } from '../core/rng.js';
import { checkKernels } from '../kernels/check-kernels.js';
import type { CpuKernels } from '../kernels/kernels.js';
import { checkChainProblem } from './check-chain.js';
import { GaussianMarginal, type MarginalVariant } from './gaussian-marginal.js';
import { posteriorMeanBeta } from './posterior-draws.js';
import { GlmEbic, type GlmFamily } from './glm-ebic.js';
import { KnotSet } from './knot-set.js';
import { KnotProposals } from './knot-proposals.js';
import { birthProbability, deathProbability, logPriorRatio, type MoveScheme } from './move-probabilities.js';
import { drawGibbs, pairCandidates, pairKnotVector, type PairMoveOptions } from './pair-move.js';
import { SplineDesign, type CoordinateRows } from './spline-design.js';
import { evaluateSpline } from './spline-eval.js';

/** Everything a chain needs; plain data, so it can be posted to a worker. */
export interface ChainProblem {
  /** Coordinates scaled to [0, 1]: d arrays of length m. */
  xs: Float64Array[];
  y: Float64Array;
  /** Binomial trials per observation (default 1). */
  trials?: Float64Array;
  family: GlmFamily;
  /**
   * Gaussian only: exact g-prior marginal, the authors' large-m form, or 'ebic' (the generic
   * IRLS/EBIC path, which for Gaussian data equals 'large-m' — a check).
   */
  marginal: MarginalVariant | 'ebic';
  degrees: number[];
  /** Grid size n_j per coordinate. */
  candidates: number[];
  gamma: number;
  c: number;
  /** Birth/death probabilities: 'balanced' (default; prior ratio in the acceptance) or the authors' 'prior-free'. */
  moves?: MoveScheme;
  /** Fixed number of knots per coordinate (relocation only), or null. */
  fixedK: number[] | null;
  /** BARS-style local proposals, or null. */
  local: { probability: number; nu: number } | null;
  /** Near proposals (knot-proposals.ts): births next to a knot, relocations by a few grid steps; null/absent: none. */
  near?: { probability: number; radius: number } | null;
  /**
   * Pair moves (pair-move.ts): with this probability per iteration, a Gibbs update of two
   * neighbouring knots together (a narrow jump pair ⇄ a wide one); null/absent: none.
   */
  pair?: PairMoveOptions | null;
  /**
   * Twin births and deaths: with this probability per iteration, add or remove two knots at most
   * `radius` grid steps apart at once (a jump pair); null/absent: none. Free k only.
   */
  twins?: { probability: number; radius: number } | null;
  /**
   * Parallel tempering (Geyer 1991): temperatures T_0 = 1 < T_1 < ... of replicas sampling the
   * posterior to the power 1/T_r, each making one move per iteration, with one exchange of
   * neighbouring replicas' states proposed per iteration; only T = 1 is recorded. Absent: [1].
   */
  temperatures?: number[];
  burnIn: number;
  iterations: number;
  /** Probe points (scaled coordinates, d arrays) where f is recorded for R̂/ESS. */
  probes: Float64Array[];
}

export const MOVE_BIRTH = 0, MOVE_DEATH = 1, MOVE_RELOCATE = 2, MOVE_NULL = 3, MOVE_PAIR = 4,
  MOVE_TWIN_BIRTH = 5, MOVE_TWIN_DEATH = 6;
/** Added to a move type when the move changed the state. */
const ACCEPTED = 8;

/** The recorded chain (every post-burn-in iteration). */
export interface ChainRecord {
  seed: number;
  iterations: number;
  /** k per coordinate per iteration: d arrays of length iterations. */
  k: Int32Array[];
  /** Knot grid indices per coordinate, CSR: indices of iteration t are knotIndex[j][offsets[j][t]..offsets[j][t+1]). */
  knotOffsets: Int32Array[];
  knotIndex: Int32Array[];
  /** log p(y | ξ) (or EBIC score) of the state at each iteration. */
  logScore: Float64Array;
  /** 1 when the proposal made at this iteration was accepted. */
  accepted: Uint8Array;
  /** MOVE_BIRTH / MOVE_DEATH / MOVE_RELOCATE / MOVE_PAIR / MOVE_TWIN_BIRTH / MOVE_TWIN_DEATH / MOVE_NULL (no valid proposal). */
  moveType: Uint8Array;
  /** f at the probe points given the current knots (posterior mean given ξ): iterations*nProbe. */
  probe: Float64Array;
  nProbe: number;
}

export interface ChainRunOptions {
  onProgress?: (fraction: number) => void;
  signal?: AbortSignal;
}

/** Run one chain on the calling thread. Deterministic given seed (and the same kernels results). */
export function runChain(problem: ChainProblem, seed: number, kernels: CpuKernels, opts: ChainRunOptions = {}): ChainRecord {
  opts = checkChainArguments(problem, kernels, opts);
  const steps = chainSteps(problem, seed, kernels);
  const total = problem.burnIn + problem.iterations;
  try {
    for (;;) {
      throwIfAborted(opts.signal, 'knot sampler');
      const r = steps.next();
      if (r.done) { opts.onProgress?.(1); return r.value; }
      opts.onProgress?.(r.value / total);
    }
  } finally {
    steps.return(undefined as never); // an abort or a throwing callback: free the chain's buffers
  }
}

/**
 * Run one chain on the calling thread without blocking it: the work is done in slices of about
 * 20 ms with the event loop let through in between, so timers, I/O and an abort signal are
 * serviced and an abort stops the chain within one slice.
 */
export async function runChainAsync(problem: ChainProblem, seed: number, kernels: CpuKernels, opts: ChainRunOptions = {}): Promise<ChainRecord> {
  opts = checkChainArguments(problem, kernels, opts);
  const steps = chainSteps(problem, seed, kernels);
  const total = problem.burnIn + problem.iterations;
  let sliceStart = Date.now();
  try {
    for (;;) {
      throwIfAborted(opts.signal, 'knot sampler');
      const r = steps.next();
      if (r.done) { opts.onProgress?.(1); return r.value; }
      opts.onProgress?.(r.value / total);
      if (Date.now() - sliceStart >= 20) {
        await new Promise((resolve) => setTimeout(resolve, 0));
        sliceStart = Date.now();
      }
    }
  } finally {
    steps.return(undefined as never); // an abort or a throwing callback: free the chain's buffers
  }
}

/** The public entries' checks (the seed is checked by Rng); returns the options object. */
function checkChainArguments(problem: unknown, kernels: unknown, opts: ChainRunOptions | null | undefined): ChainRunOptions {
  checkChainProblem('problem', problem);
  checkKernels('kernels', kernels);
  return checkOptions<ChainRunOptions>('chain options', opts, ['onProgress', 'signal']);
}

/** One tempered copy of the chain's state. */
interface Replica {
  sets: KnotSet[];
  rows: CoordinateRows[];
  spare: CoordinateRows[];
  /** rows with one coordinate swapped for a proposal's spare rows. */
  view: CoordinateRows[];
  /** log p(y | ξ) (or EBIC score) of the state. */
  current: number;
  /** log π(ξ) = −γ Σ_j log C(n_j, k_j). */
  logPrior: number;
}

/** How many iterations run between two checks for abort and progress (a few ms at most). */
const STEP_BLOCK = 128;

/**
 * The chain as a generator: yields the number of iterations done every STEP_BLOCK iterations
 * (and after the start-up), returns the record.
 */
function* chainSteps(problem: ChainProblem, seed: number, kernels: CpuKernels): Generator<number, ChainRecord, void> {
  const rng = new Rng(seed);
  // One coordinate: its kernels do all the work, so their arguments stay resident (no copies),
  // and the observations are taken in order of x (the likelihood does not depend on their
  // order): neighbouring rows then share their basis columns, which the kernels exploit.
  const oneD = problem.xs.length === 1;
  const data = oneD ? sortedByX(problem) : problem;
  const design = new SplineDesign(kernels, data.xs, data.degrees, { resident: oneD });
  try {
    return yield* sampleChain(data, seed, rng, design);
  } finally {
    design.dispose();
  }
}

/** The problem with its observations (x, y, trials) permuted into increasing x. */
function sortedByX(problem: ChainProblem): ChainProblem {
  const x = problem.xs[0];
  const order = Array.from(x.keys()).sort((a, b) => x[a] - x[b] || a - b);
  const take = (a: Float64Array) => Float64Array.from(order, (i) => a[i]);
  return { ...problem, xs: [take(x)], y: take(problem.y), trials: problem.trials === undefined ? undefined : take(problem.trials) };
}

function* sampleChain(problem: ChainProblem, seed: number, rng: Rng, design: SplineDesign): Generator<number, ChainRecord, void> {
  const { xs, y, degrees, candidates, gamma, c, fixedK, local, burnIn, iterations } = problem;
  const d = xs.length;
  const m = y.length;
  const gaussianMarginal = problem.family === 'gaussian' && problem.marginal !== 'ebic';
  const scorer = gaussianMarginal
    ? new GaussianMarginal(design, y, problem.marginal as MarginalVariant)
    : new GlmEbic(design, y, problem.family, problem.trials);
  const maxNt = Math.max(...candidates.map((n, j) => n + 2 * degrees[j] + 2));
  const tBuf = new Float64Array(maxNt);
  const temperatures = problem.temperatures ?? [1];
  const betas = temperatures.map((t) => 1 / t);

  // Start: k = 1 (or the fixed k) at random grid points; redraw if the design is singular.
  const startReplica = (): Replica => {
    const sets = candidates.map((n) => new KnotSet(n));
    const rows: CoordinateRows[] = degrees.map((q) => design.allocRows(q));
    let current = -Infinity;
    for (let attempt = 0; attempt < 200 && current === -Infinity; attempt++) {
      for (let j = 0; j < d; j++) {
        const s = sets[j];
        for (const i of s.indices.slice()) s.remove(i);
        const k0 = fixedK ? fixedK[j] : 1;
        for (const i of rng.sampleWithoutReplacement(s.n, Math.min(k0, s.n))) s.add(i);
        const nt = s.knotVector(degrees[j], tBuf);
        design.computeRows(j, tBuf, nt, rows[j]);
      }
      current = scorer.evaluate(rows);
    }
    if (current === -Infinity) {
      throw new SparseInferenceError('NOT_CONVERGED', 'no starting knot set gives a full-rank design (too few distinct x values for this degree and k?)');
    }
    let logPrior = 0;
    sets.forEach((s) => { logPrior += logPriorRatio(0, s.k, s.n, gamma); });
    return { sets, rows, spare: degrees.map((q) => design.allocRows(q)), view: rows.slice(), current, logPrior };
  };
  // Replicas are started in reverse so that the cold one is evaluated last: its fit is current.
  const replicas: Replica[] = new Array(temperatures.length);
  for (let r = temperatures.length - 1; r >= 0; r--) replicas[r] = startReplica();

  const nProbe = problem.probes.length > 0 ? problem.probes[0].length : 0;
  const probeNow = new Float64Array(nProbe);
  const knotVectors = degrees.map((q, j) => new Float64Array(candidates[j] + 2 * q + 2));
  /** f at the probes for the cold replica; the scorer's last evaluation must be of its state. */
  const updateProbes = (): void => {
    if (nProbe === 0) return;
    const cold = replicas[0];
    const beta = scorer instanceof GaussianMarginal ? posteriorMeanBeta(scorer.fitState(), m) : scorer.fitState(cold.rows).betaHat;
    const kv = knotVectors.map((buf, j) => buf.subarray(0, cold.sets[j].knotVector(degrees[j], buf)));
    evaluateSpline(problem.probes, kv, degrees, beta, probeNow, nProbe);
    for (let i = 0; i < nProbe; i++) {
      probeNow[i] = problem.family === 'poisson' ? Math.exp(probeNow[i])
        : problem.family === 'binomial' ? 1 / (1 + Math.exp(-probeNow[i]))
          : probeNow[i];
    }
  };
  updateProbes();

  const rec: ChainRecord = {
    seed, iterations, nProbe,
    k: candidates.map(() => new Int32Array(iterations)),
    knotOffsets: candidates.map(() => new Int32Array(iterations + 1)),
    knotIndex: candidates.map(() => new Int32Array(0)),
    logScore: new Float64Array(iterations),
    accepted: new Uint8Array(iterations),
    moveType: new Uint8Array(iterations),
    probe: new Float64Array(iterations * nProbe),
  };
  const knotLists: number[][] = candidates.map(() => []);

  const scheme = problem.moves ?? 'balanced';
  const proposalsOf = candidates.map(() => new KnotProposals({ near: problem.near ?? null, bars: local }));
  const fixed = fixedK !== null;

  /**
   * One Metropolis–Hastings step of replica rep, whose target is the posterior to the power
   * beta: log α = beta·(Δ log-likelihood + Δ log-prior) + log q(reverse) − log q(forward).
   * Returns the move type, with 4 added when it was accepted.
   */
  const step = (rep: Replica, beta: number, isCold: boolean): number => {
    const j = d > 1 ? rng.int(d) : 0;
    const set = rep.sets[j];
    const proposals = proposalsOf[j];
    const k = set.k, n = set.n, q = degrees[j];
    let u = rng.uniform();
    if (pSpecial > 0) {
      if (u < pPair) return pairStep(rep, beta, isCold, j);
      if (u < pSpecial) return twinStep(rep, beta, isCold, j);
      u = (u - pSpecial) / (1 - pSpecial); // uniform again, for the choice below
    }
    const b = fixed ? 0 : birthProbability(k, n, gamma, c, scheme);
    const dk = fixed ? 0 : deathProbability(k, n, gamma, c, scheme);
    let type = MOVE_NULL;
    let add = -1, drop = -1, logPriorDelta = 0, logProposal = 0;
    if (u < b) {
      add = proposals.drawBirth(rng, set);
      if (add >= 0) {
        type = MOVE_BIRTH;
        logPriorDelta = logPriorRatio(k, k + 1, n, gamma);
        logProposal = Math.log(deathProbability(k + 1, n, gamma, c, scheme) / (k + 1)) - Math.log(b * proposals.birthProbability(set, add, -1));
      }
    } else if (u < b + dk) {
      type = MOVE_DEATH;
      drop = set.indices[rng.int(k)];
      logPriorDelta = logPriorRatio(k, k - 1, n, gamma);
      logProposal = Math.log(birthProbability(k - 1, n, gamma, c, scheme) * proposals.birthProbability(set, drop, drop)) - Math.log(dk / k);
    } else if (k > 0 && k < n) {
      drop = set.indices[rng.int(k)];
      add = proposals.drawRelocation(rng, set, drop);
      if (add >= 0) {
        type = MOVE_RELOCATE;
        logProposal = Math.log(proposals.relocationProbability(set, drop, add)) - Math.log(proposals.relocationProbability(set, add, drop));
      }
    }
    if (type === MOVE_NULL) return type;
    const nt = set.knotVector(q, tBuf, add, drop);
    design.computeRows(j, tBuf, nt, rep.spare[j]);
    rep.view[j] = rep.spare[j];
    const proposed = scorer.evaluate(rep.view);
    rep.view[j] = rep.rows[j];
    // (Under 'prior-free' moves with uniform targets, logPriorDelta + logProposal = 0.)
    const logAlpha = beta === 1 ? proposed - rep.current + logPriorDelta + logProposal
      : beta * (proposed - rep.current + logPriorDelta) + logProposal;
    if (!(proposed > -Infinity && Math.log(rng.uniformOpen()) < logAlpha)) return type;
    if (drop >= 0) set.remove(drop);
    if (add >= 0) set.add(add);
    const tmp = rep.rows[j]; rep.rows[j] = rep.spare[j]; rep.spare[j] = tmp;
    rep.view[j] = rep.rows[j];
    rep.current = proposed;
    rep.logPrior += logPriorDelta;
    if (isCold) updateProbes();
    return type + ACCEPTED;
  };

  const pair = problem.pair ?? null;
  const pPair = pair?.probability ?? 0;
  const twins = fixed ? null : problem.twins ?? null;
  const pSpecial = pPair + (twins?.probability ?? 0);

  /**
   * A twin birth or death (½ each): two knots at most r grid steps apart, with no knot between
   * them, added or removed together. Birth: a uniform among the n − k free points, b = a + o with
   * o uniform in {−r..−1, 1..r} (off the grid, on a knot or with a knot between: null move); the
   * set {a, b} arises from a first or from b first, so q = 2/((n−k)·2r) = 1/((n−k)·r). Death: one
   * of the P twin pairs of the set (neighbours at most r apart), uniformly. A jump in a linear
   * spline is such a pair: a chain holding one knot there (a kink) gains it in one move, where
   * two single births would each pay the prior's price before the pair pays back.
   */
  const twinStep = (rep: Replica, beta: number, isCold: boolean, j: number): number => {
    const set = rep.sets[j];
    const k = set.k, n = set.n, q = degrees[j], r = twins!.radius;
    const idx = set.indices;
    const twinPairs = (list: readonly number[]): number => {
      let count = 0;
      for (let i = 0; i + 1 < list.length; i++) if (list[i + 1] - list[i] <= r) count++;
      return count;
    };
    const logPrior = (kk: number) => logPriorRatio(0, kk, n, gamma);
    let next: number[], logProposal: number, type: number;
    if (rng.uniform() < 0.5) {
      type = MOVE_TWIN_BIRTH;
      if (k + 2 > n) return type;
      const a = set.randomUnused(rng);
      const o = 1 + rng.int(r);
      const b = rng.uniform() < 0.5 ? a - o : a + o;
      if (b < 0 || b >= n || set.isUsed(b)) return type;
      const lo = Math.min(a, b), hi = Math.max(a, b);
      if (idx.some((i) => i > lo && i < hi)) return type;
      next = [...idx, a, b].sort((x, y) => x - y);
      logProposal = -Math.log(twinPairs(next)) + Math.log((n - k) * r);
    } else {
      type = MOVE_TWIN_DEATH;
      const count = twinPairs(idx);
      if (count === 0) return type;
      let pick = rng.int(count), at = 0;
      for (let i = 0; i + 1 < k; i++) if (idx[i + 1] - idx[i] <= r && pick-- === 0) { at = i; break; }
      next = idx.filter((_, i) => i !== at && i !== at + 1);
      logProposal = -Math.log((n - k + 2) * r) + Math.log(count);
    }
    let o = 0;
    for (let rr = 0; rr <= q; rr++) tBuf[o++] = 0;
    for (const i of next) tBuf[o++] = set.value(i);
    for (let rr = 0; rr <= q; rr++) tBuf[o++] = 1;
    design.computeRows(j, tBuf, o, rep.spare[j]);
    rep.view[j] = rep.spare[j];
    const proposed = scorer.evaluate(rep.view);
    rep.view[j] = rep.rows[j];
    const logPriorDelta = logPrior(next.length) - logPrior(k);
    const logAlpha = beta * (proposed - rep.current + logPriorDelta) + logProposal;
    if (!(proposed > -Infinity && Math.log(rng.uniformOpen()) < logAlpha)) return type;
    for (const i of idx.slice()) set.remove(i);
    for (const i of next) set.add(i);
    const tmp = rep.rows[j]; rep.rows[j] = rep.spare[j]; rep.spare[j] = tmp;
    rep.view[j] = rep.rows[j];
    rep.current = proposed;
    rep.logPrior += logPriorDelta;
    if (isCold) updateProbes();
    return type + ACCEPTED;
  };
  const pairList: number[] = [];
  let pairLogp = new Float64Array(0);
  /** A pair move on coordinate j of replica rep (Gibbs on the candidate set at inverse temperature beta). */
  const pairStep = (rep: Replica, beta: number, isCold: boolean, j: number): number => {
    const set = rep.sets[j];
    const k = set.k, n = set.n, q = degrees[j];
    if (k < 2 || pair === null) return MOVE_NULL;
    const pairIndex = rng.int(k - 1), offset = rng.int(pair.block);
    const count = pairCandidates(set.indices, n, pairIndex, offset, pair, pairList);
    if (count === 0) return MOVE_NULL;
    if (pairLogp.length < count) pairLogp = new Float64Array(count);
    const lo = set.indices[pairIndex], hi = set.indices[pairIndex + 1];
    const evaluate = (a: number, b: number): number => {
      const nt = pairKnotVector(set.indices, n, q, pairIndex, a, b, tBuf);
      design.computeRows(j, tBuf, nt, rep.spare[j]);
      rep.view[j] = rep.spare[j];
      const value = scorer.evaluate(rep.view);
      rep.view[j] = rep.rows[j];
      return value;
    };
    for (let cIdx = 0; cIdx < count; cIdx++) {
      const a = pairList[2 * cIdx], b = pairList[2 * cIdx + 1];
      pairLogp[cIdx] = a === lo && b === hi ? rep.current : evaluate(a, b);
    }
    const chosen = drawGibbs(pairLogp, count, beta, rng.uniform());
    const a = pairList[2 * chosen], b = pairList[2 * chosen + 1];
    if (a === lo && b === hi) return MOVE_PAIR;
    // Evaluate the chosen state last, so that the scorer holds its fit (probes, GLM state).
    rep.current = evaluate(a, b);
    set.remove(lo); set.remove(hi); set.add(a); set.add(b);
    const tmp = rep.rows[j]; rep.rows[j] = rep.spare[j]; rep.spare[j] = tmp;
    rep.view[j] = rep.rows[j];
    if (isCold) updateProbes();
    return MOVE_PAIR + ACCEPTED;
  };

  const total = burnIn + iterations;
  yield 0;
  for (let it = 0; it < total; it++) {
    if (it > 0 && it % STEP_BLOCK === 0) yield it;
    // Hotter replicas first, the cold one last: after its step the scorer holds its fit.
    for (let r = replicas.length - 1; r >= 1; r--) step(replicas[r], betas[r], false);
    const outcome = step(replicas[0], 1, true);
    const type = outcome & (ACCEPTED - 1);
    let accepted = outcome >= ACCEPTED ? 1 : 0;
    if (replicas.length > 1) {
      // Exchange the states of two neighbouring temperatures (Geyer 1991):
      // α = exp((β_a − β_b)·(log π(ξ_b) − log π(ξ_a))).
      const a = rng.int(replicas.length - 1), bIdx = a + 1;
      const A = replicas[a], B = replicas[bIdx];
      const logAlpha = (betas[a] - betas[bIdx]) * (B.current + B.logPrior - A.current - A.logPrior);
      if (Math.log(rng.uniformOpen()) < logAlpha) {
        replicas[a] = B; replicas[bIdx] = A;
        if (a === 0) {
          accepted = 1;
          scorer.evaluate(replicas[0].rows); // refresh the scorer's fit for the new cold state
          updateProbes();
        }
      }
    }

    if (it >= burnIn) {
      const t = it - burnIn;
      const cold = replicas[0];
      rec.logScore[t] = cold.current;
      rec.accepted[t] = accepted;
      rec.moveType[t] = type;
      for (let jj = 0; jj < d; jj++) {
        rec.k[jj][t] = cold.sets[jj].k;
        const list = knotLists[jj];
        for (const idx of cold.sets[jj].indices) list.push(idx);
        rec.knotOffsets[jj][t + 1] = list.length;
      }
      rec.probe.set(probeNow, t * nProbe);
    }
  }
  rec.knotIndex = knotLists.map((l) => Int32Array.from(l));
  return rec;
}

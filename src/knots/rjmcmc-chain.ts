/**
 * One reversible-jump MCMC chain over knot sets (He, Yang & Kang, arXiv 2405.13353, §3; Green
 * 1995). Each iteration picks a coordinate uniformly (d > 1), then one move (chain/):
 *   pair move        with probability P_pair: Gibbs update of two neighbouring knots (pair-move.ts),
 *   twin birth/death with probability P_twin: two close knots added or removed (twin-move.ts),
 *   neighbour birth/death with probability P_nb: a knot added or removed and the knots either
 *                    side redrawn from their local full conditionals in the same move (neighbour-move.ts),
 *   mode jump        with probability P_jump: k changed by one and every other knot carried over to
 *                    the best state of that k seen in burn-in (mode-jump-move.ts),
 *   otherwise, with b_k and d_k from move-probabilities.ts:
 *     birth    add a target from the proposal mixture (birth-death-move.ts, knot-proposals.ts),
 *     death    remove a uniformly chosen knot (birth-death-move.ts),
 *     relocate move a uniformly chosen knot to a target from the mixture (relocation-move.ts).
 * Each move accepts with the posterior ratio times its proposal ratio. Fixed-k mode only
 * relocates (and makes pair moves). With several temperatures, replicas of the chain sample the
 * tempered posteriors and exchange states (replica-exchange.ts); only T = 1 is recorded.
 *
 * Every iteration after burn-in is recorded — including rejected proposals, where the state
 * repeats — which is what standard Metropolis–Hastings requires (storing only accepted moves
 * would sample the jump chain, not the posterior).
 *
 * Each evaluation rebuilds only the moved coordinate's sparse rows (kernel bsplineBasis), the
 * banded Gram (kernel bandedGram) and its banded Cholesky: O(m q² + p q²) per iteration for d = 1.
 */
import { throwIfAborted } from '../core/errors.js';
import { checkOptions } from '../core/options.js';
import { Rng } from '../core/rng.js';
import { checkKernels } from '../kernels/check-kernels.js';
import type { CpuKernels } from '../kernels/kernels.js';
import { birthMove, deathMove } from './chain/birth-death-move.js';
import { ChainRecorder } from './chain/chain-recorder.js';
import { ACCEPTED, MOVE_NULL, type MoveContext, type Replica } from './chain/move-context.js';
import { neighbourMove, type NeighbourMoveOptions } from './chain/neighbour-move.js';
import { pairMove, type PairMoveOptions } from './chain/pair-move.js';
import { ProbeValues } from './chain/probe-values.js';
import { relocationMove } from './chain/relocation-move.js';
import { exchangeReplicas } from './chain/replica-exchange.js';
import { greedyStart } from './chain/greedy-start.js';
import { startReplica } from './chain/start-replica.js';
import { twinMove } from './chain/twin-move.js';
import { ModeAnchors, modeJumpMove, type ModeJumpOptions } from './chain/mode-jump-move.js';
import { checkChainProblem } from './check-chain.js';
import { GaussianMarginal, type MarginalVariant } from './gaussian-marginal.js';
import { GlmEbic, type GlmFamily } from './glm-ebic.js';
import { KnotProposals } from './knot-proposals.js';
import { birthProbability, deathProbability, type MoveScheme } from './move-probabilities.js';
import { SplineDesign } from './spline-design.js';

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
   * Births and deaths with neighbour relocation (chain/neighbour-move.ts): with this probability
   * per iteration, a knot added or removed while the knots either side are redrawn from their
   * full conditionals over windows of s ± offsets; null/absent: none. Free k only.
   */
  neighbour?: NeighbourMoveOptions | null;
  /**
   * Mode jumps (chain/mode-jump-move.ts): with this probability per iteration, k changed by one
   * while the other knots move from near the best state of k knots seen in burn-in to the same
   * offsets around the best state of k ± 1 knots; null/absent: none. Free k only.
   */
  jumps?: ModeJumpOptions | null;
  /**
   * Parallel tempering (Geyer 1991): temperatures T_0 = 1 < T_1 < ... of replicas sampling the
   * posterior to the power 1/T_r, each making one move per iteration, with one exchange of
   * neighbouring replicas' states proposed per iteration; only T = 1 is recorded. Absent: [1].
   */
  temperatures?: number[];
  /**
   * Where the chain starts: 'random' (default: k = 1, or the fixed k, at random grid points) or
   * 'greedy' (from there, stepwise best births and deaths while the log posterior improves;
   * chain/greedy-start.ts). Free k only.
   */
  start?: 'random' | 'greedy';
  burnIn: number;
  iterations: number;
  /** Probe points (scaled coordinates, d arrays) where f is recorded for R̂/ESS. */
  probes: Float64Array[];
}

export { MOVE_BIRTH, MOVE_DEATH, MOVE_RELOCATE, MOVE_NULL, MOVE_PAIR, MOVE_TWIN_BIRTH, MOVE_TWIN_DEATH, MOVE_NEIGHBOUR_BIRTH, MOVE_NEIGHBOUR_DEATH, MOVE_MODE_JUMP } from './chain/move-context.js';

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
  /** MOVE_BIRTH / MOVE_DEATH / MOVE_RELOCATE / MOVE_PAIR / MOVE_TWIN_BIRTH / MOVE_TWIN_DEATH / MOVE_NEIGHBOUR_BIRTH / MOVE_NEIGHBOUR_DEATH / MOVE_MODE_JUMP / MOVE_NULL (no valid proposal). */
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
  const { xs, y, degrees, candidates, gamma, fixedK, burnIn, iterations } = problem;
  const d = xs.length;
  const scorer = problem.family === 'gaussian' && problem.marginal !== 'ebic'
    ? new GaussianMarginal(design, y, problem.marginal as MarginalVariant)
    : new GlmEbic(design, y, problem.family, problem.trials);
  const ctx: MoveContext = {
    rng, design, scorer, degrees, gamma, c: problem.c, scheme: problem.moves ?? 'balanced', fixed: fixedK !== null,
    proposals: candidates.map(() => new KnotProposals({ near: problem.near ?? null, bars: problem.local })),
    t: new Float64Array(Math.max(...candidates.map((n, j) => n + 2 * degrees[j] + 2))),
  };
  const pair = problem.pair ?? null;
  const twins = ctx.fixed ? null : problem.twins ?? null;
  const neighbour = ctx.fixed ? null : problem.neighbour ?? null;
  const pPair = pair?.probability ?? 0;
  const pTwin = pPair + (twins?.probability ?? 0);
  const jumps = ctx.fixed ? null : problem.jumps ?? null;
  const pNeighbour = pTwin + (neighbour?.probability ?? 0);
  const pSpecial = pNeighbour + (jumps?.probability ?? 0);
  const anchors = new ModeAnchors(d, jumps?.pairWidth ?? 0);

  /** One move of replica rep at inverse temperature beta; returns its type (+ ACCEPTED). */
  const step = (rep: Replica, beta: number): number => {
    const j = d > 1 ? rng.int(d) : 0;
    let u = rng.uniform();
    if (pSpecial > 0) {
      if (u < pPair) return pairMove(ctx, rep, beta, j, pair!);
      if (u < pTwin) return twinMove(ctx, rep, beta, j, twins!.radius);
      if (u < pNeighbour) return neighbourMove(ctx, rep, beta, j, neighbour!);
      if (u < pSpecial) return modeJumpMove(ctx, rep, beta, j, anchors, jumps!.radius);
      u = (u - pSpecial) / (1 - pSpecial); // uniform again, for the choice below
    }
    const k = rep.sets[j].k, n = rep.sets[j].n;
    const b = ctx.fixed ? 0 : birthProbability(k, n, gamma, ctx.c, ctx.scheme);
    const dk = ctx.fixed ? 0 : deathProbability(k, n, gamma, ctx.c, ctx.scheme);
    if (u < b) return birthMove(ctx, rep, beta, j, b);
    if (u < b + dk) return deathMove(ctx, rep, beta, j, dk);
    if (k > 0 && k < n) return relocationMove(ctx, rep, beta, j);
    return MOVE_NULL;
  };

  const temperatures = problem.temperatures ?? [1];
  const betas = temperatures.map((T) => 1 / T);
  // Replicas are started in reverse so that the cold one is evaluated last: its fit is current.
  const replicas: Replica[] = new Array(temperatures.length);
  for (let r = temperatures.length - 1; r >= 0; r--) {
    replicas[r] = startReplica(ctx, candidates, fixedK);
    if (problem.start === 'greedy' && !ctx.fixed) yield* greedyStart(ctx, replicas[r]);
    anchors.observe(replicas[r]);
  }
  const probes = new ProbeValues(problem.probes, degrees, candidates, problem.family);
  probes.update(scorer, replicas[0]);
  const recorder = new ChainRecorder(seed, iterations, d, probes.values.length);

  const total = burnIn + iterations;
  yield 0;
  for (let it = 0; it < total; it++) {
    if (it > 0 && it % STEP_BLOCK === 0) yield it;
    // Hotter replicas first, the cold one last: after its move the scorer holds its fit.
    for (let r = replicas.length - 1; r >= 1; r--) step(replicas[r], betas[r]);
    const outcome = step(replicas[0], 1);
    let accepted = outcome >= ACCEPTED ? 1 : 0;
    if (accepted) probes.update(scorer, replicas[0]);
    if (replicas.length > 1 && exchangeReplicas(rng, replicas, betas)) {
      accepted = 1;
      scorer.evaluate(replicas[0].rows); // refresh the scorer's fit for the new cold state
      probes.update(scorer, replicas[0]);
    }
    // Anchors learn from the cold replica during burn-in only; the recorded chain uses them frozen.
    if (it < burnIn) anchors.observe(replicas[0]);
    else if (it === burnIn) anchors.freeze();
    if (it >= burnIn) recorder.record(it - burnIn, replicas[0], accepted, outcome & (ACCEPTED - 1), probes.values);
  }
  return recorder.finish();
}

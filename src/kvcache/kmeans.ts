/**
 * k-means for codebook training: k-means++ seeding (Arthur & Vassilvitskii, SODA 2007), Lloyd
 * iterations (Lloyd 1982) with a centroid-shift tolerance and empty-cluster re-seeding, or
 * mini-batch updates for large sets (Sculley, WWW 2010).
 *
 * The assignment step — the O(n·k·d) part — runs on `kernels.argminL2` over point and centroid
 * buffers that stay resident in the backend's memory (no per-iteration copies); the O(n·d)
 * update and the exact objective are plain float64 loops here.
 *
 * Objective: J = Σ_i min_c ‖x_i − c‖². Stopping rule (as scikit-learn): Σ_c ‖Δc‖² ≤
 * tolerance · mean per-feature variance of the data, or maxIterations.
 */
import type { Kernels, ResidentArray } from '../kernels/kernels.js';
import { Rng } from '../core/rng.js';
import { badArgument, throwIfAborted } from '../core/errors.js';
import { checkFinite, checkFloat32, checkInt, checkNumber } from '../core/validate.js';
import { yieldToEventLoop } from './cooperative.js';
import { lloydStep } from './lloyd-step.js';

/** Options of kmeans/kmeansSync. */
export interface KMeansOptions {
  /** Number of centroids (1 ≤ k ≤ n). */
  k: number;
  /** Lloyd iterations at most (default 300, the A²ATS recipe). */
  maxIterations?: number;
  /** Relative centroid-shift tolerance (default 1e-4). */
  tolerance?: number;
  /** RNG seed for seeding, re-seeding and mini-batches (default 0). */
  seed?: number;
  /** Initial centroids k*d instead of k-means++. */
  init?: Float32Array;
  /**
   * Mini-batch k-means instead of full Lloyd passes: `iterations` batches of `batchSize` points
   * with per-centroid learning rate 1/count, then one full assignment for codes and inertia.
   */
  miniBatch?: { batchSize: number; iterations: number };
  /** fraction in [0, 1] and a short label ('seeding', 'lloyd 3/300', …). */
  onProgress?: (fraction: number, label: string) => void;
  signal?: AbortSignal;
}

/** Centroids, codes and convergence record of a k-means run. */
export interface KMeansResult {
  /** k*d row-major. */
  centroids: Float32Array;
  /** Nearest centroid of each point (n). */
  codes: Int32Array;
  /** J for the returned centroids and codes (float64, exact). */
  inertia: number;
  /** Lloyd iterations (or mini-batches) run. */
  iterations: number;
  converged: boolean;
  /** J after each assignment step (Lloyd): non-increasing up to float rounding. */
  history: number[];
  /** Clusters that became empty and were re-seeded at far points. */
  reseeded: number;
}

/**
 * Cluster n points of dimension d (async: yields to the event loop between iterations so
 * `signal` can fire and progress can render).
 *
 * @param points - n*d row-major, finite.
 * @example
 * const { centroids, codes } = await kmeans(kernels, keys, n, 128, { k: 1024, seed: 1 });
 */
export async function kmeans(kernels: Kernels, points: Float32Array, n: number, d: number,
  opts: KMeansOptions): Promise<KMeansResult> {
  const run = kmeansSteps(kernels, points, n, d, opts);
  for (;;) {
    const r = run.next();
    if (r.done) return r.value;
    await yieldToEventLoop();
  }
}

/**
 * The same, synchronously (for small per-request problems such as PQCache's sub-space
 * codebooks, where there is nothing to wait for).
 *
 * @example
 * const { centroids } = kmeansSync(kernels, sub, n, 64, { k: 64, maxIterations: 20 });
 */
export function kmeansSync(kernels: Kernels, points: Float32Array, n: number, d: number,
  opts: KMeansOptions): KMeansResult {
  const run = kmeansSteps(kernels, points, n, d, opts);
  for (;;) {
    const r = run.next();
    if (r.done) return r.value;
  }
}

/** The algorithm as a generator: it yields between units of work; drivers above run it. */
function* kmeansSteps(kernels: Kernels, points: Float32Array, n: number, d: number,
  opts: KMeansOptions): Generator<void, KMeansResult, void> {
  checkInt('n', n, 1); checkInt('d', d, 1);
  checkFloat32('points', points, n * d);
  checkFinite('points', points, n * d);
  if (opts === null || typeof opts !== 'object') throw badArgument('options must be an object');
  const k = checkInt('k', opts.k, 1, n);
  const maxIter = checkInt('maxIterations', opts.maxIterations ?? 300, 0);
  const tol = checkNumber('tolerance', opts.tolerance ?? 1e-4, 0);
  const rng = new Rng(checkInt('seed', opts.seed ?? 0, 0));
  if (opts.init !== undefined) { checkFloat32('init', opts.init, k * d); checkFinite('init', opts.init, k * d); }
  if (opts.miniBatch !== undefined) {
    checkInt('miniBatch.batchSize', opts.miniBatch.batchSize, 1);
    checkInt('miniBatch.iterations', opts.miniBatch.iterations, 0);
  }
  const progress = opts.onProgress ?? (() => {});

  const bufs: ResidentArray<Float32Array | Int32Array>[] = [];
  const f32 = (len: number) => { const a = kernels.allocF32(len); bufs.push(a); return a; };
  const i32 = (len: number) => { const a = kernels.allocI32(len); bufs.push(a); return a; };
  try {
    const X = f32(n * d); X.view().set(points.subarray(0, n * d));
    const C = f32(k * d);
    const codes = i32(n);
    const dist = f32(n);
    throwIfAborted(opts.signal, 'kmeans');
    if (opts.init) C.view().set(opts.init.subarray(0, k * d));
    else yield* seedPlusPlus(kernels, X, C, codes, dist, n, k, d, rng, progress, opts.signal);

    const totalVar = meanFeatureVariance(points, n, d);
    const threshold = tol * totalVar;
    const history: number[] = [];
    let iterations = 0;
    let converged = false;
    let reseeded = 0;
    if (opts.miniBatch) {
      iterations = yield* miniBatchLoop(kernels, X, C, n, k, d, opts.miniBatch, rng, progress, opts.signal);
      converged = false;
    } else {
      const sums = new Float64Array(k * d);
      const counts = new Int32Array(k);
      for (let it = 0; it < maxIter; it++) {
        throwIfAborted(opts.signal, 'kmeans');
        const step = lloydStep(kernels, X, C, codes, dist, n, k, d, sums, counts);
        history.push(step.objective);
        iterations = it + 1;
        let shift = step.shift;
        const empties = step.empty;
        // Empty clusters move to the points farthest from their (pre-update) centroids.
        if (empties.length > 0) {
          reseeded += empties.length;
          const far = new Int32Array(Math.min(empties.length, n));
          kernels.topK(dist.view(), n, far.length, far);
          const x = X.view(), c = C.view(); // after the kernel call, which may grow memory
          empties.forEach((j, e) => {
            const src = far[e % far.length] * d;
            for (let t = 0; t < d; t++) {
              const ev = x[src + t] - c[j * d + t];
              shift += ev * ev;
              c[j * d + t] = x[src + t];
            }
          });
        }
        progress(iterations / Math.max(1, maxIter), `lloyd ${iterations}/${maxIter}`);
        yield;
        if (shift <= threshold && empties.length === 0) { converged = true; break; }
      }
    }
    // Final assignment so codes match the returned centroids.
    kernels.argminL2(X.view(), C.view(), codes.view(), dist.view(), n, k, d);
    const centroids = Float32Array.from(C.view());
    const outCodes = Int32Array.from(codes.view());
    const inertia = objective(points, n, d, centroids, outCodes);
    progress(1, 'done');
    return { centroids, codes: outCodes, inertia, iterations, converged, history, reseeded };
  } finally {
    for (const b of bufs) b.free();
  }
}

/** J = Σ ‖x_i − c_{codes_i}‖² in float64. */
export function objective(points: Float32Array, n: number, d: number, centroids: Float32Array, codes: Int32Array): number {
  let J = 0;
  for (let i = 0; i < n; i++) {
    const xo = i * d, co = codes[i] * d;
    for (let t = 0; t < d; t++) { const e = points[xo + t] - centroids[co + t]; J += e * e; }
  }
  return J;
}

function meanFeatureVariance(x: Float32Array, n: number, d: number): number {
  const mean = new Float64Array(d), sq = new Float64Array(d);
  for (let i = 0; i < n; i++) for (let t = 0; t < d; t++) { const v = x[i * d + t]; mean[t] += v; sq[t] += v * v; }
  let s = 0;
  for (let t = 0; t < d; t++) { const m = mean[t] / n; s += Math.max(0, sq[t] / n - m * m); }
  return s / d;
}

/**
 * k-means++: the first centroid uniformly at random, each next one with probability ∝ D(x)²,
 * the squared distance to the nearest centroid chosen so far (kept up to date with one
 * argminL2 against the newest centroid per step).
 */
function* seedPlusPlus(kernels: Kernels, X: ResidentArray<Float32Array>, C: ResidentArray<Float32Array>,
  codes: ResidentArray<Int32Array>, dist: ResidentArray<Float32Array>, n: number, k: number, d: number, rng: Rng,
  progress: (f: number, label: string) => void, signal?: AbortSignal): Generator<void, void, void> {
  const best = new Float64Array(n).fill(Infinity);
  let pick = rng.int(n);
  for (let c = 0; c < k; c++) {
    const cv = C.view();
    cv.set(X.view().subarray(pick * d, (pick + 1) * d), c * d);
    if (c === k - 1) break;
    kernels.argminL2(X.view(), C.view().subarray(c * d, (c + 1) * d), codes.view(), dist.view(), n, 1, d);
    const dv = dist.view();
    let total = 0;
    for (let i = 0; i < n; i++) {
      if (dv[i] < best[i]) best[i] = dv[i];
      total += best[i];
    }
    if (!(total > 0)) {
      // Every point coincides with a centroid: the rest are uniform picks (duplicates allowed).
      pick = rng.int(n);
    } else {
      let u = rng.uniform() * total;
      pick = n - 1;
      for (let i = 0; i < n; i++) { u -= best[i]; if (u < 0) { pick = i; break; } }
    }
    if ((c & 63) === 63) {
      throwIfAborted(signal, 'kmeans');
      progress(0, `seeding ${c + 1}/${k}`);
      yield;
    }
  }
}

/** Sculley's mini-batch k-means: c ← (1 − 1/v_c)·c + (1/v_c)·x for each batch point x. */
function* miniBatchLoop(kernels: Kernels, X: ResidentArray<Float32Array>, C: ResidentArray<Float32Array>,
  n: number, k: number, d: number, mb: { batchSize: number; iterations: number }, rng: Rng,
  progress: (f: number, label: string) => void, signal?: AbortSignal): Generator<void, number, void> {
  const b = Math.min(mb.batchSize, n);
  const B = kernels.allocF32(b * d);
  const bc = kernels.allocI32(b);
  const bd = kernels.allocF32(b);
  try {
    const counts = new Float64Array(k);
    const idx = new Int32Array(b);
    for (let it = 0; it < mb.iterations; it++) {
      throwIfAborted(signal, 'kmeans');
      const x = X.view(), bv = B.view();
      for (let s = 0; s < b; s++) {
        idx[s] = rng.int(n);
        bv.set(x.subarray(idx[s] * d, (idx[s] + 1) * d), s * d);
      }
      kernels.argminL2(B.view(), C.view(), bc.view(), bd.view(), b, k, d);
      const c = C.view(), codes = bc.view(), bb = B.view();
      for (let s = 0; s < b; s++) {
        const j = codes[s];
        counts[j]++;
        const eta = 1 / counts[j];
        for (let t = 0; t < d; t++) c[j * d + t] += eta * (bb[s * d + t] - c[j * d + t]);
      }
      progress((it + 1) / Math.max(1, mb.iterations), `mini-batch ${it + 1}/${mb.iterations}`);
      yield;
    }
    return mb.iterations;
  } finally {
    B.free(); bc.free(); bd.free();
  }
}

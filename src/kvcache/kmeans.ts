/**
 * k-means for codebook training: k-means++ seeding (Arthur & Vassilvitskii, SODA 2007), Lloyd
 * iterations (Lloyd 1982) with a centroid-shift tolerance and empty-cluster re-seeding, or
 * mini-batch updates for large sets (Sculley, WWW 2010).
 *
 * The assignment step — the O(n·k·d) part — runs on `kernels.argminL2` over point and centroid
 * buffers that stay resident in the backend's memory (no per-iteration copies on CPU kernels;
 * on asynchronous kernels such as webgpu the points stay on the device and only centroids and
 * codes move); the O(n·d) update and the exact objective are plain float64 loops here. One
 * async function on any kernels.
 *
 * Objective: J = Σ_i min_c ‖x_i − c‖². Stopping rule (as scikit-learn): Σ_c ‖Δc‖² ≤
 * tolerance · mean per-feature variance of the data, or maxIterations.
 */
import { checkKernels } from '../kernels/check-kernels.js';
import type { Kernels } from '../kernels/kernels.js';
import { mirrorF32, mirrorI32, type HostMirror } from '../kernels/host-mirror.js';
import { Rng } from '../core/rng.js';
import { badArgument, throwIfAborted } from '../core/errors.js';
import { checkFinite, checkFloat32, checkIndices, checkInt, checkInt32, checkNumber } from '../core/validate.js';
import { yieldToEventLoop } from './cooperative.js';
import { assignInBlocks, lloydIteration } from './lloyd-step.js';
import { checkOptions, optionKeys } from '../core/options.js';

/** Options of kmeans. */
/** Lloyd iterations at most when not given: the A²ATS recipe. */
export const KMEANS_MAX_ITERATIONS = 300;

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

/** Every key of KMeansOptions, for checkOptions. */
export const KMEANS_KEYS = optionKeys<KMeansOptions>({ k: true, maxIterations: true, tolerance: true, seed: true, init: true, miniBatch: true, onProgress: true, signal: true });

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
 * Cluster n points of dimension d on any kernels, returning to the event loop between
 * assignment blocks (every ~50 ms) so `signal` can fire and progress can render.
 *
 * On a GPU (e.g. `createKernels({ backend: 'webgpu' })`) the points are
 * uploaded once as a device array and every O(n·k·d) assignment (`argminL2`) — k-means++
 * seeding, each Lloyd iteration, each mini-batch, the final assignment — runs on the device;
 * per Lloyd iteration the codes (n int32) come back and the centroids (k·d float32) go out,
 * while the update, the objective and all sampling stay on the host in float64, exactly as on
 * the CPU. Memory: besides the caller's array, the points are held on the device and (as the
 * host side of their mirror) once more on the host.
 *
 * Results: on every CPU backend (directly or behind the async adapter) bit-identical for the
 * same seed. On the webgpu backend the GPU sums each distance in another
 * order, so argminL2's distances can differ from the CPU's by float32 rounding: a point at a
 * near-tie (two centroids equally far within rounding) may get the other code, an emptied
 * cluster may be re-seeded at another of two equally far points, and a k-means++ draw that
 * falls within rounding of a boundary may pick the neighbouring point — after which the runs
 * diverge (to another local optimum of similar inertia). Without near-ties (e.g. on
 * well-separated clusters) the codes are identical, and so are the centroids up to float
 * rounding (the update runs on the host from those codes; the GPU runs we compared,
 * SwiftShader and an H100, were bit-identical to wasm).
 *
 * Cost on a GPU: one round trip per assignment block of ~2^26 multiply-adds (a Lloyd
 * iteration, a mini-batch and the final assignment are each ⌈n·k·d / 2^26⌉ blocks), and one
 * per centroid during k-means++ seeding (a k = 1 assignment plus a read-back of the n
 * distances). The blocks let `signal` stop the run inside a long iteration (on the CPU one
 * iteration at n·k·d = 16384 · 1024 · 128 takes a few hundred ms); the codes are the one
 * call's, bit for bit.
 *
 * @param kernels - any backend's kernels; the assignment runs there.
 * @param points - n*d row-major, finite.
 * @example
 * const { centroids, codes } = await kmeans(kernels, keys, n, 128, { k: 1024, seed: 1 });
 * const gpu = await createKernels({ backend: 'webgpu' });
 * const onGpu = await kmeans(gpu, keys, n, 128, { k: 1024, seed: 1 });
 */
export async function kmeans(kernels: Kernels, points: Float32Array, n: number, d: number,
  opts: KMeansOptions): Promise<KMeansResult> {
  checkKernels('kernels', kernels);
  // Buffers the host and the kernels share are HostMirrors (host copy = truth for centroids;
  // push before a kernel reads, pull after it writes).
  checkInt('n', n, 1); checkInt('d', d, 1);
  checkFloat32('points', points, n * d);
  checkFinite('points', points, n * d);
  checkOptions('kmeans options', opts, KMEANS_KEYS);
  if (opts === null || opts === undefined) throw badArgument('kmeans options must give k');
  const k = checkInt('k', opts.k, 1, n);
  const maxIter = checkInt('maxIterations', opts.maxIterations ?? KMEANS_MAX_ITERATIONS, 0);
  const tol = checkNumber('tolerance', opts.tolerance ?? 1e-4, 0);
  const rng = new Rng(checkInt('seed', opts.seed ?? 0, 0));
  if (opts.init !== undefined) { checkFloat32('init', opts.init, k * d); checkFinite('init', opts.init, k * d); }
  if (opts.miniBatch !== undefined) {
    checkInt('miniBatch.batchSize', opts.miniBatch.batchSize, 1);
    checkInt('miniBatch.iterations', opts.miniBatch.iterations, 0);
  }
  const progress = opts.onProgress ?? (() => {});

  const bufs: HostMirror<Float32Array | Int32Array>[] = [];
  const f32 = (len: number) => { const a = mirrorF32(kernels, len); bufs.push(a); return a; };
  const i32 = (len: number) => { const a = mirrorI32(kernels, len); bufs.push(a); return a; };
  try {
    const X = f32(n * d); X.host().set(points.subarray(0, n * d)); X.push(); // uploaded once
    const C = f32(k * d);
    const codes = i32(n);
    const dist = f32(n);
    throwIfAborted(opts.signal, 'kmeans');
    if (opts.init) C.host().set(opts.init.subarray(0, k * d));
    else await seedPlusPlus(kernels, X, C, codes, dist, n, k, d, rng, progress, opts.signal);

    const totalVar = meanFeatureVariance(points, n, d);
    const threshold = tol * totalVar;
    const history: number[] = [];
    let iterations = 0;
    let converged = false;
    let reseeded = 0;
    if (opts.miniBatch) {
      iterations = await miniBatchLoop(kernels, X, C, n, k, d, opts.miniBatch, rng, progress, opts.signal);
      converged = false;
    } else {
      const sums = new Float64Array(k * d);
      const counts = new Int32Array(k);
      for (let it = 0; it < maxIter; it++) {
        throwIfAborted(opts.signal, 'kmeans');
        const step = await lloydIteration(kernels, X, C, codes, dist, n, k, d, sums, counts, { signal: opts.signal });
        history.push(step.objective);
        iterations = it + 1;
        let shift = step.shift;
        const empties = step.empty;
        // Empty clusters move to the points farthest from their (pre-update) centroids: a topK
        // of the distances where the assignment left them (on the device for async kernels).
        if (empties.length > 0) {
          reseeded += empties.length;
          const far = new Int32Array(Math.min(empties.length, n));
          await kernels.topK(dist.arg(), n, far.length, far);
          const x = X.host(), c = C.host(); // after the kernel call, which may grow memory
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
        await yieldToEventLoop();
        if (shift <= threshold && empties.length === 0) { converged = true; break; }
      }
    }
    // Final assignment so codes match the returned centroids.
    C.push();
    await assignInBlocks(kernels, X, C, codes, dist, n, k, d, { signal: opts.signal });
    await codes.pull();
    const centroids = Float32Array.from(C.host());
    const outCodes = Int32Array.from(codes.host());
    const inertia = objective(points, n, d, centroids, outCodes);
    progress(1, 'done');
    return { centroids, codes: outCodes, inertia, iterations, converged, history, reseeded };
  } finally {
    for (const b of bufs) b.dispose();
  }
}

/** J = Σ ‖x_i − c_{codes_i}‖² in float64. */
export function objective(points: Float32Array, n: number, d: number, centroids: Float32Array, codes: Int32Array): number {
  checkInt('n', n, 0); checkInt('d', d, 1);
  checkFloat32('points', points, n * d); checkFloat32('centroids', centroids); checkInt32('codes', codes, n);
  checkIndices('codes', codes, n, Math.floor(centroids.length / d));
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
 * argminL2 against the newest centroid per step — a row of X itself, so nothing is uploaded;
 * the n distances come back each step). C is written on the host only.
 */
async function seedPlusPlus(kernels: Kernels, X: HostMirror<Float32Array>, C: HostMirror<Float32Array>,
  codes: HostMirror<Int32Array>, dist: HostMirror<Float32Array>, n: number, k: number, d: number, rng: Rng,
  progress: (f: number, label: string) => void, signal?: AbortSignal): Promise<void> {
  const best = new Float64Array(n).fill(Infinity);
  let pick = rng.int(n);
  let lastPause = performance.now();
  for (let c = 0; c < k; c++) {
    C.host().set(X.host().subarray(pick * d, (pick + 1) * d), c * d);
    if (c === k - 1) break;
    await kernels.argminL2(X.arg(), X.arg().subarray(pick * d, (pick + 1) * d), codes.arg(), dist.arg(), n, 1, d);
    await dist.pull();
    const dv = dist.host();
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
    // Pause by time, not by count: one pick costs O(n·d), from microseconds to tens of ms.
    if (performance.now() - lastPause > 25) {
      throwIfAborted(signal, 'kmeans');
      progress(0, `seeding ${c + 1}/${k}`);
      await yieldToEventLoop();
      lastPause = performance.now();
    }
  }
}

/**
 * Sculley's mini-batch k-means: c ← (1 − 1/v_c)·c + (1/v_c)·x for each batch point x. The batch
 * is gathered on the host and pushed; its codes come back; C is updated on the host and pushed
 * before each assignment.
 */
async function miniBatchLoop(kernels: Kernels, X: HostMirror<Float32Array>, C: HostMirror<Float32Array>,
  n: number, k: number, d: number, mb: { batchSize: number; iterations: number }, rng: Rng,
  progress: (f: number, label: string) => void, signal?: AbortSignal): Promise<number> {
  const b = Math.min(mb.batchSize, n);
  const bufs: HostMirror<Float32Array | Int32Array>[] = [];
  try {
    const B = mirrorF32(kernels, b * d); bufs.push(B);
    const bc = mirrorI32(kernels, b); bufs.push(bc);
    const bd = mirrorF32(kernels, b); bufs.push(bd);
    const counts = new Float64Array(k);
    const idx = new Int32Array(b);
    for (let it = 0; it < mb.iterations; it++) {
      throwIfAborted(signal, 'kmeans');
      const x = X.host(), bv = B.host();
      for (let s = 0; s < b; s++) {
        idx[s] = rng.int(n);
        bv.set(x.subarray(idx[s] * d, (idx[s] + 1) * d), s * d);
      }
      B.push(); C.push();
      await assignInBlocks(kernels, B, C, bc, bd, b, k, d, { signal });
      await bc.pull();
      const c = C.host(), codes = bc.host(), bb = B.host();
      for (let s = 0; s < b; s++) {
        const j = codes[s];
        counts[j]++;
        const eta = 1 / counts[j];
        for (let t = 0; t < d; t++) c[j * d + t] += eta * (bb[s * d + t] - c[j * d + t]);
      }
      progress((it + 1) / Math.max(1, mb.iterations), `mini-batch ${it + 1}/${mb.iterations}`);
      await yieldToEventLoop();
    }
    return mb.iterations;
  } finally {
    for (const m of bufs) m.dispose();
  }
}

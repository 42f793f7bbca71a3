/**
 * Manifold denoising by spline regression on a low-dimensional embedding (He, Yang & Kang,
 * arXiv 2405.13353, §5; the authors' ABMRS::manifold_fitting): embed the noisy points with PCA
 * or ISOMAP into d = 1 or 2 dimensions (u), fit every ambient coordinate x_a as a spline
 * f_a(u) with Bayesian knot inference, and output x̂ = f̂(u) — or, by default, the closest point
 * of the fitted manifold {f̂(u)} to each noisy point (the authors' projection step).
 *
 * The projection evaluates f̂ on a grid of u (2000 points for d = 1; 120×120 for d = 2) and
 * projects onto the resulting polyline / triangle mesh.
 */
import { badArgument } from '../../core/errors.js';
import { checkFinite, checkInt, checkOneOf } from '../../core/validate.js';
import { fitKnots, type KnotFit, type KnotFitOptions } from '../fit-knots.js';
import { isomapEmbedding } from './isomap-embedding.js';
import { pcaEmbedding } from './pca-embedding.js';

export interface DenoiseOptions extends Omit<KnotFitOptions, 'probes' | 'k' | 'trials' | 'family'> {
  /** Intrinsic dimension d (1 or 2). */
  dim: 1 | 2;
  /** Embedding: 'isomap' (default) or 'pca'. */
  embedding?: 'pca' | 'isomap';
  /** ISOMAP neighbours (default 7). */
  neighbors?: number;
  /** ISOMAP neighbour graph: 'symmetric' (default) or 'mutual' k-NN (see knnGraph). */
  graph?: 'symmetric' | 'mutual';
  /** Project onto the fitted manifold (default true) instead of returning f̂(u). */
  project?: boolean;
}

export interface DenoiseResult {
  /** Denoised points, n*D row-major. */
  denoised: Float64Array;
  /** The embedding u, n*dim row-major. */
  embedding: Float64Array;
  /** One spline fit per ambient coordinate. */
  fits: KnotFit[];
}

/**
 * Denoise n points in D dimensions (row-major n*D).
 * @example
 * const { noisy } = spiralData(1000, 0.2, 1);
 * const { denoised } = await denoiseManifold(noisy, 2, { dim: 1, neighbors: 7 });
 */
export async function denoiseManifold(points: ArrayLike<number>, D: number, opts: DenoiseOptions): Promise<DenoiseResult> {
  checkInt('D', D, 1, 100);
  if (points.length % D !== 0) throw badArgument(`points has ${points.length} numbers, not a multiple of D = ${D}`);
  const n = points.length / D;
  if (n < 10) throw badArgument(`need at least 10 points, got ${n}`);
  checkFinite('points', points);
  const dim = checkInt('dim', opts.dim, 1, 2) as 1 | 2;
  if (dim > D) throw badArgument(`dim (${dim}) must not exceed the ambient dimension (${D})`);
  const method = checkOneOf('embedding', opts.embedding ?? 'isomap', ['pca', 'isomap'] as const);
  const X = Float64Array.from(points);
  const u = method === 'pca' ? pcaEmbedding(X, n, D, dim)
    : isomapEmbedding(X, n, D, dim, {
      neighbors: checkInt('neighbors', opts.neighbors ?? 7, 1, n - 1), signal: opts.signal, seed: opts.seed,
      graph: checkOneOf('graph', opts.graph ?? 'symmetric', ['symmetric', 'mutual'] as const),
    });
  const uCols = Array.from({ length: dim }, (_, c) => Float64Array.from({ length: n }, (_, i) => u[i * dim + c]));
  const fitOpts: KnotFitOptions = { ...opts };
  delete (fitOpts as Record<string, unknown>).dim;
  delete (fitOpts as Record<string, unknown>).embedding;
  delete (fitOpts as Record<string, unknown>).neighbors;
  delete (fitOpts as Record<string, unknown>).project;
  delete (fitOpts as Record<string, unknown>).graph;
  const fits: KnotFit[] = [];
  for (let a = 0; a < D; a++) {
    const xa = Float64Array.from({ length: n }, (_, i) => X[i * D + a]);
    const onProgress = opts.onProgress && ((f: number) => opts.onProgress!((a + f) / D));
    fits.push(await fitKnots(dim === 1 ? uCols[0] : uCols, xa, { ...fitOpts, onProgress }));
  }
  const denoised = new Float64Array(n * D);
  if (opts.project === false) {
    fits.forEach((fit, a) => {
      const v = fit.predict(dim === 1 ? uCols[0] : uCols);
      for (let i = 0; i < n; i++) denoised[i * D + a] = v[i];
    });
  } else if (dim === 1) {
    projectOntoCurve(X, n, D, fits, uCols[0], denoised);
  } else {
    projectOntoSurface(X, n, D, fits, uCols, denoised);
  }
  return { denoised, embedding: u, fits };
}

function range(v: Float64Array): [number, number] {
  let lo = Infinity, hi = -Infinity;
  for (const x of v) { lo = Math.min(lo, x); hi = Math.max(hi, x); }
  return [lo, hi];
}

/** Images of grid points under the fitted map: G*D row-major. */
function mapGrid(fits: KnotFit[], grid: Float64Array[] | Float64Array, G: number, D: number): Float64Array {
  const img = new Float64Array(G * D);
  fits.forEach((fit, a) => {
    const v = fit.predict(grid);
    for (let g = 0; g < G; g++) img[g * D + a] = v[g];
  });
  return img;
}

function projectOntoCurve(X: Float64Array, n: number, D: number, fits: KnotFit[], u: Float64Array, out: Float64Array): void {
  const G = 2000;
  const [lo, hi] = range(u);
  const grid = Float64Array.from({ length: G }, (_, g) => lo + ((hi - lo) * g) / (G - 1));
  const P = mapGrid(fits, grid, G, D);
  const best = new Float64Array(D), cand = new Float64Array(D);
  for (let i = 0; i < n; i++) {
    let bestD = Infinity;
    for (let g = 0; g + 1 < G; g++) {
      // Closest point on segment P_g → P_{g+1}.
      let num = 0, den = 0;
      for (let a = 0; a < D; a++) {
        const e = P[(g + 1) * D + a] - P[g * D + a];
        num += (X[i * D + a] - P[g * D + a]) * e; den += e * e;
      }
      const t = den > 0 ? Math.min(1, Math.max(0, num / den)) : 0;
      let d2 = 0;
      for (let a = 0; a < D; a++) {
        cand[a] = P[g * D + a] + t * (P[(g + 1) * D + a] - P[g * D + a]);
        d2 += (X[i * D + a] - cand[a]) ** 2;
      }
      if (d2 < bestD) { bestD = d2; best.set(cand); }
    }
    for (let a = 0; a < D; a++) out[i * D + a] = best[a];
  }
}

function projectOntoSurface(X: Float64Array, n: number, D: number, fits: KnotFit[], u: Float64Array[], out: Float64Array): void {
  const S = 120;
  const [lo1, hi1] = range(u[0]), [lo2, hi2] = range(u[1]);
  const g1 = new Float64Array(S * S), g2 = new Float64Array(S * S);
  for (let a = 0; a < S; a++) for (let b = 0; b < S; b++) {
    g1[a * S + b] = lo1 + ((hi1 - lo1) * a) / (S - 1);
    g2[a * S + b] = lo2 + ((hi2 - lo2) * b) / (S - 1);
  }
  const P = mapGrid(fits, [g1, g2], S * S, D);
  const q = new Float64Array(D), best = new Float64Array(D), cand = new Float64Array(D);
  for (let i = 0; i < n; i++) {
    for (let a = 0; a < D; a++) q[a] = X[i * D + a];
    let node = 0, nodeD = Infinity;
    for (let g = 0; g < S * S; g++) {
      let d2 = 0;
      for (let a = 0; a < D; a++) d2 += (q[a] - P[g * D + a]) ** 2;
      if (d2 < nodeD) { nodeD = d2; node = g; }
    }
    let bestD = nodeD;
    for (let a = 0; a < D; a++) best[a] = P[node * D + a];
    const r0 = Math.floor(node / S), c0 = node % S;
    for (let r = r0 - 1; r <= r0; r++) for (let c = c0 - 1; c <= c0; c++) {
      if (r < 0 || c < 0 || r + 1 >= S || c + 1 >= S) continue;
      const v00 = r * S + c, v01 = v00 + 1, v10 = v00 + S, v11 = v10 + 1;
      for (const [A, B, C] of [[v00, v01, v11], [v00, v11, v10]]) {
        const d2 = closestOnTriangle(q, P, A, B, C, D, cand);
        if (d2 < bestD) { bestD = d2; best.set(cand); }
      }
    }
    for (let a = 0; a < D; a++) out[i * D + a] = best[a];
  }
}

/**
 * Closest point to q on triangle (P_A, P_B, P_C) in D dimensions (Ericson, *Real-Time
 * Collision Detection*, §5.1.5, by barycentric regions). Writes it to out; returns the squared distance.
 */
function closestOnTriangle(q: Float64Array, P: Float64Array, A: number, B: number, C: number, D: number, out: Float64Array): number {
  const dot = (f: (a: number) => number, g: (a: number) => number) => { let s = 0; for (let a = 0; a < D; a++) s += f(a) * g(a); return s; };
  const ab = (a: number) => P[B * D + a] - P[A * D + a], ac = (a: number) => P[C * D + a] - P[A * D + a];
  const ap = (a: number) => q[a] - P[A * D + a];
  const d1 = dot(ab, ap), d2 = dot(ac, ap);
  let s = 0, t = 0;
  if (d1 <= 0 && d2 <= 0) { s = 0; t = 0; } else {
    const bp = (a: number) => q[a] - P[B * D + a];
    const d3 = dot(ab, bp), d4 = dot(ac, bp);
    const cp = (a: number) => q[a] - P[C * D + a];
    const d5 = dot(ab, cp), d6 = dot(ac, cp);
    const vc = d1 * d4 - d3 * d2, vb = d5 * d2 - d1 * d6, va = d3 * d6 - d5 * d4;
    if (d3 >= 0 && d4 <= d3) { s = 1; t = 0; }
    else if (vc <= 0 && d1 >= 0 && d3 <= 0) { s = d1 / (d1 - d3); t = 0; }
    else if (d6 >= 0 && d5 <= d6) { s = 0; t = 1; }
    else if (vb <= 0 && d2 >= 0 && d6 <= 0) { s = 0; t = d2 / (d2 - d6); }
    else if (va <= 0 && d4 - d3 >= 0 && d5 - d6 >= 0) { const w = (d4 - d3) / (d4 - d3 + (d5 - d6)); s = 1 - w; t = w; }
    else { const den = 1 / (va + vb + vc); s = vb * den; t = vc * den; }
  }
  let d2sum = 0;
  for (let a = 0; a < D; a++) {
    out[a] = P[A * D + a] + s * ab(a) + t * ac(a);
    d2sum += (q[a] - out[a]) ** 2;
  }
  return d2sum;
}

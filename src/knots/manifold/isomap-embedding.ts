/**
 * ISOMAP (Tenenbaum, de Silva & Langford 2000, Science 290): a k-nearest-neighbour graph with
 * Euclidean edge lengths (components joined by their shortest connecting edges), geodesic distances by Dijkstra from every point, then classical MDS
 * (Torgerson 1952): the top-d eigenvectors of B = −½·J·D²·J, scaled by √λ, found by subspace
 * iteration with Rayleigh–Ritz. points: n*D row-major; returns n*d row-major coordinates.
 */
import { badArgument, throwIfAborted } from '../../core/errors.js';
import { checkOptions, optionKeys } from '../../core/options.js';
import { Rng } from '../../core/rng.js';
import { checkInt, checkOneOf } from '../../core/validate.js';
import { checkPointCloud } from './point-cloud.js';
import { symmetricEigen } from './symmetric-eigen.js';

/**
 * k-NN graph as adjacency lists (CSR). 'symmetric': i ~ j when either is among the other's k
 * nearest; 'mutual': only when both are — which drops the one-sided long edges that a sparse
 * stretch (say the outer end of a spiral) sends across to a neighbouring arm. Components are
 * then joined by their shortest connecting edges.
 */
export function knnGraph(points: Float64Array, n: number, D: number, k: number, mode: 'symmetric' | 'mutual' = 'symmetric'): { offsets: Int32Array; targets: Int32Array; weights: Float64Array } {
  checkPointCloud(points, n, D);
  checkInt('neighbors', k, 1, n - 1);
  checkOneOf('graph', mode, ['symmetric', 'mutual']);
  const adj: Map<number, number>[] = Array.from({ length: n }, () => new Map());
  const bestD = new Float64Array(k), bestJ = new Int32Array(k);
  const nn = new Int32Array(n * k), dd = new Float64Array(n * k);
  for (let i = 0; i < n; i++) {
    bestD.fill(Infinity); bestJ.fill(-1);
    for (let j = 0; j < n; j++) {
      if (j === i) continue;
      let s = 0;
      for (let a = 0; a < D; a++) s += (points[i * D + a] - points[j * D + a]) ** 2;
      if (s >= bestD[k - 1]) continue;
      // Insertion into the sorted top-k list (ties keep the lower index).
      let pos = k - 1;
      while (pos > 0 && bestD[pos - 1] > s) { bestD[pos] = bestD[pos - 1]; bestJ[pos] = bestJ[pos - 1]; pos--; }
      bestD[pos] = s; bestJ[pos] = j;
    }
    for (let r = 0; r < k; r++) nn[i * k + r] = bestJ[r];
    for (let r = 0; r < k; r++) dd[i * k + r] = Math.sqrt(bestD[r]);
  }
  for (let i = 0; i < n; i++) {
    for (let r = 0; r < k; r++) {
      const j = nn[i * k + r];
      if (mode === 'mutual') {
        let back = false;
        for (let q = 0; q < k; q++) if (nn[j * k + q] === i) back = true;
        if (!back) continue;
      }
      adj[i].set(j, dd[i * k + r]);
      adj[j].set(i, dd[i * k + r]);
    }
  }
  connectComponents(points, n, D, adj);
  const offsets = new Int32Array(n + 1);
  for (let i = 0; i < n; i++) offsets[i + 1] = offsets[i] + adj[i].size;
  const targets = new Int32Array(offsets[n]);
  const weights = new Float64Array(offsets[n]);
  for (let i = 0; i < n; i++) {
    let o = offsets[i];
    for (const [j, w] of adj[i]) { targets[o] = j; weights[o] = w; o++; }
  }
  return { offsets, targets, weights };
}

/**
 * Join the components of a disconnected k-NN graph: repeatedly add the shortest edge between the
 * component of point 0 and the rest (a common ISOMAP remedy; a sparse stretch of the manifold
 * can leave a group of points whose neighbours are all inside the group).
 */
function connectComponents(points: Float64Array, n: number, D: number, adj: Map<number, number>[]): void {
  for (;;) {
    const comp = new Int32Array(n).fill(-1);
    const stack = [0];
    comp[0] = 0;
    while (stack.length) {
      const i = stack.pop()!;
      for (const j of adj[i].keys()) if (comp[j] < 0) { comp[j] = 0; stack.push(j); }
    }
    let bestD = Infinity, bi = -1, bj = -1;
    for (let i = 0; i < n; i++) {
      if (comp[i] !== 0) continue;
      for (let j = 0; j < n; j++) {
        if (comp[j] === 0) continue;
        let s = 0;
        for (let a = 0; a < D; a++) s += (points[i * D + a] - points[j * D + a]) ** 2;
        if (s < bestD) { bestD = s; bi = i; bj = j; }
      }
    }
    if (bi < 0) return; // connected
    const w = Math.sqrt(bestD);
    adj[bi].set(bj, w);
    adj[bj].set(bi, w);
  }
}

/** Shortest-path distances from `source` (Dijkstra with a binary heap) into out (n). */
function dijkstra(g: { offsets: Int32Array; targets: Int32Array; weights: Float64Array }, n: number, source: number, out: Float64Array,
  heapNode: Int32Array, heapKey: Float64Array): void {
  out.fill(Infinity);
  out[source] = 0;
  let size = 0;
  const push = (node: number, key: number) => {
    let i = size++;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (heapKey[parent] <= key) break;
      heapNode[i] = heapNode[parent]; heapKey[i] = heapKey[parent];
      i = parent;
    }
    heapNode[i] = node; heapKey[i] = key;
  };
  push(source, 0);
  while (size > 0) {
    const node = heapNode[0], key = heapKey[0];
    const lastN = heapNode[--size], lastK = heapKey[size];
    let i = 0;
    for (;;) {
      let c = 2 * i + 1;
      if (c >= size) break;
      if (c + 1 < size && heapKey[c + 1] < heapKey[c]) c++;
      if (heapKey[c] >= lastK) break;
      heapNode[i] = heapNode[c]; heapKey[i] = heapKey[c];
      i = c;
    }
    heapNode[i] = lastN; heapKey[i] = lastK;
    if (key > out[node]) continue; // stale entry
    for (let e = g.offsets[node]; e < g.offsets[node + 1]; e++) {
      const t = g.targets[e], nk = key + g.weights[e];
      if (nk < out[t]) { out[t] = nk; push(t, nk); }
    }
  }
}

const ISOMAP_KEYS = optionKeys<IsomapOptions>({ neighbors: true, graph: true, signal: true, seed: true });

export interface IsomapOptions {
  neighbors?: number;
  /** Neighbour graph (default 'symmetric', standard ISOMAP; see knnGraph). */
  graph?: 'symmetric' | 'mutual';
  signal?: AbortSignal;
  seed?: number;
}

/**
 * ISOMAP coordinates of n points (n*D row-major) in d dimensions (n*d row-major).
 * @example isomapEmbedding(spiralPoints, 1000, 2, 1, { neighbors: 7 }) // arc-length-like coordinate
 */
export function isomapEmbedding(points: Float64Array, n: number, D: number, d: number, opts: IsomapOptions = {}): Float64Array {
  opts = checkOptions<IsomapOptions>('isomap options', opts, ISOMAP_KEYS);
  checkPointCloud(points, n, D, true);
  checkInt('d', d, 1, n - 1);
  throwIfAborted(opts.signal, 'isomap');
  const k = opts.neighbors ?? 7;
  const g = knnGraph(points, n, D, k, opts.graph ?? 'symmetric');
  // Squared geodesic distances, double-centred in place: B = −½ J D² J.
  const B = new Float64Array(n * n);
  const row = new Float64Array(n);
  const heapNode = new Int32Array(g.targets.length + n), heapKey = new Float64Array(g.targets.length + n);
  for (let i = 0; i < n; i++) {
    if ((i & 63) === 0) throwIfAborted(opts.signal, 'isomap');
    dijkstra(g, n, i, row, heapNode, heapKey);
    for (let j = 0; j < n; j++) {
      B[i * n + j] = row[j] * row[j];
    }
  }
  const rowMean = new Float64Array(n);
  let total = 0;
  for (let i = 0; i < n; i++) {
    let s = 0;
    for (let j = 0; j < n; j++) s += B[i * n + j];
    rowMean[i] = s / n; total += s;
  }
  total /= n * n;
  for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) B[i * n + j] = -0.5 * (B[i * n + j] - rowMean[i] - rowMean[j] + total);
  const { values, vectors } = topEigen(B, n, d, opts.seed ?? 1, opts.signal);
  const out = new Float64Array(n * d);
  for (let c = 0; c < d; c++) {
    const s = Math.sqrt(Math.max(values[c], 0));
    for (let i = 0; i < n; i++) out[i * d + c] = vectors[i * d + c] * s;
  }
  return out;
}

/** Top-d eigenpairs of symmetric B (n*n) by subspace iteration with d+6 vectors and Rayleigh–Ritz. */
function topEigen(B: Float64Array, n: number, d: number, seed: number, signal?: AbortSignal): { values: Float64Array; vectors: Float64Array } {
  const r = Math.min(n, d + 6);
  const rng = new Rng(seed);
  let Q: Float64Array = Float64Array.from({ length: n * r }, () => rng.normal());
  orthonormalise(Q, n, r, rng);
  const Y = new Float64Array(n * r);
  let prev: Float64Array = new Float64Array(d);
  let ritz: { values: Float64Array; vectors: Float64Array } = { values: new Float64Array(r), vectors: new Float64Array(r * r) };
  for (let it = 0; it < 500; it++) {
    if ((it & 15) === 0) throwIfAborted(signal, 'isomap');
    // Y = B·Q (B symmetric, row-major)
    Y.fill(0);
    for (let i = 0; i < n; i++) {
      const bi = i * n;
      for (let j = 0; j < n; j++) {
        const b = B[bi + j];
        if (b === 0) continue;
        for (let c = 0; c < r; c++) Y[i * r + c] += b * Q[j * r + c];
      }
    }
    // Rayleigh–Ritz: H = Qᵀ Y (r×r), rotate.
    const H = new Float64Array(r * r);
    for (let i = 0; i < n; i++) for (let a = 0; a < r; a++) for (let b = 0; b < r; b++) H[a * r + b] += Q[i * r + a] * Y[i * r + b];
    for (let a = 0; a < r; a++) for (let b = 0; b < a; b++) { const s = (H[a * r + b] + H[b * r + a]) / 2; H[a * r + b] = s; H[b * r + a] = s; }
    ritz = symmetricEigen(H, r);
    let converged = true;
    for (let c = 0; c < d; c++) if (Math.abs(ritz.values[c] - prev[c]) > 1e-10 * Math.abs(ritz.values[0])) converged = false;
    prev = ritz.values.slice(0, d);
    if (converged && it > 3) break;
    Q = Y.slice();
    orthonormalise(Q, n, r, rng);
  }
  // Ritz vectors X = Q·V (Q orthonormal, V orthogonal: X has orthonormal columns).
  const vectors = new Float64Array(n * d);
  const V = ritz.vectors;
  for (let i = 0; i < n; i++) for (let c = 0; c < d; c++) {
    let s = 0;
    for (let a = 0; a < r; a++) s += Q[i * r + a] * V[a * r + c];
    vectors[i * d + c] = s;
  }
  return { values: ritz.values.slice(0, d), vectors };
}

/**
 * Modified Gram–Schmidt on the r columns of Q (n*r row-major), twice for stability. A column
 * that (numerically) lies in the span of the earlier ones — B may have rank < r — is replaced by
 * a fresh random direction, so Q always has orthonormal columns.
 */
function orthonormalise(Q: Float64Array, n: number, r: number, rng: Rng): void {
  for (let c = 0; c < r; c++) {
    let before = 0;
    for (let i = 0; i < n; i++) before += Q[i * r + c] ** 2;
    for (let attempt = 0; attempt < 5; attempt++) {
      for (let pass = 0; pass < 2; pass++) {
        for (let p = 0; p < c; p++) {
          let dot = 0;
          for (let i = 0; i < n; i++) dot += Q[i * r + c] * Q[i * r + p];
          for (let i = 0; i < n; i++) Q[i * r + c] -= dot * Q[i * r + p];
        }
      }
      let nrm = 0;
      for (let i = 0; i < n; i++) nrm += Q[i * r + c] ** 2;
      if (nrm > 1e-20 * Math.max(before, 1e-300) && nrm > 0) {
        nrm = Math.sqrt(nrm);
        for (let i = 0; i < n; i++) Q[i * r + c] /= nrm;
        break;
      }
      for (let i = 0; i < n; i++) Q[i * r + c] = rng.normal();
      before = n;
    }
  }
}

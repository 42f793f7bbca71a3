/**
 * ml-kmeans (mljs) as a benchmark peer: the k-means a JavaScript user finds first. Points are
 * arrays of numbers (number[][]), distances are ml-distance-euclidean's squaredEuclidean in
 * float64, one nearest-centroid search per point per iteration (O(n·k·d), no blocking, no SIMD).
 *
 * Runs are pinned to a given number of Lloyd iterations: explicit initial centroids (no
 * k-means++ randomness) and tolerance −1, which its convergence test (every centroid moved at
 * most `tolerance`) can never meet.
 */
import { importPeer } from './import-peer.js';

interface MlKmeansModule {
  kmeans(data: number[][], K: number, options: { initialization: number[][]; maxIterations: number; tolerance: number }):
    { clusters: number[]; centroids: number[][]; iterations: number };
}

export interface MlKmeansPeer {
  name: 'ml-kmeans';
  /** Exactly `iterations` Lloyd iterations from `init`; returns the final assignment and the count run. */
  fit(data: number[][], init: number[][], iterations: number): { clusters: number[]; iterations: number };
}

/**
 * @param module - the module, when the caller bundled it (browser); default: import by name.
 * @example const peer = await loadMlKmeansPeer(); peer.fit(points, init, 10).iterations // 10
 */
export async function loadMlKmeansPeer(module?: unknown): Promise<MlKmeansPeer> {
  const m = (module ?? await importPeer('ml-kmeans')) as unknown as MlKmeansModule;
  return {
    name: 'ml-kmeans',
    fit(data, init, iterations) {
      const r = m.kmeans(data, init.length, { initialization: init, maxIterations: iterations, tolerance: -1 });
      return { clusters: r.clusters, iterations: r.iterations };
    },
  };
}

/** Rows of a row-major n×d Float32Array as number[][] (ml-kmeans' input format). */
export function toRows(x: Float32Array, n: number, d: number): number[][] {
  return Array.from({ length: n }, (_, i) => Array.from(x.subarray(i * d, (i + 1) * d)));
}

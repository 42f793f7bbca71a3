/**
 * Manifold-denoising test sets (He, Yang & Kang, arXiv 2405.13353, §5) and the distance of a
 * point to each true manifold (for the mean squared distance metric).
 *   spiral:     2(θ+4)^0.7·(cos θ, sin θ), θ ~ U(0, 6π), Gaussian noise per coordinate (sd 0.2)
 *   Swiss roll: (3θ cos θ, 21u, 3θ sin θ), θ ~ U(π, 5π), u ~ U(0, 1) (noise sd 1.5)
 */
import { badArgument } from '../../core/errors.js';
import { checkFinite, checkFloat64, checkInt, checkNumber } from '../../core/validate.js';
import { Rng } from '../../core/rng.js';

const spiralRadius = (t: number) => 2 * (t + 4) ** 0.7;

/** n noisy spiral points (n*2 row-major) and the clean ones. */
export function spiralData(n: number, sd: number, seed: number): { noisy: Float64Array; clean: Float64Array } {
  checkInt('n', n, 2); checkNumber('sd', sd, 0);
  const rng = new Rng(seed);
  const clean = new Float64Array(2 * n), noisy = new Float64Array(2 * n);
  for (let i = 0; i < n; i++) {
    const t = 6 * Math.PI * rng.uniform();
    const r = spiralRadius(t);
    clean[2 * i] = r * Math.cos(t); clean[2 * i + 1] = r * Math.sin(t);
    noisy[2 * i] = clean[2 * i] + rng.normal(0, sd); noisy[2 * i + 1] = clean[2 * i + 1] + rng.normal(0, sd);
  }
  return { noisy, clean };
}

/** n noisy Swiss-roll points (n*3 row-major) and the clean ones. */
export function swissRollData(n: number, sd: number, seed: number): { noisy: Float64Array; clean: Float64Array } {
  checkInt('n', n, 2); checkNumber('sd', sd, 0);
  const rng = new Rng(seed);
  const clean = new Float64Array(3 * n), noisy = new Float64Array(3 * n);
  for (let i = 0; i < n; i++) {
    const t = Math.PI + 4 * Math.PI * rng.uniform();
    const u = rng.uniform();
    clean[3 * i] = 3 * t * Math.cos(t); clean[3 * i + 1] = 21 * u; clean[3 * i + 2] = 3 * t * Math.sin(t);
    for (let a = 0; a < 3; a++) noisy[3 * i + a] = clean[3 * i + a] + rng.normal(0, sd);
  }
  return { noisy, clean };
}

/** min over θ in [lo, hi] of g(θ): dense scan then golden-section refinement around the best. */
function minimise1d(g: (t: number) => number, lo: number, hi: number, grid: number): number {
  let best = lo, bestV = Infinity;
  const step = (hi - lo) / grid;
  for (let i = 0; i <= grid; i++) {
    const t = lo + i * step, v = g(t);
    if (v < bestV) { bestV = v; best = t; }
  }
  let a = Math.max(lo, best - step), b = Math.min(hi, best + step);
  const phi = (Math.sqrt(5) - 1) / 2;
  for (let it = 0; it < 60; it++) {
    const c = b - phi * (b - a), d = a + phi * (b - a);
    if (g(c) < g(d)) b = d; else a = c;
  }
  return Math.min(bestV, g((a + b) / 2));
}

/** Squared distance from (x, y) to the spiral. */
export function spiralDistance2(x: number, y: number): number {
  checkNumber('x', x); checkNumber('y', y);
  return minimise1d((t) => (x - spiralRadius(t) * Math.cos(t)) ** 2 + (y - spiralRadius(t) * Math.sin(t)) ** 2, 0, 6 * Math.PI, 3000);
}

/** Squared distance from (x, y, z) to the Swiss roll surface. */
export function swissRollDistance2(x: number, y: number, z: number): number {
  checkNumber('x', x); checkNumber('y', y); checkNumber('z', z);
  const inPlane = minimise1d((t) => (x - 3 * t * Math.cos(t)) ** 2 + (z - 3 * t * Math.sin(t)) ** 2, Math.PI, 5 * Math.PI, 3000);
  const dy = y < 0 ? -y : y > 21 ? y - 21 : 0;
  return inPlane + dy * dy;
}

/** Mean squared distance of points (n*D row-major, D = 2 spiral / 3 Swiss roll) to the manifold. */
export function meanSquaredDistance(points: Float64Array, D: 2 | 3): number {
  if (D !== 2 && D !== 3) throw badArgument(`D must be 2 (spiral) or 3 (Swiss roll), got ${String(D)}`);
  checkFloat64('points', points, D);
  if (points.length % D !== 0) throw badArgument(`points must hold n·${D} coordinates, got ${points.length}`);
  checkFinite('points', points);
  const n = points.length / D;
  let s = 0;
  for (let i = 0; i < n; i++) {
    s += D === 2 ? spiralDistance2(points[2 * i], points[2 * i + 1]) : swissRollDistance2(points[3 * i], points[3 * i + 1], points[3 * i + 2]);
  }
  return s / n;
}

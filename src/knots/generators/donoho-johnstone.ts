/**
 * The Donoho–Johnstone test signals (Donoho & Johnstone 1994, *Ideal spatial adaptation by
 * wavelet shrinkage*, Biometrika 81, Table 1): Blocks, Bumps, HeaviSine, Doppler on [0, 1],
 * rescaled so that sd(f) over the design equals `snr`·σ (the paper used SNR 7, σ = 1).
 */
import { checkInt, checkNumber, checkOneOf } from '../../core/validate.js';
import { Rng } from '../../core/rng.js';

export type DonohoJohnstoneSignal = 'blocks' | 'bumps' | 'heavisine' | 'doppler';
export const DJ_SIGNALS: readonly DonohoJohnstoneSignal[] = ['blocks', 'bumps', 'heavisine', 'doppler'];

const T = [0.1, 0.13, 0.15, 0.23, 0.25, 0.4, 0.44, 0.65, 0.76, 0.78, 0.81];
const H_BLOCKS = [4, -5, 3, -4, 5, -4.2, 2.1, 4.3, -3.1, 2.1, -4.2];
const H_BUMPS = [4, 5, 3, 4, 5, 4.2, 2.1, 4.3, 3.1, 5.1, 4.2];
const W_BUMPS = [0.005, 0.005, 0.006, 0.01, 0.01, 0.03, 0.01, 0.01, 0.005, 0.008, 0.005];

/** The raw (unscaled) signal at x in [0, 1], the signals' domain (doppler's √(x(1−x)) needs it). */
export function djRaw(signal: DonohoJohnstoneSignal, x: number): number {
  checkOneOf('signal', signal, DJ_SIGNALS);
  checkNumber('x', x, 0, 1);
  switch (signal) {
    case 'blocks': return T.reduce((s, t, j) => s + H_BLOCKS[j] * (1 + Math.sign(x - t)) / 2, 0);
    case 'bumps': return T.reduce((s, t, j) => s + H_BUMPS[j] * (1 + Math.abs((x - t) / W_BUMPS[j])) ** -4, 0);
    case 'heavisine': return 4 * Math.sin(4 * Math.PI * x) - Math.sign(x - 0.3) - Math.sign(0.72 - x);
    case 'doppler': return Math.sqrt(x * (1 - x)) * Math.sin((2 * Math.PI * 1.05) / (x + 0.05));
  }
}

/** Equispaced design x_i = i/m (i = 1..m), f scaled to sd = snr·σ, y = f + N(0, σ²). */
export function djData(signal: DonohoJohnstoneSignal, m: number, seed: number, snr = 7, sigma = 1) {
  checkOneOf('signal', signal, DJ_SIGNALS);
  checkInt('m', m, 8);
  checkNumber('snr', snr, 0, Infinity, { minExclusive: true });
  checkNumber('sigma', sigma, 0, Infinity, { minExclusive: true });
  const x = Float64Array.from({ length: m }, (_, i) => (i + 1) / m);
  const raw = x.map((v) => djRaw(signal, v));
  let mu = 0;
  for (const v of raw) mu += v / m;
  let sd = 0;
  for (const v of raw) sd += (v - mu) ** 2 / (m - 1);
  const scale = (snr * sigma) / Math.sqrt(sd);
  const f = raw.map((v) => v * scale);
  const rng = new Rng(seed);
  const y = f.map((v) => v + rng.normal(0, sigma));
  return { x, y, f, scale };
}

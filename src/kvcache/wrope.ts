/**
 * Windowed rotary position embedding (WRoPE), A²ATS §3.1 (He et al., arXiv 2502.12665).
 *
 * Exact RoPE scores a query at position i against a key at position j by the relative
 * rotation R(i−j) (row vectors): u_ij = q_i R(i−j) k_jᵀ. WRoPE keeps that inside a window and
 * replaces it by one constant rotation outside:
 *
 *     u_ij = q_i R(i−j) k_jᵀ   if i − j <  w    (near: exact)
 *     u_ij = q_i R(b)   k_jᵀ   if i − j ≥ w     (far: rotation to the fixed distance b)
 *
 * So far keys are stored pre-RoPE (position-free, one offline codebook serves every input) and
 * the query is rotated once per step: q̃_i = q_i R(b). WRoPE only *ranks* far tokens; the final
 * attention over the selected tokens uses exact RoPE. R(n) is exactly what `kernels.rope`
 * applies at position n, for either pairing and any base.
 */
import { checkKernels } from '../kernels/check-kernels.js';
import type { CpuKernels, RopePairing } from '../kernels/kernels.js';
import { checkFloat32, checkInt, checkNumber, checkOneOf } from '../core/validate.js';
import { badArgument } from '../core/errors.js';

/** WRoPE parameters. */
export interface WRopeConfig {
  /** Window w: tokens with i − j < w are scored with exact RoPE (and always attended). */
  window: number;
  /** Constant distance b used for every far token. */
  distance: number;
  /** RoPE base θ (10000 for Llama 2, 500000 for Llama 3). */
  base: number;
  /** Pair layout: 'adjacent' (2t, 2t+1) as in llama2.c, 'half' (t, t + d/2) as in HF. */
  pairing: RopePairing;
}

/** The authors' defaults: w = 64, b = 2048 (base and pairing come from the model). */
export const DEFAULT_WROPE: WRopeConfig = { window: 64, distance: 2048, base: 10000, pairing: 'half' };

/** Validates a WRoPE config (throws BAD_ARGUMENT naming the field). */
export function checkWRope(cfg: WRopeConfig, name = 'wrope'): WRopeConfig {
  if (cfg === null || typeof cfg !== 'object') throw badArgument(`${name} must be an object`);
  checkInt(`${name}.window`, cfg.window, 0);
  checkNumber(`${name}.distance`, cfg.distance, 0);
  checkNumber(`${name}.base`, cfg.base, 1, Infinity, { minExclusive: true });
  checkOneOf(`${name}.pairing`, cfg.pairing, ['adjacent', 'half'] as const);
  return cfg;
}

/**
 * q̃ = q R(b) for nHeads consecutive heads, written to out (may be q itself), optionally scaled
 * (A²ATS folds the 1/√d of the lookup table in here).
 *
 * @param q - nHeads*headDim pre-RoPE queries.
 * @param out - nHeads*headDim.
 * @example
 * rotateToDistance(kernels, qPre, out, 32, 128, { ...DEFAULT_WROPE, base: 500000 }, 1 / Math.sqrt(128));
 */
export function rotateToDistance(kernels: CpuKernels, q: Float32Array, out: Float32Array, nHeads: number,
  headDim: number, cfg: WRopeConfig, scale = 1): void {
  checkKernels('kernels', kernels);
  checkInt('nHeads', nHeads, 1); checkInt('headDim', headDim, 2);
  checkFloat32('q', q, nHeads * headDim); checkFloat32('out', out, nHeads * headDim);
  checkNumber('scale', scale);
  if (out !== q) out.set(q.subarray(0, nHeads * headDim));
  kernels.rope(out, nHeads, headDim, cfg.distance, cfg.base, cfg.pairing);
  if (scale !== 1) for (let i = 0; i < nHeads * headDim; i++) out[i] *= scale;
}

/**
 * The WRoPE score of one pre-RoPE query (position i) against one pre-RoPE key (position j),
 * unscaled — the definition above, computed directly (used as an oracle in tests and docs).
 *
 * @param q - headDim pre-RoPE query; k - headDim pre-RoPE key.
 * @example
 * wropeScore(kernels, q, k, 100, 90, { window: 64, distance: 2048, base: 1e4, pairing: 'half' }); // = exact
 */
export function wropeScore(kernels: CpuKernels, q: Float32Array, k: Float32Array, i: number, j: number,
  cfg: WRopeConfig): number {
  checkKernels('kernels', kernels);
  checkWRope(cfg);
  const d = q.length;
  checkFloat32('k', k, d);
  checkInt('j', j, 0); checkInt('i', i, j);
  const qr = Float32Array.from(q);
  // q R(i−j) kᵀ for near tokens, q R(b) kᵀ for far ones: only the relative rotation matters.
  kernels.rope(qr, 1, d, i - j < cfg.window ? i - j : cfg.distance, cfg.base, cfg.pairing);
  let s = 0;
  for (let t = 0; t < d; t++) s += qr[t] * k[t];
  return s;
}

/**
 * A synthetic SwiGLU block with the statistics that make channel-wise thresholds matter
 * (spec §6): heavy-tailed inputs (Student-t, ν ≈ 4) with per-channel LogNormal scales and a
 * few massive channels, RMS-normalised; W_gate and W_up rows with LogNormal scales, σ_up ≈ 0.6
 * so E[a_up_i²] differs across channels; optional correlation ρ between a gate row and its up
 * row. Weights are device arrays of the kernels (streamed in place, on any backend).
 *
 * @example
 * const block = await createSyntheticSwiGlu(kernels, { dim: 512, hidden: 1408, seed: 1 });
 * const X = block.sampleInputs(256, new Rng(2));   // 256×512 tokens
 * block.dispose();
 */
import { checkKernels } from '../kernels/check-kernels.js';
import type { DeviceArray, Kernels } from '../kernels/kernels.js';
import { Rng } from '../core/rng.js';
import { checkInt, checkNumber } from '../core/validate.js';
import { checkElements } from '../core/limits.js';
import { badArgument, throwIfAborted } from '../core/errors.js';
import { transpose } from './sparse-swiglu.js';
import { withDispose, type SyncDisposable } from '../core/dispose.js';
import { yieldEvery } from '../core/yield.js';
import { checkOptions, optionKeys } from '../core/options.js';

export interface SyntheticSwiGluOptions {
  dim?: number;            // default 512
  hidden?: number;         // default 1408
  seed?: number;           // default 1
  nu?: number;             // Student-t degrees of freedom of the inputs (default 4)
  inputScaleSigma?: number;  // σ of the per-channel LogNormal input scales (default 0.5)
  massiveChannels?: number;  // channels with a large constant scale (default 4)
  massiveScale?: number;     // their scale (default 20)
  gateScale?: number;        // typical std of the gate pre-activation (default 1, the spec's)
  gateScaleSigma?: number;   // σ of W_gate row scales (default 0.3)
  upScaleSigma?: number;     // σ of W_up row scales (default 0.6)
  gateUpCorrelation?: number; // ρ between W_gate row i and W_up row i directions (default 0)
}

/** Every key of SyntheticSwiGluOptions, for checkOptions. */
export const SYNTHETIC_SWIGLU_KEYS = optionKeys<SyntheticSwiGluOptions>({ dim: true, hidden: true, seed: true, nu: true, inputScaleSigma: true, massiveChannels: true, massiveScale: true, gateScale: true, gateScaleSigma: true, upScaleSigma: true, gateUpCorrelation: true });

export interface SyntheticSwiGlu extends SyncDisposable {
  readonly dim: number;
  readonly hidden: number;
  /** hidden×dim, output-major. */
  readonly wGate: DeviceArray<Float32Array>;
  /** hidden×dim, output-major. */
  readonly wUp: DeviceArray<Float32Array>;
  /** dim×hidden, output-major (the dense path). */
  readonly wDown: DeviceArray<Float32Array>;
  /** hidden×dim, input-major (spvmm). */
  readonly wDownT: DeviceArray<Float32Array>;
  /** n RMS-normalised input tokens, n×dim row-major. */
  sampleInputs(n: number, rng: Rng): Float32Array;
}

/** Rows of a weight matrix drawn between pauses (~1 ms at dim 512). */
const ROW_BLOCK = 32;

/**
 * Draw the block (the default 512×1408 block's three matrices are ~0.5 s of draws, done in
 * ~20 ms slices with the event loop let through and `signal` checked in between) and upload its
 * weights to `kernels`. Deterministic given `seed`.
 * @example const block = await createSyntheticSwiGlu(kernels, { dim: 512 }, { signal });
 */
export async function createSyntheticSwiGlu(kernels: Kernels, opts: SyntheticSwiGluOptions = {},
  run: { signal?: AbortSignal } = {}): Promise<SyntheticSwiGlu> {
  const { signal } = checkOptions('createSyntheticSwiGlu run options', run, ['signal']);
  // Pauses every ROW_BLOCK rows (abort checks, event loop). The weights are drawn on the host and
  // copied into backend memory at the end, so a construction aborted at a pause holds no resident arrays.
  const pause = async () => {
    throwIfAborted(signal, 'synthetic SwiGLU block');
    await yieldEvery(20);
  };
  throwIfAborted(signal, 'synthetic SwiGLU block');
  checkKernels('kernels', kernels);
  opts = checkOptions('createSyntheticSwiGlu options', opts, SYNTHETIC_SWIGLU_KEYS);
  const dim = checkInt('dim', opts.dim ?? 512, 1);
  const hidden = checkInt('hidden', opts.hidden ?? 1408, 1);
  checkElements('hidden*dim', hidden, dim);
  const nu = checkNumber('nu', opts.nu ?? 4, 0, Infinity, { minExclusive: true });
  const sIn = checkNumber('inputScaleSigma', opts.inputScaleSigma ?? 0.5, 0);
  const nMassive = checkInt('massiveChannels', opts.massiveChannels ?? 4, 0, dim);
  const massive = checkNumber('massiveScale', opts.massiveScale ?? 20, 0);
  const gScale = checkNumber('gateScale', opts.gateScale ?? 1, 0, Infinity, { minExclusive: true });
  const sGate = checkNumber('gateScaleSigma', opts.gateScaleSigma ?? 0.3, 0);
  const sUp = checkNumber('upScaleSigma', opts.upScaleSigma ?? 0.6, 0);
  const rho = checkNumber('gateUpCorrelation', opts.gateUpCorrelation ?? 0, -1, 1);
  const rng = new Rng(checkInt('seed', opts.seed ?? 1, 0));

  const channelScale = new Float64Array(dim).map(() => Math.exp(sIn * rng.normal()));
  for (const j of rng.sampleWithoutReplacement(dim, nMassive)) channelScale[j] = massive;

  const inv = 1 / Math.sqrt(dim);
  const g = new Float32Array(hidden * dim), u = new Float32Array(hidden * dim);
  for (let i = 0; i < hidden; i++) {
    if (i % ROW_BLOCK === ROW_BLOCK - 1) await pause();
    const rg = gScale * Math.exp(sGate * rng.normal()) * inv;
    const ru = Math.exp(sUp * rng.normal()) * inv;
    for (let j = 0; j < dim; j++) {
      const zg = rng.normal();
      const zu = rho * zg + Math.sqrt(1 - rho * rho) * rng.normal();
      g[i * dim + j] = rg * zg;
      u[i * dim + j] = ru * zu;
    }
  }
  const d = new Float32Array(dim * hidden);
  const sqrtHidden = Math.sqrt(hidden);
  for (let r = 0; r < dim; r++) {
    if (r % ROW_BLOCK === ROW_BLOCK - 1) await pause();
    for (let c = 0; c < hidden; c++) d[r * hidden + c] = rng.normal() / sqrtHidden;
  }
  const dT = new Float32Array(hidden * dim);
  transpose(d, dim, hidden, dT);
  const wGate = kernels.allocF32(hidden * dim);
  const wUp = kernels.allocF32(hidden * dim);
  const wDown = kernels.allocF32(dim * hidden);
  const wDownT = kernels.allocF32(hidden * dim);
  wGate.write(g); wUp.write(u); wDown.write(d); wDownT.write(dT);

  return withDispose({
    dim, hidden, wGate, wUp, wDown, wDownT,
    sampleInputs(n: number, r: Rng): Float32Array {
      checkInt('n', n, 1);
      checkElements('n*dim', n, dim);
      if (!(r instanceof Rng)) throw badArgument('rng must be an Rng');
      const X = new Float32Array(n * dim);
      const row = new Float64Array(dim);
      for (let t = 0; t < n; t++) {
        let ss = 0;
        for (let j = 0; j < dim; j++) {
          // Student-t: N(0,1) / sqrt(χ²_ν / ν), χ²_ν = Gamma(ν/2, scale 2).
          const v = channelScale[j] * r.normal() / Math.sqrt(r.gamma(nu / 2, 2) / nu);
          row[j] = v; ss += v * v;
        }
        const s = 1 / Math.sqrt(ss / dim + 1e-6);
        for (let j = 0; j < dim; j++) X[t * dim + j] = row[j] * s;
      }
      return X;
    },
    dispose() { wGate.dispose(); wUp.dispose(); wDown.dispose(); wDownT.dispose(); },
  });
}

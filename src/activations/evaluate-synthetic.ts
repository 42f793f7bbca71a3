/**
 * Accuracy of activation-sparsity methods on a synthetic SwiGLU block (spec §5–6): calibrate on
 * one set of tokens, measure on a separate test set, for the per-token oracle, CHESS ("sq" and
 * "abs"), CATS and TEAL at each target sparsity k. Every sparse method runs the real kernel path
 * (gemv → threshold → vmmsp → spvmm, or spvmm ×3 for TEAL).
 *
 * Metrics over the test set (h = a_gate ⊙ a_up the dense intermediate, ĥ what reaches W_down):
 * - sparsity: mean fraction of zeroed channels of the thresholded tensor (a_gate; TEAL: the
 *   parameter-weighted mean over its three inputs), with per-channel min and max;
 * - objective: ‖h − ĥ‖² / ‖h‖² (for gate methods, ‖a_up ⊙ (a_gate − s(a_gate))‖² / ‖a_up ⊙ a_gate‖²);
 * - relativeError: ‖Y − Ŷ‖_F / ‖Y‖_F of the block output (one ratio over all test tokens);
 * - meanTokenError: mean over tokens t of ‖y_t − ŷ_t‖ / ‖y_t‖ (the spec's pilot reports this
 *   one; tokens with a small output weigh as much as large ones, so it is usually the larger);
 * - weightsStreamed: weights read per token / 3·dim·hidden.
 *
 * @example
 * const r = await evaluateSyntheticSwiGlu(kernels, { sparsities: [0.5], testTokens: 512 });
 * r.rows.find((x) => x.method === 'chess-sq')!.relativeError
 */
import { checkKernels } from '../kernels/check-kernels.js';
import type { Kernels } from '../kernels/kernels.js';
import { Rng } from '../core/rng.js';
import { throwIfAborted } from '../core/errors.js';
import { checkInt, checkNumber } from '../core/validate.js';
import { createSyntheticSwiGlu, type SyntheticSwiGlu, type SyntheticSwiGluOptions } from './synthetic-swiglu.js';
import { ActivationCollector } from './activation-collector.js';
import type { QuantileMode } from './magnitude-pool.js';
import { catsThresholds } from './cats-thresholds.js';
import { chessThresholds } from './chess-thresholds.js';
import { tealThresholds } from './teal-thresholds.js';
import { gatedSparseSwiGlu, silu, tealSparseSwiGlu, transpose } from './sparse-swiglu.js';
import { thresholdRank } from './order-statistic.js';
import { yieldEvery } from '../core/yield.js';
import { checkOptions, optionKeys } from '../core/options.js';

export const SYNTHETIC_METHODS = ['oracle', 'chess-sq', 'chess-abs', 'cats', 'teal'] as const;
export type SyntheticMethod = (typeof SYNTHETIC_METHODS)[number];

export interface SyntheticRow {
  method: SyntheticMethod;
  /** Target sparsity. */
  k: number;
  sparsity: number;
  channelSparsityMin: number;
  channelSparsityMax: number;
  objective: number;
  relativeError: number;
  meanTokenError: number;
  weightsStreamed: number;
}

export interface SyntheticEvalOptions {
  sparsities?: number[];        // default [0.3, 0.5, 0.7]
  calibrationTokens?: number;   // default 2048
  testTokens?: number;          // default 1024
  block?: SyntheticSwiGluOptions;
  quantile?: QuantileMode;      // default 'exact'
  seed?: number;                // data seed (default 7); block weights use block.seed
  onProgress?: (fraction: number, label: string) => void;
  signal?: AbortSignal;
}

/** Every key of SyntheticEvalOptions, for checkOptions. */
export const SYNTHETIC_EVAL_KEYS = optionKeys<SyntheticEvalOptions>({ sparsities: true, calibrationTokens: true, testTokens: true, block: true, quantile: true, seed: true, onProgress: true, signal: true });

export interface SyntheticEvalResult {
  dim: number;
  hidden: number;
  calibrationTokens: number;
  testTokens: number;
  rows: SyntheticRow[];
}

/**
 * block.sampleInputs(n, rng) in chunks with a return to the event loop between them (sampling
 * is seconds for large n). The same numbers: sampleInputs draws token by token from rng.
 */
async function sampleInChunks(block: SyntheticSwiGlu, n: number, rng: Rng, signal?: AbortSignal): Promise<Float32Array> {
  const X = new Float32Array(n * block.dim);
  const chunk = 64;
  for (let t = 0; t < n; t += chunk) {
    await yieldEvery(25);
    throwIfAborted(signal, 'synthetic evaluation');
    X.set(block.sampleInputs(Math.min(chunk, n - t), rng), t * block.dim);
  }
  return X;
}

export async function evaluateSyntheticSwiGlu(kernels: Kernels, opts: SyntheticEvalOptions = {}): Promise<SyntheticEvalResult> {
  checkKernels('kernels', kernels);
  opts = checkOptions('evaluateSyntheticSwiGlu options', opts, SYNTHETIC_EVAL_KEYS);
  const ks = (opts.sparsities ?? [0.3, 0.5, 0.7]).map((k, i) => checkNumber(`sparsities[${i}]`, k, 0, 1, { maxExclusive: true }));
  const nCal = checkInt('calibrationTokens', opts.calibrationTokens ?? 2048, 1);
  const nTest = checkInt('testTokens', opts.testTokens ?? 1024, 1);
  const seed = checkInt('seed', opts.seed ?? 7, 0);
  const progress = opts.onProgress ?? (() => {});
  const block = await createSyntheticSwiGlu(kernels, opts.block, { signal: opts.signal });
  const owned: { dispose(): void }[] = [];
  try {
    const { dim: D, hidden: H } = block;
    const rng = new Rng(seed);
    // Host scratch (read on the host after every token); the weights stay on the backend.
    const scratch = {
      gate: new Float32Array(H), up: new Float32Array(H), inter: new Float32Array(H), out: new Float32Array(D),
      xs: new Float32Array(D), teal: new Float32Array(H), tealUp: new Float32Array(H),
    };
    // TEAL streams W_gate and W_up by input too: input-major copies (dim×hidden).
    const inputMajor = async (W: typeof block.wGate) => {
      const t = new Float32Array(D * H);
      transpose(await W.read(), H, D, t);
      const d = kernels.allocF32(D * H);
      owned.push(d);
      d.write(t);
      return d;
    };
    const wGateT = await inputMajor(block.wGate), wUpT = await inputMajor(block.wUp);
    // Dense pass: a_gate, a_up (and y) of a batch of tokens.
    // Returns to the event loop every ~25 ms (and sees an abort there): a pass is seconds of work.
    const dense = async (X: Float32Array, n: number,
      each: (t: number, g: Float32Array, u: Float32Array, h: Float32Array) => void | Promise<void>) => {
      const h = new Float32Array(H);
      for (let t = 0; t < n; t++) {
        await yieldEvery(25);
        throwIfAborted(opts.signal, 'synthetic evaluation');
        const x = X.subarray(t * D, (t + 1) * D);
        const g = scratch.gate, u = scratch.up;
        await kernels.gemv(block.wGate, x, g, H, D);
        await kernels.gemv(block.wUp, x, u, H, D);
        for (let i = 0; i < H; i++) { g[i] = silu(g[i]); h[i] = g[i] * u[i]; }
        await each(t, g, u, h);
      }
    };

    // 1. Calibration.
    progress(0, 'calibrating');
    const Xcal = await sampleInChunks(block, nCal, rng.split(), opts.signal);
    const collector = new ActivationCollector({ nLayers: 1, dim: D, hiddenDim: H }, { quantile: opts.quantile ?? 'exact' });
    await dense(Xcal, nCal, (t, g, u, h) => {
      collector.observe(0, 'ffnInput', Xcal.subarray(t * D, (t + 1) * D));
      collector.observe(0, 'aGate', g);
      collector.observe(0, 'aUp', u);
      collector.observe(0, 'downInput', h);
    });
    if (collector.passesNeeded === 2) {
      collector.endPass();
      await dense(Xcal, nCal, (_t, g) => collector.observe(0, 'aGate', g));
    }
    const stats = collector.finish();
    throwIfAborted(opts.signal, 'synthetic evaluation');

    // 2. Dense test outputs.
    const Xt = await sampleInChunks(block, nTest, rng.split(), opts.signal);
    const G = new Float32Array(nTest * H), U = new Float32Array(nTest * H), Y = new Float32Array(nTest * D);
    const y = new Float32Array(D);
    await dense(Xt, nTest, async (t, g, u, h) => {
      G.set(g, t * H); U.set(u, t * H);
      await kernels.gemv(block.wDown, h, y, D, H);
      Y.set(y, t * D);
    });
    let yy = 0;
    for (let i = 0; i < Y.length; i++) yy += Y[i] * Y[i];

    // 3. Every method at every k.
    const rows: SyntheticRow[] = [];
    const total = ks.length * SYNTHETIC_METHODS.length;
    let done = 0;
    const imp = new Float32Array(H), keepIdx = new Int32Array(H);
    for (const k of ks) {
      const thresholds = {
        cats: catsThresholds(stats, k).layers[0].aGate!,
        'chess-sq': chessThresholds(stats, k, { variant: 'sq' }).layers[0].aGate!,
        'chess-abs': chessThresholds(stats, k, { variant: 'abs' }).layers[0].aGate!,
      };
      const teal = tealThresholds(stats, k).layers[0].inputs!;
      const tealT = { gate: teal.gate!, up: teal.up!, down: teal.down! };
      const keep = H - Math.max(0, thresholdRank(H, k));
      for (const method of SYNTHETIC_METHODS) {
        progress(done / total, `${method} k=${k}`);
        const zeroCounts = new Float64Array(H);
        let errNum = 0, tokenErrSum = 0, objNum = 0, objDen = 0, streamed = 0, sparsitySum = 0;
        for (let t = 0; t < nTest; t++) {
          if ((t & 7) === 7) { await yieldEvery(25); throwIfAborted(opts.signal, 'synthetic evaluation'); }
          const x = Xt.subarray(t * D, (t + 1) * D);
          const g = G.subarray(t * H, (t + 1) * H), u = U.subarray(t * H, (t + 1) * H);
          const out = scratch.out;
          let hHat: Float32Array;
          if (method === 'teal') {
            const z = await tealSparseSwiGlu(kernels, wGateT, wUpT, block.wDownT, x, tealT,
              out, { xs: scratch.xs, gate: scratch.teal, up: scratch.tealUp }, D, H);
            hHat = scratch.tealUp;
            for (let i = 0; i < H; i++) if (hHat[i] === 0) zeroCounts[i]++;
            const read = (D - z.gateInputZeros) * H + (D - z.upInputZeros) * H + (H - z.downInputZeros) * D;
            streamed += read / (3 * D * H);
            sparsitySum += 1 - read / (3 * D * H);
          } else {
            let kept: number;
            const s = scratch.gate;
            if (method === 'oracle') {
              for (let i = 0; i < H; i++) imp[i] = Math.abs(g[i] * u[i]);
              await kernels.topK(imp, H, keep, keepIdx);
              s.fill(0);
              for (let j = 0; j < keep; j++) s[keepIdx[j]] = g[keepIdx[j]];
              for (let i = 0; i < H; i++) if (s[i] === 0) zeroCounts[i]++;
              kept = await kernels.vmmsp(x, block.wUp, s, scratch.inter, H, D);
              await kernels.spvmm(scratch.inter, block.wDownT, out, H, D);
            } else {
              kept = await gatedSparseSwiGlu(kernels, block.wGate, block.wUp, block.wDownT, x,
                thresholds[method], out, s, scratch.inter, D, H, zeroCounts);
            }
            hHat = scratch.inter;
            streamed += (H * D + 2 * kept * D) / (3 * D * H);
            sparsitySum += 1 - kept / H;
          }
          for (let i = 0; i < H; i++) {
            const h = g[i] * u[i], d = h - hHat[i];
            objNum += d * d; objDen += h * h;
          }
          let errT = 0, yyT = 0;
          for (let c = 0; c < D; c++) { const yc = Y[t * D + c], d = yc - out[c]; errT += d * d; yyT += yc * yc; }
          errNum += errT;
          tokenErrSum += yyT > 0 ? Math.sqrt(errT / yyT) : 0;
        }
        let cMin = Infinity, cMax = -Infinity;
        for (let i = 0; i < H; i++) { const f = zeroCounts[i] / nTest; cMin = Math.min(cMin, f); cMax = Math.max(cMax, f); }
        rows.push({
          method, k, sparsity: sparsitySum / nTest, channelSparsityMin: cMin, channelSparsityMax: cMax,
          objective: objNum / objDen, relativeError: Math.sqrt(errNum / yy), meanTokenError: tokenErrSum / nTest,
          weightsStreamed: streamed / nTest,
        });
        done++;
      }
    }
    progress(1, 'done');
    return { dim: D, hidden: H, calibrationTokens: nCal, testTokens: nTest, rows };
  } finally {
    for (const a of owned) a.dispose();
    block.dispose();
  }
}

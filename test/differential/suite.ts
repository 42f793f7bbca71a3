/**
 * The shared differential suite: every backend — reference, wasm SIMD and scalar, threads,
 * webgpu — runs the same cases against the reference backend (the float64 oracle). It is the
 * registry's generated cases (registry-cases.ts: every kernel, seeded calls of every shape its
 * descriptor allows) followed by hand-written ones: host arrays and device arrays (subarrays at
 * odd and 16-byte-aligned offsets, so both the scalar and the vec4 GPU programs run), sizes
 * around the 4/16/256/1024 blocks of the programs, ties, zeros, chained calls and bad input.
 *
 * Runtime-agnostic (no vitest, no Node APIs): Node runs it under vitest on every backend
 * (test/differential/differential.test.ts), Deno and Chromium run a bundle of it on webgpu
 * (test/webgpu/runtime-entry.ts), and bench/webgpu/device-run.ts runs it on a real GPU.
 * Data come from the seeded Rng, so every runtime checks the same inputs.
 *
 * Tolerances of the hand-written cases (documented in docs/backends.md): float outputs must satisfy
 * |got − ref| ≤ 1e-5·Σ|terms| + 1e-6, the CPU backends' bound — float32 accumulation in
 * another order stays well inside it at these sizes. selectiveAttention, whose WGSL exp/log
 * may be a few ULP off (the WGSL spec allows 3 + 2|x| ULP for exp), gets 1e-4·Σ|terms| + 1e-6 for
 * its output and 1e-5·(|max score| + 1) + 1e-5 for the log-sum-exp. softmax and swiglu, exp-based
 * too, get bounds relative to each output that grow with exp's argument as that allowance
 * does: 1e-5·(1 + |x_i − max|)·p_i and 1e-5·(1 + |g_i|)·|ref_i| (+ 1e-30: flushed denormals).
 * Indices and counts must match exactly, except argminL2 codes at near-ties (then the two
 * distances must agree).
 */
import type { DeviceArray } from '../../src/kernels/device-array.js';
import { referenceKernelFunctions as ref } from '../../src/kernels/reference/index.js';
import { Rng } from '../../src/core/rng.js';
import { SparseInferenceError } from '../../src/core/errors.js';
import type { Kernels } from '../../src/kernels/kernels.js';
import type { SuiteCase } from './suite-case.js';
import { REGISTRY_CASES, callReference } from './registry-cases.js';
import { lcg, randomQuantizedRows } from '../_harness/quantized-rows.js';
import { decodeQuantizedRow } from '../../src/llama/quantized-row.js';

export type { SuiteCase };

type Typed = Float32Array | Int32Array;

function fail(msg: string): never {
  throw new Error(msg);
}

/** n values: normal × 10^(spread·(u − ½)); with `zeros`, each is 0 with probability ½. */
function floats(n: number, seed: number, opts: { spread?: number; zeros?: boolean; levels?: boolean } = {}): Float32Array {
  const rng = new Rng(seed);
  const out = new Float32Array(n);
  const spread = opts.spread ?? 2;
  for (let i = 0; i < n; i++) {
    if (opts.levels) out[i] = rng.int(5) - 2;
    else if (opts.zeros && rng.uniform() < 0.5) out[i] = 0;
    else out[i] = rng.normal() * 10 ** (spread * (rng.uniform() - 0.5));
  }
  return out;
}

function closeTo(got: number, want: number, terms: number, what: string, rel = 1e-5, abs = 1e-6): void {
  const allowed = rel * terms + abs;
  if (!(Math.abs(got - want) <= allowed)) {
    fail(`${what}: got ${got}, reference ${want} (|diff| ${Math.abs(got - want)} > allowed ${allowed})`);
  }
}

function sameInts(got: ArrayLike<number>, want: ArrayLike<number>, n: number, what: string): void {
  for (let i = 0; i < n; i++) if (got[i] !== want[i]) fail(`${what}[${i}]: got ${got[i]}, reference ${want[i]}`);
}

/** `call` must fail with BAD_ARGUMENT naming `argument`, by throwing (CPU) or rejecting (GPU). */
async function rejectsBadArgument(call: () => unknown, argument: string, what: string): Promise<void> {
  try {
    await call();
  } catch (e) {
    if (!(e instanceof SparseInferenceError) || e.code !== 'BAD_ARGUMENT') fail(`${what}: expected BAD_ARGUMENT, got ${String(e)}`);
    if (!new RegExp(`(^|[^A-Za-z0-9_])${argument}([^A-Za-z0-9_]|$)`).test(e.message)) {
      fail(`${what}: expected the message to name ${argument}, got: ${e.message}`);
    }
    return;
  }
  fail(`${what}: expected BAD_ARGUMENT naming ${argument}, but the call resolved`);
}

/**
 * Arguments placed on the device: each array becomes a subarray of a larger device array at
 * `offset` (with 3 sentinel elements after it), so offset handling is exercised too.
 */
class Placer {
  private readonly owned: DeviceArray<Typed>[] = [];
  constructor(private readonly k: Kernels, private readonly offset: number) {}

  put<T extends Typed>(a: T): DeviceArray<T> {
    const whole = (a instanceof Float32Array ? this.k.allocF32(a.length + this.offset + 3)
      : this.k.allocI32(a.length + this.offset + 3)) as unknown as DeviceArray<T>;
    this.owned.push(whole as unknown as DeviceArray<Typed>);
    const filler = (a instanceof Float32Array ? new Float32Array(a.length + this.offset + 3).fill(-7)
      : new Int32Array(a.length + this.offset + 3).fill(-7)) as T;
    filler.set(a, this.offset);
    whole.write(filler);
    return whole.subarray(this.offset, this.offset + a.length);
  }

  dispose(): void {
    for (const a of this.owned) a.dispose();
  }
}

/** Placements every differential case runs under. */
const PLACEMENTS: { name: string; offset: number | null }[] = [
  { name: 'host arrays', offset: null },
  { name: 'device arrays at offset 4', offset: 4 },
  { name: 'device arrays at offset 3', offset: 3 },
];

/**
 * Runs `call` with the arrays placed as asked and returns their contents afterwards (outputs
 * included) and the call's result.
 */
async function placed<R>(k: Kernels, offset: number | null, arrays: Typed[],
  call: (...a: (Typed | DeviceArray<Typed>)[]) => R): Promise<{ result: Awaited<R>; after: Typed[] }> {
  if (offset === null) {
    const copies = arrays.map((a) => a.slice());
    const result = await call(...copies);
    return { result, after: copies };
  }
  const p = new Placer(k, offset);
  try {
    const dev = arrays.map((a) => p.put(a));
    const result = await call(...dev);
    const after = await Promise.all(dev.map((d) => d.read()));
    return { result, after };
  } finally {
    p.dispose();
  }
}

function differential(name: string, shapes: number[][], body: (k: Kernels, offset: number | null, shape: number[],
  seed: number) => Promise<void>): SuiteCase[] {
  return PLACEMENTS.map((pl) => ({
    name: `${name} (${pl.name})`,
    async run(k: Kernels) {
      let seed = 1;
      for (const shape of shapes) await body(k, pl.offset, shape, seed++);
    },
  }));
}

// --- the cases ------------------------------------------------------------------------------

const gemvCases = differential('gemv', [[1, 1], [3, 5], [7, 8], [16, 17], [33, 64], [64, 31], [5, 256], [9, 1031], [3, 4100]],
  async (k, off, [rows, cols], seed) => {
    const W = floats(rows * cols, seed), x = floats(cols, seed + 100);
    const y = new Float32Array(rows + 2).fill(-3);
    const { after } = await placed(k, off, [W, x, y], (w, xx, yy) => k.gemv(w as Float32Array, xx as Float32Array, yy as Float32Array, rows, cols));
    const want = new Float32Array(rows);
    ref.gemv(W, x, want, rows, cols);
    for (let r = 0; r < rows; r++) {
      let t = 0;
      for (let c = 0; c < cols; c++) t += Math.abs(W[r * cols + c] * x[c]);
      closeTo(after[2][r], want[r], t, `gemv ${rows}×${cols} y[${r}]`);
    }
    if (after[2][rows] !== -3 || after[2][rows + 1] !== -3) fail(`gemv ${rows}×${cols} wrote past y[rows)`);
  });

/** gemvQ4_1 / gemvQ8_0: ggml blocks read as words; Σ|terms| from the decoded weights. */
const quantizedGemvCases = (['Q4_1', 'Q8_0'] as const).flatMap((type) => differential(`gemv${type}`,
  [[1, 32], [3, 64], [7, 96], [4, 2048], [65, 160]], async (k, off, [rows, cols], seed) => {
    const W = randomQuantizedRows(type, rows, cols, lcg(seed)), x = floats(cols, seed + 100);
    const y = new Float32Array(rows + 2).fill(-3);
    const { after } = await placed(k, off, [W, x, y], (w, xx, yy) => (type === 'Q4_1'
      ? k.gemvQ4_1(w as Int32Array, xx as Float32Array, yy as Float32Array, rows, cols)
      : k.gemvQ8_0(w as Int32Array, xx as Float32Array, yy as Float32Array, rows, cols)));
    const want = new Float32Array(rows);
    (type === 'Q4_1' ? ref.gemvQ4_1 : ref.gemvQ8_0)(W, x, want, rows, cols);
    const row = new Float32Array(cols);
    for (let r = 0; r < rows; r++) {
      decodeQuantizedRow(type, W, r, cols, row);
      let t = 0;
      for (let c = 0; c < cols; c++) t += Math.abs(row[c] * x[c]);
      closeTo(after[2][r], want[r], t, `gemv${type} ${rows}×${cols} y[${r}]`);
    }
    if (after[2][rows] !== -3 || after[2][rows + 1] !== -3) fail(`gemv${type} ${rows}×${cols} wrote past y[rows)`);
  }));

const gemvTCases = differential('gemvT', [[1, 1], [4, 3], [17, 8], [31, 33], [300, 5], [513, 64], [40, 1030]],
  async (k, off, [rows, cols], seed) => {
    const W = floats(rows * cols, seed), x = floats(rows, seed + 100, { zeros: seed % 2 === 0 });
    const y = new Float32Array(cols + 2).fill(-3);
    const { after } = await placed(k, off, [W, x, y], (w, xx, yy) => k.gemvT(w as Float32Array, xx as Float32Array, yy as Float32Array, rows, cols));
    const want = new Float32Array(cols);
    ref.gemvT(W, x, want, rows, cols);
    for (let c = 0; c < cols; c++) {
      let t = 0;
      for (let r = 0; r < rows; r++) t += Math.abs(W[r * cols + c] * x[r]);
      closeTo(after[2][c], want[c], t, `gemvT ${rows}×${cols} y[${c}]`);
    }
    if (after[2][cols] !== -3) fail(`gemvT ${rows}×${cols} wrote past y[cols)`);
  });

/**
 * n inputs of the sparse kernels: half of them zero (live = 0.5), none (1) or all (0, with
 * signed zeros) — the edge cases of the programs' row skipping.
 */
function sparseInput(n: number, seed: number, live = 0.5): Float32Array {
  if (live === 0) return Float32Array.from({ length: n }, (_, i) => (i % 2 ? -0 : 0));
  return floats(n, seed, { zeros: live < 1 });
}

const spvmmCases = differential('spvmm', [[1, 1], [8, 4], [33, 17], [300, 64], [600, 12], [64, 1029], [1024, 3], [1025, 8],
  [2100, 5, 1], [1500, 3, 0]],
  async (k, off, [rows, cols, live], seed) => {
    const x = sparseInput(rows, seed, live), W = floats(rows * cols, seed + 100);
    const y = new Float32Array(cols);
    const { result, after } = await placed(k, off, [x, W, y], (xx, w, yy) => k.spvmm(xx as Float32Array, w as Float32Array, yy as Float32Array, rows, cols));
    const want = new Float32Array(cols);
    const nnz = ref.spvmm(x, W, want, rows, cols);
    if (result !== nnz) fail(`spvmm ${rows}×${cols}: returned ${result}, reference ${nnz} nonzero inputs`);
    for (let c = 0; c < cols; c++) {
      let t = 0;
      for (let r = 0; r < rows; r++) t += Math.abs(W[r * cols + c] * x[r]);
      closeTo(after[2][c], want[c], t, `spvmm ${rows}×${cols} y[${c}]`);
    }
  });

const vmmspCases = differential('vmmsp', [[1, 1], [5, 8], [17, 33], [64, 100], [300, 16], [320, 12], [330, 8, 1], [200, 20, 0]],
  async (k, off, [rows, cols, live], seed) => {
    const x = floats(cols, seed), W = floats(rows * cols, seed + 100), s = sparseInput(rows, seed + 200, live);
    const out = new Float32Array(rows).fill(9);
    const { result, after } = await placed(k, off, [x, W, s, out], (xx, w, ss, o) =>
      k.vmmsp(xx as Float32Array, w as Float32Array, ss as Float32Array, o as Float32Array, rows, cols));
    const want = new Float32Array(rows);
    const nnz = ref.vmmsp(x, W, s, want, rows, cols);
    if (result !== nnz) fail(`vmmsp ${rows}×${cols}: returned ${result}, reference ${nnz}`);
    for (let r = 0; r < rows; r++) {
      let t = 0;
      for (let c = 0; c < cols; c++) t += Math.abs(W[r * cols + c] * x[c] * s[r]);
      closeTo(after[3][r], want[r], t, `vmmsp ${rows}×${cols} out[${r}]`);
      if (s[r] === 0 && after[3][r] !== 0) fail(`vmmsp out[${r}] must be 0 where s is 0, got ${after[3][r]}`);
    }
  });

function l2Terms(X: Float32Array, C: Float32Array, i: number, j: number, d: number): number {
  let s = 0;
  for (let t = 0; t < d; t++) { const v = X[i * d + t] - C[j * d + t]; s += v * v; }
  return s;
}

const l2Cases = differential('l2sqrBatch', [[1, 1, 1], [5, 3, 7], [17, 16, 33], [40, 33, 20], [3, 70, 130]],
  async (k, off, [n, kk, d], seed) => {
    const X = floats(n * d, seed), C = floats(kk * d, seed + 100);
    const out = new Float32Array(n * kk);
    const { after } = await placed(k, off, [X, C, out], (x, c, o) => k.l2sqrBatch(x as Float32Array, c as Float32Array, o as Float32Array, n, kk, d));
    const want = new Float32Array(n * kk);
    ref.l2sqrBatch(X, C, want, n, kk, d);
    for (let i = 0; i < n; i++) {
      for (let j = 0; j < kk; j++) closeTo(after[2][i * kk + j], want[i * kk + j], l2Terms(X, C, i, j, d), `l2sqrBatch out[${i},${j}]`);
    }
  });

const argminCases = differential('argminL2', [[1, 1, 1], [9, 4, 5], [33, 17, 16], [50, 40, 3], [20, 5, 70]],
  async (k, off, [n, kk, d], seed) => {
    for (const levels of [false, true]) {
      const X = floats(n * d, seed, { levels }), C = floats(kk * d, seed + 100, { levels });
      if (kk >= 2) C.copyWithin(d, 0, d); // centroid 1 = centroid 0: an exact tie, the lower index wins
      const codes = new Int32Array(n), dist = new Float32Array(n);
      const { after } = await placed(k, off, [X, C, codes, dist], (x, c, co, di) =>
        k.argminL2(x as Float32Array, c as Float32Array, co as Int32Array, di as Float32Array, n, kk, d));
      const wc = new Int32Array(n), wd = new Float32Array(n), all = new Float32Array(n * kk);
      ref.argminL2(X, C, wc, wd, n, kk, d);
      ref.l2sqrBatch(X, C, all, n, kk, d);
      for (let i = 0; i < n; i++) {
        const got = after[2][i], want = wc[i];
        const terms = l2Terms(X, C, i, want, d) + 1e-30;
        if (got !== want) {
          // exact data (small integers) have exact distances: codes must match, ties included
          if (levels || got < 0 || got >= kk || Math.abs(all[i * kk + got] - all[i * kk + want]) > 1e-5 * terms + 1e-6) {
            fail(`argminL2 codes[${i}] = ${got}, reference ${want} (levels ${levels})`);
          }
        }
        closeTo(after[3][i], wd[i], terms, `argminL2 dist[${i}]`);
      }
    }
  });

const lutCases = differential('lutGather', [[1, 1], [16, 100], [1024, 5000], [7, 1]],
  async (k, off, [tableSize, n], seed) => {
    const table = floats(tableSize, seed);
    const rng = new Rng(seed + 100);
    const codes = Int32Array.from({ length: n }, () => rng.int(tableSize));
    const out = new Float32Array(n);
    const { after } = await placed(k, off, [table, codes, out], (t, c, o) => k.lutGather(t as Float32Array, tableSize, c as Int32Array, n, o as Float32Array));
    const want = new Float32Array(n);
    ref.lutGather(table, tableSize, codes, n, want);
    for (let j = 0; j < n; j++) if (after[2][j] !== want[j]) fail(`lutGather out[${j}]: got ${after[2][j]}, reference ${want[j]}`);
  });

/** Scores with ties (levels), signed zeros, or spread values. */
function scores(n: number, seed: number, kind: number): Float32Array {
  if (kind === 0) return floats(n, seed);
  if (kind === 1) return floats(n, seed, { levels: true });
  const x = floats(n, seed, { zeros: true });
  for (let i = 0; i < n; i += 3) if (x[i] === 0) x[i] = -0; // −0 ties with +0
  return x;
}

const TOPK_SHAPES = [[1, 1], [5, 2], [17, 17], [1000, 1], [1000, 100], [3000, 37], [4100, 4099], [2049, 1024]];

const topKSelectCases = differential('topKSelect', TOPK_SHAPES, async (k, off, [n, kk], seed) => {
  for (let kind = 0; kind < 3; kind++) {
    const x = scores(n, seed * 3 + kind, kind);
    const out = new Int32Array(kk + 1).fill(-5);
    const { after } = await placed(k, off, [x, out], (xx, o) => k.topKSelect(xx as Float32Array, n, kk, o as Int32Array));
    const want = new Int32Array(kk);
    ref.topKSelect(x, n, kk, want);
    sameInts(after[1], want, kk, `topKSelect n=${n} k=${kk} kind ${kind}`);
    if (after[1][kk] !== -5) fail(`topKSelect n=${n} k=${kk} wrote past out[k)`);
  }
});

// topKSelectRows: [rows, n, k] around the 1024-element blocks (rows·blocks workgroups per pass),
// up to 40 rows; k = n and k = 0 (the CPU path); row 1 of each matrix is all equal (ties to the
// lowest indices), and every kind of scores() (spread, levels, ±0) in turn.
const TOPK_ROWS_SHAPES = [[1, 1, 1], [3, 5, 2], [2, 1024, 1024], [5, 1023, 100], [4, 1025, 512], [40, 257, 37],
  [3, 2049, 1024], [6, 300, 0]];

const topKSelectRowsCases = differential('topKSelectRows', TOPK_ROWS_SHAPES, async (k, off, [rows, n, kk], seed) => {
  for (let kind = 0; kind < 3; kind++) {
    const x = scores(rows * n, seed * 3 + kind, kind);
    if (rows > 1) x.fill(kind - 1, n, 2 * n);
    const out = new Int32Array(rows * kk + 1).fill(-5);
    const { after } = await placed(k, off, [x, out], (xx, o) => k.topKSelectRows(xx as Float32Array, rows, n, kk, o as Int32Array));
    const want = new Int32Array(rows * kk);
    for (let r = 0; r < rows; r++) ref.topKSelect(x.subarray(r * n, (r + 1) * n), n, kk, want.subarray(r * kk, (r + 1) * kk));
    sameInts(after[1], want, rows * kk, `topKSelectRows rows=${rows} n=${n} k=${kk} kind ${kind}`);
    if (after[1][rows * kk] !== -5) fail(`topKSelectRows rows=${rows} n=${n} k=${kk} wrote past out[rows·k)`);
  }
});

const topKCases = differential('topK', [[1, 1], [9, 4], [1000, 10], [3000, 300]], async (k, off, [n, kk], seed) => {
  for (let kind = 0; kind < 3; kind++) {
    const x = scores(n, seed * 3 + kind, kind);
    const out = new Int32Array(kk);
    const { after } = await placed(k, off, [x, out], (xx, o) => k.topK(xx as Float32Array, n, kk, o as Int32Array));
    const want = new Int32Array(kk);
    ref.topK(x, n, kk, want);
    sameInts(after[1], want, kk, `topK n=${n} k=${kk} kind ${kind}`);
  }
});

const attentionCases = differential('selectiveAttention',
  [[1, 1, 1, 1], [7, 20, 5, 5], [100, 300, 64, 72], [37, 50, 3, 8], [600, 1000, 16, 16]],
  async (k, off, [count, rows, d, stride], seed) => {
    const q = floats(d, seed, { spread: 0 }), K = floats(rows * stride, seed + 1, { spread: 0 }), V = floats(rows * stride, seed + 2);
    const rng = new Rng(seed + 3);
    const idx = Int32Array.from({ length: count }, () => rng.int(rows)); // duplicates allowed (they count twice)
    const out = new Float32Array(d + 1).fill(-4);
    const scale = 1 / Math.sqrt(d);
    const { result, after } = await placed(k, off, [q, K, V, idx, out], (qq, kk, vv, ii, o) =>
      k.selectiveAttention(qq as Float32Array, kk as Float32Array, vv as Float32Array, ii as Int32Array, count, rows, d, stride, scale, o as Float32Array));
    const want = new Float32Array(d);
    const lse = ref.selectiveAttention(q, K, V, idx, count, rows, d, stride, scale, want);
    let maxS = -Infinity;
    const s = Array.from(idx, (t) => { let a = 0; for (let u = 0; u < d; u++) a += q[u] * K[t * stride + u]; return a * scale; });
    for (const v of s) maxS = Math.max(maxS, v);
    closeTo(result, lse, Math.abs(maxS) + 1, `selectiveAttention count=${count} lse`, 1e-5, 1e-5);
    const w = s.map((v) => Math.exp(v - lse));
    for (let t = 0; t < d; t++) {
      let terms = 0;
      idx.forEach((row, c) => { terms += w[c] * Math.abs(V[row * stride + t]); });
      closeTo(after[4][t], want[t], terms, `selectiveAttention count=${count} out[${t}]`, 1e-4);
    }
    if (after[4][d] !== -4) fail('selectiveAttention wrote past out[d)');
  });

/**
 * selectiveAttentionHeads: [count, rows, d, stride, nHeads, group] — GQA groups, stride wider
 * than the KV heads, d across the 64-wide groups, count across the 32-token chunks (31..33,
 * 64..65) and past 2048 (chunks of 33), each head against the reference; then bad idx
 * (host and device) naming idx, and count = 0.
 */
const attentionHeadsCases = differential('selectiveAttentionHeads',
  [[1, 1, 1, 1, 1, 1], [33, 40, 5, 11, 4, 2], [70, 90, 16, 64, 12, 4], [64, 20, 64, 130, 2, 1], [31, 31, 70, 141, 3, 3],
    [65, 65, 3, 7, 5, 3], [2100, 300, 8, 17, 2, 1]],
  async (k, off, [count, rows, d, stride, nHeads, group], seed) => {
    const q = floats(nHeads * d, seed, { spread: 0 }), K = floats(rows * stride, seed + 1, { spread: 0 });
    const V = floats(rows * stride, seed + 2);
    const rng = new Rng(seed + 3);
    const idx = Int32Array.from({ length: count }, () => rng.int(rows)); // duplicates allowed (they count twice)
    const out = new Float32Array(nHeads * d + 1).fill(-4), lse = new Float32Array(nHeads + 1).fill(-4);
    const scale = 1 / Math.sqrt(d);
    const { after } = await placed(k, off, [q, K, V, idx, out, lse], (qq, kk, vv, ii, o, l) =>
      k.selectiveAttentionHeads(qq as Float32Array, kk as Float32Array, vv as Float32Array, ii as Int32Array, count, rows, d,
        stride, nHeads, group, scale, o as Float32Array, l as Float32Array));
    const want = new Float32Array(nHeads * d), wantLse = new Float32Array(nHeads);
    ref.selectiveAttentionHeads(q, K, V, idx, count, rows, d, stride, nHeads, group, scale, want, wantLse);
    const what = `selectiveAttentionHeads count=${count} nHeads=${nHeads} group=${group}`;
    for (let h = 0; h < nHeads; h++) {
      const g = Math.floor(h / group) * d;
      const s = Array.from(idx, (t) => { let a = 0; for (let u = 0; u < d; u++) a += q[h * d + u] * K[t * stride + g + u]; return a * scale; });
      const maxS = Math.max(...s);
      closeTo(after[5][h], wantLse[h], Math.abs(maxS) + 1, `${what} lse[${h}]`, 1e-5, 1e-5);
      const w = s.map((v) => Math.exp(v - wantLse[h]));
      for (let t = 0; t < d; t++) {
        let terms = 0;
        idx.forEach((row, c) => { terms += w[c] * Math.abs(V[row * stride + g + t]); });
        closeTo(after[4][h * d + t], want[h * d + t], terms, `${what} out[${h * d + t}]`, 1e-4);
      }
    }
    if (after[4][nHeads * d] !== -4) fail(`${what} wrote past out[nHeads·d)`);
    if (after[5][nHeads] !== -4) fail(`${what} wrote past lse[nHeads)`);
  });

attentionHeadsCases.push({
  name: 'selectiveAttentionHeads rejects a bad idx (host and device) naming idx, and count = 0 writes zeros and −Infinity',
  async run(k) {
    const q = new Float32Array(8), K = new Float32Array(12), V = new Float32Array(12);
    const di = k.allocI32(3);
    di.write(Int32Array.of(0, 2, 5));
    try {
      await rejectsBadArgument(() => k.selectiveAttentionHeads(q, K, V, di, 3, 3, 2, 4, 4, 2, 1, new Float32Array(8), new Float32Array(4)),
        'idx', 'device idx ≥ rows');
      await rejectsBadArgument(() => k.selectiveAttentionHeads(q, K, V, Int32Array.of(1, -1), 2, 3, 2, 4, 4, 2, 1, new Float32Array(8),
        new Float32Array(4)), 'idx', 'negative host idx');
      await rejectsBadArgument(() => k.selectiveAttentionHeads(q, K, V, Int32Array.of(1), 1, 3, 2, 3, 4, 2, 1, new Float32Array(8),
        new Float32Array(4)), 'stride', 'stride < nKv·d');
      await rejectsBadArgument(() => k.selectiveAttentionHeads(q, K, V, Int32Array.of(1), 1, 3, 2, 4, 4, 2, 1, new Float32Array(8),
        new Float32Array(3)), 'lse', 'short lse');
    } finally {
      di.dispose();
    }
    const o = new Float32Array(8).fill(3), l = new Float32Array(4).fill(3);
    await k.selectiveAttentionHeads(q, K, V, new Int32Array(0), 0, 3, 2, 4, 4, 2, 1, o, l);
    if (o.some((v) => v !== 0) || l.some((v) => v !== -Infinity)) fail(`count = 0: got ${Array.from(o)}, ${Array.from(l)}`);
  },
});

const sumCases = differential('sum', [[1], [255], [4097], [100_000]], async (k, off, [n], seed) => {
  const x = floats(n, seed);
  const { result } = await placed(k, off, [x], (xx) => k.sum(xx as Float32Array, n));
  let terms = 0;
  for (let i = 0; i < n; i++) terms += Math.abs(x[i]);
  closeTo(result, ref.sum(x, n), terms, `sum n=${n}`);
});

// --- the llama decode-step kernels: dot, axpy, softmax, rmsnorm, rope, swiglu ----------------
// Sizes straddle the vec4 (4) and workgroup (256) blocks; n = 70 000 makes dot take two passes.

const dotCases = differential('dot', [[1], [3], [4], [5], [255], [256], [257], [1027], [4096], [70_000]],
  async (k, off, [n], seed) => {
    const x = floats(n, seed), y = floats(n, seed + 100, { zeros: seed % 2 === 0 });
    const { result } = await placed(k, off, [x, y], (xx, yy) => k.dot(xx as Float32Array, yy as Float32Array, n));
    let terms = 0;
    for (let i = 0; i < n; i++) terms += Math.abs(x[i] * y[i]);
    closeTo(result, ref.dot(x, y, n), terms, `dot n=${n}`);
    const same = await placed(k, off, [x], (xx) => k.dot(xx as Float32Array, xx as Float32Array, n)); // x·x, one array bound twice
    let sq = 0;
    for (let i = 0; i < n; i++) sq += x[i] * x[i];
    closeTo(same.result, ref.dot(x, x, n), sq, `dot(x, x) n=${n}`);
  });

const axpyCases = differential('axpy', [[1], [3], [4], [5], [255], [256], [257], [1029], [4100]],
  async (k, off, [n], seed) => {
    const a = seed % 2 === 0 ? -0.3 : 1.7; // not float32-representable: the GPU rounds it, within the bound
    const x = floats(n, seed), y = floats(n + 2, seed + 100);
    y[n] = -3; y[n + 1] = -3;
    const { after } = await placed(k, off, [x, y], (xx, yy) => k.axpy(a, xx as Float32Array, yy as Float32Array, n));
    const want = y.slice();
    ref.axpy(a, x, want, n);
    for (let i = 0; i < n; i++) closeTo(after[1][i], want[i], Math.abs(y[i]) + Math.abs(a * x[i]), `axpy n=${n} y[${i}]`);
    if (after[1][n] !== -3 || after[1][n + 1] !== -3) fail(`axpy n=${n} wrote past y[n)`);
  });

/**
 * softmax's bound: WGSL's exp may be 3 + 2|v| ULP off at v = x_i − max, and Σ is a float32
 * sum, so the error is relative to the output and grows with |x_i − max|:
 * |gpu − ref| ≤ 1e-5·(1 + |x_i − max|)·ref_i + 1e-30 (the last term: GPUs may flush denormals).
 */
function softmaxClose(got: Float32Array, x: Float32Array, n: number, what: string): void {
  const want = new Float32Array(n);
  ref.softmax(x, want, n);
  let mx = -Infinity;
  for (let i = 0; i < n; i++) mx = Math.max(mx, x[i]);
  let total = 0, terms = 0;
  for (let i = 0; i < n; i++) {
    const t = (1 + Math.abs(x[i] - mx)) * want[i];
    closeTo(got[i], want[i], t, `${what} out[${i}]`, 1e-5, 1e-30);
    total += got[i];
    terms += t;
  }
  closeTo(total, 1, terms, `${what} Σ out`, 1e-5, 0);
}

const SOFTMAX_SIZES = [[1], [3], [4], [5], [255], [256], [257], [1027], [4096], [32_000]];

const softmaxCases = differential('softmax', SOFTMAX_SIZES, async (k, off, [n], seed) => {
  const x = floats(n, seed);
  if (n > 4) { x[1] = x[2] = Math.max(...x.subarray(0, 5)) + 1; x[3] = -1e30; } // a tied maximum; a weight that underflows
  const out = new Float32Array(n + 1).fill(-3);
  const { after } = await placed(k, off, [x, out], (xx, o) => k.softmax(xx as Float32Array, o as Float32Array, n));
  softmaxClose(after[1] as Float32Array, x, n, `softmax n=${n}`);
  if (after[1][n] !== -3) fail(`softmax n=${n} wrote past out[n)`);
  // out = x: the same host array, or the very same device array (read and written in place)
  const inPlace = await placed(k, off, [x], (xx) => k.softmax(xx as Float32Array, xx as Float32Array, n));
  softmaxClose(inPlace.after[0] as Float32Array, x, n, `softmax in place n=${n}`);
});

/** rmsnorm against the reference: |gpu − ref| ≤ 1e-5·|w_i·x_i·r| + 1e-6 (the suite's bound; Σ|terms| is one term). */
function rmsnormClose(got: Float32Array, x: Float32Array, w: Float32Array, n: number, eps: number, what: string): void {
  const want = new Float32Array(n);
  ref.rmsnorm(x, w, want, n, eps);
  let ss = 0;
  for (let i = 0; i < n; i++) ss += x[i] * x[i];
  const r = 1 / Math.sqrt(ss / n + eps);
  for (let i = 0; i < n; i++) closeTo(got[i], want[i], Math.abs(w[i] * x[i] * r), `${what} out[${i}]`);
}

const rmsnormCases = differential('rmsnorm', [[1], [3], [4], [5], [255], [256], [257], [1027], [4096]],
  async (k, off, [n], seed) => {
    const x = floats(n, seed), w = floats(n, seed + 100, { spread: 0 });
    const eps = seed % 2 === 0 ? 1e-5 : 1e-6;
    const out = new Float32Array(n + 1).fill(-3);
    const { after } = await placed(k, off, [x, w, out], (xx, ww, o) => k.rmsnorm(xx as Float32Array, ww as Float32Array, o as Float32Array, n, eps));
    rmsnormClose(after[2] as Float32Array, x, w, n, eps, `rmsnorm n=${n}`);
    if (after[2][n] !== -3) fail(`rmsnorm n=${n} wrote past out[n)`);
    const inPlace = await placed(k, off, [x, w], (xx, ww) => k.rmsnorm(xx as Float32Array, ww as Float32Array, xx as Float32Array, n, eps));
    rmsnormClose(inPlace.after[0] as Float32Array, x, w, n, eps, `rmsnorm in place n=${n}`);
  });

/**
 * rope at small and large positions (pos·θ ≈ 1.2·10⁵ rad with base 500 000: float32
 * trigonometry on the GPU would be ~10⁻² off; the host-computed table keeps it at rounding).
 * Bound per output: 1e-5·(|a·cos| + |b·sin|) + 1e-6.
 */
const ropeCases = differential('rope', [[1, 2], [3, 4], [2, 6], [5, 8], [4, 14], [3, 130], [32, 128]],
  async (k, off, [nHeads, headDim], seed) => {
    const size = nHeads * headDim, half = headDim / 2;
    for (const [pos, base] of [[7, 10000], [123_457, 500_000], [2.5, 10000]] as const) {
      for (const pairing of ['adjacent', 'half'] as const) {
        const x = floats(size + 2, seed);
        x[size] = -3; x[size + 1] = -3;
        const { after } = await placed(k, off, [x], (xx) => k.rope(xx as Float32Array, nHeads, headDim, pos, base, pairing));
        const want = x.slice();
        ref.rope(want, nHeads, headDim, pos, base, pairing);
        for (let h = 0; h < nHeads; h++) {
          for (let t = 0; t < half; t++) {
            const angle = pos * Math.pow(base, (-2 * t) / headDim), c = Math.abs(Math.cos(angle)), s = Math.abs(Math.sin(angle));
            const i0 = h * headDim + (pairing === 'adjacent' ? 2 * t : t), i1 = pairing === 'adjacent' ? i0 + 1 : i0 + half;
            const a = Math.abs(x[i0]), b = Math.abs(x[i1]);
            const what = `rope ${nHeads}×${headDim} pos=${pos} base=${base} ${pairing}`;
            closeTo(after[0][i0], want[i0], a * c + b * s, `${what} x[${i0}]`);
            closeTo(after[0][i1], want[i1], a * s + b * c, `${what} x[${i1}]`);
          }
        }
        if (after[0][size] !== -3 || after[0][size + 1] !== -3) fail(`rope ${nHeads}×${headDim} wrote past x[nHeads·headDim)`);
      }
    }
  });

/**
 * swiglu's bound: WGSL's exp may be 3 + 2|g| ULP off, relative to the output:
 * |gpu − ref| ≤ 1e-5·(1 + |g_i|)·|ref_i| + 1e-30 (denormals may flush to zero).
 */
const swigluCases = differential('swiglu', [[1], [3], [4], [5], [12], [255], [256], [257], [1029]],
  async (k, off, [n], seed) => {
    const gate = floats(n + 2, seed), up = floats(n, seed + 100, { zeros: seed % 3 === 0 });
    const extremes = [-100, 100, -50, 20, -20, 0, -0, 88, -88, 1e-3];
    for (let i = 0; i < Math.min(n, extremes.length); i++) gate[(i * 7) % n] = extremes[i];
    gate[n] = -3; gate[n + 1] = -3;
    const { after } = await placed(k, off, [gate, up], (g, u) => k.swiglu(g as Float32Array, u as Float32Array, n));
    const want = gate.slice();
    ref.swiglu(want, up, n);
    for (let i = 0; i < n; i++) {
      closeTo(after[0][i], want[i], (1 + Math.abs(gate[i])) * Math.abs(want[i]), `swiglu n=${n} gate[${i}] (g = ${gate[i]})`, 1e-5, 1e-30);
    }
    if (after[0][n] !== -3 || after[0][n + 1] !== -3) fail(`swiglu n=${n} wrote past gate[n)`);
  });

// --- the activation-sparsity kernels: siluThreshold, threshold, siluMulThreshold ---------------
// Thresholds are kept away (relatively 1e-4) from the values they cut, so the GPU's float32 SiLU
// decides every channel as the float64 reference does; counts must then match exactly. Kept
// values get swiglu's bound. threshold compares float32 data with t↑, so it must be bit-exact.

/** t, moved up by 0.1% at a time until no |value| lies within 1e-4·t of it. */
function awayFrom(values: ArrayLike<number>, t: number): number {
  if (t === 0) return 0;
  for (;;) {
    let near = false;
    for (let i = 0; i < values.length && !near; i++) near = Math.abs(Math.abs(values[i]) - t) <= 1e-4 * t;
    if (!near) return t;
    t *= 1.001;
  }
}

const siluThresholdCases = differential('siluThreshold', [[1], [3], [255], [256], [257], [1029], [5000]],
  async (k, off, [n], seed) => {
    const gate = floats(n + 2, seed);
    const extremes = [-80, 100, -20, 20, 0, -0, 88, -50];
    for (let i = 0; i < Math.min(n, extremes.length); i++) gate[(i * 7) % n] = extremes[i];
    gate[n] = -3; gate[n + 1] = -3;
    const rng = new Rng(seed + 50);
    const t64 = Float64Array.from(gate.subarray(0, n), (v) => {
      const g = Math.abs(v / (1 + Math.exp(-v))), u = rng.uniform();
      return u < 0.1 ? 0 : u < 0.15 ? Infinity : awayFrom([g], g * (0.5 + rng.uniform()));
    });
    // host: float64 thresholds (uploaded as float32); device: a float32 device array
    const want = gate.slice();
    const kept = ref.siluThreshold(want, t64, n);
    const { result, after } = off === null
      ? await (async () => { const g = gate.slice(); return { result: await k.siluThreshold(g, t64, n), after: [g] }; })()
      : await placed(k, off, [gate, Float32Array.from(t64)], (g, t) => k.siluThreshold(g as Float32Array, t as Float32Array, n));
    if (result !== kept) fail(`siluThreshold n=${n}: kept ${result}, reference ${kept}`);
    for (let i = 0; i < n; i++) {
      if (want[i] === 0 && after[0][i] !== 0) fail(`siluThreshold n=${n} gate[${i}] must be 0, got ${after[0][i]}`);
      closeTo(after[0][i], want[i], (1 + Math.abs(gate[i])) * Math.abs(want[i]), `siluThreshold n=${n} gate[${i}] (v = ${gate[i]})`, 1e-5, 1e-30);
    }
    if (after[0][n] !== -3 || after[0][n + 1] !== -3) fail(`siluThreshold n=${n} wrote past gate[n)`);
  });

const thresholdCases = differential('threshold', [[1], [4], [255], [257], [1029], [5000]], async (k, off, [n], seed) => {
  const v = floats(n, seed, { zeros: seed % 2 === 0 });
  if (n > 3) { v[1] = -0; v[2] = 0.5; v[3] = -0.5; }
  // 0.5 ties v[2], v[3]; 1e-12 above |v[n−1]| and 1/3 are no float32 (exact only through t↑)
  for (const t of [0, 0.5, Math.abs(v[n - 1]) * (1 + 1e-12), 1 / 3, Infinity]) {
    const out = new Float32Array(n + 1).fill(-3);
    const { result, after } = await placed(k, off, [v, out], (vv, o) => k.threshold(vv as Float32Array, t, o as Float32Array, n));
    const want = out.slice();
    const zeros = ref.threshold(v, t, want, n);
    if (result !== zeros) fail(`threshold n=${n} t=${t}: ${result} zeros, reference ${zeros}`);
    for (let i = 0; i <= n; i++) if (!Object.is(after[1][i], want[i])) fail(`threshold n=${n} t=${t} out[${i}]: got ${after[1][i]}, reference ${want[i]}`);
  }
});

const siluMulThresholdCases = differential('siluMulThreshold', [[1], [3], [256], [257], [1029], [5000]],
  async (k, off, [n], seed) => {
    const gate = floats(n + 1, seed), up = floats(n + 1, seed + 100, { zeros: seed % 2 === 0 });
    gate[n] = -3; up[n] = -3;
    const h = Array.from({ length: n }, (_, i) => Math.fround((gate[i] / (1 + Math.exp(-gate[i]))) * up[i]));
    const median = h.map(Math.abs).sort((a, b) => a - b)[n >> 1];
    for (const t of [0, awayFrom(h, median)]) {
      const wg = gate.slice(), wu = up.slice();
      const zeros = ref.siluMulThreshold(wg, wu, t, n);
      const { result, after } = await placed(k, off, [gate, up], (g, u) => k.siluMulThreshold(g as Float32Array, u as Float32Array, t, n));
      if (result !== zeros) fail(`siluMulThreshold n=${n} t=${t}: ${result} zeros, reference ${zeros}`);
      for (let i = 0; i < n; i++) {
        const bound = (1 + Math.abs(gate[i])) * Math.abs(wg[i]);
        closeTo(after[0][i], wg[i], bound, `siluMulThreshold n=${n} gate[${i}]`, 1e-5, 1e-30);
        if (wu[i] === 0 && after[1][i] !== 0) fail(`siluMulThreshold n=${n} t=${t} up[${i}] must be 0, got ${after[1][i]}`);
        closeTo(after[1][i], wu[i], bound, `siluMulThreshold n=${n} t=${t} up[${i}]`, 1e-5, 1e-30);
      }
      if (after[0][n] !== -3 || after[1][n] !== -3) fail(`siluMulThreshold n=${n} wrote past n`);
    }
  });

/** The CATS/CHESS FFN's kernels chained on device arrays in one batch, and their bad input. */
const sparseFfnCases: SuiteCase[] = [
  {
    // On the GPU each workgroup stages at most 256 listed rows at a time; ⌈live / 256⌉ > 256 here.
    name: 'spvmm over 66000 live rows (many row chunks), host arrays',
    async run(k) {
      const rows = 66_000, cols = 2;
      const x = sparseInput(rows, 41, 1), W = floats(rows * cols, 42), y = new Float32Array(cols);
      const nnz = await k.spvmm(x, W, y, rows, cols);
      const want = new Float32Array(cols);
      if (nnz !== ref.spvmm(x, W, want, rows, cols)) fail(`spvmm returned ${nnz}, reference ${rows}`);
      for (let c = 0; c < cols; c++) {
        let t = 0;
        for (let r = 0; r < rows; r++) t += Math.abs(W[r * cols + c] * x[r]);
        closeTo(y[c], want[c], t, `spvmm ${rows}×${cols} y[${c}]`);
      }
    },
  },
  {
    name: 'gemv → siluThreshold → vmmsp → spvmm on device arrays, issued together, matches the reference',
    async run(k) {
      const dim = 40, hidden = 300;
      const wGate = floats(hidden * dim, 31, { spread: 0 }), wUp = floats(hidden * dim, 32, { spread: 0 });
      const wDownT = floats(hidden * dim, 33, { spread: 0 }), x = floats(dim, 34, { spread: 0 });
      const pre = new Float32Array(hidden);
      ref.gemv(wGate, x, pre, hidden, dim);
      const t = Float32Array.from(pre, (v) => awayFrom([v / (1 + Math.exp(-v))], 0.8));
      const dev = [wGate, wUp, wDownT, t].map((a) => { const d = k.allocF32(a.length); d.write(a); return d; });
      const gate = k.allocF32(hidden), inter = k.allocF32(hidden), out = new Float32Array(dim);
      try {
        const [, kept, nnz] = await Promise.all([
          k.gemv(dev[0], x, gate, hidden, dim), k.siluThreshold(gate, dev[3], hidden),
          k.vmmsp(x, dev[1], gate, inter, hidden, dim), k.spvmm(inter, dev[2], out, hidden, dim),
        ]);
        const s = pre.slice(), h = new Float32Array(hidden), want = new Float32Array(dim);
        const wantKept = ref.siluThreshold(s, t, hidden);
        ref.vmmsp(x, wUp, s, h, hidden, dim);
        ref.spvmm(h, wDownT, want, hidden, dim);
        if (kept !== wantKept || nnz !== wantKept) fail(`kept ${kept}, vmmsp rows ${nnz}, reference ${wantKept}`);
        for (let c = 0; c < dim; c++) {
          let terms = 0;
          for (let i = 0; i < hidden; i++) terms += Math.abs(h[i] * wDownT[i * dim + c]);
          closeTo(out[c], want[c], terms, `out[${c}]`, 1e-4);
        }
      } finally {
        for (const d of [...dev, gate, inter]) d.dispose();
      }
    },
  },
  {
    name: 'activation-sparsity kernels reject bad input naming the argument (host and device arrays)',
    async run(k) {
      await rejectsBadArgument(() => k.threshold(new Float32Array(4), NaN, new Float32Array(4), 4), 't', 'NaN threshold');
      await rejectsBadArgument(() => k.siluMulThreshold(new Float32Array(4), new Float32Array(3), 0, 4), 'up', 'short up');
      await rejectsBadArgument(() => k.siluThreshold(new Float32Array(4), new Float64Array(3), 4), 't', 'short float64 t');
      const dt = k.allocF32(3);
      await rejectsBadArgument(() => k.siluThreshold(new Float32Array(4), dt, 4), 't', 'short device t');
      dt.dispose();
      if (k.backend === 'webgpu') { // one buffer range cannot be bound as two read-write arguments
        const a = k.allocF32(8);
        await rejectsBadArgument(() => k.siluMulThreshold(a.subarray(0, 4), a.subarray(2, 6), 0, 4), 'gate', 'gate overlapping up');
        a.dispose();
      }
    },
  },
];

/** Cases beyond the kernel-by-kernel differentials: chaining, batching, empty shapes, bad input. */
const behaviourCases: SuiteCase[] = [
  {
    name: 'lutGather → topKSelect over 8 heads stays on the device and matches the reference',
    async run(k) {
      const heads = 8, n = 3000, tableSize = 256, kk = 64;
      const rng = new Rng(77);
      const codes = Int32Array.from({ length: heads * n }, () => rng.int(tableSize));
      const tables = floats(heads * tableSize, 78);
      const dCodes = k.allocI32(heads * n), dScores = k.allocF32(heads * n);
      dCodes.write(codes);
      try {
        const outs = Array.from({ length: heads }, () => new Int32Array(kk));
        await Promise.all(outs.flatMap((o, h) => [
          k.lutGather(tables.subarray(h * tableSize, (h + 1) * tableSize), tableSize, dCodes.subarray(h * n, (h + 1) * n), n,
            dScores.subarray(h * n, (h + 1) * n)),
          k.topKSelect(dScores.subarray(h * n, (h + 1) * n), n, kk, o),
        ]));
        for (let h = 0; h < heads; h++) {
          const s = new Float32Array(n), want = new Int32Array(kk);
          ref.lutGather(tables.subarray(h * tableSize), tableSize, codes.subarray(h * n), n, s);
          ref.topKSelect(s, n, kk, want);
          sameInts(outs[h], want, kk, `head ${h} top-k`);
        }
      } finally {
        dCodes.dispose(); dScores.dispose();
      }
    },
  },
  {
    name: 'lutGather → topKSelectRows over 8 heads stays on the device, equals 8 topKSelect calls, and rejects bad input',
    async run(k) {
      const heads = 8, n = 1500, tableSize = 64, kk = 50;
      const rng = new Rng(79);
      const codes = Int32Array.from({ length: heads * n }, () => rng.int(tableSize)); // 64 levels: many ties
      const tables = floats(heads * tableSize, 80);
      const dCodes = k.allocI32(heads * n), dScores = k.allocF32(heads * n + 5), dOut = k.allocI32(heads * kk + 2);
      dCodes.write(codes);
      dOut.write(new Int32Array(heads * kk + 2).fill(-9));
      try {
        const rows = dScores.subarray(5, 5 + heads * n);
        const perHead = Array.from({ length: heads }, () => new Int32Array(kk));
        await Promise.all([
          ...perHead.map((_, h) => k.lutGather(tables.subarray(h * tableSize, (h + 1) * tableSize), tableSize,
            dCodes.subarray(h * n, (h + 1) * n), n, rows.subarray(h * n, (h + 1) * n))),
          k.topKSelectRows(rows, heads, n, kk, dOut.subarray(1, 1 + heads * kk)),
          ...perHead.map((o, h) => k.topKSelect(rows.subarray(h * n, (h + 1) * n), n, kk, o)),
        ]);
        const got = await dOut.read();
        if (got[0] !== -9 || got[heads * kk + 1] !== -9) fail('topKSelectRows wrote outside out');
        for (let h = 0; h < heads; h++) {
          const s = new Float32Array(n), want = new Int32Array(kk);
          ref.lutGather(tables.subarray(h * tableSize), tableSize, codes.subarray(h * n), n, s);
          ref.topKSelect(s, n, kk, want);
          sameInts(got.subarray(1 + h * kk), want, kk, `head ${h} topKSelectRows`);
          sameInts(perHead[h], want, kk, `head ${h} topKSelect`);
        }
        await rejectsBadArgument(() => k.topKSelectRows(rows, heads, n, n + 1, new Int32Array(heads * (n + 1))), 'k', 'k > n');
        await rejectsBadArgument(() => k.topKSelectRows(rows, heads + 1, n, kk, new Int32Array((heads + 1) * kk)), 'x', 'short device x');
        await rejectsBadArgument(() => k.topKSelectRows(rows, heads, n, kk, dOut.subarray(0, heads * kk - 1)), 'out', 'short device out');
        await rejectsBadArgument(() => k.topKSelectRows(new Float32Array(6), 2, 3, 1, new Int32Array(1)), 'out', 'short host out');
        await rejectsBadArgument(() => k.topKSelectRows(new Float32Array(6), -2, 3, 1, new Int32Array(2)), 'rows', 'negative rows');
      } finally {
        dCodes.dispose(); dScores.dispose(); dOut.dispose();
      }
    },
  },
  {
    name: 'empty shapes follow the reference (rows = 0, cols = 0, k = 0, count = 0)',
    async run(k) {
      const y = Float32Array.of(5, 5);
      await k.gemv(new Float32Array(0), new Float32Array(0), y, 2, 0);
      if (y[0] !== 0 || y[1] !== 0) fail(`gemv with cols = 0 must write zeros, got ${Array.from(y)}`);
      const out = Int32Array.of(-1);
      await k.topKSelect(Float32Array.of(1, 2), 2, 0, out);
      if (out[0] !== -1) fail('topKSelect with k = 0 must write nothing');
      const o = Float32Array.of(3, 3);
      const lse = await k.selectiveAttention(Float32Array.of(1, 1), Float32Array.of(1, 1), Float32Array.of(1, 1),
        new Int32Array(0), 0, 1, 2, 2, 1, o);
      if (lse !== -Infinity || o[0] !== 0 || o[1] !== 0) fail(`selectiveAttention with count = 0: got ${lse}, ${Array.from(o)}`);
      const dev = k.allocF32(4);
      dev.write(Float32Array.of(1, 2, 3, 4));
      if (await k.sum(dev, 0) !== 0) fail('sum of 0 elements must be 0');
      dev.dispose();
    },
  },
  {
    name: 'bad input rejects with BAD_ARGUMENT naming the argument (host and device arrays)',
    async run(k) {
      const W = new Float32Array(12), x = new Float32Array(4), y = new Float32Array(3);
      await rejectsBadArgument(() => k.gemv(new Float32Array(11), x, y, 3, 4), 'W', 'short W');
      await rejectsBadArgument(() => k.gemv(W, x, y, 3, -1), 'cols', 'negative cols');
      const dW = k.allocF32(11);
      await rejectsBadArgument(() => k.gemv(dW, x, y, 3, 4), 'W', 'short device W');
      const dx = k.allocF32(2);
      await rejectsBadArgument(() => k.gemvT(W, dx, new Float32Array(4), 3, 4), 'x', 'short device x');
      dW.dispose(); dx.dispose();
      await rejectsBadArgument(() => k.lutGather(new Float32Array(4), 4, Int32Array.of(0, 4, 1), 3, new Float32Array(3)), 'codes', 'code ≥ tableSize');
      const dc = k.allocI32(3);
      dc.write(Int32Array.of(2, 1, -1));
      await rejectsBadArgument(() => k.lutGather(new Float32Array(4), 4, dc, 3, new Float32Array(3)), 'codes', 'negative device code');
      const di = k.allocI32(2);
      di.write(Int32Array.of(0, 9));
      await rejectsBadArgument(() => k.selectiveAttention(new Float32Array(2), new Float32Array(6), new Float32Array(6), di, 2, 3, 2, 2, 1,
        new Float32Array(2)), 'idx', 'device idx ≥ rows');
      await rejectsBadArgument(() => k.selectiveAttention(new Float32Array(2), new Float32Array(6), new Float32Array(6), Int32Array.of(3), 1, 3, 2, 2, 1,
        new Float32Array(2)), 'idx', 'host idx ≥ rows');
      dc.dispose(); di.dispose();
      if (k.backend === 'webgpu') { // WebGPU cannot bind a buffer range as both input and output; CPU kernels leave it undefined
        const a = k.allocF32(10);
        await rejectsBadArgument(() => k.gemv(a.subarray(0, 6), a.subarray(4, 6), a.subarray(5, 8), 3, 2), 'y', 'output overlapping an input');
        // Two outputs in one buffer (disjoint ranges) would be two writable bindings of it.
        await rejectsBadArgument(() => k.siluMulThreshold(a.subarray(0, 5), a.subarray(5, 10), 0.5, 5), 'gate',
          'two outputs in one device array');
        a.dispose();
      }
      await rejectsBadArgument(() => k.topKSelect(new Float32Array(3), 3, 4, new Int32Array(4)), 'k', 'k > n');
    },
  },
  {
    name: 'copyFrom copies device to device in program order and rejects bad ranges',
    async run(k) {
      const n = 37;
      const src = k.allocF32(n), dst = k.allocF32(n + 5);
      src.write(floats(n, 41));
      dst.write(new Float32Array(n + 5).fill(-7));
      const x = floats(n, 42);
      await k.axpy(2, x, src, n);                 // issued before the copy: the copy sees it
      dst.copyFrom(src, 5);
      await k.axpy(1, x, src, n);                 // issued after: the copy does not see it
      const want = floats(n, 41);
      ref.axpy(2, x, want, n);
      const got = await dst.read();
      for (let i = 0; i < 5; i++) if (got[i] !== -7) fail(`dst[${i}] changed: ${got[i]}`);
      for (let i = 0; i < n; i++) closeTo(got[5 + i], want[i], Math.abs(want[i]) + 2 * Math.abs(x[i]), `dst[${5 + i}]`);
      // Within one array: disjoint ranges copy (through scratch on a GPU); overlapping ones are refused.
      const both = k.allocF32(8);
      both.write(Float32Array.of(1, 2, 3, 4, 0, 0, 0, 0));
      both.subarray(4).copyFrom(both.subarray(0, 4));
      sameInts(await both.read(), [1, 2, 3, 4, 1, 2, 3, 4], 8, 'copy within one array');
      const bad = (f: () => void, what: string) => {
        try { f(); } catch (e) {
          if (e instanceof SparseInferenceError && e.code === 'BAD_ARGUMENT') return;
          throw e;
        }
        fail(`${what}: no BAD_ARGUMENT`);
      };
      bad(() => both.subarray(2).copyFrom(both.subarray(0, 4)), 'overlapping ranges');
      bad(() => dst.copyFrom(src, 6), 'past the end');
      bad(() => dst.copyFrom(k.allocI32(3) as never), 'an int32 source');
      bad(() => dst.copyFrom(new Float32Array(3) as never), 'a host array');
      src.dispose(); dst.dispose(); both.dispose();
    },
  },
  {
    name: 'an input sharing a device buffer with the output (no overlap) gives the reference answer',
    async run(k) {
      const rows = 6, cols = 5;
      const W = floats(rows * cols, 5), x = floats(cols, 6);
      const buf = k.allocF32(rows * cols + cols + rows);
      buf.write(W); buf.write(x, rows * cols);
      await k.gemv(buf.subarray(0, rows * cols), buf.subarray(rows * cols, rows * cols + cols),
        buf.subarray(rows * cols + cols), rows, cols);
      const got = (await buf.read()).subarray(rows * cols + cols);
      const want = new Float32Array(rows);
      ref.gemv(W, x, want, rows, cols);
      for (let r = 0; r < rows; r++) {
        let t = 0;
        for (let c = 0; c < cols; c++) t += Math.abs(W[r * cols + c] * x[c]);
        closeTo(got[r], want[r], t, `y[${r}]`);
      }
      buf.dispose();
    },
  },
  {
    name: 'kernels without a GPU program run on the CPU fallback, device arrays included, in program order',
    async run(k) {
      // bsplineBasis (CPU fallback) writes its first-column indices into a device array;
      // lutGather (GPU) issued right after reads them as codes and must see the new values.
      const n = 40, degree = 3, t = Float64Array.of(0, 0, 0, 0, 0.25, 0.5, 0.75, 1, 1, 1, 1), nt = t.length;
      const x = Float64Array.from({ length: n }, (_, i) => i / (n - 1));
      const first = k.allocI32(n);
      first.write(new Int32Array(n).fill(-1)); // stale values: would be rejected as codes
      const values = new Float64Array(n * (degree + 1)), table = floats(8, 11), out = new Float32Array(n);
      await Promise.all([
        k.bsplineBasis(x, n, t, nt, degree, first, values),
        k.lutGather(table, 8, first, n, out),
      ]);
      const wantFirst = new Int32Array(n), wantValues = new Float64Array(n * (degree + 1)), want = new Float32Array(n);
      ref.bsplineBasis(x, n, t, nt, degree, wantFirst, wantValues);
      ref.lutGather(table, 8, wantFirst, n, want);
      sameInts(await first.read(), wantFirst, n, 'first');
      for (let i = 0; i < values.length; i++) if (values[i] !== wantValues[i]) fail(`values[${i}]: got ${values[i]}, reference ${wantValues[i]}`);
      for (let i = 0; i < n; i++) if (out[i] !== want[i]) fail(`lutGather out[${i}]: got ${out[i]}, reference ${want[i]}`);
      first.dispose();
    },
  },
  {
    name: 'one decode step chained on device arrays (rmsnorm, gemv, rope, dot, softmax, axpy, swiglu) in program order',
    async run(k) {
      // Three batches of calls issued together; each call reads what the calls before it wrote.
      const dim = 64, heads = 4, headDim = 16, seq = 5, hidden = 40, pos = 9;
      const x = floats(dim, 21), w = floats(dim, 22, { spread: 0 }), Wq = floats(dim * dim, 23, { spread: 0 });
      const keys = floats(seq * headDim, 24, { spread: 0 }), vals = floats(seq * headDim, 25);
      const Wg = floats(hidden * dim, 26, { spread: 0 }), Wu = floats(hidden * dim, 27, { spread: 0 });
      const dev = <T extends Float32Array>(a: T) => { const d = k.allocF32(a.length); d.write(a); return d; };
      const dx = dev(x), dw = dev(w), dWq = dev(Wq), dK = dev(keys), dWg = dev(Wg), dWu = dev(Wu);
      const q = k.allocF32(dim), att = k.allocF32(seq), o = k.allocF32(headDim), g = k.allocF32(hidden), u = k.allocF32(hidden);
      o.write(new Float32Array(headDim));
      const calls: unknown[] = [
        k.rmsnorm(dx, dw, dx, dim, 1e-5), // in place
        k.gemv(dWq, dx, q, dim, dim),
        k.rope(q, heads, headDim, pos, 10000, 'adjacent'),
      ];
      const head0 = q.subarray(0, headDim);
      for (let t = 0; t < seq; t++) calls.push(k.dot(head0, dK.subarray(t * headDim, (t + 1) * headDim), headDim));
      const scores = (await Promise.all(calls)).slice(3) as number[];
      att.write(Float32Array.from(scores, (v) => v / Math.sqrt(headDim)));
      await Promise.all([
        k.softmax(att, att, seq), // in place
        k.gemv(dWg, dx, g, hidden, dim), k.gemv(dWu, dx, u, hidden, dim), k.swiglu(g, u, hidden),
      ]);
      const p = await att.read(); // the attention weights are axpy's host-side coefficients
      await Promise.all(Array.from(p, (pt, t) => k.axpy(pt, vals.subarray(t * headDim, (t + 1) * headDim), o, headDim)));
      // the same step on the reference, float64 where it accumulates
      const rx = new Float32Array(dim), rq = new Float32Array(dim), rs = new Float32Array(seq);
      ref.rmsnorm(x, w, rx, dim, 1e-5);
      ref.gemv(Wq, rx, rq, dim, dim);
      ref.rope(rq, heads, headDim, pos, 10000, 'adjacent');
      for (let t = 0; t < seq; t++) rs[t] = ref.dot(rq, keys.subarray(t * headDim), headDim) / Math.sqrt(headDim);
      ref.softmax(rs, rs, seq);
      const ro = new Float32Array(headDim), rg = new Float32Array(hidden), ru = new Float32Array(hidden);
      for (let t = 0; t < seq; t++) ref.axpy(rs[t], vals.subarray(t * headDim), ro, headDim);
      ref.gemv(Wg, rx, rg, hidden, dim); ref.gemv(Wu, rx, ru, hidden, dim);
      ref.swiglu(rg, ru, hidden);
      // several float32 steps compound: compare with a scale-relative bound (the inputs are O(1))
      const near = (got: Float32Array, want: Float32Array, what: string) => {
        let scale = 0;
        for (const v of want) scale = Math.max(scale, Math.abs(v));
        for (let i = 0; i < want.length; i++) closeTo(got[i], want[i], scale, `${what}[${i}]`, 1e-4, 1e-6);
      };
      near(await att.read(), rs, 'softmax(q·k)');
      near(await o.read(), ro, 'Σ p·v');
      near(await g.read(), rg, 'swiglu');
      for (const d of [dx, dw, dWq, dK, dWg, dWu, q, att, o, g, u]) d.dispose();
    },
  },
  {
    name: 'vector kernels: bad input rejects with BAD_ARGUMENT naming the argument',
    async run(k) {
      const x = new Float32Array(8), d3 = k.allocF32(3);
      await rejectsBadArgument(() => k.dot(x, new Float32Array(7), 8), 'y', 'dot short y');
      await rejectsBadArgument(() => k.dot(d3, x, 8), 'x', 'dot short device x');
      await rejectsBadArgument(() => k.axpy(Number.NaN, x, new Float32Array(8), 8), 'a', 'axpy NaN a');
      await rejectsBadArgument(() => k.axpy(2, x, d3, 8), 'y', 'axpy short device y');
      await rejectsBadArgument(() => k.softmax(x, x, 0), 'n', 'softmax n = 0');
      await rejectsBadArgument(() => k.softmax(x, d3, 8), 'out', 'softmax short device out');
      await rejectsBadArgument(() => k.rmsnorm(x, x, x, 8, -1e-5), 'eps', 'rmsnorm negative eps');
      await rejectsBadArgument(() => k.rmsnorm(x, d3, x, 8, 1e-5), 'w', 'rmsnorm short device w');
      await rejectsBadArgument(() => k.rope(x, 2, 3, 1, 10000, 'half'), 'headDim', 'rope odd headDim');
      await rejectsBadArgument(() => k.rope(x, 2, 4, 1, 1, 'half'), 'base', 'rope base 1');
      await rejectsBadArgument(() => k.rope(x, 2, 4, Number.POSITIVE_INFINITY, 10000, 'half'), 'pos', 'rope infinite pos');
      await rejectsBadArgument(() => k.rope(x, 2, 4, 1, 10000, 'interleaved' as never), 'pairing', 'rope unknown pairing');
      await rejectsBadArgument(() => k.rope(d3, 1, 4, 1, 10000, 'adjacent'), 'x', 'rope short device x');
      await rejectsBadArgument(() => k.swiglu(x, d3, 8), 'up', 'swiglu short device up');
      d3.dispose();
      if (k.backend === 'webgpu') { // partial overlaps cannot be bound (CPU kernels leave them undefined)
        const a = k.allocF32(16);
        await rejectsBadArgument(() => k.softmax(a.subarray(0, 8), a.subarray(2, 10), 8), 'out', 'softmax out overlapping x at another start');
        await rejectsBadArgument(() => k.rmsnorm(a.subarray(0, 8), a.subarray(8, 16), a.subarray(4, 12), 8, 1e-5), 'out', 'rmsnorm out overlapping w');
        await rejectsBadArgument(() => k.swiglu(a.subarray(0, 8), a.subarray(0, 8), 8), 'up', 'swiglu up = gate');
        await rejectsBadArgument(() => k.axpy(1, a.subarray(4, 12), a.subarray(0, 8), 8), 'x', 'axpy x overlapping y');
        a.dispose();
      }
    },
  },
  {
    name: 'vector kernels: inputs sharing a device buffer with the output (no overlap) give the reference answer',
    async run(k) {
      const n = 37;
      const x = floats(n, 31), w = floats(n, 32, { spread: 0 }), g = floats(n, 33);
      const buf = k.allocF32(4 * n);
      buf.write(x); buf.write(w, n); buf.write(g, 2 * n); buf.write(w, 3 * n);
      await Promise.all([
        k.rmsnorm(buf.subarray(0, n), buf.subarray(n, 2 * n), buf.subarray(3 * n), n, 1e-5), // out after w
        k.swiglu(buf.subarray(2 * n, 3 * n), buf.subarray(n, 2 * n), n), // up = w, in the same buffer
      ]);
      const got = await buf.read();
      rmsnormClose(got.subarray(3 * n), x, w, n, 1e-5, 'rmsnorm');
      const want = g.slice();
      ref.swiglu(want, w, n);
      for (let i = 0; i < n; i++) closeTo(got[2 * n + i], want[i], (1 + Math.abs(g[i])) * Math.abs(want[i]), `swiglu[${i}]`, 1e-5, 1e-30);
      buf.dispose();
    },
  },
];

/**
 * argminL2 rejects NaN and ±Infinity anywhere in X or C on every backend, naming the element the
 * reference names (C is checked first), with host and with device arrays: on webgpu the device
 * data is checked by the program itself (a non-finite distance makes it look for the element).
 */
const nonFiniteCases: SuiteCase[] = PLACEMENTS.map((pl) => ({
  name: `argminL2 rejects NaN and ±Infinity in X or C naming the reference's element (${pl.name})`,
  async run(k: Kernels) {
    for (const [n, kk, d] of [[3, 2, 4], [40, 19, 33]]) {
      for (const bad of [NaN, Infinity, -Infinity]) {
        for (const [badX, badC] of [[n * d - 2, -1], [-1, (kk - 1) * d + 1], [5, 3]]) {
          const X = floats(n * d, n + kk), C = floats(kk * d, d);
          if (badX >= 0) X[badX] = bad;
          if (badC >= 0) C[badC] = bad;
          let want = '';
          try { callReference('argminL2', [X, C, new Int32Array(n), new Float32Array(n), n, kk, d]); } catch (e) { want = (e as Error).message; }
          const element = /^[XC]\[\d+\]/.exec(want)?.[0] ?? fail(`reference accepted ${bad} (${want})`);
          const what = `argminL2 n=${n} k=${kk} d=${d}, ${bad} at X[${badX}] C[${badC}]`;
          let err: unknown = null;
          try {
            await placed(k, pl.offset, [X, C, new Int32Array(n), new Float32Array(n)],
              (x, c, co, di) => k.argminL2(x as Float32Array, c as Float32Array, co as Int32Array, di as Float32Array, n, kk, d));
          } catch (e) { err = e; }
          if (!(err instanceof SparseInferenceError) || err.code !== 'BAD_ARGUMENT') fail(`${what}: expected BAD_ARGUMENT, got ${String(err)}`);
          if (!err.message.startsWith(element)) fail(`${what}: expected the message to name ${element}, got: ${err.message}`);
        }
      }
    }
  },
}));

/** Every case of the shared suite, in a fixed order (the runtimes compare case lists). */
export const SUITE: SuiteCase[] = [
  ...REGISTRY_CASES,
  ...gemvCases, ...quantizedGemvCases, ...gemvTCases, ...spvmmCases, ...vmmspCases, ...l2Cases, ...argminCases, ...lutCases,
  ...topKSelectCases, ...topKSelectRowsCases, ...topKCases, ...attentionCases, ...attentionHeadsCases, ...sumCases,
  ...dotCases, ...axpyCases, ...softmaxCases, ...rmsnormCases, ...ropeCases, ...swigluCases,
  ...siluThresholdCases, ...thresholdCases, ...siluMulThresholdCases, ...sparseFfnCases, // activations
  ...behaviourCases, ...nonFiniteCases,
];

export interface CaseOutcome {
  name: string;
  ok: boolean;
  error?: string;
  ms: number;
}

/** Run every case (the runtimes' entry); never throws. */
export async function runSuite(k: Kernels): Promise<CaseOutcome[]> {
  const outcomes: CaseOutcome[] = [];
  for (const c of SUITE) {
    const t0 = performance.now();
    try {
      await c.run(k);
      outcomes.push({ name: c.name, ok: true, ms: performance.now() - t0 });
    } catch (e) {
      outcomes.push({ name: c.name, ok: false, error: e instanceof Error ? `${e.message}\n${e.stack ?? ''}` : String(e), ms: performance.now() - t0 });
    }
  }
  return outcomes;
}

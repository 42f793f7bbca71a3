/**
 * The shared differential suite of the asynchronous kernels: every GPU-native kernel against
 * the reference backend (the float64 oracle), with host arrays and with device arrays
 * (subarrays at odd and 16-byte-aligned offsets, so both the scalar and the vec4 programs
 * run), sizes around the 4/16/256/1024 blocks of the programs, ties, zeros and bad input.
 *
 * Runtime-agnostic (no vitest, no Node APIs): Node runs it under vitest (webgpu-node.test.ts),
 * Deno and Chromium run a bundle of it (runtime-entry.ts) and report each case's outcome.
 * Data come from the seeded Rng, so every runtime checks the same inputs.
 *
 * Tolerances (documented in docs/backends.md): float outputs must satisfy
 * |gpu − ref| ≤ 1e-5·Σ|terms| + 1e-6, the CPU backends' bound — float32 accumulation in
 * another order stays well inside it at these sizes. selectiveAttention, whose WGSL exp/log
 * may be a few ULP off (the WGSL spec allows 3 + 2|x| ULP for exp), gets 1e-4·Σ|terms| + 1e-6 for
 * its output and 1e-5·(|max score| + 1) + 1e-5 for the log-sum-exp. Indices and counts must
 * match exactly, except argminL2 codes at near-ties (then the two distances must agree).
 */
import type { AsyncKernels, DeviceArray } from '../../src/kernels/async-kernels.js';
import { referenceKernelFunctions as ref } from '../../src/kernels/reference/index.js';
import { Rng } from '../../src/core/rng.js';
import { SparseInferenceError } from '../../src/core/errors.js';

export interface SuiteCase {
  name: string;
  run(k: AsyncKernels): Promise<void>;
}

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

async function rejectsBadArgument(p: Promise<unknown>, argument: string, what: string): Promise<void> {
  try {
    await p;
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
  constructor(private readonly k: AsyncKernels, private readonly offset: number) {}

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

  free(): void {
    for (const a of this.owned) a.free();
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
async function placed<R>(k: AsyncKernels, offset: number | null, arrays: Typed[],
  call: (...a: (Typed | DeviceArray<Typed>)[]) => Promise<R>): Promise<{ result: R; after: Typed[] }> {
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
    p.free();
  }
}

function differential(name: string, shapes: number[][], body: (k: AsyncKernels, offset: number | null, shape: number[],
  seed: number) => Promise<void>): SuiteCase[] {
  return PLACEMENTS.map((pl) => ({
    name: `${name} (${pl.name})`,
    async run(k: AsyncKernels) {
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

const spvmmCases = differential('spvmm', [[1, 1], [8, 4], [33, 17], [300, 64], [600, 12], [64, 1029]],
  async (k, off, [rows, cols], seed) => {
    const x = floats(rows, seed, { zeros: true }), W = floats(rows * cols, seed + 100);
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

const vmmspCases = differential('vmmsp', [[1, 1], [5, 8], [17, 33], [64, 100], [300, 16]],
  async (k, off, [rows, cols], seed) => {
    const x = floats(cols, seed), W = floats(rows * cols, seed + 100), s = floats(rows, seed + 200, { zeros: true });
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

const sumCases = differential('sum', [[1], [255], [4097], [100_000]], async (k, off, [n], seed) => {
  const x = floats(n, seed);
  const { result } = await placed(k, off, [x], (xx) => k.sum(xx as Float32Array, n));
  let terms = 0;
  for (let i = 0; i < n; i++) terms += Math.abs(x[i]);
  closeTo(result, ref.sum(x, n), terms, `sum n=${n}`);
});

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
        dCodes.free(); dScores.free();
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
      dev.free();
    },
  },
  {
    name: 'bad input rejects with BAD_ARGUMENT naming the argument (host and device arrays)',
    async run(k) {
      const W = new Float32Array(12), x = new Float32Array(4), y = new Float32Array(3);
      await rejectsBadArgument(k.gemv(new Float32Array(11), x, y, 3, 4), 'W', 'short W');
      await rejectsBadArgument(k.gemv(W, x, y, 3, -1), 'cols', 'negative cols');
      const dW = k.allocF32(11);
      await rejectsBadArgument(k.gemv(dW, x, y, 3, 4), 'W', 'short device W');
      const dx = k.allocF32(2);
      await rejectsBadArgument(k.gemvT(W, dx, new Float32Array(4), 3, 4), 'x', 'short device x');
      dW.free(); dx.free();
      await rejectsBadArgument(k.lutGather(new Float32Array(4), 4, Int32Array.of(0, 4, 1), 3, new Float32Array(3)), 'codes', 'code ≥ tableSize');
      const dc = k.allocI32(3);
      dc.write(Int32Array.of(2, 1, -1));
      await rejectsBadArgument(k.lutGather(new Float32Array(4), 4, dc, 3, new Float32Array(3)), 'codes', 'negative device code');
      const di = k.allocI32(2);
      di.write(Int32Array.of(0, 9));
      await rejectsBadArgument(k.selectiveAttention(new Float32Array(2), new Float32Array(6), new Float32Array(6), di, 2, 3, 2, 2, 1,
        new Float32Array(2)), 'idx', 'device idx ≥ rows');
      await rejectsBadArgument(k.selectiveAttention(new Float32Array(2), new Float32Array(6), new Float32Array(6), Int32Array.of(3), 1, 3, 2, 2, 1,
        new Float32Array(2)), 'idx', 'host idx ≥ rows');
      dc.free(); di.free();
      if (k.backend === 'webgpu') { // WebGPU cannot bind a buffer range as both input and output; CPU kernels leave it undefined
        const a = k.allocF32(10);
        await rejectsBadArgument(k.gemv(a.subarray(0, 6), a.subarray(4, 6), a.subarray(5, 8), 3, 2), 'y', 'output overlapping an input');
        a.free();
      }
      await rejectsBadArgument(k.topKSelect(new Float32Array(3), 3, 4, new Int32Array(4)), 'k', 'k > n');
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
      buf.free();
    },
  },
  {
    name: 'kernels without a GPU program run on the CPU fallback, device arrays included, in program order',
    async run(k) {
      const n = 37;
      const x = floats(n, 9), w = floats(n, 10);
      const dx = k.allocF32(n), dy = k.allocF32(n);
      dx.write(x);
      // softmax (CPU fallback) writes dy; sum (GPU) issued right after must see the new dy.
      const p1 = k.softmax(dx, dy, n);
      const p2 = k.sum(dy, n);
      const p3 = k.rmsnorm(dx, w, dy, n, 1e-5);
      const p4 = k.dot(dy, dx, n);
      const [, total, , dotv] = await Promise.all([p1, p2, p3, p4]);
      closeTo(total, 1, n, 'Σ softmax');
      const r = new Float32Array(n);
      ref.rmsnorm(x, w, r, n, 1e-5);
      const got = await dy.read();
      for (let i = 0; i < n; i++) closeTo(got[i], r[i], Math.abs(r[i]), `rmsnorm[${i}]`);
      let t = 0;
      for (let i = 0; i < n; i++) t += Math.abs(r[i] * x[i]);
      closeTo(dotv, ref.dot(r, x, n), t, 'dot after rmsnorm');
      dx.free(); dy.free();
    },
  },
];

/** Every case of the shared suite, in a fixed order (the runtimes compare case lists). */
export const SUITE: SuiteCase[] = [
  ...gemvCases, ...gemvTCases, ...spvmmCases, ...vmmspCases, ...l2Cases, ...argminCases, ...lutCases,
  ...topKSelectCases, ...topKCases, ...attentionCases, ...sumCases, ...behaviourCases,
];

export interface CaseOutcome {
  name: string;
  ok: boolean;
  error?: string;
  ms: number;
}

/** Run every case (the runtimes' entry); never throws. */
export async function runSuite(k: AsyncKernels): Promise<CaseOutcome[]> {
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

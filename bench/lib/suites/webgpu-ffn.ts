/**
 * The CHESS sparse FFN on the GPU (part of the webgpu suite): one SwiGLU FFN per call through
 * `gatedSparseSwiGlu` on the webgpu backend — gemv (gate) → siluThreshold → vmmsp (up) →
 * spvmm (down), every weight, threshold and scratch vector in device arrays, so the call is one
 * submission whose only read-back is the kept count — next to `gatedSparseSwiGlu` on wasm SIMD
 * (weights resident in WASM memory) and the dense FFN on the GPU (`denseSwiGlu`).
 *
 * Shapes: the activations suite's 14336×4096 (Llama-3-8B's FFN; W_gate, W_up output-major,
 * W_downᵀ input-major, plus W_down output-major for the GPU's dense path: 4 × 235 MB on the GPU,
 * 3 × 235 MB in WASM memory) at k = 0.5 on a hardware GPU; with `quick`, its quick shape
 * 7168×4096 (every sparse read still larger than a 50 MB L2); on a software adapter 384×128
 * (correctness, not speed: SwiftShader takes ~1 s per 512-row gemv). Per-channel thresholds zero exactly ⌈k·hidden⌉ gate
 * channels of each of 4 inputs used in rotation, so no call can reuse the last call's rows from
 * cache; they sit far from every |SiLU| (2·|a_gate_i| or 0), so the GPU keeps the same channels.
 */
import type { CpuKernels, ResidentArray, Kernels } from '../../../src/kernels/kernels.js';
import type { DeviceArray } from '../../../src/kernels/device-array.js';
import { Rng } from '../../../src/core/rng.js';
import { denseSwiGlu, gatedSparseSwiGlu, silu } from '../../../src/activations/sparse-swiglu.js';
import { sink, type BenchTask, type RatioSpec } from '../harness.js';

const F = 4;
const K = 0.5;
const P = 4; // inputs (sparsity patterns) in rotation

export interface GpuFfnBench {
  tasks: BenchTask[];
  ratios: RatioSpec[];
  /** Correctness checks (PASS/FAIL lines) and what was measured. */
  notes: string[];
  dispose(): void;
}

/** Fast deterministic fill (xorshift; values only need to be finite and non-denormal), ±0.02. */
function fill(a: Float32Array, seed: number): Float32Array {
  let s = seed >>> 0 || 1;
  for (let i = 0; i < a.length; i++) { s ^= s << 13; s ^= s >>> 17; s ^= s << 5; a[i] = ((s >>> 0) / 4294967296 - 0.5) * 0.04; }
  return a;
}

/**
 * Sparse and dense FFN tasks for `gpu` and `wasm` at the `size` above.
 * `name(kernel, backend, shape)` names tasks as the webgpu suite does; `roofline` is the task
 * name of the GPU's same-run streaming read (for the bandwidth fraction).
 */
export async function gpuSparseFfnBench(gpu: Kernels, wasm: CpuKernels, size: 'full' | 'quick' | 'software', wasmLabel: string,
  name: (kernel: string, backend: string, shape: string) => string, roofline: string): Promise<GpuFfnBench> {
  const [dim, hidden] = size === 'full' ? [4096, 14336] : size === 'quick' ? [4096, 7168] : [128, 384];
  const devices: DeviceArray<Float32Array>[] = [];
  const residents: ResidentArray<Float32Array>[] = [];
  const dispose = () => { for (const d of devices) d.dispose(); for (const r of residents) r.dispose(); };
  try {
    const onGpu = (a: Float32Array) => { const d = gpu.allocF32(a.length); devices.push(d); d.write(a); return d; };
    const onWasm = (n: number) => { const r = wasm.allocF32(n); residents.push(r); return r; };
    const mat = hidden * dim;
    const wGate = onWasm(mat), wUp = onWasm(mat), wDownT = onWasm(mat);
    fill(wGate.view(), 1); fill(wUp.view(), 2); fill(wDownT.view(), 3);
    const gGate = onGpu(wGate.view()), gUp = onGpu(wUp.view()), gDownT = onGpu(wDownT.view());
    const wDown = new Float32Array(mat); // output-major copy for the GPU's dense gemv
    { const t = wDownT.view(); for (let i = 0; i < hidden; i++) for (let c = 0; c < dim; c++) wDown[c * hidden + i] = t[i * dim + c]; }
    const gDown = onGpu(wDown);
    const rng = new Rng(14336);
    const xs = Array.from({ length: P }, () => Float32Array.from({ length: dim }, () => rng.normal()));
    const gate = onWasm(hidden), inter = onWasm(hidden), out = onWasm(dim), x = onWasm(dim);
    // Per-input thresholds: the ⌈k·hidden⌉ smallest |SiLU(a_gate)| get 2|a_gate_i| (+ a tiny floor), the rest 0.
    const cut = Math.ceil(K * hidden);
    const ts = xs.map((xi) => {
      x.view().set(xi);
      wasm.gemv(wGate.view(), x.view(), gate.view(), hidden, dim);
      const g = Float64Array.from(gate.view(), (v) => Math.abs(silu(v)));
      const order = Array.from(g.keys()).sort((a, b) => g[a] - g[b]);
      const t = new Float32Array(hidden);
      for (let r = 0; r < cut; r++) t[order[r]] = 2 * g[order[r]] + 1e-30;
      return t;
    });
    const gX = xs.map(onGpu), gT = ts.map(onGpu);
    const gS = gpu.allocF32(hidden), gI = gpu.allocF32(hidden), gO = gpu.allocF32(dim), gU = gpu.allocF32(hidden);
    devices.push(gS, gI, gO, gU);
    const wTs = ts.map((t) => { const r = onWasm(hidden); r.view().set(t); return r; });
    const wXs = xs.map((xi) => { const r = onWasm(dim); r.view().set(xi); return r; });

    // Check: every input on both; same kept count, outputs within 1e-4 of Σ|W_downᵀ·h| (float32 chains).
    let worst = 0, keptDiff = 0;
    for (let p = 0; p < P; p++) {
      const kw = await gatedSparseSwiGlu(wasm, wGate.view(), wUp.view(), wDownT.view(), wXs[p].view(), wTs[p].view(), out.view(), gate.view(), inter.view(), dim, hidden);
      const kg = await gatedSparseSwiGlu(gpu, gGate, gUp, gDownT, gX[p], gT[p], gO, gS, gI, dim, hidden);
      keptDiff = Math.max(keptDiff, Math.abs(kg - kw));
      const got = await gO.read(), want = out.view(), h = inter.view(), wt = wDownT.view();
      const terms = new Float64Array(dim);
      for (let i = 0; i < hidden; i++) { const hi = Math.abs(h[i]); if (hi !== 0) for (let c = 0; c < dim; c++) terms[c] += hi * Math.abs(wt[i * dim + c]); }
      for (let c = 0; c < dim; c++) worst = Math.max(worst, Math.abs(got[c] - want[c]) / (terms[c] + 1e-30));
    }
    const kept = hidden - cut;
    // Dense on the GPU vs the gated FFN at t = 0 on wasm (the same function: nothing zeroed).
    await denseSwiGlu(gpu, gGate, gUp, gDown, gX[0], gO, gS, gU, dim, hidden);
    const zeroT = onWasm(hidden);
    zeroT.view().fill(0);
    await gatedSparseSwiGlu(wasm, wGate.view(), wUp.view(), wDownT.view(), wXs[0].view(), zeroT.view(), out.view(), gate.view(), inter.view(), dim, hidden);
    const dGot = await gO.read(), dWant = out.view(), dh = inter.view(), wt = wDownT.view();
    let dWorst = 0;
    const dTerms = new Float64Array(dim);
    for (let i = 0; i < hidden; i++) { const hi = Math.abs(dh[i]); for (let c = 0; c < dim; c++) dTerms[c] += hi * Math.abs(wt[i * dim + c]); }
    for (let c = 0; c < dim; c++) dWorst = Math.max(dWorst, Math.abs(dGot[c] - dWant[c]) / (dTerms[c] + 1e-30));

    const shape = `${hidden}x${dim}`;
    const sparseG = name('ffn-chess', 'webgpu', `${shape}_k${K}`), sparseW = name('ffn-chess', wasmLabel, `${shape}_k${K}`);
    const denseG = name('ffn-dense', 'webgpu', shape);
    const sparseBytes = (mat + 2 * kept * dim) * F, denseBytes = 3 * mat * F;
    let turn = 0;
    const next = () => (turn = (turn + 1) % P);
    const sparseOnGpu = () => { const p = next(); return gatedSparseSwiGlu(gpu, gGate, gUp, gDownT, gX[p], gT[p], gO, gS, gI, dim, hidden); };
    // R FFNs issued at once (each issues its 4 kernels before the first await): one submission, no round trip between.
    const R = 8, sparseGR = name('ffn-chess', `webgpu-x${R}`, `${shape}_k${K}`);
    const pipelined: BenchTask[] = size === 'software' ? [] : [{
      name: sparseGR, bytes: R * sparseBytes, note: `${R} FFNs (in rotation) issued together, one submission`,
      fn: async () => { sink((await Promise.all(Array.from({ length: R }, sparseOnGpu)))[0]); },
    }];
    return {
      tasks: [
        { name: sparseG, bytes: sparseBytes, note: 'gatedSparseSwiGlu on webgpu: 4 kernels, one submission, the kept count read back; bytes = weights read',
          fn: async () => { sink(await sparseOnGpu()); } },
        ...pipelined,
        { name: sparseW, bytes: sparseBytes, note: 'gatedSparseSwiGlu on resident weights',
          fn: async () => { const p = next(); sink(await gatedSparseSwiGlu(wasm, wGate.view(), wUp.view(), wDownT.view(), wXs[p].view(), wTs[p].view(), out.view(), gate.view(), inter.view(), dim, hidden)); } },
        { name: denseG, bytes: denseBytes, note: 'denseSwiGlu on webgpu: gemv ×3 + siluMulThreshold(t = 0), one submission',
          fn: async () => { await denseSwiGlu(gpu, gGate, gUp, gDown, gX[next()], gO, gS, gU, dim, hidden); } },
      ],
      ratios: [
        { name: `CHESS FFN ${shape} k=${K}: webgpu vs wasm`, unit: 'x', value: (t) => t(sparseW).medianMs / t(sparseG).medianMs },
        { name: `CHESS FFN ${shape} k=${K} vs dense FFN (webgpu)`, unit: 'x', value: (t) => t(denseG).medianMs / t(sparseG).medianMs,
          note: 'bandwidth bound 3/(1+2ρ) = 1.5x' },
        { name: `CHESS FFN ${shape} k=${K} (webgpu): weight bandwidth / streaming-read roofline`, unit: 'of roofline',
          value: (t) => t(sparseG).gbPerS! / t(roofline).gbPerS! },
        { name: `dense FFN ${shape} (webgpu): weight bandwidth / streaming-read roofline`, unit: 'of roofline',
          value: (t) => t(denseG).gbPerS! / t(roofline).gbPerS! },
        ...(pipelined.length === 0 ? [] : [{ name: `CHESS FFN ${shape} k=${K} (webgpu, x${R} per submission): weight bandwidth / roofline`,
          unit: 'of roofline', value: (t: (n: string) => { gbPerS?: number }) => t(sparseGR).gbPerS! / t(roofline).gbPerS! }]),
      ],
      notes: [
        `${keptDiff === 0 ? 'PASS' : 'FAIL'} CHESS FFN ${shape} k=${K}: kept channels gpu vs wasm differ by at most ${keptDiff} (${kept} of ${hidden} kept)`,
        `${worst <= 1e-4 ? 'PASS' : 'FAIL'} CHESS FFN ${shape}: max |gpu − wasm| / Σ|W_downᵀ·h| over ${P} inputs: ${worst.toExponential(2)} (limit 1e-4)`,
        `${dWorst <= 1e-4 ? 'PASS' : 'FAIL'} dense FFN ${shape} (gpu) vs gated FFN at t = 0 (wasm): max |Δ| / Σ|W_downᵀ·h|: ${dWorst.toExponential(2)} (limit 1e-4)`,
        `FFN ${shape}: dense reads ${(denseBytes / 1e6).toPrecision(3)} MB of weights per call, CHESS at k = ${K} ${(sparseBytes / 1e6).toPrecision(3)} MB`,
      ],
      dispose,
    };
  } catch (e) {
    dispose();
    throw e;
  }
}

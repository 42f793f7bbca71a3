/**
 * The knots suite: speed of the reversible-jump knot sampler (He, Yang & Kang, arXiv
 * 2405.13353) at m = 500 observations, n = 1000 candidate knots, cubic splines, on the wasm and
 * reference backends, plus the two kernels it runs every iteration (bsplineBasis, bandedGram).
 *
 * One task call = 200 sampler iterations in fixed-k mode (k = 5, 10, 40: every iteration proposes
 * a relocation and evaluates one knot set, as a birth or death would). Targets, same run:
 * ≥ 20,000 iterations/s at k = 10 on wasm, and time per iteration at k = 40 within 2x of k = 5
 * (the banded Gram + banded Cholesky make an iteration O(m q² + p q²), not quadratic in k).
 *
 * @example
 * const result = await knotsSuite({ quick: true });
 */
import { createKernels } from '../../../src/backends/create-kernels.js';
import type { CpuKernels } from '../../../src/kernels/kernels.js';
import { Rng } from '../../../src/core/rng.js';
import { runChain, type ChainProblem } from '../../../src/knots/rjmcmc-chain.js';
import { bsplineKnotVector } from '../../../src/knots/bspline-basis.js';
import { runSuite, sink, type BenchTask, type RatioSpec, type SuiteOptions, type SuiteResult } from '../harness.js';

const M = 500, N = 1000, ITERS = 200;

function problem(k: number): ChainProblem {
  const rng = new Rng(500);
  const x = Float64Array.from({ length: M }, (_, i) => i / (M - 1));
  const y = x.map((v) => 10 * Math.sin(2 * Math.PI * v) + rng.normal(0, 2));
  return {
    xs: [x], y, family: 'gaussian', marginal: 'exact', degrees: [3], candidates: [N], gamma: 1, c: 0.3,
    fixedK: [k], local: null, burnIn: 0, iterations: ITERS, probes: [],
  };
}

function chainTask(kernels: CpuKernels, label: string, k: number): BenchTask {
  const pr = problem(k);
  let seed = 1;
  return {
    name: `knots/rjmcmc:${label}:m${M}-n${N}-k${k}`,
    fn: () => { sink(runChain(pr, seed++, kernels).logScore[ITERS - 1]); },
    note: `${ITERS} iterations per call`,
  };
}

function kernelTasks(kernels: CpuKernels, label: string): BenchTask[] {
  const { t, x, z, p, first, values, band, btz } = kernelTasksInputs();
  kernels.bsplineBasis(x, M, t, t.length, 3, first, values);
  return [
    { name: `knots/bsplineBasis:${label}:m${M}-k10-cubic`, fn: () => { kernels.bsplineBasis(x, M, t, t.length, 3, first, values); sink(values[7]); } },
    { name: `knots/bandedGram:${label}:m${M}-p${p}-w4`, fn: () => { kernels.bandedGram(first, values, M, 4, null, z, p, band, btz); sink(band[5]); } },
  ];
}

/**
 * The same two kernels with every argument resident (allocF64/allocI32), as a chain keeps them:
 * x, z and the rows are written once, and only the small knot vector t is copied per call.
 */
function residentKernelTasks(kernels: CpuKernels, label: string): BenchTask[] {
  const plain = kernelTasksInputs();
  const r = <T extends Float64Array | Int32Array>(a: T, alloc: (n: number) => { view(): T }) => { const v = alloc(a.length); v.view().set(a as never); return v; };
  const f64 = (n: number) => kernels.allocF64!(n), i32 = (n: number) => kernels.allocI32(n);
  const x = r(plain.x, f64), z = r(plain.z, f64), first = r(plain.first, i32), values = r(plain.values, f64);
  const band = r(plain.band, f64), btz = r(plain.btz, f64);
  const { t, p } = plain;
  kernels.bsplineBasis(x.view(), M, t, t.length, 3, first.view(), values.view());
  return [
    { name: `knots/bsplineBasis:${label}-resident:m${M}-k10-cubic`, fn: () => { const v = values.view(); kernels.bsplineBasis(x.view(), M, t, t.length, 3, first.view(), v); sink(v[7]); } },
    { name: `knots/bandedGram:${label}-resident:m${M}-p${p}-w4`, fn: () => { const b = band.view(); kernels.bandedGram(first.view(), values.view(), M, 4, null, z.view(), p, b, btz.view()); sink(b[5]); } },
  ];
}

function kernelTasksInputs() {
  const rng = new Rng(3);
  const knots = Array.from({ length: 10 }, () => rng.uniform() * 0.98 + 0.01);
  const t = bsplineKnotVector(knots, 3);
  // Sorted, as a chain passes x to the kernels (it takes the observations in order of x).
  const x = Float64Array.from({ length: M }, () => rng.uniform()).sort();
  const z = Float64Array.from({ length: M }, () => rng.normal());
  const p = t.length - 4;
  return { t, x, z, p, first: new Int32Array(M), values: new Float64Array(M * 4), band: new Float64Array(p * 4), btz: new Float64Array(p) };
}

export async function knotsSuite(opts: SuiteOptions = {}): Promise<SuiteResult> {
  const wasm = await createKernels({ backend: 'wasm' });
  const ref = await createKernels({ backend: 'reference' });
  const W = `wasm-${wasm.variant}`, R = 'reference';
  const tasks: BenchTask[] = [
    chainTask(wasm, W, 5), chainTask(wasm, W, 10), chainTask(wasm, W, 40), chainTask(ref, R, 10),
    ...kernelTasks(wasm, W), ...kernelTasks(ref, R), ...residentKernelTasks(wasm, W),
  ];
  const itPerS = (ms: number) => (ITERS * 1000) / ms;
  const ratios: RatioSpec[] = [
    { name: `iterations/s at k = 10 (${W})`, value: (t) => itPerS(t(`knots/rjmcmc:${W}:m${M}-n${N}-k10`).medianMs), target: 20000, unit: 'it/s' },
    { name: `iterations/s at k = 10 (reference)`, value: (t) => itPerS(t(`knots/rjmcmc:${R}:m${M}-n${N}-k10`).medianMs), unit: 'it/s' },
    {
      name: 'time per iteration k = 5 / k = 40 (≥ 0.5 means k = 40 within 2x)',
      value: (t) => t(`knots/rjmcmc:${W}:m${M}-n${N}-k5`).medianMs / t(`knots/rjmcmc:${W}:m${M}-n${N}-k40`).medianMs, target: 0.5, unit: 'x',
    },
    { name: 'chain speed-up wasm / reference at k = 10', value: (t) => t(`knots/rjmcmc:${R}:m${M}-n${N}-k10`).medianMs / t(`knots/rjmcmc:${W}:m${M}-n${N}-k10`).medianMs, unit: 'x' },
    { name: 'bsplineBasis speed-up wasm / reference', value: (t) => t(`knots/bsplineBasis:${R}:m${M}-k10-cubic`).medianMs / t(`knots/bsplineBasis:${W}:m${M}-k10-cubic`).medianMs, unit: 'x' },
    { name: 'bandedGram speed-up wasm / reference', value: (t) => t(`knots/bandedGram:${R}:m${M}-p14-w4`).medianMs / t(`knots/bandedGram:${W}:m${M}-p14-w4`).medianMs, unit: 'x' },
    {
      name: 'bsplineBasis speed-up wasm (resident arguments) / reference',
      value: (t) => t(`knots/bsplineBasis:${R}:m${M}-k10-cubic`).medianMs / t(`knots/bsplineBasis:${W}-resident:m${M}-k10-cubic`).medianMs, target: 2, unit: 'x',
    },
    {
      name: 'bandedGram speed-up wasm (resident arguments) / reference',
      value: (t) => t(`knots/bandedGram:${R}:m${M}-p14-w4`).medianMs / t(`knots/bandedGram:${W}-resident:m${M}-p14-w4`).medianMs, target: 2, unit: 'x',
    },
  ];
  return runSuite('knots', tasks, {
    ...opts, ratios,
    notes: [`m = ${M} observations (sine + noise), n = ${N} candidates, cubic, fixed-k relocation moves; wasm build ${wasm.variant}; plain-argument kernel tasks copy their Float64 arguments per call, resident ones do not; kernel inputs have x sorted, as chains pass it`],
  });
}

/**
 * The generated half of the shared differential suite: for each kernel of the registry, seeded
 * calls whose sizes follow the descriptor's bounds (tail sizes around the SIMD blocks included)
 * and whose arrays have the descriptor's lengths (plus slack the kernel must not touch), run on
 * the backend and on the reference; every written array and the return value must agree within
 * the backend's tolerance, integer outputs exactly. A new kernel is covered as soon as its
 * descriptor is registered.
 *
 * A few kernels need inputs no generic sampler gets right (a knot vector, a decoder-layer
 * shape, banded rows); their domain hints are in DOMAINS, and the hand-written cases of the
 * suite (test/differential/suite.ts) and the kernel-specific suites in test/kernels keep the
 * closed-form and bad-input tests. No vitest here: Deno, Chromium and the GPU device runner
 * run these cases too.
 */
import { KERNEL_DESCRIPTORS } from '../../src/kernels/reference/index.js';
import type { AnyKernelDescriptor, ArgSpec, ArraySpec, NumberSpec } from '../../src/kernels/define-kernel.js';
import type { KernelName, Kernels } from '../../src/kernels/kernels.js';
import { referenceKernels } from '../../src/backends/cpu-backends.js';
import { Rng } from '../../src/core/rng.js';
import { bsplineKnotVector } from '../../src/knots/bspline-basis.js';
import { TAIL_SIZES } from '../_harness/arbitraries.js';
import { Q8_BLOCK_WORDS } from '../../src/kernels/q8-activation-words.js';
import type { SuiteCase } from './suite-case.js';

export type Args = unknown[];

/** Domain hints: values an argument must take for the call to be valid (beyond its bounds). */
const DOMAINS: { [K in KernelName]?: (rng: Rng, a: Args) => void } = {
  lutGather: (rng, a) => fillInts(a[2] as Int32Array, rng, a[1] as number),
  selectiveAttention: (rng, a) => fillInts(a[3] as Int32Array, rng, a[5] as number),
  selectiveAttentionHeads: (rng, a) => fillInts(a[3] as Int32Array, rng, a[5] as number),
  bsplineBasis: (rng, a) => {
    const degree = a[4] as number, nt = a[3] as number;
    const t = bsplineKnotVector(Array.from({ length: nt - 2 * degree - 2 }, () => rng.uniform()).sort(), degree);
    (a[2] as Float64Array).set(t);
  },
  bandedGram: (rng, a) => {
    const first = a[0] as Int32Array, width = a[3] as number, p = a[6] as number;
    for (let i = 0; i < (a[2] as number); i++) first[i] = rng.int(p - width + 1);
  },
  gemvQ4_1Q8_1: (rng, a) => q8Quants(a[1] as Int32Array, rng),
  gemvQ8_0Q8_1: (rng, a) => q8Quants(a[1] as Int32Array, rng),
  gemmQ4_1Q8_1: (rng, a) => q8Quants(a[1] as Int32Array, rng),
  gemmQ8_0Q8_1: (rng, a) => q8Quants(a[1] as Int32Array, rng),
};

/**
 * Quantized activations' quants in [−127, 127], as quantizeQ8_1 writes them and
 * src/kernels/q8-activation-words.ts promises (the SIMD Q4_1 product relies on the range);
 * each block's d and s words keep their random bits.
 */
function q8Quants(xq: Int32Array, rng: Rng): void {
  const quants = new Int16Array(xq.buffer, xq.byteOffset, xq.length * 2);
  for (let b = 0; b + Q8_BLOCK_WORDS <= xq.length; b += Q8_BLOCK_WORDS) {
    for (let j = 0; j < 32; j++) quants[2 * b + j] = rng.int(255) - 127;
  }
}

/** Scalar hints, applied before the arrays are sized: relations between sizes beyond their bounds. */
const SIZES: { [K in KernelName]?: (rng: Rng, a: Args) => void } = {
  causalAttention: (rng, a) => causalSizes(rng, a),
  causalAttentionF16: (rng, a) => causalSizes(rng, a), // the same sizes over a binary16 cache
};

/** causalAttention's sizes: group divides nHeads; stride holds every KV head. */
function causalSizes(rng: Rng, a: Args): void {
  const nHeads = a[7] as number, d = a[5] as number;
  const divisors = Array.from({ length: nHeads }, (_, i) => i + 1).filter((g) => nHeads % g === 0);
  a[8] = divisors[rng.int(divisors.length)];
  a[6] = Math.max(a[6] as number, (nHeads / (a[8] as number)) * d);
}

/** Kernels left to their own suites here: a decoder layer needs a consistent model shape. */
export const OWN_SUITE: Partial<Record<KernelName, string>> = { decoderLayer: 'test/kernels/decoder-layer.test.ts' };

function fillInts(a: Int32Array, rng: Rng, bound: number): void {
  for (let i = 0; i < a.length; i++) a[i] = rng.int(Math.max(1, bound));
}

const bound = (b: number | ((a: Args) => number) | undefined, a: Args, dflt: number) =>
  (b === undefined ? dflt : typeof b === 'number' ? b : b(a));

/** A scalar within its spec's bounds; sizes small, tail sizes often. */
function sampleScalar(s: Exclude<ArgSpec, ArraySpec>, a: Args, rng: Rng): unknown {
  switch (s.kind) {
    case 'int': {
      const lo = bound(s.min, a, 0), hi = Math.min(bound(s.max, a, 2 ** 31 - 1), lo + 70);
      if (s.multipleOf !== undefined) return Math.max(lo, s.multipleOf * (1 + rng.int(2)));
      const v = rng.uniform() < 0.5 ? TAIL_SIZES[rng.int(TAIL_SIZES.length)] : lo + rng.int(hi - lo + 1);
      return Math.min(hi, Math.max(lo, v));
    }
    case 'number': {
      if (s.min === undefined) return rng.normal();
      const min = bound(s.min, a, 0);
      return s.minExclusive ? min + 1000 * rng.uniform() + 1 : min + 1e-5;
    }
    case 'threshold': return 0.5 * rng.uniform();
    case 'choice': return s.choices[rng.int(s.choices.length)];
    case 'object': throw new Error(`no sampler for object argument ${s.name}`);
  }
}

/** One valid call of `d`: scalars first (dependent bounds last), then arrays, then domain hints. */
export function sampleCall(d: AnyKernelDescriptor, rng: Rng): Args {
  const a: Args = new Array(d.args.length).fill(0);
  const dependent = (s: ArgSpec) => (s as NumberSpec).min instanceof Function || (s as NumberSpec).max instanceof Function;
  const order = d.args.map((s, i) => [s, i] as const).filter(([s]) => s.kind !== 'array')
    .sort(([s, i], [t, j]) => Number(dependent(s)) - Number(dependent(t)) || i - j);
  for (const [s, i] of order) a[i] = sampleScalar(s as Exclude<ArgSpec, ArraySpec>, a, rng);
  SIZES[d.name]?.(rng, a);
  d.args.forEach((s, i) => {
    if (s.kind !== 'array') return;
    const n = s.length(a) + rng.int(3); // slack past the length: must stay untouched
    const dtype = s.dtypes[rng.int(s.dtypes.length)];
    if (dtype === 'i32') {
      // Quantized blocks and activations: random bits with bit 14 of each half cleared, so no
      // binary16 or float32 scale is Infinity or NaN.
      a[i] = Int32Array.from({ length: n }, () => (rng.int(2 ** 31) | (rng.int(2) << 31)) & 0xBFFFBFFF);
    } else {
      const v = Array.from({ length: n }, () => rng.uniform() * 2 - 1);
      a[i] = dtype === 'f32' ? Float32Array.from(v) : Float64Array.from(v);
    }
  });
  DOMAINS[d.name]?.(rng, a);
  return a;
}

const copy = (a: Args) => a.map((v) => (ArrayBuffer.isView(v) ? (v as Float32Array).slice() : v));

/** Compare a backend's outputs with the reference's: floats within tol·(1 + max|ref|), integers exactly. */
function compare(d: AnyKernelDescriptor, got: Args, want: Args, gotR: unknown, wantR: unknown, tol: number, what: string): void {
  const close = (x: number, y: number, scale: number) => (Number.isNaN(y) ? Number.isNaN(x) : Math.abs(x - y) <= tol * (1 + scale));
  d.args.forEach((s, i) => {
    if (s.kind !== 'array' || s.name === 'scratch') return; // a kernel's scratch has no specified contents
    const g = got[i] as Float32Array, w = want[i] as Float32Array;
    if (g === null) return;
    let scale = 0;
    for (let j = 0; j < w.length; j++) if (Number.isFinite(w[j])) scale = Math.max(scale, Math.abs(w[j]));
    for (let j = 0; j < w.length; j++) {
      const ok = g instanceof Int32Array ? g[j] === w[j] : close(g[j], w[j], scale);
      if (!ok) throw new Error(`${what}: ${s.name}[${j}] = ${g[j]}, reference ${w[j]} (tolerance ${tol}·(1 + ${scale}))`);
    }
  });
  if (typeof wantR === 'number') {
    if (!close(gotR as number, wantR, Math.abs(wantR))) throw new Error(`${what}: returned ${String(gotR)}, reference ${wantR}`);
  }
}

/** Seeded calls per kernel. */
export const CASES = 12;

/** How far a backend's floats may be from the reference's, relative (summation order, GPU arithmetic). */
export function toleranceOf(k: Kernels): number {
  return k.backend === 'reference' ? 0 : k.backend === 'webgpu' ? 1e-3 : 2e-4;
}

const reference = referenceKernels();

/** Call `name` on the reference backend (shape-checked, as every backend is). */
export function callReference(name: KernelName, args: Args): unknown {
  return (reference[name] as (...x: Args) => unknown)(...args);
}

/** One case per kernel of the registry (those with their own suite left out). */
export const REGISTRY_CASES: SuiteCase[] = KERNEL_DESCRIPTORS.filter((d) => !OWN_SUITE[d.name]).map((d) => ({
  name: `${d.name} matches the reference on ${CASES} seeded calls`,
  async run(k: Kernels) {
    for (let c = 0; c < CASES; c++) {
      const rng = new Rng(1000 * c + d.name.length);
      const args = sampleCall(d, rng);
      const want = copy(args), got = copy(args);
      const wantR = callReference(d.name, want);
      const gotR = await (k[d.name] as (...x: Args) => unknown)(...got);
      compare(d, got, want, gotR, wantR, toleranceOf(k), `${d.name} case ${c} (${d.args.map((s, i) => (s.kind === 'array' ? `${s.name}[${(args[i] as Float32Array).length}]` : `${s.name}=${String(args[i])}`)).join(', ')})`);
    }
  },
}));

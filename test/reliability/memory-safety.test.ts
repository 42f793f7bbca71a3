/**
 * No kernel writes outside its output, whatever it is given. Every resident buffer of the test
 * sits between guard arrays; each fuzzed call (extreme sizes and offsets, hostile index data,
 * resident or copied arguments, subarrays) must return or throw SparseInferenceError, and
 * afterwards every guard and every array the call may not write must hold its old bytes.
 * The arguments are generated from the kernel's parameter types only (not its meaning), so most
 * calls are rejected by the checks and some, drawn from small sizes, run for real.
 */
import { afterAll, describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { describeEachCpuBackend } from '../_harness/each-backend.js';
import { createParallelKernels } from '../../src/backends/wasm-threads/create-parallel-kernels.js';
import { parallelMissing } from '../../src/backends/wasm-threads/parallel-support.js';
import { SparseInferenceError } from '../../src/core/errors.js';
import type { CpuKernels, KernelName, ResidentArray } from '../../src/kernels/kernels.js';
import { KERNEL_NAMES } from '../../src/kernels/kernels.js';
import { perKernel } from '../../src/kernels/reference/index.js';
import { outputPositions } from '../../src/kernels/define-kernel.js';

type Param = 'f32' | 'i32' | 'f64' | 'f64?' | 'f32|f64' | 'int' | 'num' | 'pairing' | 'layerShape';

/**
 * Each kernel's parameters in order, and the array parameters a call may write: derived from the
 * kernel descriptors, so a new kernel is fuzzed here as soon as it is registered.
 */
const SIGNATURES = perKernel((d): { params: Param[]; outputs: number[] } => ({
  params: d.args.map((s): Param => {
    switch (s.kind) {
      case 'array': return s.dtypes.length === 2 ? 'f32|f64' : s.nullable ? 'f64?' : s.dtypes[0];
      case 'int': return 'int';
      case 'number': case 'threshold': return 'num';
      case 'choice': return 'pairing';
      case 'object': return 'layerShape';
    }
  }),
  outputs: outputPositions(d),
}));

/** Sizes: small ones (so some calls run) and the values that overflow 32-bit arithmetic. */
const INTS = [0, 1, 2, 3, 4, 5, 8, 16, 17, 33, 64, 2000, 2 ** 30, 2 ** 31 - 1000, 2 ** 31 - 32, 2 ** 31 - 1,
  2 ** 31, 2 ** 32 + 4, -1, -(2 ** 31), 1.5];
/** Index data (first, codes, idx): in range, just out of range, and i32 extremes. */
const INDEX_VALUES = [0, 1, 3, 7, 63, 64, -1, 2 ** 31 - 1, 2 ** 31 - 32, 2 ** 31 - 1000, -(2 ** 31), 1 << 20];
const NUMBERS = [0, 1, -1, 0.5, 0.125, 1e30, NaN, Infinity, -Infinity, 10000];
const LENGTHS = [0, 1, 4, 17, 64, 300];

const GUARD = 256;
const SENTINEL = -12345.5;

interface ArraySpec { length: number; offset: number; resident: boolean; fill: number; indexSeed: number[] }
type ArgSpec = { kind: 'array'; spec: ArraySpec } | { kind: 'value'; value: unknown };

function argArbitrary(p: Param): fc.Arbitrary<ArgSpec> {
  if (p === 'int') return fc.constantFrom(...INTS).map((value) => ({ kind: 'value' as const, value }));
  if (p === 'num') return fc.constantFrom(...NUMBERS).map((value) => ({ kind: 'value' as const, value }));
  if (p === 'pairing') return fc.constantFrom('adjacent', 'half', 'bogus').map((value) => ({ kind: 'value' as const, value }));
  if (p === 'layerShape') {
    // Small real shapes (some calls run), and dimensions whose products overflow 32-bit arithmetic.
    return fc.record({
      dim: fc.constantFrom(4, 8, 16, 2 ** 16, 2 ** 31 - 32, 0, -4),
      hiddenDim: fc.constantFrom(4, 8, 2 ** 20, 2 ** 31 - 1, 0),
      nHeads: fc.constantFrom(1, 2, 4, 3, 0),
      nKvHeads: fc.constantFrom(1, 2, 0, 3),
      normEps: fc.constantFrom(1e-5, 0, NaN),
      ropeBase: fc.constantFrom(10000, NaN, -1),
      ropePairing: fc.constantFrom('adjacent', 'half', 'bogus'),
    }).map((value) => ({ kind: 'value' as const, value }));
  }
  const spec = fc.record({
    length: fc.constantFrom(...LENGTHS),
    offset: fc.constantFrom(0, 0, 3),
    resident: fc.boolean(),
    fill: fc.constantFrom(0.5, -2, 1e-3, 0),
    indexSeed: fc.array(fc.constantFrom(...INDEX_VALUES), { minLength: 1, maxLength: 4 }),
  });
  const array = spec.map((s) => ({ kind: 'array' as const, spec: s }));
  return p === 'f64?' ? fc.oneof(array, fc.constant({ kind: 'value' as const, value: null })) : array;
}

/** The typed-array constructor a parameter takes (f32|f64: either, picked by the spec). */
function ctorOf(p: Param, spec: ArraySpec): Float32ArrayConstructor | Int32ArrayConstructor | Float64ArrayConstructor {
  if (p === 'i32') return Int32Array;
  if (p === 'f64' || p === 'f64?') return Float64Array;
  if (p === 'f32|f64') return spec.offset === 3 ? Float64Array : Float32Array;
  return Float32Array;
}

/** The suite for one Kernels object (every backend below, and the multi-threaded wasm backend). */
function memorySafetySuite(k: CpuKernels): void {
  /** A resident array between two guards; the guards are checked after every call. */
  const guards: ResidentArray<Float32Array>[] = [];
  function guarded<T extends Float32Array | Int32Array>(alloc: () => ResidentArray<T>): ResidentArray<T> {
    const before = k.allocF32(GUARD);
    before.view().fill(SENTINEL);
    const a = alloc();
    const after = k.allocF32(GUARD);
    after.view().fill(SENTINEL);
    guards.push(before, after);
    return a;
  }
  function guardsIntact(): boolean {
    return guards.every((g) => g.view().every((v) => v === SENTINEL));
  }

  /** The argument itself; a resident array is returned as its owner (views are taken later). */
  function materialise(p: Param, arg: ArgSpec, owned: ResidentArray<Float32Array | Int32Array>[]): unknown {
    if (arg.kind === 'value') return arg.value;
    const s = arg.spec;
    const Ctor = ctorOf(p, s);
    const total = s.length + s.offset;
    if (s.resident && Ctor !== Float64Array) {
      const r = guarded(() => (Ctor === Int32Array ? k.allocI32(total) : k.allocF32(total)) as ResidentArray<Float32Array | Int32Array>);
      owned.push(r);
      fill(r.view().subarray(s.offset), s);
      return r;
    }
    const a = new Ctor(total).subarray(s.offset);
    fill(a, s);
    return a;
  }

  function fill(a: Float32Array | Int32Array | Float64Array, s: ArraySpec): void {
    if (a instanceof Int32Array) for (let i = 0; i < a.length; i++) a[i] = s.indexSeed[i % s.indexSeed.length];
    else for (let i = 0; i < a.length; i++) a[i] = s.fill * (1 + (i % 7));
  }

  for (const name of KERNEL_NAMES) {
    it(`${name}: returns or throws SparseInferenceError, never writes outside its outputs`, () => {
      const { params, outputs } = SIGNATURES[name];
      fc.assert(fc.property(fc.tuple(...params.map(argArbitrary)), (specs) => {
        const owned: ResidentArray<Float32Array | Int32Array>[] = [];
        guards.length = 0;
        try {
          // Allocate everything first: allocation may grow memory and detach earlier views.
          const args = params.map((p, i) => materialise(p, specs[i], owned));
          const live = args.map((a, i) => {
            const s = specs[i];
            if (!owned.includes(a as ResidentArray<Float32Array>) || s.kind !== 'array') return a;
            const view = (a as ResidentArray<Float32Array>).view();
            return s.spec.offset === 0 ? view : view.subarray(s.spec.offset);
          });
          const before = live.map((a) => (ArrayBuffer.isView(a) ? (a as Float32Array).slice() : null));
          try {
            (k[name] as (...a: unknown[]) => unknown)(...live);
          } catch (e) {
            if (!(e instanceof SparseInferenceError)) throw e;
          }
          expect(guardsIntact()).toBe(true);
          live.forEach((a, i) => {
            if (before[i] !== null && !outputs.includes(i)) expect(Array.from(a as Float32Array)).toEqual(Array.from(before[i]!));
          });
        } finally {
          for (const g of guards) g.dispose();
          for (const r of owned) r.dispose();
        }
      }), { numRuns: 120, seed: 14 });
    });
  }

  it('bandedGram with first near 2^31 is rejected and writes nothing outside band/btz', () => {
    for (const f of [2 ** 31 - 32, 2 ** 31 - 1000, 2 ** 31 - 1]) {
      const neighbour = guarded(() => k.allocF32(4096));
      neighbour.view().fill(SENTINEL);
      const width = 64, p = 2000;
      const values = new Float64Array(width).fill(1);
      expect(() => k.bandedGram(Int32Array.of(f), values, 1, width, null, Float64Array.of(1), p,
        new Float64Array(p * width), new Float64Array(p))).toThrowError(expect.objectContaining({ code: 'BAD_ARGUMENT', message: expect.stringContaining('first[0]') }));
      expect(neighbour.view().every((v) => v === SENTINEL)).toBe(true);
      expect(guardsIntact()).toBe(true);
      neighbour.dispose();
      for (const g of guards) g.dispose();
      guards.length = 0;
    }
  });
}

describeEachCpuBackend('memory safety under fuzzed kernel calls', (k: CpuKernels) => memorySafetySuite(k));

// The wasm-threads backend: the same kernels cut into chunks over shared memory, two threads.
const missing = parallelMissing();
if (missing === null) {
  const parallel = await createParallelKernels({ threads: 2, minStreamBytes: 0, minQuantizedBytes: 0, minFlops: 0 });
  describe('memory safety under fuzzed kernel calls [wasm-threads]', () => {
    afterAll(() => parallel.dispose());
    memorySafetySuite(parallel);
  });
} else {
  describe.skip(`memory safety under fuzzed kernel calls [wasm-threads] (skipped: ${missing})`, () => {});
}


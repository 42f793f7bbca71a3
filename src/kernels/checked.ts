/**
 * Shape checks shared by every backend, derived from the kernel descriptors
 * (reference/<kernel>.ts): O(1) per call, so kernels never read out of bounds (a WASM trap or
 * garbage) and bad sizes surface as SparseInferenceError naming the argument.
 *
 * CPU device arrays (ResidentArray) are replaced by their views here, so every CPU backend
 * reads its device arrays in place and its raw kernels see typed arrays only.
 *
 * Per call, in order: every number, choice and object argument (bounds that depend on other
 * arguments last); every array's type and length; outputs against the other arrays (no
 * overlap over the elements touched, except the exact alias a descriptor allows); then the
 * descriptor's own `verify`, the kernel, and its `after`. The plan for each kernel is built once,
 * so a call costs a few short loops and no allocation beyond its argument list.
 */
import type { CpuKernelMethods, KernelFunctions } from './kernels.js';
import type { AnyKernelDescriptor, ArraySpec, ArgSpec, NumberSpec } from './define-kernel.js';
import { MAX_SIZE } from './define-kernel.js';
import { KERNEL_DESCRIPTORS } from './reference/index.js';
import { checkInt, checkLength, checkNumber, checkOneOf, describe } from '../core/validate.js';
import { badArgument } from '../core/errors.js';
import { isResidentArray } from './resident-array.js';
import { isDeviceArray } from './device-array.js';

type Args = readonly unknown[];
type Typed = Float32Array | Float64Array | Int32Array;

const ARRAY_TYPES = { f32: Float32Array, f64: Float64Array, i32: Int32Array } as const;
const TYPE_NAMES = { f32: 'a Float32Array', f64: 'a Float64Array', i32: 'an Int32Array' } as const;

const bound = (b: number | ((a: Args) => number) | undefined, a: Args, dflt: number) =>
  (b === undefined ? dflt : typeof b === 'number' ? b : b(a));

function checkScalar(s: Exclude<ArgSpec, ArraySpec>, v: unknown, a: Args): void {
  switch (s.kind) {
    case 'int': {
      checkInt(s.name, v, bound(s.min, a, 0), bound(s.max, a, MAX_SIZE));
      if (s.multipleOf !== undefined && (v as number) % s.multipleOf !== 0) {
        throw badArgument(`${s.name} must be a multiple of ${s.multipleOf}${s.multipleWhy ? ` (${s.multipleWhy})` : ''}, got ${v as number}`);
      }
      return;
    }
    case 'number':
      checkNumber(s.name, v, bound(s.min, a, -Infinity), Infinity, { minExclusive: s.minExclusive });
      return;
    case 'threshold':
      if (typeof v !== 'number' || Number.isNaN(v)) throw badArgument(`${s.name} must be a number (not NaN), got ${describe(v)}`);
      return;
    case 'choice':
      checkOneOf(s.name, v, s.choices);
      return;
    case 'object':
      s.check(v);
  }
}

function checkArray(s: ArraySpec, v: unknown, length: number): void {
  if (v === null && s.nullable) return;
  if (length > MAX_SIZE) throw badArgument(`${s.name} is too large: ${s.lengthText} = ${length} elements`);
  const ok = s.dtypes.length === 1 ? v instanceof ARRAY_TYPES[s.dtypes[0]] : s.dtypes.some((t) => v instanceof ARRAY_TYPES[t]);
  if (!ok) throw badArgument(`${s.name} must be ${s.dtypes.map((t) => TYPE_NAMES[t]).join(' or ')}, got ${describe(v)}`);
  checkLength(s.name, v as Typed, length);
}

/*
 * An output must not overlap another array over the elements the kernel touches: backends that
 * copy arguments (wasm without resident arrays) and backends that work in place would otherwise
 * give different answers. A descriptor's `mayBe` allows the exact alias a signature documents.
 * Arrays that are not views (the webgpu backend's stand-ins for device arrays) are left to the
 * webgpu backend, which compares device arrays itself.
 */

/** What a checked call does for one kernel, worked out once from its descriptor. */
interface Plan {
  scalars: [number, Exclude<ArgSpec, ArraySpec>][];
  arrays: [number, ArraySpec][];
  /** Pairs [output, other array, the exact alias allowed], by index into `arrays`. */
  pairs: [number, number, boolean][];
}

function plan(d: AnyKernelDescriptor): Plan {
  const scalars: Plan['scalars'] = [];
  const arrays: Plan['arrays'] = [];
  d.args.forEach((s, i) => (s.kind === 'array' ? arrays.push([i, s]) : scalars.push([i, s])));
  // Bounds that read other arguments go last, once those arguments are known good.
  const dependent = (s: ArgSpec) => (s as NumberSpec).min instanceof Function || (s as NumberSpec).max instanceof Function;
  scalars.sort(([i, s], [j, t]) => Number(dependent(s)) - Number(dependent(t)) || i - j);
  const pairs: Plan['pairs'] = [];
  arrays.forEach(([, o], oi) => {
    if (o.role === 'in') return;
    arrays.forEach(([, other], ii) => {
      if (ii === oi || (other.role !== 'in' && ii < oi)) return; // two outputs: compare once
      pairs.push([oi, ii, o.mayBe === other.name || other.mayBe === o.name]);
    });
  });
  return { scalars, arrays, pairs };
}

/** The checked form of one kernel. */
function checked(d: AnyKernelDescriptor, raw: KernelFunctions): (...a: unknown[]) => unknown {
  const f = raw[d.name] as (...a: unknown[]) => unknown;
  const p = plan(d);
  // Flat arrays, indexed in plain loops: this runs on every kernel call (thousands per token).
  const scalarAt = p.scalars.map(([i]) => i), scalarSpec = p.scalars.map(([, s]) => s);
  const arrayAt = p.arrays.map(([i]) => i), arraySpec = p.arrays.map(([, s]) => s);
  const pairOut = p.pairs.map(([o]) => o), pairIn = p.pairs.map(([, i]) => i), pairSame = p.pairs.map(([, , same]) => same);
  const { verify, after } = d;
  const count = arrayAt.length;
  const ctors = arraySpec.map((s) => (s.dtypes.length === 1 && !s.nullable ? ARRAY_TYPES[s.dtypes[0]] : null));
  // Per array of the current call: its buffer (null: not a view) and byte range, read once.
  const buffers: (ArrayBufferLike | null)[] = new Array(count).fill(null);
  const begins = new Array<number>(count).fill(0), ends = new Array<number>(count).fill(0);
  // `a` is this call's own rest array, so device arrays can be swapped for their views in it.
  return (...a: unknown[]) => {
    for (let i = 0; i < scalarAt.length; i++) checkScalar(scalarSpec[i], a[scalarAt[i]], a);
    for (let i = 0; i < count; i++) {
      const s = arraySpec[i];
      let v = a[arrayAt[i]];
      const n = s.length(a);
      const ctor = ctors[i];
      // The common case in a few comparisons; anything else (null, two dtypes, a device array, a
      // stand-in, an error to report) goes through the slow path.
      if (ctor === null || !(v instanceof ctor) || n > MAX_SIZE || (v as Typed).length < n) {
        if (isResidentArray(v)) v = a[arrayAt[i]] = v.view(); // a CPU device array: its elements in place
        else if (isDeviceArray(v)) throw badArgument(`${s.name} is a device array of another backend; pass a host array or one of these kernels' own`);
        checkArray(s, v, n);
      }
      if (ArrayBuffer.isView(v)) { // not a webgpu stand-in for a device array, nor null
        buffers[i] = v.buffer;
        begins[i] = v.byteOffset;
        ends[i] = begins[i] + n * (v as Typed).BYTES_PER_ELEMENT;
      } else {
        buffers[i] = null;
      }
    }
    for (let q = 0; q < pairOut.length; q++) {
      const o = pairOut[q], i = pairIn[q];
      if (buffers[o] === null || buffers[o] !== buffers[i]) continue; // different buffers cannot overlap
      if (begins[o] >= ends[i] || begins[i] >= ends[o]) continue; // (an empty range overlaps nothing)
      if (pairSame[q] && begins[o] === begins[i] && ends[o] === ends[i]) continue;
      throw badArgument(`${arraySpec[o].name} must not overlap ${arraySpec[i].name}${pairSame[q] ? ' (it may be the very same array)' : ''}`);
    }
    buffers.fill(null); // hold no caller's memory between calls
    if (verify !== undefined) verify(a, raw);
    const result = f.apply(undefined, a);
    if (after !== undefined) after(result, a);
    return result;
  };
}

/** Wrap raw kernel functions with argument checks (and device arrays as views); what users get. */
export function withShapeChecks(k: KernelFunctions): CpuKernelMethods {
  const out: Record<string, unknown> = {};
  for (const d of KERNEL_DESCRIPTORS) out[d.name] = checked(d, k);
  return out as CpuKernelMethods;
}

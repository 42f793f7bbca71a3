/**
 * A kernel descriptor: everything about a kernel's arguments that is not its arithmetic, in one
 * place beside its reference implementation (TensorFlow.js keeps a KernelConfig beside each
 * kernel the same way). From the descriptors the library derives the shape checks every backend
 * shares (checked.ts), which arguments each kernel writes (webgpu bindings, CPU fallbacks), the
 * wasm bindings' copy lists and export list, which kernels a backend with workers splits, the
 * names in error messages, and the cases of the differential tests. A descriptor that disagrees with the reference signature (argument count, element type,
 * scalar or array) fails `tsc`: `args` is typed position by position from the reference's
 * parameters.
 *
 * Lengths and bounds are functions of the call's own argument tuple, destructured by position:
 *   f32('W', 'rows*cols', ([, , , rows, cols]) => rows * cols)
 * so they cost one call and no allocation per kernel call.
 */
import type { KernelName } from './kernels.js';
import type { QuantizedType } from './quantized-row-words.js';
import { badArgument } from '../core/errors.js';

/** How a kernel uses an array argument: read only, written only, or read and then written. */
export type Role = 'in' | 'out' | 'inout';

/** Element types of array arguments ('f64' for the knots kernels). */
export type Dtype = 'f32' | 'f64' | 'i32';

/**
 * How one call's work divides among workers that share memory (threads; any backend that runs
 * parts of a call side by side):
 * - 'rows': the output falls into independent rows (or points), each computed from the inputs
 *   alone, so a worker can compute any slice of them exactly as one worker would;
 * - 'partials': each worker reduces its slice of the input into a partial result of its own, and
 *   the partials are added afterwards (the sum is regrouped: equal within float tolerance);
 * - 'whole': one call is one piece of work (no independent parts, or too little work per call
 *   for a split to pay).
 */
export type WorkSplit = 'rows' | 'partials' | 'whole';

/** An array argument. P is the kernel's parameter tuple. */
export interface ArraySpec<P extends readonly unknown[] = readonly unknown[]> {
  readonly kind: 'array';
  readonly name: string;
  /** Accepted element types (two for siluThreshold's thresholds). */
  readonly dtypes: readonly Dtype[];
  readonly role: Role;
  /** null is accepted (bandedGram's unit weights). */
  readonly nullable: boolean;
  /** Elements the kernel reads or writes. */
  readonly length: (a: P) => number;
  /** The length as it reads in error messages, e.g. 'rows*cols'. */
  readonly lengthText: string;
  /** For an output: the input it may be the very same array as ("out may alias x"). */
  readonly mayBe?: string;
}

/** A number argument: an integer in a range, or any finite number, or a threshold (any but NaN). */
export interface NumberSpec<P extends readonly unknown[] = readonly unknown[]> {
  readonly kind: 'int' | 'number' | 'threshold';
  readonly name: string;
  readonly min?: number | ((a: P) => number);
  readonly max?: number | ((a: P) => number);
  readonly minExclusive?: boolean;
  /** The integer must be a multiple of this (quantized blocks, rope's pairs). */
  readonly multipleOf?: number;
  /** Why, for the message: e.g. 'one Q4_1 block'. */
  readonly multipleWhy?: string;
}

/** A string argument from a fixed set (rope's pairing). */
export interface ChoiceSpec {
  readonly kind: 'choice';
  readonly name: string;
  readonly choices: readonly string[];
}

/** An object argument checked by its own function (decoderLayer's shape). */
export interface ObjectSpec {
  readonly kind: 'object';
  readonly name: string;
  readonly check: (value: unknown) => void;
}

export type ArgSpec<P extends readonly unknown[] = readonly unknown[]> = ArraySpec<P> | NumberSpec<P> | ChoiceSpec | ObjectSpec;

/** Exactly T (no wider, no narrower): typed arrays are told apart by their toStringTag. */
type Is<T, U> = [T] extends [U] ? ([U] extends [T] ? true : false) : false;

/** The spec an argument of type T must have. */
type SpecFor<T, P extends readonly unknown[]> =
  Is<T, number> extends true ? NumberSpec<P>
    : Is<T, Float32Array> extends true ? ArraySpec<P> & { readonly dtypes: readonly ['f32'] }
      : Is<T, Int32Array> extends true ? ArraySpec<P> & { readonly dtypes: readonly ['i32'] }
        : Is<T, Float64Array> extends true ? ArraySpec<P> & { readonly dtypes: readonly ['f64']; readonly nullable: false }
          : Is<T, Float64Array | null> extends true ? ArraySpec<P> & { readonly dtypes: readonly ['f64']; readonly nullable: true }
            : Is<T, Float32Array | Float64Array> extends true ? ArraySpec<P> & { readonly dtypes: readonly ['f32', 'f64'] }
              : [T] extends [string] ? ChoiceSpec
                : ObjectSpec;

/** One spec per parameter, in order. */
export type ArgSpecs<P extends readonly unknown[]> = { readonly [I in keyof P]: SpecFor<P[I], P> };

/** A kernel's signature: typed arrays, numbers and the like in, its result out. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- parameters are typed per kernel
export type KernelFn = (...a: any[]) => unknown;

/** What a descriptor's `verify` may call on the backend's unchecked kernels: cheap scans. */
export interface RawScans {
  sum(x: Float32Array, n: number): number;
}

/**
 * What a kernel declares besides its arithmetic. The registry's signatures (KernelFunctions)
 * are derived from the descriptors, so the types here are in terms of the reference F alone.
 */
export interface KernelDescriptor<K extends string = KernelName, F extends KernelFn = KernelFn, S extends WorkSplit = WorkSplit> {
  readonly name: K;
  /** The reference implementation: plain TypeScript, the oracle for every backend. */
  readonly reference: F;
  readonly args: ArgSpecs<Parameters<F>>;
  /**
   * Elements streamed by one call (rows·cols for the matrix kernels, n·k·d for the distance
   * kernels, n for vector kernels); 0 means there is nothing to do. Benchmarks and the webgpu
   * backend's small-call routing use it.
   */
  readonly work: (a: Parameters<F>) => number;
  /** How a call's work divides among workers (see WorkSplit); required, so every kernel says. */
  readonly split: S;
  /**
   * Checks the argument specs cannot express, run after them (lengths are known good then).
   * `raw` is the backend's unchecked kernels, for cheap scans (argminL2's finiteness test).
   */
  readonly verify?: (a: Parameters<F>, raw: RawScans) => void;
  /** Turns a result into an error where the kernel reports bad input by its return value. */
  readonly after?: (result: ReturnType<F>, a: Parameters<F>) => void;
}

/**
 * A descriptor of any kernel, as registries and derivations see it. Its functions are declared
 * as methods: TypeScript compares method parameters both ways, so a kernel's descriptor, whose
 * functions take that kernel's own argument tuple, converts to it with a plain `as`.
 */
export interface AnyKernelDescriptor {
  readonly name: KernelName;
  readonly reference: (...a: never[]) => unknown;
  readonly args: readonly ArgSpec<readonly unknown[]>[];
  readonly split: WorkSplit;
  work(a: readonly unknown[]): number;
  verify?(a: readonly unknown[], raw: RawScans): void;
  after?(result: unknown, a: readonly unknown[]): void;
}

/**
 * Declare a kernel (see the file comment); the result is checked against the reference's
 * signature. (Name and reference come first so TypeScript fixes the signature before it types the
 * lengths.)
 */
export function defineKernel<K extends string, F extends KernelFn, S extends WorkSplit>(name: K, reference: F,
  descriptor: Omit<KernelDescriptor<K, F, S>, 'name' | 'reference'>): KernelDescriptor<K, F, S> {
  return Object.freeze({ name, reference, ...descriptor });
}

// ---- Argument builders: the descriptors read like signatures. --------------------------------

type Len<P extends readonly unknown[]> = (a: P) => number;
interface ArrayOptions { role?: Role; mayBe?: string }

function array<P extends readonly unknown[], D extends readonly Dtype[], N extends boolean>(
  name: string, dtypes: D, nullable: N, lengthText: string, length: Len<P>, o: ArrayOptions,
): ArraySpec<P> & { readonly dtypes: D; readonly nullable: N } {
  return { kind: 'array', name, dtypes, nullable, length, lengthText, role: o.role ?? 'in', mayBe: o.mayBe };
}

/** A Float32Array argument of `lengthText` elements (read unless `role` says otherwise). */
export const f32 = <P extends readonly unknown[]>(name: string, lengthText: string, length: Len<P>, o: ArrayOptions = {}) =>
  array(name, ['f32'] as const, false, lengthText, length, o);
/** An Int32Array argument. */
export const i32 = <P extends readonly unknown[]>(name: string, lengthText: string, length: Len<P>, o: ArrayOptions = {}) =>
  array(name, ['i32'] as const, false, lengthText, length, o);
/** A Float64Array argument. */
export const f64 = <P extends readonly unknown[]>(name: string, lengthText: string, length: Len<P>, o: ArrayOptions = {}) =>
  array(name, ['f64'] as const, false, lengthText, length, o);
/** A Float64Array argument or null. */
export const f64OrNull = <P extends readonly unknown[]>(name: string, lengthText: string, length: Len<P>) =>
  array(name, ['f64'] as const, true, lengthText, length, {});
/** A Float32Array or Float64Array argument. */
export const f32OrF64 = <P extends readonly unknown[]>(name: string, lengthText: string, length: Len<P>) =>
  array(name, ['f32', 'f64'] as const, false, lengthText, length, {});

/** The largest size a kernel accepts: 2³¹ − 1 (wasm32 and WGSL index with 32-bit integers). */
export const MAX_SIZE = 2 ** 31 - 1;

/** A size: an integer in [min, 2³¹ − 1]. */
export const size = <P extends readonly unknown[]>(name: string, min: number | ((a: P) => number) = 0): NumberSpec<P> =>
  ({ kind: 'int', name, min, max: MAX_SIZE });
/** An integer in [min, max]. */
export const int = <P extends readonly unknown[]>(name: string, min: number | ((a: P) => number),
  max: number | ((a: P) => number)): NumberSpec<P> => ({ kind: 'int', name, min, max });
/** The column count of a quantized matrix: a size that is a whole number of 32-column blocks. */
export const blockCols = <P extends readonly unknown[]>(type: QuantizedType | 'Q8_1', name = 'cols'): NumberSpec<P> =>
  ({ kind: 'int', name, min: 0, max: MAX_SIZE, multipleOf: 32, multipleWhy: `one ${type} block` });
/** An even size of at least min. */
export const evenSize = <P extends readonly unknown[]>(name: string, min: number): NumberSpec<P> =>
  ({ kind: 'int', name, min, max: MAX_SIZE, multipleOf: 2 });
/** A finite number, optionally bounded. */
export const num = <P extends readonly unknown[]>(name: string, min?: number, minExclusive?: boolean): NumberSpec<P> =>
  ({ kind: 'number', name, min, minExclusive });
/** A threshold: any number but NaN (±Infinity keeps nothing / everything). */
export const threshold = <P extends readonly unknown[]>(name: string): NumberSpec<P> => ({ kind: 'threshold', name });
/** One of a fixed set of strings. */
export const choice = (name: string, choices: readonly string[]): ChoiceSpec => ({ kind: 'choice', name, choices });
/** An object checked by `check` (which throws SparseInferenceError naming its fields). */
export const object = (name: string, check: (value: unknown) => void): ObjectSpec => ({ kind: 'object', name, check });

/**
 * Every idx[c] (c < count) is a row in [0, rows): O(count) next to an O(count·d) attention
 * kernel, and an index out of range must not read past K/V.
 */
export function checkRows(idx: Int32Array, count: number, rows: number): void {
  for (let c = 0; c < count; c++) {
    const t = idx[c];
    if (t < 0 || t >= rows) throw badArgument(`idx[${c}] must be a row in [0, ${rows}), got ${t}`);
  }
}

// ---- Derivations used by several backends. ---------------------------------------------------

/** Positions of the arguments a kernel writes (outputs and in-place arguments). */
export function outputPositions(d: AnyKernelDescriptor): number[] {
  return d.args.flatMap((s, i) => (s.kind === 'array' && s.role !== 'in' ? [i] : []));
}

/** Argument names by position ('' for none), for messages. */
export function argNames(d: AnyKernelDescriptor): string[] {
  return d.args.map((s) => s.name);
}

/**
 * The webgpu backend's Kernels: routes each call to a WGSL program, to its CPU
 * fallback, or — for small inputs — straight to the CPU backend.
 *
 * Routing, per call:
 * 1. GPU-native kernel, all arrays on the host, work below `cpuThreshold` (or an empty
 *    shape): the CPU backend runs it (a GPU round trip costs ~0.1 ms, more than a small
 *    kernel on the CPU).
 * 2. GPU-native kernel otherwise: the shared O(1) shape checks run first (the same
 *    `withShapeChecks` as every CPU backend, on stand-ins for device arrays), then the
 *    program is encoded into the current batch.
 * 3. Kernel without a GPU program (no encoder in SPECS: bsplineBasis, bandedGram, ...): the CPU backend runs it;
 *    device-array arguments are read back first and device-array outputs written back
 *    afterwards, in program order.
 *
 * "Work" is the number of elements the kernel streams (rows·cols for the matrix kernels,
 * n·k·d for the distance kernels, n for lutGather/topK/sum and the vector kernels,
 * nHeads·headDim for rope, count·d for selectiveAttention, nHeads·count·d for
 * selectiveAttentionHeads).
 *
 * In place: an argument both read and written (rope's x, swiglu's gate, axpy's y) is bound
 * once, read-write, where it lies when it is a device array (a host one is uploaded and
 * copied back); an output that is the very same device array as an input it may alias
 * (softmax's and rmsnorm's out = x) is bound once and the program reads it in place.
 */
import type { CpuKernels, KernelFunctions, KernelMethods, KernelName, Kernels, RopePairing } from '../../kernels/kernels.js';
import { isDeviceArray, type DeviceArray, type DeviceElements, type F32Arg, type I32Arg } from '../../kernels/device-array.js';
import { withShapeChecks } from '../../kernels/checked.js';
import { perKernel } from '../../kernels/reference/index.js';
import { argNames, outputPositions } from '../../kernels/define-kernel.js';
import { badArgument } from '../../core/errors.js';
import { checkFinite, checkInt } from '../../core/validate.js';
import { byValueDescending } from '../../kernels/reference/rank-order.js';
import { GpuDeviceArray, type GpuCall, type GpuContext, type GpuRef } from './gpu-context.js';
import { encodeGemv } from './programs/gemv.js';
import { encodeGemvT } from './programs/gemv-t.js';
import { encodeGemvQuantized } from './programs/gemv-quantized.js';
import { encodeSpvmm } from './programs/spvmm.js';
import { encodeVmmsp } from './programs/vmmsp.js';
import { encodeL2sqrBatch } from './programs/l2sqr-batch.js';
import { encodeArgminL2 } from './programs/argmin-l2.js';
import { encodeLutGather } from './programs/lut-gather.js';
import { encodeTopKSelect } from './programs/top-k-select.js';
import { encodeTopKSelectRows } from './programs/top-k-select-rows.js'; // kvcache
import { encodeSelectiveAttention } from './programs/selective-attention.js';
import { encodeSelectiveAttentionHeads } from './programs/selective-attention-heads.js'; // llama
import { encodeSum } from './programs/sum.js';
import { encodeDot } from './programs/dot.js';
import { encodeAxpy } from './programs/axpy.js';
import { encodeSoftmax } from './programs/softmax.js';
import { encodeRmsnorm } from './programs/rmsnorm.js';
import { encodeRope, ropeTable } from './programs/rope.js';
import { encodeSwiglu } from './programs/swiglu.js';
import { encodeSiluThreshold } from './programs/silu-threshold.js'; // activations
import { encodeThreshold } from './programs/threshold.js'; // activations
import { encodeSiluMulThreshold } from './programs/silu-mul-threshold.js'; // activations
import { DECODE_STEP, checkDecodeStepSpec, type DecodeStepFactory } from '../../kernels/decode-step.js';
import { GpuDecoder } from './decode/gpu-decoder.js'; // llama: a whole decode step per submission

/** Which arguments each kernel writes (positions, from the descriptors): read back after a CPU fallback. */
const OUTPUTS: Readonly<Record<KernelName, readonly number[]>> = perKernel(outputPositions);

/** Default work (elements streamed) below which host-array calls run on the CPU backend. */
export const DEFAULT_CPU_THRESHOLD = 1 << 16;

type Arr = F32Arg | I32Arg;
type GpuArgs = unknown[];

/** The call's arguments, typed as the kernel's parameters (array positions may hold device arrays). */
type KernelArgs<K extends KernelName> = Parameters<KernelFunctions[K]>;

interface NativeSpec<K extends KernelName> {
  /**
   * Which arguments are bound as inputs, with how many elements, where this differs from the
   * descriptor's read arguments (siluThreshold uploads float64 thresholds as float32 itself).
   */
  inputs?(a: KernelArgs<K>): [number, number][];
  /**
   * Encodes the work; returns the finisher that produces the kernel's return value. An
   * argument that is both read and written (rope's x) has one ref, bound read-write; an
   * input read in place from its `aliases` output has no ref (undefined).
   */
  encode(call: GpuCall, refs: GpuRef[], a: KernelArgs<K>): () => unknown;
}

const BAD_NONE = 0xFFFFFFFF;

/**
 * The GPU-native kernels: each one's encoder (its WGSL program is in programs/<kernel>.ts).
 * `refs[i]` is the bound argument i. Registering an encoder here is what makes a kernel native;
 * every other kernel of the registry runs on the CPU backend (`onCpu`, device arrays read back
 * first), and the differential suite runs every kernel on this backend either way.
 */
const SPECS = {
  sum: {
    encode(call, r, a) {
      const slot = call.scalars([0]);
      encodeSum(call, r[0], slot.ref, a[1]);
      return () => slot.f32(0);
    },
  },
  gemv: { // (W, x, y, rows, cols)
    encode(call, r, a) { encodeGemv(call, r[0], r[1], r[2], a[3], a[4]); return () => undefined; },
  },
  gemvQ4_1: { // (W words, x, y, rows, cols)
    encode(call, r, a) { encodeGemvQuantized(call, 'Q4_1', r[0], r[1], r[2], a[3], a[4]); return () => undefined; },
  },
  gemvQ8_0: { // (W words, x, y, rows, cols)
    encode(call, r, a) { encodeGemvQuantized(call, 'Q8_0', r[0], r[1], r[2], a[3], a[4]); return () => undefined; },
  },
  gemvT: { // (W, x, y, rows, cols)
    encode(call, r, a) { encodeGemvT(call, r[0], r[1], r[2], a[3], a[4]); return () => undefined; },
  },
  spvmm: { // (x, W, y, rows, cols)
    encode(call, r, a) {
      const slot = encodeSpvmm(call, r[0], r[1], r[2], a[3], a[4]);
      return () => slot.u32(0);
    },
  },
  vmmsp: { // (x, W, s, out, rows, cols)
    encode(call, r, a) {
      const slot = encodeVmmsp(call, r[0], r[1], r[2], r[3], a[4], a[5]);
      return () => slot.u32(0);
    },
  },
  l2sqrBatch: { // (X, C, out, n, k, d)
    encode(call, r, a) { encodeL2sqrBatch(call, r[0], r[1], r[2], a[3], a[4], a[5]); return () => undefined; },
  },
  argminL2: { // (X, C, codes, dist, n, k, d)
    encode(call, r, a) {
      const slot = encodeArgminL2(call, r[0], r[1], r[2], r[3], a[4], a[5], a[6]);
      return () => {
        // Only device data can get here: host X and C were checked before dispatch. C first,
        // as the CPU kernels check it, so both name the same element.
        const badX = slot.u32(0), badC = slot.u32(1);
        if (badC !== BAD_NONE) throw badArgument(`C[${badC}] must be finite, got NaN or ±Infinity (device data)`);
        if (badX !== BAD_NONE) throw badArgument(`X[${badX}] must be finite, got NaN or ±Infinity (device data)`);
      };
    },
  },
  lutGather: { // (table, tableSize, codes, n, out)
    encode(call, r, a) {
      const slot = encodeLutGather(call, r[0], a[1], r[2], a[3], r[4]);
      return () => {
        const j = slot.u32(0);
        if (j === BAD_NONE) return;
        const got = isDeviceArray(a[2]) ? '' : `, got ${(a[2] as Int32Array)[j]}`;
        throw badArgument(`codes[${j}] must be in [0, ${a[1]})${got}`);
      };
    },
  },
  topKSelect: { // (x, n, k, out)
    encode(call, r, a) { encodeTopKSelect(call, r[0], a[1], a[2], r[3]); return () => undefined; },
  },
  topKSelectRows: { // (x, rows, n, k, out): every row in the same 11 dispatches
    encode(call, r, a) { encodeTopKSelectRows(call, r[0], a[1], a[2], a[3], r[4]); return () => undefined; },
  },
  topK: { // (x, n, k, out): the set on the GPU, ordered on the host (k values)
    encode(call, r, a) {
      const n = a[1], k = a[2];
      const sel = { buffer: call.scratch(k * 4), offset: 0 };
      const vals = { buffer: call.scratch(k * 4), offset: 0 };
      encodeTopKSelect(call, r[0], n, k, sel);
      encodeLutGather(call, r[0], n, sel, k, vals);
      const idx = call.readBack<Int32Array>(sel, k, 'i32');
      const v = call.readBack<Float32Array>(vals, k, 'f32');
      return () => {
        const order = Array.from({ length: k }, (_, i) => i);
        order.sort(byValueDescending(v)); // sel is in index order, so ties by position = by index
        return Int32Array.from(order, (i) => idx[i]); // written to `out` by the caller
      };
    },
  },
  dot: { // (x, y, n)
    encode(call, r, a) {
      const slot = call.scalars([0]);
      encodeDot(call, r[0], r[1], slot.ref, a[2]);
      return () => slot.f32(0);
    },
  },
  axpy: { // (a, x, y, n): y read and written
    encode(call, r, a) { encodeAxpy(call, a[0], r[1], r[2], a[3]); return () => undefined; },
  },
  softmax: { // (x, out, n); out may be x
    encode(call, r, a) { encodeSoftmax(call, r[0] ?? null, r[1], a[2]); return () => undefined; },
  },
  rmsnorm: { // (x, w, out, n, eps); out may be x
    encode(call, r, a) { encodeRmsnorm(call, r[0] ?? null, r[1], r[2], a[3], a[4]); return () => undefined; },
  },
  rope: { // (x, nHeads, headDim, pos, base, pairing): x read and written; cos/sin uploaded
    encode(call, r, a) {
      const headDim = a[2];
      const table = call.input(ropeTable(headDim, a[3], a[4]), headDim);
      encodeRope(call, r[0], table, a[1], headDim, a[5] as RopePairing);
      return () => undefined;
    },
  },
  swiglu: { // (gate, up, n): gate read and written
    encode(call, r, a) { encodeSwiglu(call, r[0], r[1], a[2]); return () => undefined; },
  },
  siluThreshold: { // (gate, t, n): gate read and written; float64 thresholds uploaded as float32
    inputs: (a) => (a[1] instanceof Float64Array ? [[0, a[2]]] : [[0, a[2]], [1, a[2]]]),
    encode(call, r, a) {
      const n = a[2];
      const t = a[1] instanceof Float64Array ? call.input(Float32Array.from(a[1].subarray(0, n)), n) : r[1];
      const slot = encodeSiluThreshold(call, r[0], t, n);
      return () => slot.u32(0);
    },
  },
  threshold: { // (v, t, out, n)
    encode(call, r, a) {
      const slot = encodeThreshold(call, r[0], a[1], r[2], a[3]);
      return () => slot.u32(0);
    },
  },
  siluMulThreshold: { // (gate, up, t, n): both read and written
    encode(call, r, a) {
      const slot = encodeSiluMulThreshold(call, r[0], r[1], a[2], a[3]);
      return () => slot.u32(0);
    },
  },
  selectiveAttention: { // (q, K, V, idx, count, rows, d, stride, scale, out)
    encode(call, r, a) {
      const slot = encodeSelectiveAttention(call, r[0], r[1], r[2], r[3], a[4], a[5], a[6], a[7],
        a[8], r[9]);
      return () => {
        const c = slot.u32(1);
        if (c !== BAD_NONE) throw badArgument(`idx[${c}] must be a row in [0, ${a[5]})`);
        return slot.f32(0);
      };
    },
  },
  selectiveAttentionHeads: { // (q, K, V, idx, count, rows, d, stride, nHeads, group, scale, out, lse)
    encode(call, r, a) {
      const slot = call.scalars([BAD_NONE]);
      encodeSelectiveAttentionHeads(call, r[0], r[1], r[2], r[3], a[4], a[5], a[6], a[7], a[8],
        a[9], a[10], r[11], r[12], slot.ref);
      return () => {
        const c = slot.u32(0);
        if (c !== BAD_NONE) throw badArgument(`idx[${c}] must be a row in [0, ${a[5]})`);
      };
    },
  },
} satisfies { [K in KernelName]?: NativeSpec<K> };

type NativeName = keyof typeof SPECS;

/** Kernels with a WGSL program (an encoder in SPECS). */
export const WEBGPU_NATIVE = Object.keys(SPECS) as readonly NativeName[];

/**
 * A stand-in that passes the shape checks exactly as a typed array of the device array's
 * length would (instanceof and .length), without allocating host memory.
 */
function standIn(a: DeviceArray<DeviceElements>): unknown {
  const proto = a.dtype === 'f32' ? Float32Array.prototype : a.dtype === 'i32' ? Int32Array.prototype : Float64Array.prototype;
  return Object.defineProperty(Object.create(proto), 'length', { value: a.length });
}

/**
 * Data checks the CPU backends make in their checked layer and the GPU path must make itself:
 * argminL2 rejects non-finite X or C (no nearest centroid exists). Host arrays only: the scan is
 * the CPU backend's streaming sum (NaN and ±Infinity survive summation), and only a non-finite
 * sum pays for finding the element. Device arrays are not read back for it.
 */
const HOST_DATA_CHECKS: { [K in NativeName]?: (cpu: CpuKernels, a: KernelArgs<K>) => void } = {
  argminL2: (cpu, a) => { // (X, C, codes, dist, n, k, d)
    finiteHost(cpu, 'C', a[1], a[5] * a[6]);
    finiteHost(cpu, 'X', a[0], a[4] * a[6]);
  },
};

function finiteHost(cpu: CpuKernels, name: string, a: unknown, n: number): void {
  if (a instanceof Float32Array && !Number.isFinite(cpu.sum(a, n))) checkFinite(name, a, n);
}

/** Shape checks only: the wrapped functions do nothing. */
const shapeChecks = withShapeChecks(new Proxy({} as KernelFunctions, {
  get: (_t, name) => (name === 'bandedGram' ? () => -1 : () => 0),
}));

/** Names for error messages, per kernel argument position (from the descriptors). */
const ARG_NAMES = perKernel(argNames);
/** The descriptors, by name. */
const DESCRIPTORS = perKernel((d) => d);

/** [argument, elements] of the arrays a call reads (role in/inout) or writes (out/inout). */
function arraysOf(name: KernelName, a: GpuArgs, written: boolean): [number, number][] {
  const found: [number, number][] = [];
  DESCRIPTORS[name].args.forEach((s, i) => {
    if (s.kind === 'array' && (written ? s.role !== 'in' : s.role !== 'out')) found.push([i, s.length(a)]);
  });
  return found;
}

/** Bound outputs: the written arrays, except topK's, which the host writes after ordering. */
const outputs = (name: NativeName, a: GpuArgs) => (name === 'topK' ? [] : arraysOf(name, a, true));

/**
 * [input, output] pairs that may be the very same device array ("out may alias x", from the
 * descriptors): then only the output is bound and the program reads it in place.
 */
const ALIASES = perKernel((d) => d.args.flatMap((o, at) => (o.kind === 'array' && o.role === 'out' && o.mayBe !== undefined
  ? [[d.args.findIndex((s) => s.name === o.mayBe), at] as [number, number]] : [])));

export interface WebGpuKernelOptions {
  /** Work (elements streamed) below which host-array calls run on the CPU backend; 0: never. */
  cpuThreshold: number;
}

/** The Kernels of the webgpu backend on `ctx`, with `cpu` as fallback. */
export function webgpuKernels(ctx: GpuContext, cpu: CpuKernels, options: WebGpuKernelOptions): Kernels {
  const threshold = checkInt('cpuThreshold', options.cpuThreshold, 0);
  const native = new Set<KernelName>(WEBGPU_NATIVE);
  const fns = {} as Record<KernelName, (...args: unknown[]) => Promise<unknown>>;

  /** Run on the CPU backend; device arrays are read back first and outputs written back. */
  const onCpu = (name: KernelName, args: unknown[]): Promise<unknown> => {
    const f = cpu[name] as (...a: unknown[]) => unknown;
    for (const a of args) {
      if (isDeviceArray(a) && !(a instanceof GpuDeviceArray)) throw badArgument('device array belongs to another backend');
    }
    if (!args.some(isDeviceArray)) return new Promise((done) => done(f.apply(cpu, args)));
    const run = async () => {
      // readNow: this step already runs in program order (and may itself be the barrier).
      const host = await Promise.all(args.map((a) => (a instanceof GpuDeviceArray ? a.readNow() : a)));
      const result = f.apply(cpu, host);
      for (const i of OUTPUTS[name]) {
        const out = args[i];
        if (isDeviceArray(out)) (out as DeviceArray<Float32Array>).write(host[i] as Float32Array);
      }
      return result;
    };
    const p = ctx.ordered(run);
    if (OUTPUTS[name].some((i) => isDeviceArray(args[i]))) ctx.setBarrier(p);
    return p;
  };

  const onGpu = (name: NativeName, args: unknown[]): Promise<unknown> => {
    const spec = SPECS[name] as NativeSpec<NativeName>;
    // Shape checks first (BAD_ARGUMENT naming the argument), on stand-ins for device arrays.
    (shapeChecks[name] as (...a: unknown[]) => unknown)(...args.map((a) => (isDeviceArray(a) ? standIn(a) : a)));
    (HOST_DATA_CHECKS[name] as ((cpu: CpuKernels, a: GpuArgs) => void) | undefined)?.(cpu, args);
    for (const a of args) {
      if (isDeviceArray(a) && !(a instanceof GpuDeviceArray)) throw badArgument('device array belongs to another backend');
    }
    const hostOnly = !args.some(isDeviceArray);
    const work = DESCRIPTORS[name].work(args);
    if (work === 0 || (hostOnly && work < threshold)) return onCpu(name, args);
    return ctx.ordered(() => {
      const outs = outputs(name, args);
      const names = ARG_NAMES[name];
      // Input i is output o itself, a device array the program reads in place ("out may alias x").
      const inPlace = (i: number, o: number) => {
        const a = args[i], out = args[o];
        return ALIASES[name].some(([x, y]) => x === i && y === o) && a instanceof GpuDeviceArray
          && out instanceof GpuDeviceArray && a.overlaps(out) && a.begin === out.begin;
      };
      // WebGPU forbids binding one buffer both writable and readable in a dispatch.
      for (const [o] of outs) {
        const out = args[o];
        if (!(out instanceof GpuDeviceArray)) continue;
        args.forEach((a, i) => {
          if (i !== o && a instanceof GpuDeviceArray && a.overlaps(out) && !inPlace(i, o)) {
            throw badArgument(`${names[o]} must not overlap ${names[i]}`);
          }
        });
      }
      // Two outputs in one buffer would be two writable bindings of it, which WebGPU rejects.
      for (const [o1] of outs) {
        for (const [o2] of outs) {
          const a = args[o1], b = args[o2];
          if (o1 < o2 && a instanceof GpuDeviceArray && b instanceof GpuDeviceArray && a.sharesBuffer(b)) {
            throw badArgument(`${names[o1]} and ${names[o2]} must be separate device arrays on webgpu, not parts of one`);
          }
        }
      }
      const call = ctx.call();
      const refs: GpuRef[] = [];
      const readWrite = new Map<number, number>(); // host arrays read and written: index → elements read
      for (const [i, len] of spec.inputs?.(args as never) ?? arraysOf(name, args, false)) {
        const a = args[i] as Arr;
        if (outs.some(([o]) => o === i)) { // read and written (rope's x): one read-write binding, below
          if (!(a instanceof GpuDeviceArray)) readWrite.set(i, len);
          continue;
        }
        if (outs.some(([o]) => inPlace(i, o))) continue; // the program reads the output binding
        const sharesOutput = a instanceof GpuDeviceArray
          && outs.some(([o]) => args[o] instanceof GpuDeviceArray && (args[o] as GpuDeviceArray<Float32Array>).sharesBuffer(a));
        refs[i] = sharesOutput ? call.copyOf(a.ref(), len) : call.input(a, len);
      }
      for (const [i, len] of outs) {
        const n = readWrite.get(i);
        if (n === undefined) {
          refs[i] = call.output(args[i] as Arr, len); // a device array is bound where it lies
        } else { // a host array: its scratch buffer is filled first, and copied back when done
          refs[i] = call.output(args[i] as Arr, len);
          ctx.device.queue.writeBuffer(refs[i].buffer, refs[i].offset * 4, args[i] as Float32Array, 0, n);
        }
      }
      const finish = spec.encode(call, refs, args as never);
      if (name !== 'topK') return call.finish(finish);
      const out = args[3] as I32Arg;
      const p = call.finish(finish).then((order) => {
        if (isDeviceArray(out)) out.write(order as Int32Array);
        else out.set(order as Int32Array);
      });
      if (isDeviceArray(out)) ctx.setBarrier(p);
      return p;
    });
  };

  for (const name of Object.keys(OUTPUTS) as KernelName[]) {
    fns[name] = native.has(name)
      ? (...args) => { try { return onGpu(name as NativeName, args); } catch (e) { return Promise.reject(e); } }
      : (...args) => { try { return onCpu(name, args); } catch (e) { return Promise.reject(e); } };
  }

  return {
    ...(fns as KernelMethods),
    cpu: false,
    backend: 'webgpu',
    variant: 'gpu',
    native: [...WEBGPU_NATIVE],
    device: ctx.handle.adapterName,
    allocF32: (length: number) => ctx.alloc<Float32Array>('f32', checkInt('length', length, 0)),
    allocI32: (length: number) => ctx.alloc<Int32Array>('i32', checkInt('length', length, 0)),
    [DECODE_STEP]: ((spec) => GpuDecoder.create(ctx, checkDecodeStepSpec(spec))) satisfies DecodeStepFactory,
  } as Kernels;
}

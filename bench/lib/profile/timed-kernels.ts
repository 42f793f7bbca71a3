/**
 * Kernels that time every call while `on` (wall clock, JS side, per kernel name): the profiles
 * wrap the wasm kernels with this and print where a model's time goes.
 */
import { KERNEL_NAMES, type CpuKernels } from '../../../src/kernels/kernels.js';

export interface TimedKernels {
  kernels: CpuKernels;
  /** Per kernel: milliseconds spent and calls made while timing was on. */
  spent: Map<string, { ms: number; calls: number }>;
  setTiming(on: boolean): void;
}

export function timedKernels(base: CpuKernels): TimedKernels {
  const spent = new Map<string, { ms: number; calls: number }>();
  let on = false;
  const k = Object.create(base) as CpuKernels;
  for (const name of KERNEL_NAMES) {
    const fn = (base as unknown as Record<string, (...a: unknown[]) => unknown>)[name].bind(base);
    (k as unknown as Record<string, unknown>)[name] = (...a: unknown[]) => {
      if (!on) return fn(...a);
      const t = performance.now();
      const r = fn(...a);
      const e = spent.get(name) ?? { ms: 0, calls: 0 };
      e.ms += performance.now() - t; e.calls++;
      spent.set(name, e);
      return r;
    };
  }
  return { kernels: k, spent, setTiming: (v) => { on = v; } };
}

/** Print each kernel's share of `totalMs`, largest first, `per` units (tokens or steps). */
export function printProfile(spent: Map<string, { ms: number; calls: number }>, totalMs: number, per: number, unit: string): void {
  let inKernels = 0;
  for (const [name, e] of [...spent.entries()].sort((a, b) => b[1].ms - a[1].ms)) {
    inKernels += e.ms;
    console.log(`  ${name.padEnd(24)} ${(e.ms / per).toFixed(3)} ms/${unit}  ${(100 * e.ms / totalMs).toFixed(1)}%  ${(e.calls / per).toFixed(2)} calls/${unit}`);
  }
  console.log(`  ${'outside kernels'.padEnd(24)} ${((totalMs - inKernels) / per).toFixed(3)} ms/${unit}  ${(100 * (totalMs - inKernels) / totalMs).toFixed(1)}%`);
}

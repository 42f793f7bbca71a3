/**
 * Passing kernel arguments two ways: 'plain' typed arrays (the wasm backend copies them in and
 * out on every call) and 'resident' arrays from kernels.allocF32/allocI32 (passed in place).
 * Every differential test runs both, since they take different paths through the bindings.
 */
import type { CpuKernels } from '../../src/kernels/kernels.js';

export type Placement = 'plain' | 'resident';
export const PLACEMENTS: readonly Placement[] = ['plain', 'resident'];

type Typed = Float32Array | Int32Array;

/**
 * Calls fn with arrays holding copies of `inputs`, placed as asked; returns fn's result and a
 * copy of every array's contents after the call (outputs included). Resident arrays are
 * allocated first and viewed afterwards (allocation may grow memory and detach older views),
 * and are freed before returning.
 */
export function runPlaced<T extends readonly Typed[], R>(
  k: CpuKernels, placement: Placement, inputs: T, fn: (...arrays: { [I in keyof T]: T[I] }) => R,
): { result: R; after: { [I in keyof T]: T[I] } } {
  if (placement === 'plain') {
    const arrays = inputs.map((a) => a.slice()) as unknown as { [I in keyof T]: T[I] };
    const result = fn(...arrays);
    return { result, after: arrays };
  }
  const resident = inputs.map((a) => (a instanceof Int32Array ? k.allocI32(a.length) : k.allocF32(a.length)));
  try {
    const views = resident.map((r, i) => {
      const v = r.view();
      v.set(inputs[i] as never);
      return v;
    }) as unknown as { [I in keyof T]: T[I] };
    const result = fn(...views);
    const after = resident.map((r) => r.view().slice()) as unknown as { [I in keyof T]: T[I] };
    return { result, after };
  } finally {
    for (const r of resident) r.dispose();
  }
}

/**
 * Counting what a piece of GPU work costs: dispatches (by wrapping GpuCall.dispatch for the
 * duration of `fn`) and submissions (GpuContext.submissions). Batched programs are judged by
 * these counts, since timings on a software adapter say nothing about a GPU.
 */
import { GpuCall, type GpuContext } from '../../src/backends/webgpu/gpu-context.js';
import type { GpuProgram } from '../../src/backends/webgpu/program.js';

export interface GpuCounts {
  /** Dispatches with at least one workgroup. */
  dispatches: number;
  /** Of those, the ones whose program's cache key starts with `prefix` (0 without one). */
  matching: number;
  submissions: number;
}

/** Run `fn` and count its dispatches (those of programs whose cache key starts with `prefix` too). */
export async function countGpuWork(ctx: GpuContext, fn: () => unknown, prefix?: string): Promise<GpuCounts> {
  const original = GpuCall.prototype.dispatch;
  let dispatches = 0, matching = 0;
  GpuCall.prototype.dispatch = function (this: GpuCall, ...args: Parameters<GpuCall['dispatch']>) {
    if (args[3] > 0) {
      dispatches++;
      if (prefix !== undefined && (args[0] as GpuProgram).cacheKey.startsWith(prefix)) matching++;
    }
    return original.apply(this, args);
  };
  const s0 = ctx.submissions;
  try {
    await fn();
  } finally {
    GpuCall.prototype.dispatch = original;
  }
  return { dispatches, matching, submissions: ctx.submissions - s0 };
}

/**
 * describeBackends: which backends this runtime can load, and which kernels each implements
 * natively (the rest fall back to the reference). Reports and `sparse-inference info` print it.
 */
import type { BackendName, KernelName } from '../kernels/kernels.js';
import { createKernels } from './create-kernels.js';
import { checkOptions } from '../core/options.js';

/** What each backend would give in this runtime, and which kernels it really implements. */
export interface BackendReport {
  backend: BackendName;
  available: boolean;
  variant?: string;
  native: KernelName[];
  reason?: string;
}

/**
 * Try each backend here. `{ webgpu: false }` leaves the GPU stack unloaded (in Node, Dawn
 * prints Vulkan warnings on machines without a GPU) and reports webgpu as not probed.
 * @example (await describeBackends({ webgpu: false })).map((b) => b.backend) // ['reference', 'wasm', 'webgpu']
 */
export async function describeBackends(options: { webgpu?: boolean } = {}): Promise<BackendReport[]> {
  const { webgpu = true } = checkOptions('describeBackends options', options, ['webgpu']);
  const reports: BackendReport[] = [];
  for (const backend of ['reference', 'wasm'] as const) {
    try {
      const k = await createKernels({ backend });
      reports.push({ backend, available: true, variant: k.variant, native: [...k.native] });
    } catch (e) {
      reports.push({ backend, available: false, native: [], reason: (e as Error).message });
    }
  }
  if (webgpu === false) {
    reports.push({ backend: 'webgpu', available: false, native: [], reason: 'not probed (WebGPU was not requested)' });
    return reports;
  }
  try {
    const g = await createKernels({ backend: 'webgpu' });
    reports.push({ backend: 'webgpu', available: true, variant: g.variant, native: [...g.native] });
  } catch (e) {
    reports.push({ backend: 'webgpu', available: false, native: [], reason: (e as Error).message });
  }
  return reports;
}

/**
 * Entry of the shared WebGPU suite for Deno and Chromium: bundled by esbuild (see
 * webgpu-runtimes.test.ts), it runs every case on the webgpu backend and reports the
 * outcomes — printed as one JSON line (Deno) and stored in `globalThis.__webgpuSuite`
 * (the browser page).
 */
import { createKernels } from '../../src/backends/create-kernels.js';
import { runSuite, SUITE, type CaseOutcome } from '../differential/suite.js';

export interface RuntimeReport {
  ok: boolean;
  /** Set when the backend did not load (e.g. no adapter). */
  error?: string;
  backend?: string;
  device?: string;
  cases: string[];
  outcomes: CaseOutcome[];
}

async function main(): Promise<RuntimeReport> {
  const cases = SUITE.map((c) => c.name);
  try {
    const k = await createKernels({ backend: 'webgpu', cpuThreshold: 0 });
    const outcomes = await runSuite(k);
    return { ok: true, backend: k.backend, device: k.device, cases, outcomes };
  } catch (e) {
    return { ok: false, error: String((e as Error)?.stack ?? e), cases, outcomes: [] };
  }
}

const g = globalThis as { Deno?: unknown; __webgpuSuite?: RuntimeReport };
void main().then((report) => {
  if (g.Deno) console.log(JSON.stringify(report));
  else g.__webgpuSuite = report;
});

/**
 * What this runtime offers the library: which JavaScript runtime it is, whether WebAssembly
 * SIMD and relaxed SIMD validate, whether WebGPU has an adapter, and what each kernel backend
 * really implements. Used by `sparse-inference info`, the report's backends section and its
 * metadata; works unchanged in Node, Deno and browsers.
 */
import { createKernels } from '../backends/create-kernels.js';
import { describeBackends, type BackendReport } from '../backends/describe-backends.js';
import { wasmSupport } from '../backends/wasm/loader.js';
import { acquireGpu } from '../backends/webgpu/device.js';
import { badArgument } from '../core/errors.js';
import { checkOptions } from '../core/options.js';
import { describe } from '../core/validate.js';

export interface RuntimeInfo {
  name: 'node' | 'deno' | 'bun' | 'browser' | 'unknown';
  version: string;
  /** OS/architecture where known (e.g. 'linux x64'), or the browser's user agent. */
  platform: string;
}

export interface WebGpuInfo {
  available: boolean;
  /** Adapter description when available. */
  adapter?: string;
  /** Why not, when unavailable. */
  reason?: string;
}

export interface EnvironmentReport {
  runtime: RuntimeInfo;
  wasm: { available: boolean; simd: boolean; relaxedSimd: boolean };
  webgpu: WebGpuInfo;
  backends: BackendReport[];
  /** What createKernels() (backend 'auto') picks here. */
  defaultBackend: { backend: string; variant: string };
}

/** Identify the JavaScript runtime (Deno and Bun also define `process`, so test them first). */
export function detectRuntime(): RuntimeInfo {
  const g = globalThis as Record<string, any>;
  if (g.Deno?.version?.deno) {
    return { name: 'deno', version: g.Deno.version.deno, platform: `${g.Deno.build?.os ?? '?'} ${g.Deno.build?.arch ?? '?'}` };
  }
  if (g.Bun?.version) return { name: 'bun', version: g.Bun.version, platform: `${g.process?.platform} ${g.process?.arch}` };
  if (g.process?.versions?.node) {
    return { name: 'node', version: g.process.versions.node, platform: `${g.process.platform} ${g.process.arch}` };
  }
  const ua: string | undefined = g.navigator?.userAgent;
  if (ua && typeof g.document !== 'undefined') {
    const m = /(Firefox|Edg|Chrome|Version)\/([\d.]+)/.exec(ua);
    const engine = m ? (m[1] === 'Version' ? 'Safari' : m[1] === 'Edg' ? 'Edge' : m[1]) : 'browser';
    return { name: 'browser', version: m ? `${engine} ${m[2]}` : 'unknown', platform: ua };
  }
  return { name: 'unknown', version: 'unknown', platform: 'unknown' };
}

/**
 * Is a WebGPU adapter obtainable? Asks the webgpu backend's own device acquisition
 * (navigator.gpu in browsers and Deno; the optional `webgpu` package, Dawn, in Node), so the
 * report probes the same way the backend runs — and keeps Dawn's GPU object alive, which Dawn
 * needs (it crashes if that object is collected while a device lives). Never throws.
 */
export async function detectWebGpu(timeoutMs = 5000): Promise<WebGpuInfo> {
  try {
    const handle = await acquireGpu(timeoutMs);
    return { available: true, adapter: handle.adapterName };
  } catch (e) {
    return { available: false, reason: (e as Error).message };
  }
}

let webgpuOnce: Promise<WebGpuInfo> | undefined;

export interface DescribeEnvironmentOptions {
  /**
   * Probe for a WebGPU adapter (default true). Probing loads the GPU stack — in Node the
   * optional `webgpu` package (Dawn), which prints Vulkan warnings on machines without a GPU —
   * so callers that did not ask about WebGPU pass false and get `{ available: false,
   * reason: 'not probed' }`.
   */
  webgpu?: boolean;
}

/** The answer when WebGPU was not asked about. */
export const WEBGPU_NOT_PROBED = 'not probed (WebGPU was not requested)';

/**
 * Everything above in one object.
 * @example
 * const env = await describeEnvironment();
 * env.wasm.simd          // true in Node ≥ 16, Deno, current browsers
 * env.defaultBackend     // { backend: 'wasm', variant: 'simd' }
 * await describeEnvironment({ webgpu: false })  // no GPU stack loaded, nothing printed
 */
export async function describeEnvironment(options: DescribeEnvironmentOptions = {}): Promise<EnvironmentReport> {
  const { webgpu: probe = true } = checkOptions('options', options, ['webgpu']);
  if (typeof probe !== 'boolean') throw badArgument(`options.webgpu must be a boolean, got ${describe(probe)}`);
  // An adapter probe is slow-ish and its answer does not change: once per process.
  const gpu = probe ? (webgpuOnce ??= detectWebGpu()) : Promise.resolve({ available: false, reason: WEBGPU_NOT_PROBED });
  const [backends, webgpu, kernels] = await Promise.all([describeBackends({ webgpu: probe }), gpu, createKernels()]);
  const w = wasmSupport();
  return {
    runtime: detectRuntime(),
    wasm: { available: w.wasm, simd: w.simd, relaxedSimd: w.relaxedSimd },
    webgpu,
    backends,
    defaultBackend: { backend: kernels.backend, variant: kernels.variant },
  };
}

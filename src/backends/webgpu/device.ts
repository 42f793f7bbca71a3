/**
 * WebGPU device acquisition in every runtime the library supports:
 * - browsers and Deno: `navigator.gpu` (Chromium on Linux needs `--enable-unsafe-webgpu`;
 *   headless Chromium can use SwiftShader with `--use-webgpu-adapter=swiftshader`);
 * - Node: the optional `webgpu` package (Dawn), imported dynamically so that bundles and
 *   installs without it still work. Dawn needs a Vulkan loader (Debian: libvulkan1) and a
 *   driver; without a GPU, SwiftShader from Debian's chromium package works:
 *   `VK_ICD_FILENAMES=/usr/lib/chromium/vk_swiftshader_icd.json`.
 *
 * When no adapter can be had, `acquireGpu` throws SparseInferenceError('UNAVAILABLE') whose
 * message lists every reason found, so `createKernels({ backend: 'webgpu' })` says why.
 */
import { SparseInferenceError } from '../../core/errors.js';
import type { GpuAdapter, GpuDevice, GpuLike } from './gpu-types.js';

/** A device ready for the backend, with what reports need to know about it. */
export interface GpuHandle {
  device: GpuDevice;
  /** Human-readable adapter name, e.g. 'NVIDIA H100 80GB HBM3 (nvidia, hopper)'. */
  adapterName: string;
  /** Where it came from: 'navigator.gpu' or "the 'webgpu' package (Dawn)". */
  source: string;
  /**
   * The GPU object the device came from. Held on purpose: with Dawn in Node, collecting it
   * destroys the native instance under a live device (a crash, not an error).
   */
  gpu: GpuLike;
  /** The limits the device was created with (binding sizes matter for large weights). */
  maxStorageBufferBindingSize: number;
  maxBufferSize: number;
}

interface Found { gpu: GpuLike | null; source: string; reasons: string[] }

function isNode(): boolean {
  const g = globalThis as { process?: { versions?: { node?: string } }; Deno?: unknown };
  return typeof g.process?.versions?.node === 'string' && g.Deno === undefined;
}

/** The runtime's GPU entry point, or the reasons there is none. Never throws. */
async function findGpu(): Promise<Found> {
  const reasons: string[] = [];
  const nav = (globalThis as { navigator?: { gpu?: GpuLike } }).navigator;
  if (nav?.gpu) return { gpu: nav.gpu, source: 'navigator.gpu', reasons };
  if (!isNode()) {
    reasons.push('navigator.gpu is not present (a browser without WebGPU, Chromium on Linux without '
      + '--enable-unsafe-webgpu, or a page that is not a secure context)');
    return { gpu: null, source: 'navigator.gpu', reasons };
  }
  reasons.push('navigator.gpu is not present in Node');
  let mod: { create?: (flags: string[]) => GpuLike };
  try {
    const name = 'webgpu'; // a variable, so bundlers and tsc leave this optional dependency alone
    mod = await import(/* @vite-ignore */ name) as typeof mod;
  } catch (e) {
    reasons.push(`the optional 'webgpu' package (Dawn) could not be loaded: ${(e as Error).message.split('\n')[0]}`
      + ' (npm install webgpu)');
    return { gpu: null, source: "the 'webgpu' package (Dawn)", reasons };
  }
  if (typeof mod.create !== 'function') {
    reasons.push("the 'webgpu' package has no create() export");
    return { gpu: null, source: "the 'webgpu' package (Dawn)", reasons };
  }
  return { gpu: mod.create([]), source: "the 'webgpu' package (Dawn)", reasons };
}

function describeAdapter(a: GpuAdapter): string {
  const i = a.info ?? {};
  const name = i.description || i.device || 'unnamed adapter';
  const more = [i.vendor, i.architecture].filter((s) => s).join(', ');
  return more ? `${name} (${more})` : name;
}

function noAdapterHint(source: string): string {
  if (source.startsWith("the 'webgpu'")) {
    return 'Dawn found no adapter: it needs a Vulkan loader (Debian: apt-get install libvulkan1) and a driver; '
      + 'without a GPU set VK_ICD_FILENAMES=/usr/lib/chromium/vk_swiftshader_icd.json (SwiftShader, from the chromium package)';
  }
  return 'requestAdapter() returned null (no usable GPU or software adapter; Deno: install a Vulkan driver, e.g. mesa-vulkan-drivers)';
}

let pending: Promise<GpuHandle> | null = null;

/**
 * The process-wide WebGPU device (created once; created again after a device loss).
 * Throws UNAVAILABLE listing why when no adapter exists.
 */
export function acquireGpu(timeoutMs = 10_000): Promise<GpuHandle> {
  if (!pending) {
    pending = open(timeoutMs);
    pending.catch(() => { pending = null; }); // a later call may succeed (driver installed, flag set)
  }
  return pending;
}

async function open(timeoutMs: number): Promise<GpuHandle> {
  const found = await findGpu();
  if (!found.gpu) throw unavailable(found.reasons);
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<null>((done) => { timer = setTimeout(() => done(null), timeoutMs); });
  let adapter: GpuAdapter | null;
  try {
    adapter = await Promise.race([found.gpu.requestAdapter({ powerPreference: 'high-performance' }), timeout]);
  } catch (e) {
    throw unavailable([...found.reasons, `requestAdapter() failed: ${(e as Error).message}`]);
  } finally {
    clearTimeout(timer);
  }
  if (!adapter) throw unavailable([...found.reasons, noAdapterHint(found.source)]);
  // Large weights (a 14336×4096 float32 matrix is 235 MB) need more than the default 128 MiB
  // binding: ask for whatever the adapter allows.
  const maxStorageBufferBindingSize = adapter.limits.maxStorageBufferBindingSize;
  const maxBufferSize = adapter.limits.maxBufferSize;
  let device: GpuDevice;
  try {
    device = await adapter.requestDevice({ requiredLimits: { maxStorageBufferBindingSize, maxBufferSize } });
  } catch (e) {
    throw unavailable([...found.reasons, `requestDevice() failed on ${describeAdapter(adapter)}: ${(e as Error).message}`]);
  }
  const handle: GpuHandle = {
    device, gpu: found.gpu, adapterName: describeAdapter(adapter), source: found.source,
    maxStorageBufferBindingSize: device.limits.maxStorageBufferBindingSize,
    maxBufferSize: device.limits.maxBufferSize,
  };
  void device.lost.then(() => { if (pending) pending = null; });
  return handle;
}

function unavailable(reasons: string[]): SparseInferenceError {
  return new SparseInferenceError('UNAVAILABLE', `webgpu backend unavailable: ${reasons.join('; ')}`);
}

/** Is a WebGPU adapter obtainable here? Resolves to null, or to the reason it is not. */
export async function webgpuMissing(): Promise<string | null> {
  try {
    await acquireGpu();
    return null;
  } catch (e) {
    return (e as Error).message;
  }
}

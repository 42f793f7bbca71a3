/**
 * Can this runtime run the wasm-threads backend? It needs SharedArrayBuffer and Atomics (in a
 * browser: a cross-origin-isolated page, i.e. served with `Cross-Origin-Opener-Policy:
 * same-origin` and `Cross-Origin-Embedder-Policy: require-corp`), and a WebAssembly engine that
 * accepts the shared-memory SIMD build (threads + SIMD proposals: Node ≥ 16, Deno, Chrome ≥ 91,
 * Firefox ≥ 89, Safari ≥ 16.4). Workers are checked when they are started.
 */
import { SIMD_SHARED_WASM_BASE64 } from '../wasm/binary.js';

/** The embedded shared-memory build's bytes. */
export function sharedBuildBytes(): Uint8Array<ArrayBuffer> {
  const bin = atob(SIMD_SHARED_WASM_BASE64);
  const bytes = new Uint8Array(bin.length);
  for (let i = 0; i < bin.length; i++) bytes[i] = bin.charCodeAt(i);
  return bytes;
}

/**
 * Null when the runtime can run shared-memory wasm kernels, else the reason it cannot.
 * @example parallelMissing() // null in Node 20
 */
export function parallelMissing(): string | null {
  const g = globalThis as { crossOriginIsolated?: boolean };
  if (typeof WebAssembly !== 'object') return 'this runtime has no WebAssembly';
  if (typeof SharedArrayBuffer !== 'function' || typeof Atomics !== 'object' || g.crossOriginIsolated === false) {
    return 'SharedArrayBuffer is unavailable (a browser page must be cross-origin isolated: '
      + 'serve it with Cross-Origin-Opener-Policy: same-origin and Cross-Origin-Embedder-Policy: require-corp)';
  }
  if (!WebAssembly.validate(sharedBuildBytes())) {
    return 'this runtime rejects the shared-memory SIMD wasm build (it lacks WebAssembly threads or SIMD)';
  }
  return null;
}

/**
 * Loading the peer libraries the `peers` suite measures against (TensorFlow.js' wasm backend,
 * onnxruntime-web, ml-kmeans). They are development dependencies, not dependencies: an installed
 * copy of sparse-inference runs the suite and reports them as skipped.
 *
 * The import specifier is a variable on purpose, so bundlers that pack this library do not try
 * to resolve (and fail on) packages their users never installed; a browser page that wants the
 * peers bundles them itself and hands the modules in (see bench/runners/browser-page.mjs).
 */
import { SparseInferenceError } from '../../../src/core/errors.js';

/** import(name) without letting a bundler see the name. */
export async function importPeer(name: string): Promise<Record<string, unknown>> {
  const specifier = name;
  try {
    return await import(/* @vite-ignore */ /* webpackIgnore: true */ specifier) as Record<string, unknown>;
  } catch (e) {
    throw new SparseInferenceError('UNAVAILABLE', `${name} is not installed here (it is a devDependency: npm install)`,
      { cause: e });
  }
}

/**
 * The folder holding a package's entry file (where tfjs-backend-wasm and onnxruntime-web keep
 * their .wasm files), as a file: URL ending in '/', or null where modules cannot be resolved by
 * name (a browser without an import map).
 */
export function packageDistUrl(name: string): string | null {
  const resolve = (import.meta as { resolve?: (s: string) => string }).resolve;
  if (typeof resolve !== 'function') return null;
  try {
    const entry = resolve(name);
    return entry.slice(0, entry.lastIndexOf('/') + 1);
  } catch {
    return null;
  }
}

/** A file: URL as a local path (what Emscripten's Node file loader wants); other URLs unchanged. */
export function urlToLocalPath(url: string): string {
  return url.startsWith('file:') ? decodeURIComponent(new URL(url).pathname) : url;
}

/** The error's message, for a "skipped: why" note. */
export function reason(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

// The page side of `npm run bench:browser`: bundled by esbuild together with the library and suites built into build/bench/ and
// the peer libraries (browser.mjs builds it), served from 127.0.0.1 and driven by playwright.
// The driver calls window.runBench(config); results go back as the promise's value, progress
// through window.__benchProgress (exposed by the driver).
import * as lib from '../../build/bench/bench/lib/index.js';
import * as tfjsCore from '@tensorflow/tfjs-core';
import * as tfjsBackendWasm from '@tensorflow/tfjs-backend-wasm';
import * as onnxruntimeWeb from 'onnxruntime-web';
import * as mlKmeans from 'ml-kmeans';
import { runSuites } from './run-suites.mjs';

/**
 * @param {{ suites: string[], quick: boolean, clock?: 'wall', wasmPaths: { tfjs: string, ort: string } }} config
 */
window.runBench = async (config) => {
  const peers = {
    modules: { tfjsCore, tfjsBackendWasm, onnxruntimeWeb, mlKmeans },
    wasmPaths: config.wasmPaths,
  };
  const results = await runSuites(lib, config.suites, {
    quick: config.quick,
    clock: config.clock,
    suiteOptions: { peers },
    onProgress: (suite, fraction, label) => window.__benchProgress?.(suite, fraction, label),
  });
  // The wall clock here is performance.now(), whose resolution depends on isolation (5 µs when
  // cross-origin isolated, 100 µs otherwise): say which one the numbers had.
  for (const r of results) {
    r.notes.push(`browser clock: performance.now(), crossOriginIsolated = ${globalThis.crossOriginIsolated === true}`);
  }
  return JSON.parse(JSON.stringify(results));
};
window.__benchReady = true;

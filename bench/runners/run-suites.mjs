// Runs named benchmark suites of the built package (dist/) and returns their results. The
// same code runs in Node, in Deno and in the browser page, so the three runtimes measure the
// very same suites; only where results go and what is known about the machine differ.

/** The suites every runtime runs (the cross-runtime table): kernels and the peer comparison. */
export const CROSS_RUNTIME_SUITES = ['kernels', 'peers'];

/**
 * @param {{ suites: Record<string, (opts?: object) => Promise<object>> }} lib - dist/index.js
 * @param {string[]} names - suite names (keys of lib.suites)
 * @param {{ quick?: boolean, clock?: 'cpu' | 'wall', suiteOptions?: Record<string, object>,
 *   onProgress?: (suite: string, fraction: number, label: string) => void,
 *   onResult?: (result: object) => void | Promise<void> }} [opts]
 * @returns {Promise<object[]>} one SuiteResult per name, in order
 */
export async function runSuites(lib, names, opts = {}) {
  for (const name of names) {
    if (!Object.hasOwn(lib.suites, name)) {
      throw new Error(`unknown suite '${name}' (suites: ${Object.keys(lib.suites).join(', ')})`);
    }
  }
  const results = [];
  for (const name of names) {
    const result = await lib.suites[name]({
      quick: opts.quick ?? false,
      ...(opts.clock ? { clock: opts.clock } : {}),
      onProgress: (fraction, label) => opts.onProgress?.(name, fraction, label),
      ...(opts.suiteOptions?.[name] ?? {}),
    });
    await opts.onResult?.(result);
    results.push(result);
  }
  return results;
}

/**
 * Fuzz suite over the public entry points (src/index.ts and every subpath barrel): each callable
 * export gets 12 calls whose first argument no export accepts and 48 whose arguments are all
 * drawn from the hostile set (fast-check; see hostile-values.ts), in a child process under a
 * watchdog (fuzz-driver.ts), and each call is classified: SparseInferenceError ('clean'), a
 * documented result, bad input accepted, another error (TypeError, RangeError, ...), NaN in the
 * result, a WebAssembly trap, or a hang (blocked, unsettled, or over the memory limit).
 *
 * Passing means: every called export answers every hostile call with a SparseInferenceError or
 * its documented result (policy.ts) — any accepted bad input, other error, NaN, trap or hang
 * fails, for every export. (A normal return to an all-hostile call is not "accepted": those
 * arguments may happen to be valid.) It prints how many exports it covered and the ones deliberately left
 * out, with reasons.
 */
import { expect, it } from 'vitest';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { fuzzExports } from './fuzz-driver.js';
import { countBy, formatTable, worstByExport } from './summarize.js';
import { DOCUMENTED, LEFT_OUT, METHODS_DOCUMENTED } from './policy.js';

const SRC = fileURLToPath(new URL('../../src/', import.meta.url));

it('every public export survives hostile input (prints coverage and the outcome table)', async () => {
  const t0 = Date.now();
  const run = await fuzzExports({ root: SRC, callsPerExport: 12, anyCallsPerExport: 48, leftOut: LEFT_OUT, seed: 14 });
  const constants = run.exports.filter((e) => e.kind === 'value').map((e) => e.name);
  const worst = worstByExport(run.results, DOCUMENTED);
  const lines = [
    `fuzz: ${run.exports.length} exports; covered ${worst.size}, left out ${constants.length + Object.keys(LEFT_OUT).length} (${run.results.length} calls, ${((Date.now() - t0) / 1000).toFixed(0)} s)`,
    `left out: ${constants.length} constants, nothing to call (${constants.join(', ')})`,
    ...Object.entries(LEFT_OUT).map(([n, why]) => `left out: ${n}: ${why}`),
    formatTable('exports by worst outcome:', countBy(worst.values(), (r) => r.outcome)),
    formatTable('calls by outcome, never-valid first argument:', countBy(run.results.filter((r) => r.mode !== 'any'), (r) => r.outcome)),
    formatTable('calls by outcome, every argument hostile (a normal return may be valid input):', countBy(run.results.filter((r) => r.mode === 'any'), (r) => r.outcome)),
  ];
  const unexpected = [...worst.values()]
    .filter((r) => r.outcome !== 'clean' && r.outcome !== 'documented')
    .map((r) => `${r.outcome} ${r.name}(${r.args.join(', ')}): ${r.detail}`);
  console.log(lines.join('\n'));
  expect(worst.size + Object.keys(LEFT_OUT).length + constants.length).toBe(run.exports.length);
  expect(unexpected).toEqual([]);
}, 170_000);

// Public methods of live instances of the exported classes (instance-methods.ts): the same two
// modes and the same bar. Methods TypeScript declares private are left out (not public API).
it('public methods of live instances survive hostile input', async () => {
  const run = await fuzzExports({
    root: fileURLToPath(new URL('./', import.meta.url)), entryPoints: ['instance-methods.ts'],
    callsPerExport: 12, anyCallsPerExport: 48, leftOut: {}, seed: 14,
  });
  const worst = worstByExport(run.results, METHODS_DOCUMENTED);
  console.log([
    `fuzz (methods): ${worst.size} public methods of ${new Set([...worst.keys()].map((n) => n.split('.')[0])).size} classes (${run.results.length} calls)`,
    formatTable('methods by worst outcome:', countBy(worst.values(), (r) => r.outcome)),
  ].join('\n'));
  // 136 before the sync/async twins were folded into one async method each (select/selectAsync/
  // selectSteps, observe/observeAsync/observeSteps, …): the same surface in fewer methods.
  // 157 since the hosted components (bound through model.use, and unbound) joined; 153 since
  // the per-layer hooks (setStrategies, getStrategies, ExactAttention) were removed.
  expect(worst.size).toBeGreaterThanOrEqual(153);
  const unexpected = [...worst.values()]
    .filter((r) => r.outcome !== 'clean' && r.outcome !== 'documented')
    .map((r) => `${r.outcome} ${r.name}(${r.args.join(', ')}): ${r.detail}`);
  expect(unexpected).toEqual([]);
}, 120_000);

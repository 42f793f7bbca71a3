/**
 * Fuzz suite over the public entry points (src/index.ts and every subpath barrel): each callable
 * export gets hostile calls (fast-check; see hostile-values.ts) in a child process under a
 * watchdog (fuzz-driver.ts), and each call is classified: SparseInferenceError ('clean'), a
 * documented result, bad input accepted, another error (TypeError, RangeError, ...), NaN in the
 * result, a WebAssembly trap, or a hang (blocked, unsettled, or over the memory limit).
 *
 * Passing means: no trap and no hang anywhere, and every export not in OPEN below gives only
 * clean errors or documented results. OPEN lists what is known to be wrong today, each with its
 * class; the suite prints entries that have since become clean so the list only shrinks.
 * It prints how many exports it covered and the ones deliberately left out, with reasons.
 */
import { expect, it } from 'vitest';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { fuzzExports } from './fuzz-driver.js';
import { countBy, formatTable, worstByExport } from './summarize.js';
import { OUTCOMES, type Outcome } from './protocol.js';
import { DOCUMENTED, LEFT_OUT, OPEN } from './policy.js';

const SRC = fileURLToPath(new URL('../../src/', import.meta.url));

it('every public export survives hostile input (prints coverage and the outcome table)', async () => {
  const t0 = Date.now();
  const run = await fuzzExports({ root: SRC, callsPerExport: 12, leftOut: LEFT_OUT, seed: 14 });
  const constants = run.exports.filter((e) => e.kind === 'value').map((e) => e.name);
  const worst = worstByExport(run.results, DOCUMENTED);
  const lines = [
    `fuzz: ${run.exports.length} exports; ${worst.size} called (${run.results.length} calls, ${((Date.now() - t0) / 1000).toFixed(0)} s)`,
    `left out: ${constants.length} constants (${constants.join(', ')})`,
    ...Object.entries(LEFT_OUT).map(([n, why]) => `left out: ${n}: ${why}`),
    formatTable('exports by worst outcome:', countBy(worst.values(), (r) => r.outcome)),
    formatTable('calls by outcome:', countBy(run.results, (r) => r.outcome)),
  ];
  const rank = (o: Outcome) => OUTCOMES.indexOf(o);
  const unexpected: string[] = [];
  const fixed: string[] = [];
  for (const [name, r] of worst) {
    const allowed = OPEN[name] ?? 'documented';
    if (rank(r.outcome) > rank(allowed) || r.outcome === 'trap' || r.outcome === 'hang') {
      unexpected.push(`${r.outcome} ${name}(${r.args.join(', ')}): ${r.detail}`);
    } else if (name in OPEN && rank(r.outcome) <= rank('documented')) fixed.push(name);
  }
  if (fixed.length > 0) lines.push(`now clean (remove from OPEN): ${fixed.join(', ')}`);
  console.log(lines.join('\n'));
  expect(worst.size + Object.keys(LEFT_OUT).length + constants.length).toBe(run.exports.length);
  expect(unexpected).toEqual([]);
}, 170_000);

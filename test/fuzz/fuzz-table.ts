/**
 * The fuzz suite's tables for any checkout, for before/after comparisons:
 *   npx tsx test/fuzz/fuzz-table.ts <path to a src/ folder> [calls per export, default 12] ['any' calls, default 0]
 * Prints exports by worst outcome, calls by outcome (per mode), and every export worse than
 * documented. The before/after comparison in docs/architecture.md uses the first mode only.
 * (The other checkout needs its generated src/backends/wasm/binary.ts: npm run build:wasm.)
 */
import { resolve } from 'node:path';
import { fuzzExports } from './fuzz-driver.js';
import { countBy, formatTable, worstByExport } from './summarize.js';
import { DOCUMENTED, LEFT_OUT } from './policy.js';

const root = resolve(process.argv[2] ?? 'src') + '/';
const calls = Number(process.argv[3] ?? 12);
const anyCalls = Number(process.argv[4] ?? 0);
const t0 = Date.now();
const run = await fuzzExports({ root, callsPerExport: calls, anyCallsPerExport: anyCalls, leftOut: LEFT_OUT, seed: 14 });
const worst = worstByExport(run.results, DOCUMENTED);
console.log(`${root}: ${run.exports.length} exports, ${worst.size} called, ${run.results.length} calls, ${((Date.now() - t0) / 1000).toFixed(1)} s`);
console.log(formatTable('exports by worst outcome', countBy(worst.values(), (r) => r.outcome)));
console.log(formatTable('calls by outcome (never-valid first argument)', countBy(run.results.filter((r) => r.mode !== 'any'), (r) => r.outcome)));
if (anyCalls > 0) console.log(formatTable('calls by outcome (every argument hostile)', countBy(run.results.filter((r) => r.mode === 'any'), (r) => r.outcome)));
for (const r of worst.values()) {
  if (r.outcome !== 'clean' && r.outcome !== 'documented') console.log(`${r.outcome.padEnd(9)} ${r.name}(${r.args.join(', ')}): ${r.detail}`);
}

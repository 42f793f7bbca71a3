/**
 * Side by side with the authors' R package ABMRS (EBARS at commit 16dda3d) on identical data:
 * triceps (fixed k = 2, linear; and the same with 20 added to y), the sawtooth curve (cubic,
 * free k, trimmed MSE against the truth) and mcycle (cubic, free k). Reports knot means and 95%
 * intervals at the modal k, mean k, trimmed MSE and iterations per second (per chain: chains
 * run one after another on one thread on both sides).
 *
 *   npx tsx scripts/knots/abmrs-compare.ts OUT_DIR ABMRS_LIB [--quick]
 * (triceps from $TRICEPS_CSV, default ../shared/data/triceps.csv)
 * (scripts/knots/abmrs-compare.sh builds the package and runs this.)
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { fitKnots, type KnotFitOptions } from '../../src/knots/fit-knots.js';
import { parseNumericCsv } from '../../src/knots/read-csv.js';
import { curveData, trimmedMse } from '../../src/knots/generators/curves.js';
import { MCYCLE_ACCEL, MCYCLE_TIMES } from '../../src/knots/data/mcycle.js';
import { createKernels } from '../../src/backends/create-kernels.js';

const [outDir, lib] = process.argv.slice(2);
const quick = process.argv.includes('--quick');
if (!outDir || !lib) throw new Error('usage: abmrs-compare.ts OUT_DIR ABMRS_LIB [--quick]');
mkdirSync(outDir, { recursive: true });
const burns = quick ? 1000 : 5000, steps = quick ? 1000 : 5000, chains = 2;

interface DataSet { name: string; x: ArrayLike<number>; y: ArrayLike<number>; degree: number; k: number; n: number; test?: { x: Float64Array; f: Float64Array } }
const tri = parseNumericCsv(readFileSync(process.env.TRICEPS_CSV ?? '../shared/data/triceps.csv', 'utf8'), 'triceps.csv', ['age', 'lntriceps'], 10);
const saw = curveData('sawtooth', 500, 200, 2024);
const sets: DataSet[] = [
  { name: 'triceps', x: tri.data.age, y: tri.data.lntriceps, degree: 1, k: 2, n: 1000 },
  { name: 'triceps, y + 20', x: tri.data.age, y: tri.data.lntriceps.map((v) => v + 20), degree: 1, k: 2, n: 1000 },
  { name: 'sawtooth', x: saw.x, y: saw.y, degree: 3, k: -1, n: 1000, test: { x: saw.xTest, f: saw.fTest } },
  { name: 'mcycle', x: MCYCLE_TIMES, y: MCYCLE_ACCEL, degree: 3, k: -1, n: 2 * MCYCLE_TIMES.length },
];
const csv = (cols: Record<string, ArrayLike<number>>) => {
  const names = Object.keys(cols);
  const len = cols[names[0]].length;
  return names.join(',') + '\n' + Array.from({ length: len }, (_, i) => names.map((c) => cols[c][i]).join(',')).join('\n') + '\n';
};
const settingsRows = ['name\tfile\tdegree\tk\tn\tgamma\tburns\tsteps\tchains\ttest'];
sets.forEach((s, i) => {
  writeFileSync(join(outDir, `data${i}.csv`), csv({ x: s.x, y: s.y }));
  if (s.test) writeFileSync(join(outDir, `test${i}.csv`), csv({ x: s.test.x, f: s.test.f }));
  settingsRows.push([s.name, `data${i}.csv`, s.degree, s.k, s.n, 1, burns, steps, chains, s.test ? `test${i}.csv` : ''].join('\t'));
});
writeFileSync(join(outDir, 'settings.tsv'), settingsRows.join('\n') + '\n');

interface Row { name: string; meanK: number; modeK: number; knotMean: number[]; knotLo: number[]; knotHi: number[]; trimmedMse: number | null; itPerSec: number }
const kernels = await createKernels({ backend: 'wasm' });
async function ours(s: DataSet, extra: KnotFitOptions): Promise<Row> {
  const fit = await fitKnots(s.x, s.y, {
    degree: s.degree, k: s.k > 0 ? s.k : undefined, candidates: s.n, gamma: 1, c: 0.3, burnIn: burns, iterations: steps,
    chains, parallel: false, seed: 7, kernels, draws: 1000, ...extra,
  });
  const pk = fit.kPosterior();
  let meanK = 0;
  pk.forEach((p, k) => { meanK += p * k; });
  const ks = fit.knotSummary();
  const lo = ks.quantiles[0], hi = ks.quantiles[ks.quantiles.length - 1]; // 2.5% and 97.5%
  return {
    name: s.name, meanK, modeK: ks.k, knotMean: Array.from(ks.mean), knotLo: Array.from(lo), knotHi: Array.from(hi),
    trimmedMse: s.test ? trimmedMse(fit.predict(s.test.x), s.test.f) : null, itPerSec: fit.timing.iterationsPerSecond,
  };
}
const oursRows: Row[] = [], authorsModelRows: Row[] = [];
for (const s of sets) {
  oursRows.push(await ours(s, {}));
  authorsModelRows.push(await ours(s, { marginal: 'large-m', moves: 'prior-free', nearProposals: false }));
  console.error(`ours: ${s.name} done`);
}
execFileSync('Rscript', [fileURLToPath(new URL('./abmrs-compare.R', import.meta.url)), outDir, lib], { stdio: ['ignore', 'inherit', 'inherit'] });
const theirs: Row[] = readFileSync(join(outDir, 'abmrs-results.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as Row);

const f = (v: number, d = 2) => v.toFixed(d);
const knots = (r: Row) => r.knotMean.length > 6 ? `${r.knotMean.length} knots` : r.knotMean.map((m, i) => `${f(m)} [${f(r.knotLo[i])}, ${f(r.knotHi[i])}]`).join('; ');
const lines = [
  `Settings: γ = 1, c = 0.3, ${chains} chains × (${burns} burn-in + ${steps}) each, run one after another on one thread; n candidates as listed.`,
  '',
  '| data | method | knots at the modal k: mean [2.5%, 97.5%] | mean k | trimmed MSE | it/s |',
  '|---|---|---|---|---|---|',
];
sets.forEach((s, i) => {
  for (const [label, r] of [['ours (default)', oursRows[i]], ["ours, authors' model (large-m, prior-free)", authorsModelRows[i]], ['ABMRS 16dda3d', theirs[i]]] as const) {
    lines.push(`| ${s.name} (${s.degree === 1 ? 'linear' : 'cubic'}, ${s.k > 0 ? `k = ${s.k}` : 'free k'}, n = ${s.n}) | ${label} | ${knots(r)} | ${f(r.meanK)} | ${r.trimmedMse === null ? '—' : f(r.trimmedMse, 3)} | ${Math.round(r.itPerSec).toLocaleString('en-US')} |`);
  }
});
console.log(lines.join('\n'));
writeFileSync(join(outDir, 'table.md'), lines.join('\n') + '\n');

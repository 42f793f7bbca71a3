#!/usr/bin/env node
/**
 * Start-up time and peak RSS of the CLI, two builds in alternation (not part of the package):
 * each round runs `node A/cli/main.js ARGS…` then `node B/cli/main.js ARGS…` under
 * /usr/bin/time and records wall seconds and maximum resident set size. Prints the median and
 * range of each, and the median of the per-round ratios B/A (the machine is shared and noisy, so
 * only same-round ratios mean much).
 *
 *   node scripts/cli-startup-ab.mjs /tmp/before/dist dist 10 -- --help
 *   node scripts/cli-startup-ab.mjs /tmp/before/dist dist 10 -- llama generate --model M --tokenizer T --tokens 1
 */
import { spawnSync } from 'node:child_process';
import { resolve } from 'node:path';

const argv = process.argv.slice(2);
const sep = argv.indexOf('--');
if (sep !== 3) throw new Error('usage: cli-startup-ab.mjs DIST_A DIST_B ROUNDS -- CLI ARGS…');
const [distA, distB, roundsArg] = argv;
const args = argv.slice(sep + 1);
const rounds = Number(roundsArg);

/** One run: wall seconds and peak RSS in MB, from GNU time's "%e %M" on the last stderr line. */
function once(dist) {
  const r = spawnSync('/usr/bin/time', ['-f', '%e %M', process.execPath, resolve(dist, 'cli/main.js'), ...args], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`${dist}: exit ${r.status}: ${r.stderr}`);
  const [seconds, kb] = r.stderr.trim().split('\n').at(-1).split(' ').map(Number);
  return { seconds, mb: kb / 1024 };
}

const median = (xs) => { const s = [...xs].sort((a, b) => a - b); const m = s.length >> 1; return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2; };
const a = [], b = [];
once(distA); once(distB); // warm the file cache
for (let i = 0; i < rounds; i++) {
  a.push(once(distA));
  b.push(once(distB));
}
const show = (name, runs) => {
  const t = runs.map((r) => r.seconds), m = runs.map((r) => r.mb);
  console.log(`${name}: wall ${median(t).toFixed(2)} s (${Math.min(...t).toFixed(2)}–${Math.max(...t).toFixed(2)}), ` +
    `peak RSS ${median(m).toFixed(1)} MB (${Math.min(...m).toFixed(1)}–${Math.max(...m).toFixed(1)})`);
};
console.log(`sparse-inference ${args.join(' ')}: ${rounds} rounds, alternating`);
show(`A ${distA}`, a);
show(`B ${distB}`, b);
console.log(`B/A per round, median: wall ${median(a.map((r, i) => b[i].seconds / r.seconds)).toFixed(3)}, ` +
  `RSS ${median(a.map((r, i) => b[i].mb / r.mb)).toFixed(3)}`);

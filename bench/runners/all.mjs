#!/usr/bin/env node
// `npm run bench:all`: the cross-runtime suites (kernels, peers) in Node, Deno and headless
// Chromium at --quick size (the runtime matrix, like with like), then Node at full size (the
// numbers the targets are judged on), then merge.mjs → bench/results/summary.json and
// docs/benchmarks.md. `npm run bench:all` builds dist/ first; this script does not.
//
// About 4–6 minutes on the 2-core development machine under load. A runtime that is not
// installed (no deno binary, no Chromium) is skipped with a message; the merge still runs.
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { pathToFileURL } from 'node:url';
import { repoRoot } from './common.mjs';
import { chromiumPath } from './browser.mjs';

export const USAGE = `Usage: node bench/runners/all.mjs [--quick-only] [--full] [--out DIR]

Run the kernels and peers suites in node, deno and browser, then merge all results into
bench/results/summary.json and docs/benchmarks.md.

Options:
  --quick-only  Skip the full-size Node run (only the quick runtime matrix, ~2 minutes)
  --full        Full size in every runtime (no quick runs; ~10 minutes or more)
  --out DIR     Where results go (default: bench/results)
  -h, --help    Show this help
`;

export const denoPath = join(repoRoot, 'node_modules', '.bin', 'deno');

/** The runner commands bench:all runs, in order: [label, command, args, missing-reason | null]. */
export function plan({ quickOnly = false, full = false, out } = {}) {
  const size = full ? [] : ['--quick'];
  const o = out ? ['--out', out] : [];
  const steps = [
    ['node', process.execPath, [join(repoRoot, 'bench/runners/node.mjs'), ...size, ...o], null],
    ['deno', denoPath, ['run', '--no-lock', '--allow-read', '--allow-write', '--allow-env', '--allow-sys',
      join(repoRoot, 'bench/runners/deno.mjs'), ...size, ...o], existsSync(denoPath) ? null : `${denoPath} not found (npm install)`],
    ['browser', process.execPath, [join(repoRoot, 'bench/runners/browser.mjs'), ...size, ...o],
      existsSync(chromiumPath) ? null : `${chromiumPath} not found (apt-get install -y chromium)`],
  ];
  if (!full && !quickOnly) steps.push(['node (full size)', process.execPath, [join(repoRoot, 'bench/runners/node.mjs'), ...o], null]);
  steps.push(['merge', process.execPath, [join(repoRoot, 'bench/runners/merge.mjs'), ...(out ? ['--results', out] : [])], null]);
  return steps;
}

function run(command, args) {
  return new Promise((done) => {
    const child = spawn(command, args, { cwd: repoRoot, stdio: 'inherit', env: { ...process.env, NO_COLOR: '1' } });
    child.on('error', (e) => { process.stderr.write(`${e.message}\n`); done(1); });
    child.on('exit', (code, signal) => done(code ?? (signal ? 1 : 0)));
  });
}

export async function main(argv) {
  let values;
  try {
    ({ values } = parseArgs({ args: argv, options: {
      'quick-only': { type: 'boolean', default: false }, full: { type: 'boolean', default: false },
      out: { type: 'string' }, help: { type: 'boolean', short: 'h', default: false },
    } }));
  } catch (e) {
    process.stderr.write(`${e.message}\n\n${USAGE}`);
    return 2;
  }
  if (values.help) { process.stdout.write(USAGE); return 0; }
  const failed = [];
  const t0 = Date.now();
  for (const [label, command, args, missing] of plan({ quickOnly: values['quick-only'], full: values.full, out: values.out })) {
    if (missing) { process.stderr.write(`\n== ${label}: skipped — ${missing}\n`); continue; }
    process.stderr.write(`\n== ${label} (${((Date.now() - t0) / 1000).toFixed(0)} s)\n`);
    const code = await run(command, args);
    if (code !== 0) failed.push(`${label} (exit ${code})`);
  }
  process.stderr.write(`\nbench:all done in ${((Date.now() - t0) / 60000).toFixed(1)} min${failed.length ? `; failed: ${failed.join(', ')}` : ''}\n`);
  return failed.length > 0 ? 1 : 0;
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  process.exitCode = await main(process.argv.slice(2));
}

// Shared pieces of the Node-side runners (node.mjs, deno.mjs under Deno's Node compatibility,
// browser.mjs): arguments, the dist/ check, what is known about the machine, progress, and
// writing results. Nothing here runs in the browser page.
import { parseArgs } from 'node:util';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { cpus, loadavg, totalmem } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { CROSS_RUNTIME_SUITES } from './run-suites.mjs';

export const repoRoot = fileURLToPath(new URL('../../', import.meta.url));
/** The runners load the library together with the repository's suites, built by `npm run build:bench`. */
export const distIndex = join(repoRoot, 'build', 'bench', 'bench', 'lib', 'index.js');

/** Usage text of a runner (`runtime`: node, deno, browser). */
export function usage(runtime, command) {
  return `Usage: ${command} [suite ...] [--quick] [--out DIR] [--clock cpu|wall]

Run benchmark suites from the built package (dist/) in ${runtime} and write
DIR/<suite>-${runtime}.json (quick runs: .quick.json). Default suites: ${CROSS_RUNTIME_SUITES.join(', ')}.

Options:
  --quick      Smaller shapes and fewer samples
  --out DIR    Where results go (default: bench/results)
  --clock C    'cpu' (process CPU time; Node and Deno) or 'wall' (performance.now);
               default: cpu where the runtime has process.cpuUsage, else wall
  -h, --help   Show this help
`;
}

/** Parse a runner's arguments; throws with a one-line message on bad usage. */
export function parseRunnerArgs(argv) {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      quick: { type: 'boolean', default: false },
      out: { type: 'string', default: join(repoRoot, 'bench', 'results') },
      clock: { type: 'string' },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
  if (values.clock !== undefined && values.clock !== 'cpu' && values.clock !== 'wall') {
    throw new Error(`--clock must be 'cpu' or 'wall', not '${values.clock}'`);
  }
  return {
    suites: positionals.length > 0 ? positionals : CROSS_RUNTIME_SUITES,
    quick: values.quick, out: values.out, clock: values.clock, help: values.help,
  };
}

/** Newest modification time (ms) of the files under dir with one of the extensions. */
function newestMtime(dir, exts) {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, entry.name);
    if (entry.isDirectory()) newest = Math.max(newest, newestMtime(p, exts));
    else if (exts.some((e) => entry.name.endsWith(e))) newest = Math.max(newest, statSync(p).mtimeMs);
  }
  return newest;
}

/**
 * Is dist/ there, and at least as new as src/? Returns null when fine, else the problem
 * ({ fatal: true } when dist/ is missing).
 */
export function distProblem() {
  if (!existsSync(distIndex)) {
    return { fatal: true, message: `${distIndex} is missing: build first (npm run build:bench)` };
  }
  const built = statSync(distIndex).mtimeMs;
  const src = newestMtime(join(repoRoot, 'src'), ['.ts']);
  if (src > built + 1000) {
    return { fatal: false, message: 'dist/ is older than src/ — measuring the last build; run `npm run build:bench` to measure the current source' };
  }
  return null;
}

/** What the results should say about the machine they were measured on. */
export function machineInfo() {
  const c = cpus();
  return {
    cpu: c[0]?.model?.trim() ?? 'unknown',
    cores: c.length,
    memoryGiB: Math.round(totalmem() / 2 ** 30),
    loadavg1: Number(loadavg()[0].toFixed(2)),
  };
}

/** A one-line progress display on stderr (rewritten in place on a terminal). */
export function progressPrinter(prefix) {
  const tty = Boolean(process.stderr.isTTY);
  let last = '';
  return {
    update(suite, fraction, label) {
      const line = `${prefix} ${suite} ${(100 * fraction).toFixed(0).padStart(3)}% ${label}`;
      if (tty) process.stderr.write(`\r${line.slice(0, 120).padEnd(120)}`);
      else if (Math.floor(fraction * 4) !== Math.floor(Number(last) * 4) || fraction === 1) process.stderr.write(`${line}\n`);
      last = String(fraction);
    },
    done() { if (tty) process.stderr.write('\r'.padEnd(122) + '\r'); },
  };
}

/**
 * Attach the machine (load average at the start and end of the run) and the runner to a
 * result, then write it with the library's writer (DIR/<suite>-<runtime>[.quick].json).
 */
export async function writeWithMachine(lib, result, out, { machineAtStart, runner }) {
  const end = machineInfo();
  result.machine = { ...machineAtStart, loadavg1End: end.loadavg1 };
  result.runner = runner;
  if (result.suite === 'peers') result.peerVersions = peerVersions();
  return lib.writeResult(result, out);
}

/** The packages the peers suite measures against, as installed in node_modules. */
export const PEER_PACKAGES = ['@tensorflow/tfjs-core', '@tensorflow/tfjs-backend-wasm', 'onnxruntime-web', 'ml-kmeans'];

/** Installed versions of the peer packages (missing ones are left out). */
export function peerVersions() {
  const out = {};
  for (const name of PEER_PACKAGES) {
    try {
      out[name] = JSON.parse(readFileSync(join(repoRoot, 'node_modules', ...name.split('/'), 'package.json'), 'utf8')).version;
    } catch { /* not installed: the suite notes say it was skipped */ }
  }
  return out;
}

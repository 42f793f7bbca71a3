#!/usr/bin/env node
// `npm run bench:node`: the cross-runtime suites (kernels, peers) in Node, from dist/.
// Also runs under Deno unchanged (deno.mjs is this file with Deno's permissions and label).
import { pathToFileURL } from 'node:url';
import { distIndex, distProblem, machineInfo, parseRunnerArgs, progressPrinter, usage, writeWithMachine } from './common.mjs';
import { runSuites } from './run-suites.mjs';

/**
 * Run the suites in this process and write their results. Returns the exit code.
 * @param {string[]} argv
 * @param {{ runtime: string, command: string, runner: string }} who
 */
export async function main(argv, who = { runtime: 'node', command: 'node bench/runners/node.mjs', runner: 'bench/runners/node.mjs' }) {
  let args;
  try {
    args = parseRunnerArgs(argv);
  } catch (e) {
    process.stderr.write(`${e.message}\n\n${usage(who.runtime, who.command)}`);
    return 2;
  }
  if (args.help) { process.stdout.write(usage(who.runtime, who.command)); return 0; }
  const problem = distProblem();
  if (problem?.fatal) { process.stderr.write(`${problem.message}\n`); return 1; }
  if (problem) process.stderr.write(`warning: ${problem.message}\n`);

  const lib = await import(pathToFileURL(distIndex).href);
  const machineAtStart = machineInfo();
  const progress = progressPrinter(who.runtime);
  await runSuites(lib, args.suites, {
    quick: args.quick, clock: args.clock,
    onProgress: (s, f, l) => progress.update(s, f, l),
    onResult: async (result) => {
      progress.done();
      const file = await writeWithMachine(lib, result, args.out, { machineAtStart, runner: who.runner });
      process.stdout.write(`${lib.formatTable(result)}wrote ${file}\n\n`);
    },
  });
  return 0;
}

const isMain = (globalThis.Deno ? import.meta.main : process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href);
if (isMain) process.exitCode = await main(process.argv.slice(2));

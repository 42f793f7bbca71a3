/**
 * `npm run bench -- [suite] [--quick] [--json] [--out DIR] [--check]`: run the repository's
 * benchmark suites (bench/lib/suites), print a table (or JSON) with same-run ratios and
 * their targets, and, with --out, write each result to DIR/<suite>-<runtime>.json.
 */
import type { CliCommand } from '../../src/cli/command.js';
import { CliUsageError, parseArgs } from '../../src/cli/args.js';
import { createProgressBar } from '../../src/cli/progress.js';
import { suites } from './suites/index.js';
import { formatTable, writeResult, type Clock, type SuiteResult } from './harness.js';

export const benchCommand: CliCommand = {
  name: 'bench',
  summary: 'Run the benchmark suites and check speed targets (same-run ratios)',
  usage: `Usage: npm run bench -- [suite] [--quick] [--json] [--out DIR] [--check] [--clock cpu|wall]

Run a benchmark suite (or, with no suite named, every suite) and print each task's median
time, interquartile range, GB/s and GFLOP/s, then the ratios measured in the same run
(speed-ups over the reference backend, bandwidth as a fraction of a streaming read over a
64 MB buffer) with their targets. Machines are noisy: compare ratios, not absolute times.

Suites: ${Object.keys(suites).join(', ')}

Options:
  --quick      Smaller shapes and fewer samples (minutes → seconds); results say QUICK
  --json       Print the result as JSON (one object; an array when running every suite)
  --out DIR    Write DIR/<suite>-<runtime>.json (quick runs: .quick.json); without
               it nothing is written (\`npm run bench\` passes --out bench/results)
  --check      Exit with code 1 when any ratio misses its target
  --clock C    Time samples by 'cpu' (process CPU time, the default where available:
               excludes time spent descheduled on a busy machine) or 'wall'
  -h, --help   Show this help
`,
  async run(args, ctx) {
    const { values, positionals } = parseArgs(args, {
      options: {
        quick: { type: 'boolean' },
        json: { type: 'boolean' },
        check: { type: 'boolean' },
        out: { type: 'string' },
        clock: { type: 'string', choices: ['cpu', 'wall'] },
      },
      positionals: { max: 1 },
    });
    const names = positionals.length > 0 ? positionals : Object.keys(suites);
    for (const n of names) {
      if (!Object.hasOwn(suites, n)) {
        throw new CliUsageError(`unknown suite '${n}' (suites: ${Object.keys(suites).join(', ')})`);
      }
    }
    const results: SuiteResult[] = [];
    for (const n of names) {
      const bar = createProgressBar(ctx, `bench ${n}`);
      let result: SuiteResult;
      try {
        result = await suites[n]({
          quick: values.quick, onProgress: bar, signal: ctx.signal, clock: values.clock as Clock | undefined,
        });
      } finally {
        bar.done();
      }
      results.push(result);
      const file = values.out === undefined ? null : await writeResult(result, values.out);
      const wrote = file === null ? '' : `wrote ${file}\n`;
      if (!values.json) ctx.stdout(`${formatTable(result)}${wrote}\n`);
      else if (wrote) ctx.stderr(wrote);
    }
    if (values.json) ctx.stdout(JSON.stringify(positionals.length > 0 ? results[0] : results, null, 2) + '\n');
    const failed = results.flatMap((r) => r.ratios.filter((x) => x.pass === false).map((x) => `${r.suite}: ${x.name}`));
    if (failed.length > 0 && !values.json) ctx.stderr(`targets missed: ${failed.join('; ')}\n`);
    return values.check && failed.length > 0 ? 1 : 0;
  },
};

/**
 * The repository's benchmark command (`npm run bench -- [suite] [options]`): the suites and
 * their harness are a development tool, not part of the published package.
 */
import { processContext } from '../../src/cli/main.js';
import { runCli } from '../../src/cli/run-cli.js';
import { packageVersion } from '../../src/cli/version.js';
import { benchCommand } from './cli-command.js';

const { ctx, dispose } = processContext();
try {
  process.exitCode = await runCli(['bench', ...process.argv.slice(2)], ctx, [benchCommand], packageVersion);
} finally {
  dispose();
}

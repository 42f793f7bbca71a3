// `npm run bench:deno`: the cross-runtime suites in Deno, from the same dist/ build as Node.
// Run with: deno run --no-lock --allow-read --allow-write --allow-env --allow-sys bench/runners/deno.mjs
// (npm's local deno: node_modules/.bin/deno). Deno resolves the peers' npm packages from
// node_modules through package.json; Deno 2 has process.cpuUsage, so the CPU-time clock is
// available here as in Node.
import { main } from './node.mjs';

if (import.meta.main) {
  process.exitCode = await main(process.argv.slice(2), {
    runtime: 'deno',
    command: 'deno run --no-lock --allow-read --allow-write --allow-env --allow-sys bench/runners/deno.mjs',
    runner: 'bench/runners/deno.mjs',
  });
}

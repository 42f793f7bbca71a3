// Builds only what is out of date, so `npm install && npm start` (or `npm test`) builds once:
// `npm install` already ran the build through `prepare`. dist/ is rebuilt when any source under
// src/ or assembly/ (or the build scripts) is newer than dist/index.js; with --bench, the
// benchmark build (build/bench/) likewise against src/ and bench/lib/.
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';

/** Newest modification time of the files under the given paths (0 when none exist). */
function newest(paths) {
  let t = 0;
  for (const p of paths) {
    if (!existsSync(p)) continue;
    const s = statSync(p);
    if (s.isDirectory()) t = Math.max(t, newest(readdirSync(p).map((f) => join(p, f))));
    else t = Math.max(t, s.mtimeMs);
  }
  return t;
}

function outOfDate(output, inputs) {
  return !existsSync(output) || newest(inputs) > statSync(output).mtimeMs;
}

function npmRun(script) {
  const r = spawnSync('npm', ['run', script], { stdio: 'inherit' });
  if (r.status !== 0) process.exit(r.status ?? 1);
}

const libraryInputs = ['src', 'assembly', 'asconfig.json', 'tsconfig.json', 'tsconfig.build.json', 'scripts/build-wasm.mjs', 'package.json'];
if (outOfDate('dist/index.js', libraryInputs)) npmRun('build');
if (process.argv.includes('--bench') && outOfDate('build/bench/bench/lib/index.js', [...libraryInputs, 'bench/lib', 'bench/tsconfig.json'])) {
  npmRun('build:bench');
}

// Knot chains on Web Workers under Deno, from the installed package in a bare folder (an import
// map points `sparse-inference` at it): one module worker per chain, records identical to the
// same chains on the calling thread there, and the source tree's chains in Node (to rounding).
import { it, expect, beforeAll } from 'vitest';
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { describeWithRuntime, repoRoot } from './harness.js';
import { installPackage, type InstalledPackage } from './installed-package.js';
import { expectSameChains, knotWorkersFromSource } from './knot-workers-oracle.js';

const deno = resolve(repoRoot, 'node_modules', '.bin', 'deno');
const missing = existsSync(deno) ? null : `deno not installed (${deno} missing; it is a devDependency: npm install)`;

describeWithRuntime('Deno: knot chains on Web Workers (installed package)', missing, () => {
  let pkg: InstalledPackage;
  beforeAll(async () => { pkg = await installPackage(); }, 240_000);

  it('runs one module worker per chain, with the in-thread and the Node records', async () => {
    const bare = await mkdtemp(join(tmpdir(), 'si-deno-knots-'));
    const dist = pathToFileURL(join(pkg.packageDir, 'dist')).href;
    await writeFile(join(bare, 'import_map.json'), JSON.stringify({
      imports: { 'sparse-inference': `${dist}/index.js`, 'sparse-inference/': `${dist}/` },
    }));
    const fixture = JSON.stringify(pathToFileURL(join(repoRoot, 'test/runtimes/fixtures/knot-workers.mjs')).href);
    await writeFile(join(bare, 'main.mjs'), `import * as lib from 'sparse-inference';
import * as knots from 'sparse-inference/knots/index.js';
import { knotWorkers } from ${fixture};
console.log(JSON.stringify(await knotWorkers(lib, knots)));
`);
    const r = await new Promise<{ code: number; out: string; err: string }>((done) => {
      execFile(deno, ['run', '--no-lock', '--quiet', '--allow-read', '--import-map', 'import_map.json', 'main.mjs'],
        { cwd: bare, timeout: 120_000, maxBuffer: 1 << 26, env: { ...process.env, NO_COLOR: '1' } },
        (error, out, err) => done({ code: error ? (typeof error.code === 'number' ? error.code : 1) : 0, out, err }));
    });
    expect(r.code, r.err).toBe(0);
    const got = JSON.parse(r.out.trim().split('\n').pop()!) as Awaited<ReturnType<typeof knotWorkersFromSource>>;
    expect(got.workers).toBe(3);
    expect(got.finished).toBe(3);
    expect(got.parallel).toEqual(got.sequential);
    expectSameChains(got.sequential, (await knotWorkersFromSource()).sequential);
  }, 180_000);
});

// The installed package under Deno, from a bare folder (no package.json or node_modules beside
// the script): an import map points `sparse-inference` at the installed files. The wasm SIMD
// kernels agree with the reference, and one call per family gives the source tree's numbers.
import { it, expect, beforeAll } from 'vitest';
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { describeWithRuntime, expectMatchesReference, repoRoot, type SmokeResult } from './harness.js';
import { installPackage, type InstalledPackage } from './installed-package.js';
import { familiesFromSource } from './families-oracle.js';

const deno = resolve(repoRoot, 'node_modules', '.bin', 'deno');
const missing = existsSync(deno) ? null : `deno not installed (${deno} missing; it is a devDependency: npm install)`;

function runDeno(args: string[], cwd: string): Promise<{ code: number; out: string; err: string }> {
  return new Promise((done) => {
    execFile(deno, args, { cwd, timeout: 120_000, env: { ...process.env, NO_COLOR: '1' } }, (error, out, err) => {
      done({ code: error ? (typeof error.code === 'number' ? error.code : 1) : 0, out, err });
    });
  });
}

describeWithRuntime('Deno runtime (installed package, bare folder)', missing, () => {
  let pkg: InstalledPackage;
  beforeAll(async () => { pkg = await installPackage(); }, 240_000);

  it('runs wasm SIMD kernels and one call per family with the reference answers', async () => {
    const bare = await mkdtemp(join(tmpdir(), 'si-deno-bare-'));
    const dist = pathToFileURL(join(pkg.packageDir, 'dist')).href;
    await writeFile(join(bare, 'import_map.json'), JSON.stringify({
      imports: { 'sparse-inference': `${dist}/index.js`, 'sparse-inference/': `${dist}/` },
    }));
    const fixture = (f: string) => JSON.stringify(pathToFileURL(join(repoRoot, 'test/runtimes/fixtures', f)).href);
    await writeFile(join(bare, 'main.mjs'), `import * as lib from 'sparse-inference';
import * as kvcache from 'sparse-inference/kvcache/index.js';
import * as activations from 'sparse-inference/activations/index.js';
import * as knots from 'sparse-inference/knots/index.js';
import * as llama from 'sparse-inference/llama/index.js';
import * as plot from 'sparse-inference/plot/index.js';
import { smoke } from ${fixture('smoke.mjs')};
import { families } from ${fixture('families.mjs')};
const result = await smoke(lib);
const env = await lib.describeEnvironment();
const fam = await families({ '.': lib, './kvcache': kvcache, './activations': activations, './knots': knots, './llama': llama, './plot': plot });
console.log(JSON.stringify({ ...result, runtime: env.runtime, families: fam }));
`);
    const r = await runDeno(['run', '--no-lock', '--quiet', '--allow-read', '--import-map', 'import_map.json', 'main.mjs'], bare);
    expect(r.code, r.err).toBe(0);
    const result = JSON.parse(r.out.trim().split('\n').pop()!) as SmokeResult & { families: unknown };
    expect(result.runtime.name).toBe('deno');
    await expectMatchesReference(result);
    expect(result.families).toEqual(await familiesFromSource());
  }, 120_000);
});

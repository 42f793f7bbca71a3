// The packed package installed into a fresh project with --omit=dev --omit=optional, as a user
// gets it: the root and every subpath import in Node, one real call per family gives the same
// numbers as the source tree, and the installed CLI runs.
import { describe, expect, it, beforeAll } from 'vitest';
import { execFile } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { installPackage, type InstalledPackage } from './installed-package.js';
import { repoRoot } from './harness.js';
import { familiesFromSource } from './families-oracle.js';

export const SUBPATHS = ['.', './kvcache', './activations', './knots', './llama', './plot', './node'];

function run(cmd: string, args: string[], cwd: string): Promise<{ code: number; out: string; err: string }> {
  return new Promise((done) => {
    execFile(cmd, args, { cwd, timeout: 120_000 }, (error, out, err) => {
      done({ code: error ? (typeof error.code === 'number' ? error.code : 1) : 0, out, err });
    });
  });
}

let pkg: InstalledPackage;
beforeAll(async () => { pkg = await installPackage(); }, 240_000);

describe('installed package in Node', () => {
  it('has no runtime dependency and ships no benchmark harness, sources maps or tests', async () => {
    const manifest = JSON.parse(await (await import('node:fs/promises')).readFile(join(pkg.packageDir, 'package.json'), 'utf8'));
    expect(manifest.dependencies ?? {}).toEqual({});
    const { out } = await run('tar', ['-tzf', pkg.tarball], repoRoot);
    const files = out.trim().split('\n');
    expect(files.filter((f) => /bench|\.map$|\/test\/|\.ts$/.test(f) && !f.endsWith('.d.ts') && !/docs\/benchmarks\.md$/.test(f))).toEqual([]);
  });

  it('imports the root and every subpath, and one call per family matches the source tree', async () => {
    const script = join(pkg.project, 'families.mjs');
    await writeFile(script, `import { families } from ${JSON.stringify(pathToFileURL(join(repoRoot, 'test/runtimes/fixtures/families.mjs')).href)};
const entries = {};
for (const s of ${JSON.stringify(SUBPATHS)}) entries[s] = await import(s === '.' ? 'sparse-inference' : 'sparse-inference/' + s.slice(2));
const counts = Object.fromEntries(Object.entries(entries).map(([k, m]) => [k, Object.keys(m).length]));
console.log(JSON.stringify({ counts, result: await families(entries) }));
`);
    const r = await run('node', [script], pkg.project);
    expect(r.code, r.err).toBe(0);
    const { counts, result } = JSON.parse(r.out.trim().split('\n').pop()!);
    for (const s of SUBPATHS) expect(counts[s], s).toBeGreaterThan(3);
    expect(result).toEqual(await familiesFromSource());
    expect(result.ffnGap).toBeLessThan(1e-5);
    expect(new Set(result.codes.slice(0, 32)).size).toBe(1);
    expect(result.codes[0]).not.toBe(result.codes[63]);
  }, 120_000);

  it('the installed CLI answers --help and runs a command', async () => {
    const bin = join(pkg.project, 'node_modules', '.bin', 'sparse-inference');
    const help = await run(bin, ['--help'], pkg.project);
    expect(help.code, help.err).toBe(0);
    expect(help.out).toMatch(/Usage: sparse-inference <command>/);
    const info = await run(bin, ['info', '--json'], pkg.project);
    expect(info.code, info.err).toBe(0);
    expect(JSON.parse(info.out).runtime.name).toBe('node');
    expect(info.err).not.toMatch(/Dawn|Vulkan|warning/i);
  }, 60_000);
});

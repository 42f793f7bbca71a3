/**
 * The package as a user gets it: `npm pack` of this checkout, installed into a fresh temporary
 * project with `--omit=dev --omit=optional` (no devDependency, no WebGPU), so a test that
 * imports from there sees exactly the published files and dependencies.
 */
import { execFile } from 'node:child_process';
import { mkdtemp, readdir, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { repoRoot } from './harness.js';

export interface InstalledPackage {
  /** The temporary project the tarball was installed into. */
  project: string;
  /** node_modules/sparse-inference inside it. */
  packageDir: string;
  /** The tarball that was installed. */
  tarball: string;
}

function run(cmd: string, args: string[], cwd: string): Promise<string> {
  return new Promise((done, fail) => {
    execFile(cmd, args, { cwd, timeout: 180_000, maxBuffer: 1 << 24 }, (error, out, err) => {
      if (error) fail(new Error(`${cmd} ${args.join(' ')} failed in ${cwd}: ${err || error.message}`));
      else done(out);
    });
  });
}

/** Pack this checkout (its current dist/, no rebuild) and install the tarball into a new project. */
export async function installPackage(): Promise<InstalledPackage> {
  const root = await mkdtemp(join(tmpdir(), 'si-installed-'));
  await run('npm', ['pack', '--ignore-scripts', '--silent', '--pack-destination', root], repoRoot);
  const tarball = join(root, (await readdir(root)).find((f) => f.endsWith('.tgz'))!);
  const project = join(root, 'project');
  await run('mkdir', ['-p', project], root);
  await writeFile(join(project, 'package.json'), JSON.stringify({ name: 'user-project', private: true, type: 'module' }));
  await run('npm', ['install', '--omit=dev', '--omit=optional', '--no-audit', '--no-fund', '--ignore-scripts', tarball], project);
  return { project, packageDir: join(project, 'node_modules', 'sparse-inference'), tarball };
}

// The built executable (dist/cli/main.js, package.json "bin"), run as a real process.
import { describe, expect, it } from 'vitest';
import { execFile, spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';

const root = resolve(import.meta.dirname, '..', '..');
const main = resolve(root, 'dist/cli/main.js');
const pkg = JSON.parse(readFileSync(resolve(root, 'package.json'), 'utf8'));

function exec(cmd: string, args: string[]): Promise<{ code: number; out: string; err: string }> {
  return new Promise((done) => {
    execFile(cmd, args, { cwd: root, env: { ...process.env, npm_config_loglevel: 'error' } }, (error, out, err) => {
      done({ code: error ? (typeof error.code === 'number' ? error.code : 1) : 0, out, err });
    });
  });
}

describe('sparse-inference executable', () => {
  it('is built (run `npm run build`, which `npm test` does first)', () => {
    expect(existsSync(main), `${main} is missing: build with \`npm run build\``).toBe(true);
    expect(pkg.bin['sparse-inference']).toBe('./dist/cli/main.js');
    expect(readFileSync(main, 'utf8').split('\n')[0]).toBe('#!/usr/bin/env node');
    expect(statSync(main).mode & 0o111, 'dist/cli/main.js must be executable (scripts/chmod-bin.mjs, postbuild)').not.toBe(0);
  });

  it('prints the package version', async () => {
    expect(await exec(process.execPath, [main, '--version'])).toEqual({ code: 0, out: `${pkg.version}\n`, err: '' });
  });

  it('exits 2 with one stderr line for an unknown command', async () => {
    const r = await exec(process.execPath, [main, 'frobnicate']);
    expect(r.code).toBe(2);
    expect(r.out).toBe('');
    expect(r.err.trimEnd().split('\n')).toHaveLength(1);
  });

  it('info without --webgpu loads no GPU stack: nothing on stderr, no Dawn or Vulkan text', async () => {
    const r = await exec(process.execPath, [main, 'info']);
    expect(r.code).toBe(0);
    expect(r.err).toBe('');
    expect(r.out).toMatch(/webgpu\s+not probed \(pass --webgpu to probe it\)/);
    expect(r.out + r.err).not.toMatch(/vulkan|dawn|vkCreateInstance/i);
  });

  it('`npx sparse-inference info --json` reports wasm with SIMD', async () => {
    const r = await exec('npx', ['--no-install', 'sparse-inference', 'info', '--json']);
    expect(r.code, r.err).toBe(0);
    const env = JSON.parse(r.out);
    expect(env.version).toBe(pkg.version);
    expect(env.wasm).toMatchObject({ available: true, simd: true });
    expect(env.defaultBackend).toEqual({ backend: 'wasm', variant: 'simd' });
  });

  it('stops on Ctrl-C (SIGINT) with exit code 130 and a one-line reason', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'si-sigint-'));
    try {
      const child = spawn(process.execPath, [main, 'demo', '--quick', '--out', dir], { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] });
      let err = '';
      child.stderr.on('data', (d) => { err += d; });
      // The demo starts with the kernels benchmark, which checks the signal between tasks.
      setTimeout(() => child.kill('SIGINT'), 4000); // well after startup, well before the end
      const code = await new Promise<number | null>((done) => child.on('exit', (c) => done(c)));
      expect(code, err).toBe(130);
      expect(err).toContain('interrupted: stopping');
      expect(err).toMatch(/^sparse-inference demo: ABORTED: .*$/m);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  }, 60_000);
});

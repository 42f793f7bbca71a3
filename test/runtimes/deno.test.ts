// The built package under Deno: the wasm SIMD kernels load and agree with the reference.
import { it, expect } from 'vitest';
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { describeWithRuntime, expectDistBuilt, expectMatchesReference, repoRoot, type SmokeResult } from './harness.js';

const deno = resolve(repoRoot, 'node_modules', '.bin', 'deno');
const missing = existsSync(deno) ? null : `deno not installed (${deno} missing; it is a devDependency: npm install)`;

function runDeno(args: string[]): Promise<{ code: number; out: string; err: string }> {
  return new Promise((done) => {
    execFile(deno, args, { cwd: repoRoot, timeout: 120_000, env: { ...process.env, NO_COLOR: '1' } }, (error, out, err) => {
      done({ code: error ? (typeof error.code === 'number' ? error.code : 1) : 0, out, err });
    });
  });
}

describeWithRuntime('Deno runtime', missing, () => {
  it('runs wasm SIMD kernels from dist/ with the reference answers', async () => {
    expectDistBuilt();
    const r = await runDeno(['run', '--no-lock', '--quiet', 'test/runtimes/fixtures/deno-entry.mjs']);
    expect(r.code, r.err).toBe(0);
    const result = JSON.parse(r.out.trim().split('\n').pop()!) as SmokeResult;
    expect(result.runtime.name).toBe('deno');
    await expectMatchesReference(result);
  });
});

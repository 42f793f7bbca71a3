import { describe, expect, it } from 'vitest';
import { runCli } from '../../src/cli/run-cli.js';
import { commands } from '../../src/cli/main.js';
import { createKernels } from '../../src/backends/create-kernels.js';
import { KERNEL_NAMES } from '../../src/kernels/kernels.js';
import { fakeContext } from './fake-context.js';
import { packageVersion } from '../../src/cli/version.js';

async function info(args: string[]) {
  const ctx = fakeContext();
  const code = await runCli(['info', ...args], ctx, commands, () => '0.0.0');
  return { code, out: ctx.out, err: ctx.err };
}

describe('sparse-inference info', () => {
  it('--json reports the runtime, wasm SIMD and what each backend implements', async () => {
    const r = await info(['--json']);
    expect(r.code).toBe(0);
    expect(r.err).toBe('');
    const env = JSON.parse(r.out);
    expect(env.runtime).toMatchObject({ name: 'node', version: process.versions.node });
    // Node ≥ 16 validates 128-bit SIMD, so the SIMD build must be the one that loaded.
    expect(env.wasm).toMatchObject({ available: true, simd: true });
    expect(typeof env.wasm.relaxedSimd).toBe('boolean');
    const wasm = env.backends.find((b: { backend: string }) => b.backend === 'wasm');
    const kernels = await createKernels({ backend: 'wasm' });
    expect(wasm).toMatchObject({ available: true, variant: 'simd' });
    expect([...wasm.native].sort()).toEqual([...kernels.native].sort());
    const ref = env.backends.find((b: { backend: string }) => b.backend === 'reference');
    expect([...ref.native].sort()).toEqual([...KERNEL_NAMES].sort());
    expect(env.defaultBackend).toEqual({ backend: 'wasm', variant: 'simd' });
    expect(typeof env.webgpu.available).toBe('boolean');
    if (!env.webgpu.available) expect(env.webgpu.reason).toMatch(/webgpu|navigator\.gpu/i);
  });

  it('prints a readable table by default', async () => {
    const r = await info([]);
    expect(r.code).toBe(0);
    expect(r.out.startsWith(`sparse-inference ${packageVersion()}\n`)).toBe(true);
    expect(r.out).toContain(`node ${process.versions.node}`);
    expect(r.out).toMatch(/SIMD yes/);
    expect(r.out).toMatch(/wasm\s+simd\s+\d+\/\d+ kernels native/);
  });

  it('rejects stray arguments', async () => {
    expect(await info(['extra'])).toMatchObject({ code: 2, err: expect.stringMatching(/unexpected argument 'extra'/) });
  });
});

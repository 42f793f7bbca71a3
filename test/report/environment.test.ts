// The report's environment probe loads no GPU stack unless WebGPU is asked about, so machines
// without a GPU see no Dawn/Vulkan text from a plain `demo` or library call.
import { describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { resolve } from 'node:path';
import { describeEnvironment, WEBGPU_NOT_PROBED } from '../../src/report/environment.js';
import { describeBackends } from '../../src/backends/describe-backends.js';
import { SparseInferenceError } from '../../src/core/errors.js';
import { expectDistBuilt, repoRoot } from '../runtimes/harness.js';

function probeInChild(webgpu: boolean): { stderr: string; env: { webgpu: { available: boolean; reason?: string } } } {
  const lib = resolve(repoRoot, 'dist', 'index.js');
  const code = `const l = await import(${JSON.stringify(lib)}); const e = await l.describeEnvironment({ webgpu: ${webgpu} });`
    + ' console.log(JSON.stringify(e)); process.exit(0);';
  const r = spawnSync(process.execPath, ['--input-type=module', '-e', code], { encoding: 'utf8', timeout: 120_000 });
  expect(r.status, r.stderr).toBe(0);
  return { stderr: r.stderr, env: JSON.parse(r.stdout) };
}

describe('describeEnvironment({ webgpu })', () => {
  it('reports WebGPU as not probed, and the other backends as usual, when not asked', async () => {
    const env = await describeEnvironment({ webgpu: false });
    expect(env.webgpu).toEqual({ available: false, reason: WEBGPU_NOT_PROBED });
    expect(env.backends.map((b) => b.backend)).toEqual(['reference', 'wasm', 'webgpu']);
    expect(env.backends.find((b) => b.backend === 'webgpu')?.reason).toMatch(/not probed/);
    expect(env.backends.find((b) => b.backend === 'wasm')?.available).toBe(true);
    const all = await describeBackends({ webgpu: false });
    expect(all.slice(0, 2)).toEqual(env.backends.slice(0, 2));
  });

  it('rejects unknown and mistyped options', async () => {
    await expect(describeEnvironment({ webgpuu: false } as never)).rejects.toThrow(SparseInferenceError);
    await expect(describeEnvironment({ webgpu: 'no' } as never)).rejects.toThrow(/options\.webgpu must be a boolean/);
    await expect(describeBackends({ gpu: 1 } as never)).rejects.toThrow(/unknown option 'gpu'/);
  });

  it('prints nothing on stderr without the probe (and the probe itself is what prints, where it does)', () => {
    expectDistBuilt();
    const quiet = probeInChild(false);
    expect(quiet.stderr).toBe('');
    expect(quiet.env.webgpu.available).toBe(false);
    const probed = probeInChild(true);
    // Control: on a machine without a GPU, Dawn's warnings appear only when probing.
    if (!probed.env.webgpu.available && /Vulkan|Dawn/i.test(probed.stderr)) expect(quiet.stderr).not.toMatch(/Vulkan|Dawn/i);
    expect(probed.env.webgpu.reason ?? '').not.toBe(WEBGPU_NOT_PROBED);
  }, 240_000);
});

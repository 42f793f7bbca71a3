/**
 * `activations calibrate --out DIR` (a directory) exits with a clean BAD_FILE message naming the
 * path, before any calibration, and leaves no DIR.<pid>.tmp behind (issue regression); the
 * library's saveThresholds does the same for a directory or a missing folder.
 */
import { expect, it } from 'vitest';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { activationsCommand } from '../../src/cli/commands/activations.js';
import { runCli } from '../../src/cli/run-cli.js';
import { fakeContext } from '../cli/fake-context.js';
import { saveThresholds } from '../../src/activations/thresholds-node.js';
import type { ActivationThresholds } from '../../src/activations/thresholds.js';

it('calibrate --out DIR fails cleanly and leaves no temporary file', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'si-out-dir-'));
  try {
    const ctx = fakeContext();
    const code = await runCli(['activations', 'calibrate', '--model', join(dir, 'absent.bin'), '--tokenizer', 't', '--text', 'x',
      '--sparsity', '0.5', '--method', 'chess', '--out', dir], ctx, [activationsCommand], () => '0');
    expect(code).toBe(1);
    expect(ctx.err).toMatch(/BAD_FILE: cannot write thresholds to .*: it is a directory/);
    expect(ctx.err).not.toMatch(/internal error/);
    expect((await readdir(join(dir, '..'))).filter((f) => f.startsWith(`${dir.split('/').pop()}.`))).toEqual([]);

    const th = {} as ActivationThresholds; // never serialised: the target is refused first
    await expect(saveThresholds(dir, th)).rejects.toMatchObject({ code: 'BAD_FILE' });
    await expect(saveThresholds(join(dir, 'missing', 'th.json'), th)).rejects.toMatchObject({ code: 'BAD_FILE' });
    expect(await readdir(dir)).toEqual([]);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

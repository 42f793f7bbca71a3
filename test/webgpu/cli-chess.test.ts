/**
 * `llama generate --backend webgpu --ffn chess` on stories260K: the model hosts CHESS w/ (the
 * thresholds file has q/o inputs), which the WebGPU decode step runs inside its one submission
 * (test/webgpu/decode-step-gated-ffn.test.ts checks that the components are not called); the
 * greedy tokens must equal wasm's with the same thresholds (no tolerance on tokens: float
 * rounding must not flip a choice in 40 tokens here), and differ from the dense FFN's.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { describeWithShared } from '../_harness/shared-data.js';
import { describeWithRuntime } from '../runtimes/harness.js';
import { fakeContext } from '../cli/fake-context.js';
import { runCli } from '../../src/cli/run-cli.js';
import { llamaCommand } from '../../src/cli/commands/llama.js';
import { activationsCommand } from '../../src/cli/commands/activations.js';
import { webgpuMissing } from '../../src/backends/webgpu/device.js';

const run = async (args: string[]) => {
  const ctx = fakeContext();
  const code = await runCli(args, ctx, [llamaCommand, activationsCommand], () => '0.0.0');
  return { code, out: ctx.out, err: ctx.err };
};

const tmp = mkdtempSync(join(tmpdir(), 'webgpu-chess-cli-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

const missing = await webgpuMissing();

describeWithRuntime('llama generate --backend webgpu --ffn chess', missing, () => {
  describeWithShared('stories260K', ['models/stories260K.bin', 'models/tok512.bin', 'data/tinystories_sample.txt'], ([model, tokenizer, text]) => {
    const thresholds = join(tmp, 'chess.json');
    const gen = async (backend: string, extra: string[]) => {
      const r = await run(['llama', 'generate', '--model', model, '--tokenizer', tokenizer, '--temperature', '0', '--tokens', '40', '--json',
        '--backend', backend, ...extra]);
      expect(r.code, `${backend}: ${r.err}`).toBe(0);
      return JSON.parse(r.out) as { text: string; strategies?: string };
    };

    beforeAll(async () => {
      const th = await run(['activations', 'calibrate', '--model', model, '--tokenizer', tokenizer, '--text', text, '--out', thresholds,
        '--sparsity', '0.5', '--method', 'chess', '--tokens', '1000', '--backend', 'wasm']);
      expect(th.code, th.err).toBe(0);
    }, 120_000);

    it('the same 40 greedy tokens as wasm, and not the dense FFN\'s', async () => {
      const chess = ['--ffn', 'chess', '--thresholds', thresholds];
      const gpu = await gen('webgpu', chess), cpu = await gen('wasm', chess);
      expect(gpu.strategies).toMatch(/ffn CHESS w\//);
      expect(gpu.text).toBe(cpu.text);
      expect(gpu.text).not.toBe((await gen('wasm', [])).text);
    }, 600_000);
  });
});

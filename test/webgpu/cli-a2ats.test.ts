/**
 * `llama generate --backend webgpu --kv a2ats --ffn chess` on stories260K: the model hosts the
 * A²ATS retrieval cache (CLI default budget mode 'total') and CHESS w/, which the WebGPU decode
 * step runs inside its one submission (test/webgpu/decode-step-a2ats.test.ts checks that the
 * cache is not called); the greedy tokens must equal wasm's with the same codebooks and
 * thresholds (no tolerance on tokens: float rounding must not flip a choice in 80 tokens here),
 * and differ from the dense cache's (the selection is really used).
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
import { kvcacheCommand } from '../../src/cli/commands/kvcache.js';
import { activationsCommand } from '../../src/cli/commands/activations.js';
import { webgpuMissing } from '../../src/backends/webgpu/device.js';

const run = async (args: string[]) => {
  const ctx = fakeContext();
  const code = await runCli(args, ctx, [llamaCommand, kvcacheCommand, activationsCommand], () => '0.0.0');
  return { code, out: ctx.out, err: ctx.err };
};

const tmp = mkdtempSync(join(tmpdir(), 'webgpu-a2ats-cli-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

const missing = await webgpuMissing();

describeWithRuntime('llama generate --backend webgpu --kv a2ats --ffn chess', missing, () => {
  describeWithShared('stories260K', ['models/stories260K.bin', 'models/tok512.bin', 'data/tinystories_sample.txt'], ([model, tokenizer, text]) => {
    const codebooks = join(tmp, 'a2ats.safetensors');
    const thresholds = join(tmp, 'chess.json');
    const gen = async (backend: string, extra: string[]) => {
      const r = await run(['llama', 'generate', '--model', model, '--tokenizer', tokenizer, '--temperature', '0', '--tokens', '80', '--json',
        '--prompt', 'Once upon a time', '--backend', backend, ...extra]);
      expect(r.code, `${backend}: ${r.err}`).toBe(0);
      return JSON.parse(r.out) as { text: string; strategies?: string };
    };

    beforeAll(async () => {
      const cb = await run(['kvcache', 'calibrate', '--model', model, '--tokenizer', tokenizer, '--text', text, '--out', codebooks,
        '--size', '64', '--calibration-stories', '6', '--window', '8', '--backend', 'wasm']);
      expect(cb.code, cb.err).toBe(0);
      const th = await run(['activations', 'calibrate', '--model', model, '--tokenizer', tokenizer, '--text', text, '--out', thresholds,
        '--sparsity', '0.5', '--method', 'chess', '--tokens', '1000', '--backend', 'wasm']);
      expect(th.code, th.err).toBe(0);
    }, 180_000);

    it('the same 80 greedy tokens as wasm, and not the dense cache\'s', async () => {
      const chess = ['--ffn', 'chess', '--thresholds', thresholds];
      const sparse = [...chess, '--kv', 'a2ats', '--codebooks', codebooks, '--budget', '0.1', '--sinks', '2'];
      const gpu = await gen('webgpu', sparse), cpu = await gen('wasm', sparse);
      expect(gpu.strategies).toMatch(/a2ats/);
      expect(gpu.strategies).toMatch(/CHESS w\//);
      expect(gpu.text).toBe(cpu.text);
      expect(gpu.text).not.toBe((await gen('wasm', chess)).text);
    }, 600_000);
  });
});

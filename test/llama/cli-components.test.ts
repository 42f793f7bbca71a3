/**
 * `llama generate --kv … --ffn …` from the command line: the options' usage errors, and on
 * stories260K with codebooks and thresholds calibrated here, greedy decoding with
 * `--kv a2ats --ffn chess` gives the same tokens on every backend (reference, wasm, threads and
 * WebGPU where an adapter loads — SwiftShader in CI). Tolerance: none on the tokens (greedy
 * argmax); backends differ only by float rounding, which must not flip a choice in 10 tokens
 * here. Over 80 tokens the sparse run differs from the dense one (the components are really used).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { describeWithShared } from '../_harness/shared-data.js';
import { fakeContext } from '../cli/fake-context.js';
import { runCli } from '../../src/cli/run-cli.js';
import { llamaCommand } from '../../src/cli/commands/llama.js';
import { kvcacheCommand } from '../../src/cli/commands/kvcache.js';
import { activationsCommand } from '../../src/cli/commands/activations.js';
import { createKernels } from '../../src/backends/create-kernels.js';

const run = async (args: string[]) => {
  const ctx = fakeContext();
  const code = await runCli(args, ctx, [llamaCommand, kvcacheCommand, activationsCommand], () => '0.0.0');
  return { code, out: ctx.out, err: ctx.err };
};

const tmp = mkdtempSync(join(tmpdir(), 'llama-components-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

/** Why WebGPU cannot run here, or null when an adapter loads. */
async function webgpuMissing(): Promise<string | null> {
  try {
    await createKernels({ backend: 'webgpu' });
    return null;
  } catch (e) {
    return (e as Error).message;
  }
}

describeWithShared('llama generate --kv/--ffn (stories260K)', ['models/stories260K.bin', 'models/tok512.bin', 'data/tinystories_sample.txt'],
  ([model, tokenizer, text]) => {
    const codebooks = join(tmp, 'a2ats.safetensors');
    const thresholds = join(tmp, 'chess.json');
    const gen = (backend: string, extra: string[], tokens = 10) => run(['llama', 'generate', '--model', model, '--tokenizer', tokenizer,
      '--temperature', '0', '--tokens', String(tokens), '--json', '--backend', backend, ...extra]);
    // WRoPE window 2 and one sink: retrieval chooses among the far tokens from the fourth token on.
    const sparse = ['--kv', 'a2ats', '--codebooks', codebooks, '--ffn', 'chess', '--thresholds', thresholds, '--budget', '0.3', '--sinks', '1'];

    beforeAll(async () => {
      const cb = await run(['kvcache', 'calibrate', '--model', model, '--tokenizer', tokenizer, '--text', text, '--out', codebooks,
        '--size', '32', '--calibration-stories', '6', '--window', '2', '--backend', 'wasm']);
      expect(cb.code, cb.err).toBe(0);
      const th = await run(['activations', 'calibrate', '--model', model, '--tokenizer', tokenizer, '--text', text, '--out', thresholds,
        '--sparsity', '0.5', '--method', 'chess', '--tokens', '1000', '--backend', 'wasm']);
      expect(th.code, th.err).toBe(0);
    }, 120_000);

    it('usage mistakes with --kv/--ffn exit 2 naming the option', async () => {
      for (const [args, word] of [
        [['--kv', 'a2ats'], /--codebooks/],
        [['--ffn', 'chess'], /--thresholds/],
        [['--kv', 'quest', '--codebooks', codebooks], /--codebooks is for --kv a2ats/],
        [['--ffn', 'dense', '--thresholds', thresholds], /--thresholds is for/],
        [['--kv', 'sparse'], /--kv/],
        [['--ffn', 'cats', '--thresholds', thresholds], /holds chess-sq thresholds/],
      ] as const) {
        const r = await gen('reference', [...args]);
        expect(r.code, args.join(' ')).toBe(2);
        expect(r.err).toMatch(word);
      }
    });

    it('--kv a2ats --ffn chess changes the greedy text (the components are really used)', async () => {
      const dense = JSON.parse((await gen('wasm', [], 80)).out);
      const r = await gen('wasm', sparse, 80);
      expect(r.code, r.err).toBe(0);
      expect(JSON.parse(r.out).text).not.toBe(dense.text);
    });

    /** Greedy texts of `args` on each backend, each checked to run with the components named. */
    async function texts(backends: string[], args: string[], components: RegExp): Promise<Record<string, string>> {
      const out: Record<string, string> = {};
      for (const b of backends) {
        const r = await gen(b, args);
        expect(r.code, `${b}: ${r.err}`).toBe(0);
        const json = JSON.parse(r.out);
        expect(json.strategies).toMatch(components);
        out[b] = json.text;
      }
      return out;
    }

    it('--kv a2ats --ffn chess: the same greedy tokens on reference, wasm, threads and webgpu', async () => {
      const backends = ['reference', 'wasm', 'threads'];
      const missing = await webgpuMissing();
      if (missing === null) backends.push('webgpu');
      else console.warn(`[skip] webgpu: ${missing}`);
      const t = await texts(backends, sparse, /ffn CHESS w\/.*kv a2ats/);
      for (const b of backends) expect(t[b], b).toBe(t.reference);
    }, 600_000);
  });

describe('llama generate --kv/--ffn help', () => {
  it('lists the components', async () => {
    const r = await run(['llama', '--help']);
    expect(r.out).toMatch(/--kv dense\|a2ats\|quest\|pqcache\|oracle/);
    expect(r.out).toMatch(/--ffn dense\|chess\|cats\|teal/);
  });
});

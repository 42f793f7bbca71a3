/**
 * `sparse-inference activations calibrate|eval` in process, and the report section: files
 * written and readable, usage errors for bad invocations.
 */
import { describe, expect, it } from 'vitest';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { activationsCommand } from '../../src/cli/commands/activations.js';
import { runCli } from '../../src/cli/run-cli.js';
import { fakeContext } from '../cli/fake-context.js';
import { describeWithShared } from '../_harness/shared-data.js';
import { loadThresholds } from '../../src/activations/thresholds-node.js';
import { activationsSection } from '../../src/report/sections/activations.js';
import { createKernels } from '../../src/backends/create-kernels.js';

const run = (args: string[]) => {
  const ctx = fakeContext();
  return runCli(['activations', ...args], ctx, [activationsCommand], () => '0').then((code) => ({ code, ...ctx }));
};

describe('activations CLI: usage errors', () => {
  it('exits 2 with a one-line message naming the problem', async () => {
    for (const [args, fragment] of [
      [[], 'subcommand'],
      [['frobnicate'], "unknown subcommand 'frobnicate'"],
      [['calibrate', '--tokenizer', 't', '--text', 'x', '--sparsity', '0.5', '--method', 'chess', '--out', 'o'], '--model'],
      [['calibrate', '--model', 'm', '--sparsity', '1.5', '--method', 'chess'], '--sparsity'],
      [['calibrate', '--model', 'm', '--sparsity', '0.5', '--method', 'relu', '--out', 'o'], '--method'],
      [['calibrate', '--model', 'm', '--sparsity', '0.5', '--method', 'chess', '--out', 'o', '--greedy'], '--greedy'],
      [['eval', '--model', 'm'], '--model, --tokenizer and --text go together'],
      [['eval', '--sparsity', '0.5,abc'], '--sparsity'],
    ] as [string[], string][]) {
      const r = await run(args);
      expect(r.code, args.join(' ')).toBe(2);
      expect(r.err).toContain(fragment);
    }
  });

  it('--help prints the usage', async () => {
    const r = await run(['--help']);
    expect(r.code).toBe(0);
    expect(r.out).toContain('activations calibrate');
  });
});

describe('activations eval (synthetic only)', () => {
  it('writes the JSON and the error plot and prints the table', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'act-eval-'));
    try {
      const r = await run(['eval', '--sparsity', '0.5', '--calibration-tokens', '64', '--tokens', '16', '--out', dir]);
      expect(r.code, r.err).toBe(0);
      expect(r.out).toContain('| 0.5 | chess-sq |');
      const json = JSON.parse(await readFile(join(dir, 'activations-eval.json'), 'utf8'));
      expect(json.synthetic.rows).toHaveLength(5);
      expect(json.model).toBeUndefined();
      expect(await readFile(join(dir, 'synthetic-error.svg'), 'utf8')).toMatch(/^<svg/);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});

describeWithShared('activations calibrate on stories260K', ['models/stories260K.bin', 'models/tok512.bin', 'data/tinystories_sample.txt'],
  ([model, tok, text]) => {
    it('writes a thresholds file that loads and validates', async () => {
      const dir = await mkdtemp(join(tmpdir(), 'act-cal-'));
      try {
        for (const method of ['chess', 'cats', 'teal']) {
          const out = join(dir, `${method}.json`);
          const r = await run(['calibrate', '--model', model, '--tokenizer', tok, '--text', text, '--sparsity', '0.5',
            '--method', method, '--tokens', '200', '--out', out]);
          expect(r.code, r.err).toBe(0);
          const th = await loadThresholds(out);
          expect(th.metadata).toMatchObject({ sparsity: 0.5, tokens: 200, nLayers: 5, dim: 64, hiddenDim: 172 });
          expect(th.metadata.method).toBe(method === 'chess' ? 'chess-sq' : method);
        }
        const bad = await run(['calibrate', '--model', join(dir, 'nope.bin'), '--tokenizer', tok, '--text', text,
          '--sparsity', '0.5', '--method', 'cats', '--out', join(dir, 'x.json')]);
        expect(bad.code).toBe(1);
        expect(bad.err).toContain('nope.bin');
      } finally {
        await rm(dir, { recursive: true, force: true });
      }
    });
  });

describe('report section', () => {
  it('renders the synthetic study with a table, a plot and a summary (no model given)', async () => {
    const kernels = await createKernels({ backend: 'wasm' });
    const s = await activationsSection({ kernels, quick: true });
    expect(s.id).toBe('activations');
    expect(s.html).toContain('<svg');
    expect(s.html).toContain('<table');
    expect(s.html).toContain('activations eval --model');
    expect(s.summary).toMatch(/CHESS 0\.0\d\d, CATS 0\.1\d\d/);
  });
});

/**
 * One CLI vocabulary: every command takes the shared flags where they apply (--out, --json,
 * --seed, --threads, --tokens, --thresholds, --codebooks), old spellings answer with the new
 * one, negative numbers are values (so a bad one is a range error), and the files one command
 * writes are what the next one reads (calibrate → use).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runCli } from '../../src/cli/run-cli.js';
import { commands } from '../../src/cli/main.js';
import { fakeContext } from './fake-context.js';
import { describeWithShared } from '../_harness/shared-data.js';

async function cli(args: string[]) {
  const ctx = fakeContext();
  const code = await runCli(args, ctx, commands, () => '0.0.0');
  return { code, out: ctx.out, err: ctx.err };
}

const tmp = mkdtempSync(join(tmpdir(), 'cli-vocabulary-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

describe('negative numbers are values', () => {
  it('--temperature -1 is a range error naming the option, not "ambiguous"', async () => {
    const r = await cli(['llama', 'generate', '--model', 'm', '--tokenizer', 't', '--temperature', '-1']);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/--temperature must be ≥ 0, got -1/);
    expect(r.err).not.toMatch(/ambiguous/);
  });
  it('--degree -1 (knots fit) and --budget -0.5 likewise', async () => {
    const d = await cli(['knots', 'fit', '--x', 'x.csv', '--degree', '-1']);
    expect(d.code).toBe(2);
    expect(d.err).toMatch(/--degree must be ≥ 0, got -1/);
    const b = await cli(['llama', 'ppl', '--budget', '-0.5']);
    expect(b.err).toMatch(/--budget must be ≥ 0, got -0\.5/);
  });
});

describe('old spellings say what replaced them', () => {
  const cases: [string[], string][] = [
    [['llama', 'generate', '--steps', '5'], '--steps was renamed: use --tokens'],
    [['llama', 'ppl', '--max-tokens', '5'], '--max-tokens was renamed: use --tokens'],
    [['activations', 'eval', '--eval-tokens', '5'], '--eval-tokens was renamed: use --tokens'],
    [['activations', 'eval', '--test-tokens', '5'], '--test-tokens was renamed: use --tokens'],
    [['kvcache', 'eval', 'model', '--cal-stories', '5'], '--cal-stories was renamed: use --calibration-stories'],
    [['kvcache', 'eval', 'synthetic', '--out-dir', 'd'], '--out-dir was renamed: use --out'],
    [['kvcache', 'calibrate', '--cal-stories', '5'], '--cal-stories was renamed: use --calibration-stories'],
    [['knots', 'fit', 'd.csv', '--plot', 'p.svg'], '--plot was renamed: use --out'],
  ];
  for (const [args, message] of cases) {
    it(args.join(' '), async () => {
      const r = await cli(args);
      expect(r.code).toBe(2);
      expect(r.err).toContain(message);
    });
  }
});

describe('every command takes the shared flags that apply to it', () => {
  // Each call lacks one required argument, so it stops with a usage error about that argument:
  // had any of the shared flags been unknown, the error would name the flag instead.
  const cases: [string[], RegExp][] = [
    [['llama', 'generate', '--json', '--seed', '3', '--threads', '2', '--tokens', '4', '--thresholds', 't.json', '--codebooks', 'c.st'], /--model is required/],
    [['llama', 'ppl', '--json', '--threads', '2', '--tokens', '4', '--thresholds', 't.json', '--codebooks', 'c.st', '--model', 'm'], /--text is required/],
    [['llama', 'convert', '--json', '--threads', '2', '--model', 'm'], /--out is required/],
    [['demo', '--json', '--seed', '3', '--threads', '2', '--only', 'nope'], /unknown section 'nope'/],
    [['activations', 'calibrate', '--json', '--threads', '2', '--tokens', '4', '--model', 'm', '--sparsity', '0.5', '--method', 'chess'], /--out is required/],
    [['activations', 'eval', '--json', '--seed', '3', '--threads', '2', '--tokens', '4', '--out', 'd', '--model', 'm'], /go together/],
    [['kvcache', 'eval', 'model', '--json', '--seed', '3', '--threads', '2', '--tokens', '4', '--out', 'd', '--thresholds', 't', '--codebooks', 'c'], /--model is required/],
    [['kvcache', 'calibrate', '--json', '--seed', '3', '--threads', '2', '--model', 'm', '--tokenizer', 't', '--text', 'x'], /--out is required/],
    [['kvcache', 'inspect', '--json'], /expected 1 argument/],
  ];
  for (const [args, expected] of cases) {
    it(args.slice(0, 3).join(' '), async () => {
      const r = await cli(args);
      expect(r.code).toBe(2);
      expect(r.err).toMatch(expected);
    });
  }
  it('--threads applies to the wasm backend only', async () => {
    const r = await cli(['kvcache', 'eval', 'synthetic', '--threads', '2', '--backend', 'reference', '--n', '128']);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/--threads \d+ needs the wasm backend/);
  });
});

describeWithShared('calibrate → use on stories260K', ['models/stories260K.bin', 'models/tok512.bin', 'data/tinystories_sample.txt'],
  ([model, tok, text]) => {
    const base = ['--model', model, '--tokenizer', tok];
    const ppl = async (...extra: string[]) => {
      const r = await cli(['llama', 'ppl', ...base, '--text', text, '--tokens', '400', '--json', ...extra]);
      expect(r.code, r.err).toBe(0);
      return JSON.parse(r.out) as { meanNll: number; tokens: number; strategies?: string };
    };

    it('activations calibrate --out FILE is used by llama ppl --thresholds FILE', async () => {
      const file = join(tmp, 'chess.json');
      const c = await cli(['activations', 'calibrate', ...base, '--text', text, '--sparsity', '0.5', '--method', 'chess',
        '--tokens', '512', '--out', file, '--json']);
      expect(c.code, c.err).toBe(0);
      expect(JSON.parse(c.out)).toMatchObject({ file, method: expect.stringMatching(/^chess/), sparsity: 0.5 });
      const dense = await ppl();
      const sparse = await ppl('--thresholds', file);
      expect(sparse.tokens).toBe(dense.tokens);
      expect(sparse.strategies).toMatch(/ffn CHESS/);
      // Skipping half the FFN channels changes the model: its NLL moves, but stays a sane NLL.
      expect(sparse.meanNll).not.toBe(dense.meanNll);
      expect(Math.abs(sparse.meanNll - dense.meanNll)).toBeLessThan(1);
    }, 60_000);

    it('activations eval --thresholds FILE scores the calibrated file on the held-out tokens of the other methods', async () => {
      const file = join(tmp, 'cats.json');
      const c = await cli(['activations', 'calibrate', ...base, '--text', text, '--sparsity', '0.5', '--method', 'cats',
        '--tokens', '512', '--out', file, '--json']);
      expect(c.code, c.err).toBe(0);
      const e = await cli(['activations', 'eval', ...base, '--text', text, '--quick', '--sparsity', '0.5',
        '--thresholds', file, '--out', join(tmp, 'eval'), '--json']);
      expect(e.code, e.err).toBe(0);
      const r = JSON.parse(e.out) as { model: { dense: { meanNll: number; tokens: number } };
        thresholdsFile: { file: string; name: string; meanNll: number; tokens: number; nllIncrease: number } };
      expect(r.thresholdsFile).toMatchObject({ file, name: expect.stringMatching(/CATS/i), tokens: r.model.dense.tokens });
      expect(r.thresholdsFile.nllIncrease).toBeCloseTo(r.thresholdsFile.meanNll - r.model.dense.meanNll, 12);
      expect(r.thresholdsFile.meanNll).not.toBe(r.model.dense.meanNll);
      const alone = await cli(['activations', 'eval', '--thresholds', file]);
      expect(alone.code).toBe(2);
      expect(alone.err).toMatch(/--thresholds evaluates a calibrated file on a model/);
    }, 120_000);

    it('kvcache calibrate --out FILE is used by llama ppl --codebooks FILE: budget 1 is exact, a small budget is not', async () => {
      const file = join(tmp, 'codebooks.safetensors');
      const c = await cli(['kvcache', 'calibrate', ...base, '--text', text, '--calibration-stories', '4', '--size', '16',
        '--iterations', '5', '--out', file, '--json']);
      expect(c.code, c.err).toBe(0);
      expect(JSON.parse(c.out)).toMatchObject({ file, kind: 'query-aware', size: 16 });
      const dense = await ppl();
      const full = await ppl('--codebooks', file, '--budget', '1');
      expect(full.strategies).toMatch(/kv a2ats/);
      expect(Math.abs(full.meanNll - dense.meanNll)).toBeLessThan(1e-4);
      const sparse = await ppl('--codebooks', file, '--budget', '0.05', '--sinks', '1');
      expect(sparse.meanNll).not.toBeCloseTo(dense.meanNll, 6);
    }, 60_000);

    it('generate --json --seed is reproducible and reports what it generated', async () => {
      const args = ['llama', 'generate', ...base, '--tokens', '12', '--seed', '5', '--json'];
      const a = await cli(args), b = await cli(args);
      expect(a.code, a.err).toBe(0);
      const ja = JSON.parse(a.out), jb = JSON.parse(b.out);
      expect(ja.text).toBe(jb.text);
      expect(ja).toMatchObject({ tokens: 12, seed: 5, stopReason: 'max-tokens' });
      const other = JSON.parse((await cli([...args.slice(0, -3), '--seed', '6', '--json'])).out);
      expect(other.text).not.toBe(ja.text); // the seed is used
    });
  });

describe('demo --seed', () => {
  it('seeds the knot chains: the same seed gives the same section, another seed another', async () => {
    const dir = (s: string) => join(tmp, `demo-${s}`);
    const run = async (seed: string, out: string) => {
      const r = await cli(['demo', '--only', 'knots', '--seed', seed, '--out', out]);
      expect(r.code, r.err).toBe(0);
      const { readFileSync } = await import('node:fs');
      // the page minus its run metadata (date, command line, timings)
      return readFileSync(join(out, 'index.html'), 'utf8').replace(/<dd>[^<]*<\/dd>/g, '').replace(/computed in [\d.]+ s/g, '');
    };
    const a = await run('3', dir('a')), b = await run('3', dir('b')), c = await run('4', dir('c'));
    expect(a).toContain('seeds 3 and 4');
    expect(a).toBe(b);
    expect(c).not.toBe(a);
    const j = await cli(['demo', '--only', 'knots', '--seed', '3', '--out', dir('d'), '--json']);
    expect(j.code, j.err).toBe(0);
    expect(JSON.parse(j.out)).toMatchObject({ report: join(dir('d'), 'index.html'), failures: [], sections: [{ id: 'knots' }] });
  }, 120_000);
});

/**
 * `activations calibrate|eval --corpus DIR` through the CLI: usage errors, a corrupted corpus
 * text, and one tiny SmolLM2 evaluation (2 documents, a temporary corpus cut from this
 * repository's docs) whose table, JSON and plot must be consistent with each other.
 */
import { createHash } from 'node:crypto';
import { mkdtemp, readFile, rm, writeFile, mkdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { activationsCommand } from '../../src/cli/commands/activations.js';
import { runCli } from '../../src/cli/run-cli.js';
import { CORPUS_FORMAT } from '../../src/llama/eval/corpus-manifest.js';
import { readCorpus } from '../../src/node/read-corpus.js';
import { loadThresholds } from '../../src/activations/thresholds-node.js';
import { fakeContext } from '../cli/fake-context.js';
import { describeWithModels, SMOLLM2_GGUF } from '../_harness/models.js';

const run = (args: string[]) => {
  const ctx = fakeContext();
  return runCli(['activations', ...args], ctx, [activationsCommand], () => '0').then((code) => ({ code, ...ctx }));
};

/** A corpus directory: two evaluation documents and one calibration document from docs/. */
async function tinyCorpus(dir: string): Promise<void> {
  const read = (name: string) => readFile(new URL(`../../docs/${name}`, import.meta.url), 'utf8').then((t) => t.slice(0, 4000));
  const docs = [
    { id: 'activations', split: 'eval', text: await read('activations.md') },
    { id: 'llama', split: 'eval', text: await read('llama.md') },
    { id: 'knots', split: 'calibration', text: await read('knots.md') },
  ];
  const documents = [];
  for (const d of docs) {
    await mkdir(join(dir, d.split), { recursive: true });
    await writeFile(join(dir, d.split, `${d.id}.txt`), d.text);
    documents.push({
      id: d.id, split: d.split, kind: 'info', file: `${d.split}/${d.id}.txt`, sources: [], licence: 'MIT',
      textSha256: createHash('sha256').update(d.text).digest('hex'), chars: d.text.length, tokens: 1000,
    });
  }
  const manifest = { format: CORPUS_FORMAT, tokenizer: { file: 'x.gguf', sha256: '0'.repeat(64) }, rules: {}, documents, excluded: [] };
  await writeFile(join(dir, 'manifest.json'), JSON.stringify(manifest));
}

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'act-corpus-'));
  await tinyCorpus(join(dir, 'corpus'));
});
afterAll(() => rm(dir, { recursive: true, force: true }));

describe('activations --corpus: usage errors and a corrupted corpus', () => {
  it('exits 2 naming the problem', async () => {
    for (const [args, fragment] of [
      [['eval', '--corpus', 'c'], '--model'],
      [['eval', '--model', 'm.gguf', '--corpus', 'c', '--seeds', '0,x'], '--seeds'],
      [['eval', '--model', 'm.gguf', '--corpus', 'c', '--documents', '1'], '--documents'],
      [['calibrate', '--model', 'm.gguf', '--corpus', 'c', '--text', 't', '--sparsity', '0.5', '--method', 'chess', '--out', 'o'], '--text FILE'],
      [['calibrate', '--model', 'm.gguf', '--sparsity', '0.5', '--method', 'chess', '--out', 'o'], '--corpus DIR'],
    ] as [string[], string][]) {
      const r = await run(args);
      expect(r.code, args.join(' ')).toBe(2);
      expect(r.err).toContain(fragment);
    }
  });

  it('a text that does not hash to its manifest entry is BAD_FILE, naming the file', async () => {
    const bad = join(dir, 'bad');
    await tinyCorpus(bad);
    await writeFile(join(bad, 'eval', 'llama.txt'), 'edited');
    await expect(readCorpus(bad, 'eval')).rejects.toMatchObject({ code: 'BAD_FILE', message: expect.stringContaining('llama.txt') });
    await expect(readCorpus(join(dir, 'absent'), 'eval')).rejects.toMatchObject({ code: 'BAD_FILE' });
  });
});

describeWithModels('activations eval --corpus on SmolLM2 (2 documents)', [SMOLLM2_GGUF], ([model]) => {
  it('prints the table with intervals and writes consistent JSON and plot', async () => {
    const out = join(dir, 'out');
    const r = await run(['eval', '--model', model, '--corpus', join(dir, 'corpus'), '--tokens', '16', '--calibration-tokens', '32',
      '--sparsity', '0.5', '--out', out]);
    expect(r.code, r.err).toBe(0);
    const json = JSON.parse(await readFile(join(out, 'activations-corpus.json'), 'utf8'));
    expect(json.documents).toEqual(['activations', 'llama']);
    expect(json.documentTokens).toEqual([16, 16]);
    expect(json.rows.map((x: { method: string }) => x.method)).toEqual(['CATS', 'CHESS w/o', 'CHESS w/', 'TEAL']);
    for (const row of json.rows) {
      expect(row.deltaNll.units).toBe(2);
      expect(row.deltaNll.lower).toBeLessThanOrEqual(row.deltaNll.estimate);
      expect(row.weightsStreamed).toBeLessThan(1);
      expect(r.out).toContain(`| 0.5 | ${row.method} | ${row.meanNll.toFixed(4)} |`);
    }
    // The quantized model is a different model: its NLL differs from float32's, but not by much.
    expect(Math.abs(json.quantizedDense.deltaNll.estimate)).toBeGreaterThan(0);
    expect(Math.abs(json.quantizedDense.deltaNll.estimate)).toBeLessThan(0.2);
    expect(await readFile(join(out, 'corpus-ppl.svg'), 'utf8')).toMatch(/^<svg/);
  }, 180_000);

  it('calibrate --corpus writes thresholds the loader accepts, from the GGUF tokenizer and the calibration split', async () => {
    const file = join(dir, 'chess.json');
    const r = await run(['calibrate', '--model', model, '--corpus', join(dir, 'corpus'), '--sparsity', '0.5', '--method', 'chess',
      '--tokens', '24', '--out', file]);
    expect(r.code, r.err).toBe(0);
    expect(r.out).toContain('24 calibration tokens, seed 0, sketch quantiles');
    const th = await loadThresholds(file);
    expect(th.metadata.method).toBe('chess-sq');
    expect(th.layers).toHaveLength(30);
  }, 180_000);
});

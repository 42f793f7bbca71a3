/**
 * The retrieval-decode protocol on SmolLM2-135M (a 2-document, short-context run) and the CLI's
 * argument errors for `kvcache calibrate --corpus`, `eval model --corpus` and `passkey`.
 * Oracle for the model run: the dense model decoding the same tokens step by step.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { createKernels } from '../../src/backends/create-kernels.js';
import type { CpuKernels } from '../../src/kernels/kernels.js';
import { readGgufModel, readGgufTokenizer } from '../../src/node/gguf-file.js';
import { DenseKvCache } from '../../src/llama/dense-kv-cache.js';
import { tokenNll } from '../../src/llama/evaluate-nll.js';
import { calibrateOnDocuments } from '../../src/kvcache/eval/calibrate-documents.js';
import { evaluateDecode } from '../../src/kvcache/eval/decode-eval.js';
import { decodeMarkdown, decodeRows } from '../../src/kvcache/eval/decode-report.js';
import { runCli } from '../../src/cli/run-cli.js';
import { kvcacheCommand } from '../../src/cli/commands/kvcache.js';
import { describeWithModels, SMOLLM2_GGUF } from '../_harness/models.js';
import { fakeContext } from '../cli/fake-context.js';

describeWithModels('retrieval decode on SmolLM2-135M', [SMOLLM2_GGUF], ([path]) => {
  it('2 documents: full matches the dense model, A²ATS at ρ = 1 equals full, sparse budgets are realized', async () => {
    const kernels = (await createKernels({ backend: 'wasm' })) as CpuKernels;
    const context = 96, scored = 4;
    // Float32 activations: with int8 ones the retrieval cache's full attention is not the dense cache's (see the CLI's --activations).
    const model = await readGgufModel(path, { kernels, maxSeqLen: context + scored, activations: 'f32' });
    const tok = readGgufTokenizer(path);
    const text = readFileSync(new URL('../../docs/architecture.md', import.meta.url), 'utf8');
    const ids = tok.encode(text);
    const c = model.config;
    const wrope = { window: 16, distance: 128, base: c.ropeBase, pairing: c.ropePairing };
    const { sets } = await calibrateOnDocuments(kernels, model, [ids.slice(0, 100)], wrope, { size: 16, iterations: 2, kinds: ['query-aware'], queryTokens: 16 });
    const docs = [{ id: 'd1', ids: ids.slice(400, 400 + context + scored) }, { id: 'd2', ids: ids.slice(1200, 1200 + context + scored) }];
    const r = await evaluateDecode(kernels, model, docs, { context, scored, budgets: [1, 0.1], methods: ['full', 'a2ats', 'quest'], window: 16, sinks: 4, codebooks: sets });
    const cell = (m: string, b: number) => r.cells.find((x) => x.method === m && x.budget === b)!;
    for (let i = 0; i < docs.length; i++) {
      await model.use({ kv: new DenseKvCache() });
      model.reset();
      await model.prefill(docs[i].ids.slice(0, context - 1));
      let nll = 0;
      for (let p = context - 1; p < context - 1 + scored; p++) nll += tokenNll(await model.forward(docs[i].ids[p], p), c.vocabSize, docs[i].ids[p + 1]);
      expect(Math.abs(cell('full', 1).nll[i] - nll / scored)).toBeLessThan(2e-3 * (nll / scored));
      expect(cell('a2ats', 1).nll[i]).toBe(cell('full', 1).nll[i]);
    }
    const a = cell('a2ats', 0.1), q = cell('quest', 0.1);
    expect(a.realized.unionFactor).toBeGreaterThanOrEqual(1);
    expect(a.realized.unionFactor).toBeLessThanOrEqual(c.nHeads / c.nKvHeads);
    expect(q.realized.far).toBeLessThanOrEqual(a.realized.far + 1e-12);
    expect(a.recall.every((x) => x > 0 && x <= 1 + 1e-9)).toBe(true);
    expect(decodeMarkdown(r, decodeRows(r))).toMatch(/\| a2ats \| 0\.1 \| per-head/);
    model.dispose();
  }, 300_000);

  it('kvcache passkey: a length whose answer would run past the context is a usage error naming --lengths', async () => {
    const ctx = fakeContext();
    const code = await runCli(['kvcache', 'passkey', '--model', path, '--lengths', '8192', '--methods', 'full'], ctx, [kvcacheCommand], () => '0.0.0');
    expect(code).toBe(2);
    expect(ctx.err).toMatch(/--lengths 8192: the prompt and its 8 answer tokens need 8200 positions; the model allows an integer in \[1, 8192\]/);
  });
});

describe('kvcache CLI: corpus, decode protocol and passkey arguments', () => {
  const cli = async (args: string[]) => {
    const ctx = fakeContext();
    const code = await runCli(['kvcache', ...args], ctx, [kvcacheCommand], () => '0.0.0');
    return { code, out: ctx.out, err: ctx.err };
  };

  it('usage mistakes exit 2 naming the argument', async () => {
    const cases: [string[], RegExp][] = [
      [['calibrate', '--corpus', 'x', '--text', 'y', '--model', 'm', '--out', 'o'], /--corpus DIR or --text/],
      [['calibrate', '--corpus', 'x', '--model', 'm.gguf'], /--out is required/],
      [['calibrate', '--corpus', 'x', '--model', 'm.gguf', '--out', 'o', '--kind', 'both'], /--plain-out/],
      [['eval', 'model', '--corpus', 'x'], /--model is required/],
      [['eval', 'model', '--corpus', 'x', '--model', 'm.gguf', '--methods', 'full,magic'], /unknown method 'magic'/],
      [['eval', 'model', '--corpus', 'x', '--model', 'm.gguf', '--budgets', '0.1,2'], /--budgets/],
      [['eval', 'model', '--corpus', 'x', '--model', 'm.gguf', '--methods', 'full,a2ats'], /a2ats needs a query-aware codebook/],
      [['eval', 'model', '--corpus', 'x', '--model', 'm.gguf', '--context', '1'], /--context/],
      [['passkey'], /--model is required/],
      [['passkey', '--model', 'm.gguf', '--lengths', '2048,12'], /--lengths/],
    ];
    for (const [args, message] of cases) {
      const r = await cli(args);
      expect(r.code, args.join(' ')).toBe(2);
      expect(r.err + r.out, args.join(' ')).toMatch(message);
    }
  });

  it('a missing corpus or codebook file is a file error, not a crash', async () => {
    const r = await cli(['eval', 'model', '--corpus', '/nonexistent-corpus', '--model', 'm.gguf', '--methods', 'full,quest']);
    expect(r.code).toBe(1);
    expect(r.err).toMatch(/nonexistent-corpus\/manifest\.json/);
    const p = await cli(['passkey', '--model', 'm.gguf', '--codebooks', '/nonexistent.safetensors']);
    expect(p.code).toBe(1);
    expect(p.err).toMatch(/cannot read \/nonexistent\.safetensors/);
  });
});

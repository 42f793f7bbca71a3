/**
 * A²ATS inside the real llama runtime (stories260K): with a full budget the retrieval KV cache
 * (the model's component) reproduces the exact model's logits; probe mode leaves them untouched while reporting
 * selections; capture-based calibration gives one codebook per (layer, KV head); a tiny
 * evaluateLlama run yields NLL increases ≥ 0 for sparse methods and 0 for full attention.
 * Also the kvcache CLI (usage errors, throughput, a tiny synthetic eval) and report section.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { describeWithShared } from '../_harness/shared-data.js';
import { fakeContext } from '../cli/fake-context.js';
import { createKernels } from '../../src/backends/create-kernels.js';
import { loadLlama2c } from '../../src/llama/load-llama2c.js';
import { loadTokenizer } from '../../src/llama/tokenizer.js';
import { splitStories } from '../../src/llama/split-stories.js';
import { RetrievalKvCache } from '../../src/kvcache/retrieval-kv-cache.js';
import { DenseKvCache } from '../../src/llama/dense-kv-cache.js';
import { DenseFfn } from '../../src/llama/dense-ffn.js';
import type { Ffn } from '../../src/llama/components.js';
import type { F32Arg } from '../../src/kernels/device-array.js';
import { calibrateLlama, evaluateLlama } from '../../src/kvcache/eval/llama-eval.js';
import { runCli } from '../../src/cli/run-cli.js';
import { kvcacheCommand } from '../../src/cli/commands/kvcache.js';
import { kvcacheSection } from '../../src/report/sections/kvcache.js';

const kernels = await createKernels({ backend: 'wasm' });

/** An FFN that is not the dense one: out = x / 2 (CPU kernels hand it typed arrays). */
class HalfFfn implements Ffn {
  readonly name = 'half';
  bind() {}
  forward(_layer: number, x: F32Arg, out: F32Arg) {
    const xs = x as Float32Array, o = out as Float32Array;
    for (let i = 0; i < o.length; i++) o[i] = 0.5 * xs[i];
  }
  dispose() {}
}

describeWithShared('A²ATS in the llama runtime (stories260K)', ['models/stories260K.bin', 'models/tok512.bin', 'data/tinystories_sample.txt'],
  ([modelPath, tokPath, textPath]) => {
    const model = loadLlama2c(new Uint8Array(readFileSync(modelPath)), { kernels });
    const tok = loadTokenizer(new Uint8Array(readFileSync(tokPath)));
    const stories = splitStories(readFileSync(textPath, 'utf8'));
    const c = model.config;
    const wrope = { window: 8, distance: 32, base: c.ropeBase, pairing: c.ropePairing };
    const ids = tok.encode(stories[50], { bos: true }).slice(0, 120);

    const run = async () => { model.reset(); const out: Float32Array[] = []; for (let i = 0; i < ids.length; i++) out.push(Float32Array.from(await model.forward(ids[i], i))); return out; };

    it('full budget reproduces the exact logits; probe mode leaves them unchanged', async () => {
      const exact = await run();
      const { sets } = await calibrateLlama(kernels, model, tok, stories.slice(0, 4), wrope, { size: 16, iterations: 4, kinds: ['query-aware'] });
      for (const [budget, probe] of [[{ mode: 'total' as const, fraction: 1 }, false], [{ mode: 'perHead' as const, fraction: 0.05 }, true]] as const) {
        let probes = 0;
        await model.use({ kv: new RetrievalKvCache({ method: 'a2ats', codebooks: { queryAware: sets.queryAware }, window: 8, distance: 32,
          sinks: 2, budget, probe: probe ? () => { probes++; } : undefined }) });
        const got = await run();
        await model.use({ kv: new DenseKvCache() }); // disposes the retrieval cache
        for (let i = 0; i < ids.length; i++) for (let v = 0; v < c.vocabSize; v += 7) expect(Math.abs(got[i][v] - exact[i][v])).toBeLessThan(2e-4);
        if (probe) expect(probes).toBe(ids.length * c.nLayers * c.nKvHeads);
      }
      expect(sets.queryAware!.info.nLayers).toBe(c.nLayers);
      expect(sets.queryAware!.get(c.nLayers - 1, c.nKvHeads - 1).dim).toBe(c.headDim);
    });

    it('a sparse budget changes the logits (the cache is really used)', async () => {
      const exact = await run();
      await model.use({ kv: new RetrievalKvCache({ method: 'quest', questPageSize: 4, window: 4, sinks: 1, budget: { mode: 'total', count: 2 } }) });
      const got = await run();
      await model.use({ kv: new DenseKvCache() });
      let maxDiff = 0;
      for (let v = 0; v < c.vocabSize; v++) maxDiff = Math.max(maxDiff, Math.abs(got[100][v] - exact[100][v]));
      expect(maxDiff).toBeGreaterThan(1e-3);
    });

    it('a retrieval KvCache runs beside another Ffn component (each replaces only its own kind)', async () => {
      await model.use({ ffn: new HalfFfn() });
      const dense = await run();
      await model.use({ kv: new RetrievalKvCache({ method: 'full', window: 4, sinks: 1 }) });
      const got = await run();
      expect(model.components.ffn.name).toBe('half');
      await model.use({ kv: new DenseKvCache(), ffn: new DenseFfn() });
      for (let i = 0; i < ids.length; i += 7) for (let v = 0; v < c.vocabSize; v += 5) expect(Math.abs(got[i][v] - dense[i][v])).toBeLessThan(2e-4);
      // The FFN really changed the model: its logits are not the dense ones.
      const exact = await run();
      expect(Math.max(...exact[60].map((x, v) => Math.abs(x - dense[60][v])))).toBeGreaterThan(1e-3);
    });

    it('evaluateLlama: metrics and NLL for every method (tiny run)', async () => {
      const res = await evaluateLlama(kernels, model, tok, readFileSync(textPath, 'utf8'), {
        calibrationStories: 4, evalTokens: 150, budgets: [0.1], codebookSize: 16, kmeansIterations: 4, window: 8, sinks: 2, distance: 32,
      });
      expect(res.exactNll).toBeGreaterThan(0.5);
      const full = res.rows.find((r) => r.method === 'full')!;
      expect(full.nllIncrease).toBeCloseTo(0, 4);
      expect(full.recallMean).toBeCloseTo(1, 6);
      for (const r of res.rows.filter((x) => x.method !== 'full')) {
        expect(r.recallMean).toBeGreaterThan(0.3);
        expect(r.recallMean).toBeLessThanOrEqual(1 + 1e-9);
        expect(Number.isFinite(r.nll!)).toBe(true);
      }
    });
  });

describe('kvcache CLI and report section', () => {
  const cli = async (args: string[]) => {
    const ctx = fakeContext();
    const code = await runCli(['kvcache', ...args], ctx, [kvcacheCommand], () => '0.0.0');
    return { code, out: ctx.out, err: ctx.err };
  };

  it('usage mistakes exit 2 with one line', async () => {
    for (const args of [[], ['fly'], ['eval'], ['eval', 'synthetic', '--budgets', '3'], ['eval', 'synthetic', '--methods', 'magic'], ['eval', 'model'], ['inspect']]) {
      const r = await cli(args);
      expect(r.code, args.join(' ')).toBe(2);
    }
  });

  it('throughput prints both systems and the speedup', async () => {
    const r = await cli(['throughput', '--union', '1']);
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/baseline \(all KV on GPU, fp16\): max batch 15/);
    expect(r.out).toMatch(/speedup \d+\.\d\dx/);
  });

  it('eval synthetic --json runs a tiny evaluation', async () => {
    const r = await cli(['eval', 'synthetic', '--n', '400', '--steps', '1', '--tests', '1', '--size', '16', '--iterations', '3',
      '--budgets', '0.05', '--methods', 'full,a2ats,quest', '--window', '8', '--json', '--backend', 'wasm']);
    expect(r.code).toBe(0);
    const j = JSON.parse(r.out);
    expect(j.rows.map((x: { method: string }) => x.method)).toEqual(['full', 'a2ats', 'quest-p16']);
  });

  it('inspect rejects a file that is not a codebook file', async () => {
    const r = await cli(['inspect', textPathOrSelf()]);
    expect(r.code).toBe(1);
    expect(r.err).toMatch(/BAD_FILE/);
  });

  it('report section (quick, synthetic only)', async () => {
    const s = await kvcacheSection({ kernels, quick: true });
    expect(s.id).toBe('kvcache');
    expect(s.html).toMatch(/<svg/);
    expect(s.html).toMatch(/a2ats/);
    expect(s.summary).toMatch(/recall A²ATS \d\.\d{3}/);
  }, 120_000);
});

function textPathOrSelf(): string {
  return new URL(import.meta.url).pathname;
}

/**
 * The demo report's SmolLM2 section without running the model: with the model or the corpus
 * hidden, the live check is skipped with its reason while the committed tables and plots stay;
 * with the committed results hidden, the whole section is skipped with its reason and still
 * concludes. The headline is checked against the committed per-document NLLs directly.
 */
import { describe, expect, it } from 'vitest';
import { existsSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { createSmollm2Section } from '../../src/report/sections/smollm2.js';
import { SMOLLM2_DECODE_RUNS } from '../../src/report/sections/smollm2-plots.js';
import type { SectionContext } from '../../src/report/section.js';

const root = resolve(import.meta.dirname, '../..');
/** Finds files in the repository except those whose relative path starts with one of `hidden`. */
const locateExcept = (...hidden: string[]) => (rel: string) =>
  hidden.some((h) => rel.startsWith(h)) || !existsSync(resolve(root, rel)) ? undefined : resolve(root, rel);
// The skip paths never touch the kernels.
const ctx = { kernels: undefined as never, quick: true } satisfies SectionContext;
const svgCount = (html: string) => html.match(/<svg[\s>]/g)?.length ?? 0;

describe('report section smollm2', () => {
  it('without the model: live check skipped with its reason, committed tables and both plots shown', async () => {
    const s = await createSmollm2Section(locateExcept('models/'))(ctx);
    expect(s.html).toMatch(/Live check skipped: models\/SmolLM2-135M-Instruct\.Q4_1\.gguf is absent/);
    expect(s.summary).toMatch(/live check skipped/);
    expect(svgCount(s.html)).toBe(2);
    expect(s.conclusion).toMatch(/A²ATS at ρ = 0\.03: ΔNLL/);
    expect(s.conclusion!.length).toBeGreaterThan(40);

    // The headline estimate is the mean over documents of A²ATS's NLL minus full attention's.
    const run = JSON.parse(readFileSync(resolve(root, SMOLLM2_DECODE_RUNS[0]), 'utf8')) as { cells: { method: string; budget: number; ties: string; nll: number[] }[] };
    const full = run.cells.find((c) => c.method === 'full')!, a2ats = run.cells.find((c) => c.method === 'a2ats' && c.budget === 0.03 && c.ties === 'oldest')!;
    const delta = a2ats.nll.reduce((sum, x, i) => sum + x - full.nll[i], 0) / full.nll.length;
    expect(s.conclusion).toContain(`ΔNLL ${delta.toFixed(3)} [`);
  });

  it('without the corpus: live check skipped, naming the corpus', async () => {
    const s = await createSmollm2Section(locateExcept('corpus/'))(ctx);
    expect(s.html).toMatch(/Live check skipped: corpus\/manifest\.json is absent/);
    expect(svgCount(s.html)).toBe(2);
  });

  it('without the committed results: the whole section is skipped with its reason and a conclusion', async () => {
    const s = await createSmollm2Section(locateExcept('docs/'))(ctx);
    expect(s.html).toMatch(/^<p>Skipped: the committed results .*docs\/kvcache\/smollm2-decode-2048\.json.* are absent\.<\/p>$/);
    expect(s.conclusion).toMatch(/Nothing to conclude here: this section was skipped because/);
    expect(s.settings).toBe('not run');
    expect(svgCount(s.html)).toBe(0);
  });

  it('stops when aborted before it starts', async () => {
    const ac = new AbortController();
    ac.abort();
    await expect(createSmollm2Section(locateExcept('models/'))({ ...ctx, signal: ac.signal })).rejects.toThrow(/smollm2/);
  });
});

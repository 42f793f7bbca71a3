import { describe, expect, it } from 'vitest';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCli } from '../../src/cli/run-cli.js';
import { commands } from '../../src/cli/main.js';
import { createDemoCommand } from '../../src/cli/commands/demo.js';
import { reportSections } from '../../src/report/sections/index.js';
import type { SectionBuilder, SectionContext } from '../../src/report/section.js';
import { parseXml, findAll, textOf } from '../plot/xml.js';
import { fakeContext } from './fake-context.js';

async function withTmp<T>(fn: (dir: string) => Promise<T>): Promise<T> {
  const dir = await mkdtemp(join(tmpdir(), 'si-demo-'));
  try { return await fn(dir); } finally { await rm(dir, { recursive: true, force: true }); }
}

/** The page must be one file: no scripts, stylesheets, images or links leaving the page. */
function expectSelfContained(html: string): void {
  const root = parseXml(html);
  expect(findAll(root, (e) => ['script', 'link', 'img', 'iframe', 'object'].includes(e.name))).toEqual([]);
  for (const e of findAll(root, (x) => 'href' in x.attrs || 'src' in x.attrs)) {
    expect(e.attrs.href ?? e.attrs.src).toMatch(/^#/);
  }
  expect(html).not.toMatch(/url\((?!#)/); // CSS/SVG url() only to in-page ids
  expect(html).not.toMatch(/@import/);
}

/** Cheap fake sections that record what they were given. */
function fakeRegistry() {
  const calls: Record<string, SectionContext> = {};
  const section = (id: string, fail = false): SectionBuilder => async (ctx) => {
    calls[id] = ctx;
    ctx.onProgress?.(0.5, 'halfway');
    if (fail) throw new Error(`${id} exploded\non two lines`);
    return { id, title: `Section ${id}`, html: `<p>body of ${id}</p>`, summary: `summary of ${id}` };
  };
  return { calls, registry: { alpha: section('alpha'), beta: section('beta'), broken: section('broken', true) } };
}

async function runDemo(args: string[], registry?: Record<string, SectionBuilder>, opts: { isTTY?: boolean; signal?: AbortSignal } = {}) {
  const ctx = fakeContext(opts);
  const cmds = registry ? [createDemoCommand(registry)] : commands;
  const code = await runCli(['demo', ...args], ctx, cmds, () => '0.0.0');
  return { code, out: ctx.out, err: ctx.err };
}

describe('sparse-inference demo', () => {
  it('runs only the sections asked for, passing options through, and prints summaries', async () => {
    const { calls, registry } = fakeRegistry();
    await withTmp(async (dir) => {
      const model = join(dir, 'm.bin');
      const tok = join(dir, 't.bin');
      await writeFile(model, 'x');
      await writeFile(tok, 'y');
      const out = join(dir, 'nested', 'report');
      const r = await runDemo(['--out', out, '--quick', '--only', 'beta,alpha', '--model', model, '--tokenizer', tok, '--backend', 'reference', '--webgpu'], registry);
      expect(r.err).toBe('');
      expect(r.code).toBe(0);
      expect(Object.keys(calls)).toEqual(['beta', 'alpha']);
      expect(calls.alpha).toMatchObject({ quick: true, modelPath: model, tokenizerPath: tok, probeWebGpu: true });
      expect(calls.alpha.kernels.backend).toBe('reference');
      expect(r.out).toMatch(/^beta {3}summary of beta \(\d+\.\d s\)\nalpha {2}summary of alpha \(\d+\.\d s\)\n/);
      expect(r.out).toContain(`report: ${join(out, 'index.html')} (2 sections,`);
      const html = await readFile(join(out, 'index.html'), 'utf8');
      expectSelfContained(html);
      expect(findAll(parseXml(html), (e) => e.name === 'section').map((e) => e.attrs.id)).toEqual(['beta', 'alpha']);
      expect(html).toContain('Workload</dt><dd>quick');
      expect(html).toMatch(/Settings: section computed in \d+\.\d s/);
    });
  });

  it('is quick by default, long with --full, probes no GPU unless asked, and rejects --full with --quick', async () => {
    const { calls, registry } = fakeRegistry();
    await withTmp(async (dir) => {
      expect((await runDemo(['--out', dir, '--only', 'alpha'], registry)).code).toBe(0);
      expect(calls.alpha).toMatchObject({ quick: true, probeWebGpu: false });
      expect((await runDemo(['--out', dir, '--only', 'alpha', '--full'], registry)).code).toBe(0);
      expect(calls.alpha.quick).toBe(false);
      expect(await readFile(join(dir, 'index.html'), 'utf8')).toContain('Workload</dt><dd>full');
    });
    expect(await runDemo(['--full', '--quick'], registry)).toMatchObject({ code: 2, err: expect.stringMatching(/--full and --quick/) });
  });

  it('reports a failing section in the page and on stderr, still writing the others, exit 1', async () => {
    const { registry } = fakeRegistry();
    await withTmp(async (dir) => {
      const r = await runDemo(['--out', dir], registry);
      expect(r.code).toBe(1);
      expect(r.err).toBe('sparse-inference demo: section failed: broken: broken exploded on two lines\n');
      expect(r.out).toMatch(/^broken {2}FAILED: broken exploded on two lines \(\d+\.\d s\)$/m);
      const root = parseXml(await readFile(join(dir, 'index.html'), 'utf8'));
      expect(findAll(root, (e) => e.name === 'section').map((e) => e.attrs.id)).toEqual(['alpha', 'beta', 'broken']);
      expect(textOf(findAll(root, (e) => e.attrs.class === 'failed')[0])).toContain('broken exploded');
    });
  });

  it('draws progress on a terminal only, and erases it', async () => {
    const { registry } = fakeRegistry();
    await withTmp(async (dir) => {
      const r = await runDemo(['--out', dir, '--only', 'alpha'], registry, { isTTY: true });
      expect(r.code).toBe(0);
      expect(r.err).toMatch(/^\rdemo \[[#.]+\] +\d+%/);
      expect(r.err.endsWith('\r\x1b[K')).toBe(true);
    });
  });

  it('rejects inconsistent options with exit code 2', async () => {
    const { registry } = fakeRegistry();
    expect(await runDemo(['--model', 'a.bin'], registry)).toMatchObject({ code: 2, err: expect.stringMatching(/--model and --tokenizer must be given together/) });
    expect(await runDemo(['--model', '/nonexistent/m.bin', '--tokenizer', '/nonexistent/t.bin'], registry))
      .toMatchObject({ code: 2, err: expect.stringMatching(/--model: no such file/) });
    expect(await runDemo(['--only', 'nope'], registry)).toMatchObject({ code: 2, err: expect.stringMatching(/unknown section 'nope' \(sections: alpha, beta, broken\)/) });
    expect(await runDemo(['--only', ','], registry)).toMatchObject({ code: 2 });
    expect(await runDemo(['--backend', 'gpu'], registry)).toMatchObject({ code: 2 });
  });

  it('stops with exit code 130 when interrupted', async () => {
    const { calls, registry } = fakeRegistry();
    const controller = new AbortController();
    controller.abort();
    await withTmp(async (dir) => {
      const r = await runDemo(['--out', dir], registry, { signal: controller.signal });
      expect(r.code).toBe(130);
      expect(r.err).toMatch(/ABORTED/);
      expect(Object.keys(calls)).toEqual([]);
    });
  });

  it('runs every registered section (the quiet default) into one valid, self-contained page, algorithms first', async () => {
    await withTmp(async (dir) => {
      const r = await runDemo(['--out', dir]);
      expect(r.err).toBe('');
      expect(r.code).toBe(0);
      const html = await readFile(join(dir, 'index.html'), 'utf8');
      expectSelfContained(html);
      const root = parseXml(html);
      const ids = findAll(root, (e) => e.name === 'section').map((e) => e.attrs.id);
      expect(ids).toEqual(Object.keys(reportSections));
      for (const id of ids) expect(r.out).toMatch(new RegExp(`^${id} +\\S`, 'm'));
      expect(ids[ids.length - 1]).toBe('backends'); // reference tables after the algorithms
      // Every section opens with what to conclude and the settings behind its numbers.
      for (const s of findAll(root, (e) => e.name === 'section')) {
        expect(findAll(s, (e) => e.attrs.class === 'conclusion'), `section ${s.attrs.id}`).toHaveLength(1);
        expect(textOf(findAll(s, (e) => e.attrs.class === 'settings')[0]), `section ${s.attrs.id}`).toMatch(/Settings: .+computed in/);
      }
      // The report runs no kernel benchmark (that is `npm run bench`) and probes no GPU by default.
      const backends = findAll(root, (e) => e.name === 'section' && e.attrs.id === 'backends')[0];
      expect(textOf(backends)).toMatch(/Kernel matrix/);
      expect(textOf(backends)).not.toMatch(/kernels\/dot:wasm-simd/);
      expect(textOf(backends)).toMatch(/not probed/);
    });
  }, 600_000);
});

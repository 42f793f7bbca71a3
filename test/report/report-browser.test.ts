/**
 * The demo report as a person sees it: `sparse-inference demo` (the built executable, its
 * quiet default) writes report/index.html; headless Chromium opens it. The page must have no
 * console errors, one <section> per registered report section with a plot in each algorithm
 * section, and no SVG text that is cut, shortened, outside its chart, or over a plot (see
 * text-fit.ts; a deliberately broken page proves the check can fail). Screenshots of the whole
 * page, its top and each section are saved under report/ for a human to look at.
 */
import { it, expect } from 'vitest';
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Page } from 'playwright-core';
import { describeWithRuntime, expectDistBuilt, repoRoot } from '../runtimes/harness.js';
import { reportSections } from '../../src/report/sections/index.js';
import { lineChart } from '../../src/plot/index.js';
import { findTextProblems, type TextProblem } from './text-fit.js';

const chromiumPath = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const missing = existsSync(chromiumPath) ? null : `${chromiumPath} not found (Debian: apt-get install -y chromium)`;
const ARGS = ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
  '--disable-component-update', '--disable-sync'];

function runDemo(outDir: string): Promise<{ code: number | null; out: string; err: string }> {
  const main = resolve(repoRoot, 'dist', 'cli', 'main.js');
  return new Promise((done) => {
    const child = spawn(process.execPath, [main, 'demo', '--out', outDir], { cwd: repoRoot, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.on('data', (d) => { out += d; });
    child.stderr.on('data', (d) => { err += d; });
    child.on('exit', (code) => done({ code, out, err }));
  });
}

/**
 * Run the text check in the page, as source; a transpiler that keeps function names wraps
 * them in __name(), which the page lacks, so it gets a pass-through one.
 */
function textProblems(page: Page): Promise<TextProblem[]> {
  return page.evaluate(`(() => { const __name = (f) => f; return (${findTextProblems.toString()})(); })()`) as Promise<TextProblem[]>;
}

async function withChromium(fn: (page: Page, errors: string[]) => Promise<void>): Promise<void> {
  const { chromium } = await import('playwright-core');
  const profile = await mkdtemp(join(tmpdir(), 'si-report-'));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: chromiumPath, headless: true, args: ARGS, viewport: { width: 1200, height: 900 },
  });
  try {
    const page = await context.newPage();
    const errors: string[] = [];
    page.on('console', (m) => { if (m.type() === 'error') errors.push(m.text()); });
    page.on('pageerror', (e) => errors.push(String(e)));
    await fn(page, errors);
  } finally {
    await context.close();
    await rm(profile, { recursive: true, force: true });
  }
}

describeWithRuntime('demo report in Chromium', missing, () => {
  it('the text check catches a cut legend, an ellipsis and a legend over the plot', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'si-cut-'));
    try {
      const good = lineChart({ width: 400, height: 260, legend: 'right', series: [{ name: 'posterior mean', x: [0, 1], y: [0, 1] }] });
      // A right-hand legend entry far longer than the chart is wide, as the old layout drew it.
      const cut = good.replace('>posterior mean<', '>posterior mean of a curve that runs far past the right edge<');
      const ellipsis = good.replace('>posterior mean<', '>posterior me…<');
      const over = good.replace(/<g class="legend"([^>]*)>/, '<g class="legend"$1 transform="translate(-200,40)">');
      await writeFile(join(dir, 'index.html'), `<!DOCTYPE html><html><body>${[good, cut, ellipsis, over]
        .map((s, i) => `<section id="s${i}">${s}</section>`).join('')}</body></html>`);
      await withChromium(async (page) => {
        await page.goto(pathToFileURL(join(dir, 'index.html')).href);
        const found = await textProblems(page);
        const where = (id: string) => found.filter((p) => p.chart.startsWith(`${id}:`)).map((p) => p.problem);
        expect(where('s0')).toEqual([]);
        expect(where('s1')).toContain('runs outside its chart');
        expect(where('s2')).toContain('shortened with an ellipsis');
        expect(where('s3')).toContain('legend text over the plot area');
      });
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  }, 120_000);

  it('renders every section, no console errors, no cut or overlapping text; saves screenshots', async () => {
    expectDistBuilt();
    const outDir = resolve(repoRoot, 'report');
    const r = await runDemo(outDir);
    expect(r.code, r.err).toBe(0);
    expect(r.err).not.toMatch(/Vulkan|Dawn/i); // no GPU stack loaded unless asked
    await withChromium(async (page, errors) => {
      await page.goto(pathToFileURL(join(outDir, 'index.html')).href);
      const sections = await page.$$eval('section', (els) => els.map((e) => ({
        id: e.id, svgs: e.querySelectorAll('svg').length, width: e.getBoundingClientRect().width,
        conclusion: e.querySelector('.conclusion')?.textContent ?? '',
      })));
      expect(sections.map((s) => s.id)).toEqual(Object.keys(reportSections));
      for (const s of sections) {
        // backends is a table of what loaded.
        if (s.id !== 'backends') expect(s.svgs, `section ${s.id} has no plot`).toBeGreaterThan(0);
        expect(s.width, `section ${s.id} is not rendered`).toBeGreaterThan(0);
        expect(s.conclusion.length, `section ${s.id} has no conclusion`).toBeGreaterThan(40);
      }
      expect(await textProblems(page)).toEqual([]);
      await page.screenshot({ path: join(outDir, 'screenshot.png'), fullPage: true });
      await page.screenshot({ path: join(outDir, 'screenshot-top.png') });
      for (const s of sections) await page.locator(`section#${s.id}`).screenshot({ path: join(outDir, `screenshot-${s.id}.png`) });
      expect(existsSync(join(outDir, 'screenshot.png'))).toBe(true);
      expect(errors).toEqual([]);
    });
  }, 600_000);
});

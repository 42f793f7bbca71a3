/**
 * The demo report as a person sees it: `sparse-inference demo --quick` (the built executable)
 * writes report/index.html; headless Chromium opens it, and the page must have no console
 * errors, one <section> per registered report section, and at least one plot (<svg>) in each.
 * A full-page screenshot is saved as report/screenshot.png for a human to look at.
 */
import { it, expect } from 'vitest';
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { describeWithRuntime, expectDistBuilt, repoRoot } from '../runtimes/harness.js';
import { reportSections } from '../../src/report/sections/index.js';

const chromiumPath = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const missing = existsSync(chromiumPath) ? null : `${chromiumPath} not found (Debian: apt-get install -y chromium)`;
const ARGS = ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
  '--disable-component-update', '--disable-sync'];

function runDemo(outDir: string): Promise<{ code: number | null; out: string; err: string }> {
  const main = resolve(repoRoot, 'dist', 'cli', 'main.js');
  return new Promise((done) => {
    const child = spawn(process.execPath, [main, 'demo', '--quick', '--out', outDir], { cwd: repoRoot, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.on('data', (d) => { out += d; });
    child.stderr.on('data', (d) => { err += d; });
    child.on('exit', (code) => done({ code, out, err }));
  });
}

describeWithRuntime('demo report in Chromium', missing, () => {
  it('renders every section with a plot and no console errors; saves a screenshot', async () => {
    expectDistBuilt();
    const outDir = resolve(repoRoot, 'report');
    const r = await runDemo(outDir);
    expect(r.code, r.err).toBe(0);
    const { chromium } = await import('playwright-core');
    const profile = await mkdtemp(join(tmpdir(), 'si-report-'));
    const context = await chromium.launchPersistentContext(profile, { executablePath: chromiumPath, headless: true, args: ARGS });
    try {
      const page = await context.newPage();
      const errors: string[] = [];
      page.on('console', (m) => { if (m.type() === 'error') errors.push(m.text()); });
      page.on('pageerror', (e) => errors.push(String(e)));
      await page.goto(pathToFileURL(join(outDir, 'index.html')).href);
      const sections = await page.$$eval('section', (els) => els.map((e) => ({
        id: e.id, svgs: e.querySelectorAll('svg').length, width: e.getBoundingClientRect().width,
      })));
      expect(sections.map((s) => s.id)).toEqual(Object.keys(reportSections));
      for (const s of sections) {
        expect(s.svgs, `section ${s.id} has no plot`).toBeGreaterThan(0);
        expect(s.width, `section ${s.id} is not rendered`).toBeGreaterThan(0);
      }
      await page.screenshot({ path: join(outDir, 'screenshot.png'), fullPage: true });
      expect(existsSync(join(outDir, 'screenshot.png'))).toBe(true);
      expect(errors).toEqual([]);
    } finally {
      await context.close();
      await rm(profile, { recursive: true, force: true });
    }
  }, 600_000);
});

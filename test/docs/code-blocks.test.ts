/**
 * Every code example in README.md and docs/*.md runs as written:
 * - ```ts and ```js blocks run in Node (TypeScript stripped by esbuild) against the built
 *   package, imported as 'sparse-inference' from a folder whose node_modules links to this
 *   checkout (so the package.json exports are what resolves), with the repository root as
 *   the working directory (examples read ../shared);
 * - ```js browser / ```ts browser blocks are bundled by esbuild for the browser with no flags
 *   or externals, then run in headless Chromium (the page must get content and log no error;
 *   without Chromium only the bundling is checked, and the test says so);
 * - ```sh blocks are not run, but each `sparse-inference` command in them must exist and every
 *   flag it uses must appear in that command's --help.
 * A failure names the file and line of the block and shows its stderr.
 */
import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { build, transformSync } from 'esbuild';
import { cliCommandLines, docCodeBlocks } from './extract-blocks.js';
import { commands } from '../../src/cli/main.js';
import { runCli } from '../../src/cli/run-cli.js';
import { fakeContext } from '../cli/fake-context.js';

const root = resolve(import.meta.dirname, '..', '..');
const blocks = docCodeBlocks(root);
const work = mkdtempSync(join(tmpdir(), 'doc-blocks-'));
mkdirSync(join(work, 'node_modules'));
symlinkSync(root, join(work, 'node_modules', 'sparse-inference'), 'dir');
afterAll(() => rmSync(work, { recursive: true, force: true }));

function runNode(file: string): Promise<{ code: number; out: string; err: string }> {
  return new Promise((done) => {
    execFile(process.execPath, [file], { cwd: root, timeout: 170_000, maxBuffer: 1 << 24 }, (error, out, err) => {
      done({ code: error ? (typeof error.code === 'number' ? error.code : 1) : 0, out, err: err || (error?.message ?? '') });
    });
  });
}

const chromiumPath = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

/** Run a module script in a blank headless Chromium page; the page's body and its errors. */
async function runInChromium(script: string): Promise<{ content: string; errors: string[] }> {
  const { chromium } = await import('playwright-core');
  const browser = await chromium.launch({ executablePath: chromiumPath, headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
      '--disable-component-update', '--disable-sync'] });
  try {
    const page = await browser.newPage();
    const errors: string[] = [];
    page.on('console', (m) => { if (m.type() === 'error') errors.push(m.text()); });
    page.on('pageerror', (e) => errors.push(String(e)));
    await page.setContent('<!doctype html><html><body></body></html>');
    await page.addScriptTag({ type: 'module', content: script + '\ndocument.documentElement.dataset.done = "1";' });
    await page.waitForFunction(() => document.documentElement.dataset.done === '1' || false, undefined, { timeout: 120_000 })
      .catch(() => errors.push('the example did not finish within 120 s'));
    return { content: await page.evaluate(() => document.body.innerHTML), errors };
  } finally {
    await browser.close();
  }
}

const where = (b: { file: string; line: number }) => `${b.file}:${b.line}`;
const runnable = blocks.filter((b) => (b.lang === 'ts' || b.lang === 'js'));

describe('documentation code blocks', () => {
  it('the package is built (npm run build) and the docs have examples', () => {
    expect(existsSync(join(root, 'dist', 'index.js')), 'dist/index.js is missing: run npm run build').toBe(true);
    expect(runnable.length).toBeGreaterThanOrEqual(8);
  });

  for (const b of runnable) {
    const browser = b.tags.includes('browser');
    it(`${where(b)} (${b.lang}${browser ? ' browser' : ''}) runs`, async () => {
      const name = `${b.file.replace(/[/.]/g, '_')}_${b.line}`;
      if (browser) {
        const bundled = await build({
          stdin: { contents: b.code, loader: b.lang as 'ts' | 'js', resolveDir: work, sourcefile: where(b) },
          bundle: true, platform: 'browser', format: 'esm', write: false, logLevel: 'silent',
        });
        expect(bundled.errors, where(b)).toEqual([]);
        if (!existsSync(chromiumPath)) {
          console.warn(`${where(b)}: bundled only, not run (${chromiumPath} not found)`);
          return;
        }
        const { content, errors } = await runInChromium(bundled.outputFiles[0].text);
        expect(errors, `${where(b)}: errors in the page`).toEqual([]);
        expect(content.length, `${where(b)} put nothing into the page`).toBeGreaterThan(0);
        return;
      }
      const js = transformSync(b.code, { loader: b.lang as 'ts' | 'js', format: 'esm', target: 'node20', sourcefile: where(b) }).code;
      const file = join(work, `${name}.mjs`);
      writeFileSync(file, js);
      const r = await runNode(file);
      expect(r.code, `${where(b)} exited ${r.code}:\n${r.err.slice(-3000)}`).toBe(0);
    }, 180_000);
  }
});

describe('documentation shell commands use flags that exist', async () => {
  const help = async (args: string[]) => {
    const ctx = fakeContext();
    const code = await runCli([...args, '--help'], ctx, commands, () => '0.0.0');
    return { code, text: ctx.out };
  };
  const lines = blocks.filter((b) => b.lang === 'sh').flatMap((b) => cliCommandLines(b.code).map((l) => ({ b, ...l })));
  it('there are shell examples to check', () => expect(lines.length).toBeGreaterThan(10));
  for (const { b, words, flags } of lines) {
    it(`${where(b)}: sparse-inference ${words.slice(0, 2).join(' ')}`, async () => {
      // `sparse-inference --help`, `sparse-inference <command> --help`: the top-level help.
      const command = words[0] === undefined || words[0].startsWith('-') || words[0].startsWith('<') ? null : words[0];
      const h = await help(command === null ? [] : [command]);
      expect(h.code, `unknown command '${command}' at ${where(b)}`).toBe(0);
      for (const flag of flags) {
        if (flag === '--help') continue;
        expect(new RegExp(`${flag}(?![\\w-])`).test(h.text), `${where(b)}: ${flag} is not in 'sparse-inference ${command ?? ''} --help'`).toBe(true);
      }
    });
  }
});

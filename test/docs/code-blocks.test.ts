/**
 * Every code example in README.md and docs/*.md runs as written:
 * - ```ts and ```js blocks run in Node (TypeScript stripped by esbuild) against the built
 *   package, imported as 'sparse-inference' from a folder whose node_modules links to this
 *   checkout (so the package.json exports are what resolves), with the repository root as
 *   the working directory (examples read ../shared);
 * - ```js browser / ```ts browser blocks are bundled by esbuild for the browser with no flags
 *   or externals, then run with a minimal `document` and must put something into the page;
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
      let js: string;
      if (browser) {
        const bundled = await build({
          stdin: { contents: b.code, loader: b.lang as 'ts' | 'js', resolveDir: work, sourcefile: where(b) },
          bundle: true, platform: 'browser', format: 'esm', write: false, logLevel: 'silent',
        });
        expect(bundled.errors, where(b)).toEqual([]);
        // A minimal page: the example must write into document.body.
        js = 'globalThis.document = { body: { innerHTML: "" } };\n' + bundled.outputFiles[0].text
          + '\nif (!document.body.innerHTML) { console.error("the example put nothing into the page"); process.exit(1); }\n';
      } else {
        js = transformSync(b.code, { loader: b.lang as 'ts' | 'js', format: 'esm', target: 'node20', sourcefile: where(b) }).code;
      }
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
  const lines = blocks.filter((b) => b.lang === 'sh').flatMap((b) => cliCommandLines(b.code).map((words) => ({ b, words })));
  it('there are shell examples to check', () => expect(lines.length).toBeGreaterThan(5));
  for (const { b, words } of lines) {
    it(`${where(b)}: sparse-inference ${words.slice(0, 2).join(' ')}`, async () => {
      if (words.length === 0 || words[0].startsWith('-')) {
        const top = await help([]);
        for (const flag of words.filter((w) => w.startsWith('-'))) expect(top.text, flag).toContain(flag.split('=')[0]);
        return;
      }
      const h = await help([words[0]]);
      expect(h.code, `unknown command '${words[0]}' at ${where(b)}`).toBe(0);
      for (const w of words.slice(1)) {
        if (!w.startsWith('--')) continue;
        const flag = w.split('=')[0];
        expect(new RegExp(`${flag}(?![\\w-])`).test(h.text), `${where(b)}: ${flag} is not in 'sparse-inference ${words[0]} --help'`).toBe(true);
      }
    });
  }
});

// The installed package in Chromium: a page importing it is bundled by esbuild with no flags
// and no externals (as a user's bundler would), served from 127.0.0.1 and driven headless by
// playwright-core; wasm SIMD kernels must match the reference, one call per family must give
// the source tree's numbers (a knot fit and a plot among them), with no console errors.
import { it, expect, beforeAll } from 'vitest';
import { existsSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { describeWithRuntime, expectMatchesReference, repoRoot, type SmokeResult } from './harness.js';
import { installPackage, type InstalledPackage } from './installed-package.js';
import { familiesFromSource } from './families-oracle.js';

const chromiumPath = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const missing = existsSync(chromiumPath) ? null : `${chromiumPath} not found (Debian: apt-get install -y chromium)`;

/** Launch flags from CONVENTIONS.md: no sandbox (containers), no GPU, no network chatter. */
const ARGS = ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
  '--disable-component-update', '--disable-sync'];

const MIME: Record<string, string> = {
  '.html': 'text/html; charset=utf-8', '.js': 'text/javascript; charset=utf-8', '.mjs': 'text/javascript; charset=utf-8',
  '.wasm': 'application/wasm', '.json': 'application/json', '.map': 'application/json',
};

function serve(files: Record<string, string | Uint8Array>): Promise<{ server: Server; url: string }> {
  const server = createServer((req, res) => {
    const path = new URL(req.url ?? '/', 'http://127.0.0.1').pathname;
    const body = files[path === '/' ? '/index.html' : path];
    if (path === '/favicon.ico') { res.writeHead(204).end(); return; }
    if (body === undefined) { res.writeHead(404, { 'content-type': 'text/plain' }).end('not found'); return; }
    const ext = path === '/' ? '.html' : path.slice(path.lastIndexOf('.'));
    res.writeHead(200, { 'content-type': MIME[ext] ?? 'application/octet-stream', 'cache-control': 'no-store' }).end(body);
  });
  return new Promise((done) => server.listen(0, '127.0.0.1', () => {
    const addr = server.address();
    done({ server, url: `http://127.0.0.1:${typeof addr === 'object' && addr ? addr.port : 0}/` });
  }));
}

describeWithRuntime('Chromium runtime (installed package, bundled with no flags)', missing, () => {
  let pkg: InstalledPackage;
  beforeAll(async () => { pkg = await installPackage(); }, 240_000);

  it('runs wasm SIMD kernels, a knot fit and a plot from a browser bundle with the reference answers', async () => {
    const esbuild = await import('esbuild');
    const { chromium } = await import('playwright-core');
    const entry = join(pkg.project, 'page.mjs');
    await writeFile(entry, (await (await import('node:fs/promises')).readFile(resolve(repoRoot, 'test/runtimes/fixtures/browser-entry.mjs'), 'utf8'))
      .replaceAll('./smoke.mjs', resolve(repoRoot, 'test/runtimes/fixtures/smoke.mjs'))
      .replaceAll('./families.mjs', resolve(repoRoot, 'test/runtimes/fixtures/families.mjs')));
    // What a user's bundler does: no externals, no flags beyond the browser platform.
    const built = await esbuild.build({
      entryPoints: [entry], absWorkingDir: pkg.project,
      bundle: true, format: 'esm', platform: 'browser', write: false, logLevel: 'silent',
    });
    expect(built.errors).toEqual([]);
    const bundle = built.outputFiles[0].text;

    const { server, url } = await serve({
      '/index.html': '<!DOCTYPE html><html><head><meta charset="utf-8"><title>smoke</title></head>' +
        '<body><script type="module" src="/bundle.js"></script></body></html>',
      '/bundle.js': bundle,
    });
    const profile = await mkdtemp(join(tmpdir(), 'si-chromium-'));
    const context = await chromium.launchPersistentContext(profile, { executablePath: chromiumPath, headless: true, args: ARGS });
    try {
      const page = context.pages()[0] ?? await context.newPage();
      const errors: string[] = [];
      page.on('console', (m) => { if (m.type() === 'error') errors.push(m.text()); });
      page.on('pageerror', (e) => errors.push(String(e)));
      await page.goto(url);
      await page.waitForFunction(() => (window as unknown as { __smoke?: unknown }).__smoke !== undefined, null, { timeout: 60_000 });
      const out = await page.evaluate(() => (window as unknown as { __smoke: { ok: boolean; result?: unknown; error?: string } }).__smoke);
      expect(out.error).toBeUndefined();
      expect(out.ok).toBe(true);
      const result = out.result as SmokeResult;
      expect(result.runtime.name).toBe('browser');
      await expectMatchesReference(result);
      expect((out.result as { families: unknown }).families).toEqual(await familiesFromSource());
      expect(errors).toEqual([]);
    } finally {
      await context.close();
      await new Promise((done) => server.close(done));
      await rm(profile, { recursive: true, force: true });
    }
  }, 180_000);
});

// The built package in Chromium: bundled from dist/ with esbuild, served from 127.0.0.1,
// driven headless by playwright-core; wasm SIMD kernels must load and match the reference,
// with no console errors.
import { it, expect } from 'vitest';
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { describeWithRuntime, expectDistBuilt, expectMatchesReference, repoRoot, type SmokeResult } from './harness.js';

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

describeWithRuntime('Chromium runtime', missing, () => {
  it('runs wasm SIMD kernels from a browser bundle with the reference answers', async () => {
    expectDistBuilt();
    const esbuild = await import('esbuild');
    const { chromium } = await import('playwright-core');
    // `node:` modules stay external: Node-only helpers may load them lazily (await import(...)
    // inside a function a browser never calls), but a static import would break the page.
    const built = await esbuild.build({
      entryPoints: [resolve(repoRoot, 'test/runtimes/fixtures/browser-entry.mjs')],
      bundle: true, format: 'esm', platform: 'browser', target: 'es2022', write: false, logLevel: 'silent',
      external: ['node:*'],
    });
    expect(built.errors).toEqual([]);
    const bundle = built.outputFiles[0].text;
    const staticNode = bundle.split('\n').filter((l) => /^\s*import\b[^(]*["']node:/.test(l));
    expect(staticNode, 'static node: imports reachable from dist/index.js').toEqual([]);

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
      expect(errors).toEqual([]);
    } finally {
      await context.close();
      await new Promise((done) => server.close(done));
      await rm(profile, { recursive: true, force: true });
    }
  }, 180_000);
});

// Knot chains on Web Workers in Chromium: the installed package's dist/ served unbundled from
// 127.0.0.1 with an import map (as from a CDN), driven headless by playwright-core. One module
// worker per chain must deliver its record; the records equal the same chains run on the page's
// thread, and the source tree's chains in Node to rounding; no console errors.
import { it, expect, beforeAll } from 'vitest';
import { existsSync } from 'node:fs';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join, relative, resolve, sep } from 'node:path';
import { describeWithRuntime, repoRoot } from './harness.js';
import { installPackage, type InstalledPackage } from './installed-package.js';
import { expectSameChains, knotWorkersFromSource, type Fingerprint } from './knot-workers-oracle.js';

const chromiumPath = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const missing = existsSync(chromiumPath) ? null : `${chromiumPath} not found (Debian: apt-get install -y chromium)`;
const ARGS = ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
  '--disable-component-update', '--disable-sync'];

/** Every .js file under root, keyed by its URL path under `prefix`. */
async function filesUnder(root: string, prefix: string): Promise<Record<string, Buffer>> {
  const out: Record<string, Buffer> = {};
  for (const e of await readdir(root, { withFileTypes: true, recursive: true })) {
    if (!e.isFile() || !e.name.endsWith('.js')) continue;
    const path = join(e.parentPath, e.name);
    out[`${prefix}/${relative(root, path).split(sep).join('/')}`] = await readFile(path);
  }
  return out;
}

function serve(files: Record<string, string | Buffer>): Promise<{ server: Server; url: string }> {
  const server = createServer((req, res) => {
    const path = new URL(req.url ?? '/', 'http://127.0.0.1').pathname;
    const body = files[path === '/' ? '/index.html' : path];
    if (path === '/favicon.ico') { res.writeHead(204).end(); return; }
    if (body === undefined) { res.writeHead(404, { 'content-type': 'text/plain' }).end('not found'); return; }
    const type = path === '/' || path.endsWith('.html') ? 'text/html; charset=utf-8' : 'text/javascript; charset=utf-8';
    res.writeHead(200, { 'content-type': type, 'cache-control': 'no-store' }).end(body);
  });
  return new Promise((done) => server.listen(0, '127.0.0.1', () => {
    const addr = server.address();
    done({ server, url: `http://127.0.0.1:${typeof addr === 'object' && addr ? addr.port : 0}/` });
  }));
}

describeWithRuntime('Chromium: knot chains on Web Workers (installed package, unbundled ESM)', missing, () => {
  let pkg: InstalledPackage;
  beforeAll(async () => { pkg = await installPackage(); }, 240_000);

  it('runs one module worker per chain, with the in-thread and the Node records', async () => {
    const { chromium } = await import('playwright-core');
    const files: Record<string, string | Buffer> = await filesUnder(join(pkg.packageDir, 'dist'), '/pkg');
    files['/knot-workers.mjs'] = await readFile(resolve(repoRoot, 'test/runtimes/fixtures/knot-workers.mjs'));
    files['/index.html'] = '<!DOCTYPE html><html><head><meta charset="utf-8"><title>knot workers</title>'
      + '<script type="importmap">{"imports":{"sparse-inference":"/pkg/index.js","sparse-inference/":"/pkg/"}}</script></head><body>'
      + '<script type="module">import * as lib from "sparse-inference"; import * as knots from "sparse-inference/knots/index.js";'
      + 'import { knotWorkers } from "/knot-workers.mjs";'
      + 'knotWorkers(lib, knots).then((r) => { window.__knots = { ok: true, result: r }; }, (e) => { window.__knots = { ok: false, error: String(e && e.stack || e) }; });'
      + '</script></body></html>';
    const { server, url } = await serve(files);
    const profile = await mkdtemp(join(tmpdir(), 'si-chromium-knots-'));
    const context = await chromium.launchPersistentContext(profile, { executablePath: chromiumPath, headless: true, args: ARGS });
    try {
      const page = context.pages()[0] ?? await context.newPage();
      const errors: string[] = [];
      page.on('console', (m) => { if (m.type() === 'error') errors.push(m.text()); });
      page.on('pageerror', (e) => errors.push(String(e)));
      await page.goto(url);
      await page.waitForFunction(() => (window as unknown as { __knots?: unknown }).__knots !== undefined, null, { timeout: 90_000 });
      const out = await page.evaluate(() => (window as unknown as { __knots: { ok: boolean; result?: unknown; error?: string } }).__knots);
      expect(out.error).toBeUndefined();
      const got = out.result as { workers: number; finished: number; parallel: Fingerprint[]; sequential: Fingerprint[] };
      expect(got.workers).toBe(3);
      expect(got.finished).toBe(3);
      expect(got.parallel).toEqual(got.sequential);
      expectSameChains(got.sequential, (await knotWorkersFromSource()).sequential);
      expect(errors, errors.join('\n')).toEqual([]);
    } finally {
      await context.close();
      await new Promise((done) => server.close(done));
      await rm(profile, { recursive: true, force: true });
    }
  }, 180_000);
});

/**
 * The wasm-threads backend outside Node: bundled from the sources with esbuild and run in Deno
 * (node:worker_threads compatibility; the process must exit) and in headless Chromium (Web
 * Workers from a Blob URL), where the page must be cross-origin isolated — served with COOP/COEP
 * it gives the same bits on 2 threads as on 1 (and as the single-thread wasm kernels where the
 * cut keeps the summation order); served without, it fails with UNAVAILABLE
 * and says why. A missing runtime skips with the reason (fails under
 * SPARSE_INFERENCE_REQUIRE_RUNTIMES=1).
 */
import { expect, it } from 'vitest';
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { describeWithRuntime, repoRoot } from '../runtimes/harness.js';
import type { ParallelSmoke } from './fixtures/parallel-smoke.js';

const fixtures = resolve(repoRoot, 'test/parallel/fixtures');
const deno = resolve(repoRoot, 'node_modules', '.bin', 'deno');
const chromiumPath = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const ARGS = ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
  '--disable-component-update', '--disable-sync'];

async function bundle(entry: string, platform: 'neutral' | 'browser'): Promise<string> {
  const esbuild = await import('esbuild');
  const built = await esbuild.build({
    stdin: { contents: entry, resolveDir: fixtures, loader: 'ts' },
    bundle: true, format: 'esm', platform, target: 'es2022', write: false, logLevel: 'silent', external: ['node:*'],
  });
  return built.outputFiles[0].text;
}

function expectIdentical(r: ParallelSmoke): void {
  expect(r.error).toBeUndefined();
  expect(r.threads).toBe(2);
  expect(r.variant).toBe('simd-shared');
  expect(r.identical).toEqual({ gemv: true, gemvT: true, spvmm: true, l2sqrBatch: true, argminL2: true });
  expect(r.identicalToSingle).toEqual({ gemv: true, l2sqrBatch: true, argminL2: true });
}

describeWithRuntime('wasm-threads in Deno', existsSync(deno) ? null : `deno not installed (${deno} missing)`, () => {
  it('gives the same bits on 2 threads as on 1, and the process exits', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'wasm-threads-deno-'));
    try {
      const file = join(dir, 'entry.mjs');
      await writeFile(file, await bundle(
        "import { runParallelSmoke } from './parallel-smoke.ts';\nconsole.log(JSON.stringify(await runParallelSmoke()));\n",
        'neutral'));
      const r = await new Promise<{ code: number; out: string; err: string }>((done) => {
        execFile(deno, ['run', '--no-lock', '--quiet', file], { timeout: 60_000, env: { ...process.env, NO_COLOR: '1' } },
          (error, out, err) => done({ code: error ? (typeof error.code === 'number' ? error.code : 1) : 0, out, err }));
      });
      expect(r.code, r.err).toBe(0);
      expectIdentical(JSON.parse(r.out.trim().split('\n').pop()!) as ParallelSmoke);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});

function serve(bundleText: string, isolated: boolean): Promise<{ server: Server; url: string }> {
  const headers: Record<string, string> = isolated
    ? { 'cross-origin-opener-policy': 'same-origin', 'cross-origin-embedder-policy': 'require-corp' } : {};
  const server = createServer((req, res) => {
    const path = new URL(req.url ?? '/', 'http://127.0.0.1').pathname;
    if (path === '/') {
      res.writeHead(200, { ...headers, 'content-type': 'text/html; charset=utf-8' })
        .end('<!DOCTYPE html><html><head><meta charset="utf-8"><title>wasm-threads</title></head>'
          + '<body><script type="module" src="/bundle.js"></script></body></html>');
    } else if (path === '/bundle.js') {
      res.writeHead(200, { ...headers, 'content-type': 'text/javascript; charset=utf-8' }).end(bundleText);
    } else {
      res.writeHead(404).end();
    }
  });
  return new Promise((done) => server.listen(0, '127.0.0.1', () => {
    const addr = server.address();
    done({ server, url: `http://127.0.0.1:${typeof addr === 'object' && addr ? addr.port : 0}/` });
  }));
}

describeWithRuntime('wasm-threads in Chromium', existsSync(chromiumPath) ? null : `${chromiumPath} not found`, () => {
  it('runs on Web Workers in a cross-origin-isolated page, and says why it cannot in a plain one', async () => {
    const { chromium } = await import('playwright-core');
    const text = await bundle("import { runParallelSmoke } from './parallel-smoke.ts';\n"
      + 'runParallelSmoke().then((r) => { window.__smoke = r; });\n', 'browser');
    const profile = await mkdtemp(join(tmpdir(), 'wasm-threads-chromium-'));
    const context = await chromium.launchPersistentContext(profile, { executablePath: chromiumPath, headless: true, args: ARGS });
    try {
      for (const isolated of [true, false]) {
        const { server, url } = await serve(text, isolated);
        const page = await context.newPage();
        try {
          const errors: string[] = [];
          page.on('pageerror', (e) => errors.push(String(e)));
          await page.goto(url);
          await page.waitForFunction(() => (window as unknown as { __smoke?: unknown }).__smoke !== undefined, null, { timeout: 60_000, polling: 100 });
          const r = await page.evaluate(() => (window as unknown as { __smoke: ParallelSmoke }).__smoke);
          expect(r.crossOriginIsolated).toBe(isolated);
          if (isolated) {
            expectIdentical(r);
          } else {
            expect(r.error?.code).toBe('UNAVAILABLE');
            expect(r.error?.message).toContain('cross-origin isolated');
          }
          expect(errors).toEqual([]);
        } finally {
          await page.close();
          server.closeAllConnections();
          await new Promise((done) => server.close(done));
        }
      }
    } finally {
      await context.close();
      await rm(profile, { recursive: true, force: true });
    }
  }, 180_000);
});

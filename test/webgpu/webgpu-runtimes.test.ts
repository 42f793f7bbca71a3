/**
 * The shared WebGPU suite (test/differential/suite.ts) in Deno (wgpu; SwiftShader under CI's VK_ICD_FILENAMES,
 * else any Vulkan driver, e.g. Mesa's lavapipe) and in headless Chromium (Dawn on
 * SwiftShader: --enable-unsafe-webgpu --use-webgpu-adapter=swiftshader). The suite is bundled
 * from the TypeScript sources with esbuild (it needs no dist/ build), run there, and every
 * case must pass — the same case list as in Node.
 *
 * A missing runtime or adapter is a skip with its reason, or a failure under
 * SPARSE_INFERENCE_REQUIRE_RUNTIMES=1 (CI).
 */
import { beforeAll, expect, it } from 'vitest';
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { describeWithRuntime, repoRoot, requireRuntimes } from '../runtimes/harness.js';
import { SUITE } from '../differential/suite.js';
import type { RuntimeReport } from './runtime-entry.js';

const deno = resolve(repoRoot, 'node_modules', '.bin', 'deno');
const chromiumPath = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const denoMissing = existsSync(deno) ? null : `deno not installed (${deno} missing; it is a devDependency: npm install)`;
const chromiumMissing = existsSync(chromiumPath) ? null : `${chromiumPath} not found (Debian: apt-get install -y chromium)`;

/** Chromium flags: no sandbox (containers), WebGPU on SwiftShader, no network chatter. */
const ARGS = ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
  '--disable-component-update', '--disable-sync', '--enable-unsafe-webgpu', '--use-webgpu-adapter=swiftshader'];

let bundle = '';
beforeAll(async () => {
  if (denoMissing !== null && chromiumMissing !== null) return;
  const esbuild = await import('esbuild');
  const built = await esbuild.build({
    entryPoints: [resolve(repoRoot, 'test/webgpu/runtime-entry.ts')],
    bundle: true, format: 'esm', platform: 'browser', target: 'es2022', write: false, logLevel: 'silent',
  });
  expect(built.errors).toEqual([]);
  bundle = built.outputFiles[0].text;
  expect(bundle).not.toMatch(/from\s*["']node:/); // nothing Node-only was pulled in statically
}, 60_000);

/** Every case of the suite ran and passed; or, with no adapter, a skip (locally) or a failure (CI). */
function expectAllPassed(report: RuntimeReport, runtime: string, skip: (note: string) => void): void {
  if (!report.ok) {
    const reason = `${runtime}: the webgpu backend did not load: ${report.error}`;
    if (!requireRuntimes && /UNAVAILABLE/.test(report.error ?? '')) {
      console.warn(`[skip] ${reason}`);
      skip(reason);
      return;
    }
    throw new Error(reason);
  }
  expect(report.backend).toBe('webgpu');
  expect(report.cases).toEqual(SUITE.map((c) => c.name));
  expect(report.outcomes.map((o) => o.name)).toEqual(report.cases);
  const failed = report.outcomes.filter((o) => !o.ok).map((o) => `${o.name}: ${o.error}`);
  expect(failed, `${runtime} on ${report.device}`).toEqual([]);
}

describeWithRuntime('WebGPU suite in Deno', denoMissing, () => {
  it('passes every case of the shared suite', async (ctx) => {
    const dir = await mkdtemp(join(tmpdir(), 'si-webgpu-deno-'));
    try {
      const file = join(dir, 'suite.mjs');
      await writeFile(file, bundle);
      const r = await new Promise<{ code: number; out: string; err: string }>((done) => {
        execFile(deno, ['run', '--no-lock', '--quiet', file], { cwd: dir, timeout: 240_000, env: { ...process.env, NO_COLOR: '1' } },
          (error, out, err) => done({ code: error ? (typeof error.code === 'number' ? error.code : 1) : 0, out, err }));
      });
      expect(r.code, r.err).toBe(0);
      const report = JSON.parse(r.out.trim().split('\n').pop()!) as RuntimeReport;
      expectAllPassed(report, 'Deno', (note) => ctx.skip(note));
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  }, 300_000);
});

function serve(files: Record<string, string>): Promise<{ server: Server; url: string }> {
  const server = createServer((req, res) => {
    const path = new URL(req.url ?? '/', 'http://127.0.0.1').pathname;
    if (path === '/favicon.ico') { res.writeHead(204).end(); return; }
    const body = files[path === '/' ? '/index.html' : path];
    if (body === undefined) { res.writeHead(404).end('not found'); return; }
    const type = path.endsWith('.js') ? 'text/javascript; charset=utf-8' : 'text/html; charset=utf-8';
    res.writeHead(200, { 'content-type': type, 'cache-control': 'no-store' }).end(body);
  });
  return new Promise((done) => server.listen(0, '127.0.0.1', () => {
    const addr = server.address();
    done({ server, url: `http://127.0.0.1:${typeof addr === 'object' && addr ? addr.port : 0}/` });
  }));
}

describeWithRuntime('WebGPU suite in Chromium', chromiumMissing, () => {
  it('passes every case of the shared suite (SwiftShader adapter)', async (ctx) => {
    const { chromium } = await import('playwright-core');
    const { server, url } = await serve({
      '/index.html': '<!DOCTYPE html><html><head><meta charset="utf-8"><title>webgpu suite</title></head>'
        + '<body><script type="module" src="/suite.js"></script></body></html>',
      '/suite.js': bundle,
    });
    const profile = await mkdtemp(join(tmpdir(), 'si-webgpu-chromium-'));
    const context = await chromium.launchPersistentContext(profile, { executablePath: chromiumPath, headless: true, args: ARGS });
    try {
      const page = context.pages()[0] ?? await context.newPage();
      const errors: string[] = [];
      page.on('pageerror', (e) => errors.push(String(e)));
      await page.goto(url); // http://127.0.0.1 is a secure context, which navigator.gpu requires
      await page.waitForFunction(() => (globalThis as { __webgpuSuite?: unknown }).__webgpuSuite !== undefined, null,
        { timeout: 240_000 });
      const report = await page.evaluate(() => (globalThis as unknown as { __webgpuSuite: RuntimeReport }).__webgpuSuite);
      expect(errors).toEqual([]);
      expectAllPassed(report, 'Chromium', (note) => ctx.skip(note));
    } finally {
      await context.close();
      await new Promise((done) => server.close(done));
      await rm(profile, { recursive: true, force: true });
    }
  }, 300_000);
});

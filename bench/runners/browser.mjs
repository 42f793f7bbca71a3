#!/usr/bin/env node
// `npm run bench:browser`: the cross-runtime suites in headless Chromium. The page is
// browser-page.mjs bundled by esbuild with the same dist/ build Node runs (plus the peer
// libraries), served from 127.0.0.1 together with the peers' .wasm files straight from
// node_modules, and driven by playwright-core (/usr/bin/chromium, or CHROMIUM_PATH).
//
// The page is cross-origin isolated (COOP/COEP headers) so that performance.now() has 5 µs
// resolution instead of 100 µs; browsers have no CPU-time clock, so samples are wall-clock.
import { createServer } from 'node:http';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, normalize, sep } from 'node:path';
import { pathToFileURL } from 'node:url';
import { distIndex, distProblem, machineInfo, parseRunnerArgs, progressPrinter, repoRoot, usage, writeWithMachine } from './common.mjs';

export const chromiumPath = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

/** Launch flags (CONVENTIONS.md): no sandbox (containers), no GPU, no network chatter. */
export const CHROMIUM_ARGS = ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
  '--disable-background-networking', '--disable-component-update', '--disable-sync',
  '--disable-background-timer-throttling', '--disable-renderer-backgrounding'];

/** node_modules folders the page may fetch .wasm/.mjs files from (URL path → disk). */
export const PEER_ASSET_DIRS = {
  '/node_modules/@tensorflow/tfjs-backend-wasm/dist/': join(repoRoot, 'node_modules', '@tensorflow', 'tfjs-backend-wasm', 'dist'),
  '/node_modules/onnxruntime-web/dist/': join(repoRoot, 'node_modules', 'onnxruntime-web', 'dist'),
};

const MIME = { '.html': 'text/html; charset=utf-8', '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8', '.wasm': 'application/wasm' };

/**
 * Bundle the page (dist/ + peers) with esbuild; returns the JS text and the node: modules that
 * had to be stubbed. Node-only helpers in dist/ load node: modules lazily (dynamic import inside
 * functions a page never calls): those stay external. A *static* node: import would stop the
 * page from loading at all, so it is replaced by an empty module and reported (it is a bug in
 * the library's browser build, which the Chromium smoke test flags; the benchmark need not
 * wait for its fix).
 */
export async function bundlePage(entry = join(repoRoot, 'bench', 'runners', 'browser-page.mjs')) {
  const esbuild = await import('esbuild');
  const stubbed = new Set();
  const nodeStubs = {
    name: 'node-builtins',
    setup(build) {
      build.onResolve({ filter: /^node:/ }, (a) => {
        if (a.kind !== 'import-statement') return { path: a.path, external: true };
        stubbed.add(`${a.path} (imported by ${a.importer.replace(repoRoot, '')})`);
        return { path: a.path, namespace: 'node-stub' };
      });
      build.onLoad({ filter: /.*/, namespace: 'node-stub' }, () => ({ contents: 'module.exports = {};', loader: 'js' }));
      // Whole-program suites drive peers in a browser from Node (the wllama peer imports
      // playwright-core lazily); a page never runs them, so that import stays external.
      build.onResolve({ filter: /^playwright-core$/ }, (a) => ({ path: a.path, external: true }));
    },
  };
  const built = await esbuild.build({
    entryPoints: [entry],
    bundle: true, format: 'esm', platform: 'browser', target: 'es2022', write: false, logLevel: 'silent',
    plugins: [nodeStubs],
  });
  if (built.errors.length > 0) throw new Error(`esbuild: ${built.errors.map((e) => e.text).join('; ')}`);
  return { js: built.outputFiles[0].text, stubbed: [...stubbed] };
}

/** Serve the page, its bundle and the peers' wasm assets from 127.0.0.1 (cross-origin isolated). */
export function serve(bundle) {
  const page = '<!DOCTYPE html><html><head><meta charset="utf-8"><title>sparse-inference bench</title></head>'
    + '<body><script type="module" src="/bench.js"></script></body></html>';
  const server = createServer(async (req, res) => {
    const path = new URL(req.url ?? '/', 'http://127.0.0.1').pathname;
    const headers = { 'cache-control': 'no-store', 'cross-origin-opener-policy': 'same-origin',
      'cross-origin-embedder-policy': 'require-corp', 'cross-origin-resource-policy': 'same-origin' };
    const send = (status, type, body) => res.writeHead(status, { ...headers, 'content-type': type }).end(body);
    if (path === '/' || path === '/index.html') return send(200, MIME['.html'], page);
    if (path === '/favicon.ico') return res.writeHead(204, headers).end();
    if (path === '/bench.js') return send(200, MIME['.js'], bundle);
    for (const [prefix, dir] of Object.entries(PEER_ASSET_DIRS)) {
      if (!path.startsWith(prefix)) continue;
      const file = normalize(join(dir, decodeURIComponent(path.slice(prefix.length))));
      const ext = file.slice(file.lastIndexOf('.'));
      if (!file.startsWith(dir + sep) || !(ext === '.wasm' || ext === '.mjs') || !existsSync(file)) break;
      return send(200, MIME[ext], await readFile(file));
    }
    return send(404, 'text/plain', 'not found');
  });
  return new Promise((done) => server.listen(0, '127.0.0.1', () => done({ server, origin: `http://127.0.0.1:${server.address().port}` })));
}

export async function main(argv) {
  const command = 'node bench/runners/browser.mjs';
  let args;
  try {
    args = parseRunnerArgs(argv);
  } catch (e) {
    process.stderr.write(`${e.message}\n\n${usage('browser', command)}`);
    return 2;
  }
  if (args.help) { process.stdout.write(usage('browser', command)); return 0; }
  if (args.clock === 'cpu') { process.stderr.write('--clock cpu: browsers have no CPU-time clock; use wall\n'); return 2; }
  const problem = distProblem();
  if (problem?.fatal) { process.stderr.write(`${problem.message}\n`); return 1; }
  if (problem) process.stderr.write(`warning: ${problem.message}\n`);
  if (!existsSync(chromiumPath)) {
    process.stderr.write(`${chromiumPath} not found (Debian: apt-get install -y chromium; or set CHROMIUM_PATH)\n`);
    return 1;
  }

  const lib = await import(pathToFileURL(distIndex).href);
  const { chromium } = await import('playwright-core');
  const bundle = await bundlePage();
  if (bundle.stubbed.length > 0) {
    process.stderr.write(`warning: static node: imports reachable from dist/index.js, stubbed in the page: ${bundle.stubbed.join(', ')}\n`);
  }
  const { server, origin } = await serve(bundle.js);
  const profile = await mkdtemp(join(tmpdir(), 'si-bench-chromium-'));
  const context = await chromium.launchPersistentContext(profile, { executablePath: chromiumPath, headless: true, args: CHROMIUM_ARGS });
  const progress = progressPrinter('browser');
  const machineAtStart = machineInfo();
  const errors = [];
  try {
    const page = context.pages()[0] ?? await context.newPage();
    page.on('console', (m) => { if (m.type() === 'error') errors.push(m.text()); });
    page.on('pageerror', (e) => errors.push(String(e)));
    await page.exposeFunction('__benchProgress', (suite, fraction, label) => progress.update(suite, fraction, label));
    await page.goto(`${origin}/`);
    await page.waitForFunction(() => window.__benchReady === true, null, { timeout: 60_000 }).catch((e) => {
      throw new Error(`the page did not load: ${errors.join('; ') || e.message}`);
    });
    const results = await page.evaluate((config) => window.runBench(config), {
      suites: args.suites, quick: args.quick, clock: args.clock,
      wasmPaths: {
        tfjs: `${origin}/node_modules/@tensorflow/tfjs-backend-wasm/dist/`,
        ort: `${origin}/node_modules/onnxruntime-web/dist/`,
      },
    });
    progress.done();
    for (const result of results) {
      const file = await writeWithMachine(lib, result, args.out, { machineAtStart, runner: 'bench/runners/browser.mjs' });
      process.stdout.write(`${lib.formatTable(result)}wrote ${file}\n\n`);
    }
  } finally {
    progress.done();
    await context.close();
    await new Promise((done) => server.close(done));
    await rm(profile, { recursive: true, force: true });
  }
  if (errors.length > 0) process.stderr.write(`page console errors:\n  ${errors.join('\n  ')}\n`);
  return 0;
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  process.exitCode = await main(process.argv.slice(2));
}

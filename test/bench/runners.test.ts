/**
 * The cross-runtime benchmark runners (bench/runners/): the merge script on small fixture
 * results (runtime matrix like with like, full runs preferred, missed targets with their
 * explanations only while they fail, bad files skipped, deterministic output), and each
 * runner's entry point loads and answers --help. The suites themselves take minutes and are
 * not run here.
 */
import { describe, expect, it } from 'vitest';
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { describeWithRuntime, distIndex, repoRoot } from '../runtimes/harness.js';
// @ts-expect-error plain-JS runner modules (bench/ is not type-checked)
import { loadResults, mergeResults, parseTaskName, renderMarkdown, main as mergeMain, fmt } from '../../bench/runners/merge.mjs';
// @ts-expect-error plain-JS runner module
import { plan } from '../../bench/runners/all.mjs';
// @ts-expect-error plain-JS runner module
import { EXPLANATIONS } from '../../bench/runners/explanations.mjs';

interface Task { name: string; medianMs: number; p25Ms: number; p75Ms: number; samples: number }
interface Ratio { name: string; value: number; target?: number; pass?: boolean; unit?: string; note?: string }

function task(name: string, medianMs: number): Task {
  return { name, medianMs, p25Ms: medianMs * 0.9, p75Ms: medianMs * 1.1, samples: 10 };
}
function ratio(name: string, value: number, tgt?: number): Ratio {
  return tgt === undefined ? { name, value, unit: 'x' } : { name, value, unit: 'x', target: tgt, pass: value >= tgt };
}
function result(suite: string, runtime: string, quick: boolean, date: string, tasks: Task[], ratios: Ratio[], extra = {}) {
  return { suite, runtime: { name: runtime, version: runtime === 'browser' ? 'Mozilla/5.0 HeadlessChrome/150.0.0.0' : '1.0' },
    date, quick, clock: runtime === 'browser' ? 'wall' : 'cpu', tasks, ratios, notes: [`${suite} note`], ...extra };
}

/** Fixture results: kernels quick in three runtimes plus a full Node run; peers and llama in Node only. */
async function fixtureDir(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'si-merge-'));
  const w = (name: string, body: unknown) => writeFile(join(dir, name), typeof body === 'string' ? body : JSON.stringify(body));
  const quickTasks = (scale: number) => [task('kernels/gemv:wasm-simd:4096x4096', 3 * scale), task('kernels/gemv:reference:4096x4096', 30 * scale)];
  await w('kernels-node.quick.json', result('kernels', 'node', true, '2026-01-01T00:00:01Z', quickTasks(1), [ratio('gemv: wasm vs reference', 10, 5)]));
  await w('kernels-deno.quick.json', result('kernels', 'deno', true, '2026-01-01T00:00:02Z', quickTasks(2), [ratio('gemv: wasm vs reference', 9, 5)]));
  await w('kernels-browser.quick.json', result('kernels', 'browser', true, '2026-01-01T00:00:03Z', quickTasks(4),
    [ratio('gemv: wasm vs reference', 4, 5)], { machine: { cpu: 'Test CPU', cores: 2, memoryGiB: 8, loadavg1: 3.5, loadavg1End: 4 } }));
  await w('kernels-node.json', result('kernels', 'node', false, '2025-12-31T00:00:00Z',
    [task('kernels/gemv:wasm-simd:8192x8192', 12)], [ratio('gemv: wasm vs reference', 11, 5)]));
  await w('peers-node.json', result('peers', 'node', false, '2026-01-01T00:00:04Z',
    [task('peers/gemv:wasm-simd:4096x4096', 3), task('peers/gemv:ort-wasm-gemm:4096x4096', 2.5)],
    [ratio('gemv 4096x4096: best peer / ours', 0.8, 1), ratio('topK n65536_k1024: best peer / ours', 2.5, 1),
      ratio('some new ratio', 0.5, 1)], { peerVersions: { 'onnxruntime-web': '1.30.0' } }));
  await w('llama-node.json', result('llama', 'node', false, '2026-01-01T00:00:00Z',
    [task('llama/decode:wasm-simd:dim64:n5', 1)], [ratio('decode: wasm vs reference', 6)]));
  // Two results of one suite and runtime under different names (e.g. two devices): both kept.
  await w('webgpu-node-a.json', result('webgpu', 'node', false, '2026-01-01T00:00:00Z', [task('webgpu/x:webgpu:1', 1)], []));
  await w('webgpu-node-b.json', result('webgpu', 'node', false, '2026-01-01T00:00:00Z', [task('webgpu/x:webgpu:1', 2)], []));
  await w('broken.json', '{ not json');
  await w('other.json', { hello: 'world' });
  await w('kernels-node.123.tmp.json', '{ "left": "behind" }');
  await w('summary.json', { generator: 'an older merge' });
  return dir;
}

describe('merge.mjs', () => {
  it('reads the result files, skipping bad ones with a reason and ignoring temporary files and the summary', async () => {
    const { results, skipped } = loadResults(await fixtureDir());
    expect(results.map((r: { file: string }) => r.file).sort()).toEqual([
      'kernels-browser.quick.json', 'kernels-deno.quick.json', 'kernels-node.json', 'kernels-node.quick.json',
      'llama-node.json', 'peers-node.json', 'webgpu-node-a.json', 'webgpu-node-b.json']);
    expect(skipped).toEqual([
      { file: 'broken.json', reason: expect.stringMatching(/^not JSON/) },
      { file: 'other.json', reason: 'not a benchmark suite result' },
    ]);
  });

  it('splits task names, keeping colons inside the shape', () => {
    expect(parseTaskName('kvcache/decode-step:wasm-simd:32x8x128:n8192'))
      .toEqual({ family: 'kvcache', kernel: 'decode-step', backend: 'wasm-simd', shape: '32x8x128:n8192' });
    expect(parseTaskName('oddly named')).toEqual({ family: '', kernel: 'oddly named', backend: '', shape: '' });
  });

  it('builds the runtime matrix from like-with-like runs and prefers full runs per suite', async () => {
    const summary = mergeResults(loadResults(await fixtureDir()).results);
    expect(summary.matrix).toHaveLength(1); // only kernels ran in more than one runtime
    const mx = summary.matrix[0];
    expect(mx.suite).toBe('kernels');
    expect(mx.runtimes).toEqual(['node', 'deno', 'browser']);
    expect(mx.mode).toBe('quick'); // deno and browser have only quick runs, so node's quick run is used too
    expect(mx.sources.map((s: { file: string }) => s.file)).toEqual(['kernels-node.quick.json', 'kernels-deno.quick.json', 'kernels-browser.quick.json']);
    const row = mx.tasks.find((t: { task: string }) => t.task === 'kernels/gemv:wasm-simd:4096x4096');
    expect(row.cells.node.medianMs).toBe(3);
    expect(row.cells.deno.medianMs).toBe(6);
    expect(row.cells.browser.medianMs).toBe(12);
    expect(mx.tasks.some((t: { shape: string }) => t.shape === '8192x8192')).toBe(false);
    expect(mx.ratios[0].cells).toEqual({ node: { value: 10, pass: true }, deno: { value: 9, pass: true }, browser: { value: 4, pass: false } });

    const nodeKernels = summary.suites.find((s: { suite: string; runtime: string }) => s.suite === 'kernels' && s.runtime === 'node');
    expect(nodeKernels.file).toBe('kernels-node.json'); // full run preferred, although older
    expect(summary.suites.map((s: { file: string }) => s.file)).toEqual(['kernels-node.json', 'kernels-deno.quick.json',
      'kernels-browser.quick.json', 'llama-node.json', 'peers-node.json', 'webgpu-node-a.json', 'webgpu-node-b.json']);
    expect(summary.resultsAsOf).toBe('2026-01-01T00:00:04Z');
  });

  it('lists missed targets with the investigated reason only while the ratio fails', async () => {
    const summary = mergeResults(loadResults(await fixtureDir()).results);
    expect(summary.missed.map((m: { suite: string; runtime: string; name: string }) => `${m.suite}/${m.runtime}: ${m.name}`)).toEqual([
      'kernels/browser: gemv: wasm vs reference',
      'peers/node: gemv 4096x4096: best peer / ours',
      'peers/node: some new ratio',
    ]);
    const gemv = summary.missed.find((m: { name: string }) => m.name.startsWith('gemv 4096'));
    const expected = EXPLANATIONS.find((e: { suite: string; ratio: RegExp }) => e.suite === 'peers' && e.ratio.test('gemv 4096x4096: best peer / ours'));
    expect(gemv.explanation).toBe(expected.text);
    expect(summary.missed.find((m: { name: string }) => m.name === 'some new ratio').explanation).toBeNull();

    const md = renderMarkdown(summary);
    expect(md).toContain(expected.text);
    // The topK ratio passes in these results: its explanation must not appear.
    const topK = EXPLANATIONS.find((e: { ratio: RegExp }) => e.ratio.test('topK n65536_k1024: best peer / ours'));
    expect(md).not.toContain(topK.text);
    expect(md).toContain('Not investigated by the benchmark runners; see the `peers` suite\'s notes below.');
  });

  it('renders the tables: medians with spread, times relative to Node, ratios by runtime, machine and clock', async () => {
    const md = renderMarkdown(mergeResults(loadResults(await fixtureDir()).results));
    expect(md).toContain('<!-- GENERATED by bench/runners/merge.mjs');
    expect(md).toContain('| kernel | shape | backend | node | deno | browser | deno / node | browser / node |');
    expect(md).toContain(`| gemv | 4096x4096 | wasm-simd | 3.00 (${fmt(2.7)}–${fmt(3.3)}) | 6.00 (${fmt(5.4)}–${fmt(6.6)}) | 12.0 (${fmt(10.8)}–${fmt(13.2)}) | 2.00 | 4.00 |`);
    expect(md).toContain('| gemv: wasm vs reference | ≥ 5.00 | 10.0 x PASS | 9.00 x PASS | 4.00 x **FAIL** |');
    expect(md).toContain('Test CPU, 2 cores, 8 GiB; load average 3.5 → 4');
    expect(md).toContain('| browser | HeadlessChrome/150.0.0.0 | wall clock |');
    expect(md).toContain('Peer packages: onnxruntime-web 1.30.0.');
  });

  it('writes summary.json and the page atomically, and the same inputs give the same bytes', async () => {
    const dir = await fixtureDir();
    const doc = join(dir, 'out', 'benchmarks.md');
    const quiet = { stdout: process.stdout.write, stderr: process.stderr.write };
    process.stdout.write = (() => true) as typeof process.stdout.write;
    process.stderr.write = (() => true) as typeof process.stderr.write;
    try {
      expect(mergeMain(['--results', dir, '--doc', doc])).toBe(0);
      const first = [await readFile(join(dir, 'summary.json'), 'utf8'), await readFile(doc, 'utf8')];
      expect(mergeMain(['--results', dir, '--doc', doc])).toBe(0);
      expect([await readFile(join(dir, 'summary.json'), 'utf8'), await readFile(doc, 'utf8')]).toEqual(first);
      expect(JSON.parse(first[0]).generator).toBe('bench/runners/merge.mjs');
      expect(mergeMain(['--results', await mkdtemp(join(tmpdir(), 'si-empty-')), '--doc', doc])).toBe(1);
      expect(mergeMain(['--bogus'])).toBe(2);
    } finally {
      process.stdout.write = quiet.stdout;
      process.stderr.write = quiet.stderr;
    }
  });
});

function run(cmd: string, args: string[]): Promise<{ code: number; out: string; err: string }> {
  return new Promise((done) => {
    execFile(cmd, args, { cwd: repoRoot, timeout: 60_000, env: { ...process.env, NO_COLOR: '1' } }, (error, out, err) => {
      done({ code: error ? (typeof error.code === 'number' ? error.code : 1) : 0, out, err });
    });
  });
}

describe('runner entry points', () => {
  for (const [file, usage] of [
    ['bench/runners/node.mjs', 'Usage: node bench/runners/node.mjs'],
    ['bench/runners/browser.mjs', 'Usage: node bench/runners/browser.mjs'],
    ['bench/runners/all.mjs', 'Usage: node bench/runners/all.mjs'],
    ['bench/runners/merge.mjs', 'Usage: node bench/runners/merge.mjs'],
  ] as const) {
    it(`${file} loads, answers --help, and rejects a bad option`, async () => {
      const help = await run(process.execPath, [file, '--help']);
      expect(help.code, help.err).toBe(0);
      expect(help.out).toContain(usage);
      const bad = await run(process.execPath, [file, '--no-such-option']);
      expect(bad.code).toBe(2);
      expect(bad.err).toContain(usage);
    });
  }

  it('bench:all runs node, deno and browser quick, then node full, then the merge', () => {
    const labels = (steps: [string, string, string[], string | null][]) => steps.map((s) => `${s[0]}${s[2].includes('--quick') ? ' --quick' : ''}`);
    expect(labels(plan())).toEqual(['node --quick', 'deno --quick', 'browser --quick', 'node (full size)', 'merge']);
    expect(labels(plan({ quickOnly: true }))).toEqual(['node --quick', 'deno --quick', 'browser --quick', 'merge']);
    expect(labels(plan({ full: true }))).toEqual(['node', 'deno', 'browser', 'merge']);
  });

  it('the browser page bundles from dist/ with the peers, and exposes runBench', async () => {
    expect(existsSync(distIndex), `${distIndex} is missing: run \`npm run build\``).toBe(true);
    const { bundlePage } = await import('../../bench/runners/browser.mjs' as string) as
      { bundlePage: () => Promise<{ js: string; stubbed: string[] }> };
    const { js } = await bundlePage();
    expect(js).toContain('window.runBench');
    expect(js).toContain('InferenceSession'); // onnxruntime-web is in the bundle
    expect(js).toContain('tfjs-backend-wasm');
  }, 60_000);
});

const deno = resolve(repoRoot, 'node_modules', '.bin', 'deno');
describeWithRuntime('Deno runner entry point', existsSync(deno) ? null : `deno not installed (${deno} missing)`, () => {
  it('bench/runners/deno.mjs loads under Deno and answers --help', async () => {
    const r = await run(deno, ['run', '--no-lock', '--allow-read', '--allow-write', '--allow-env', '--allow-sys', 'bench/runners/deno.mjs', '--help']);
    expect(r.code, r.err).toBe(0);
    expect(r.out).toContain('Usage: deno run --no-lock');
    expect(r.out).toContain('<suite>-deno.json');
  });
});

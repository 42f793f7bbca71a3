/**
 * The benchmark harness: runs named tasks with tinybench, summarises each by its median and
 * interquartile range, and computes ratios *within the same run* — the machines here are
 * shared and noisy, so absolute times drift while ratios of interleaved measurements hold.
 *
 * Tasks are measured in rounds (every task once per round, round after round), so a slow
 * change in machine load affects all tasks alike instead of penalising whichever ran last,
 * and by default timed with the process's CPU-time clock, which does not count the time the
 * thread spends descheduled while other processes run (see Clock).
 *
 * Task names follow `family/kernel:backend:shape`, e.g. `kernels/gemv:wasm:4096x4096`.
 *
 * @example
 * const result = await runSuite('demo', [
 *   { name: 'kernels/dot:wasm:4096', fn: () => sink(k.dot(x, y, 4096)), bytes: 2 * 4096 * 4 },
 * ], { quick: true });
 * console.log(formatTable(result));
 */
import { Bench } from 'tinybench';
import { SparseInferenceError, badArgument, throwIfAborted } from '../../src/core/errors.js';
import { checkInt, checkNumber, checkOneOf } from '../../src/core/validate.js';

/** One benchmarked operation. `fn` is one call; bytes/flops are per call. */
export interface BenchTask {
  /** `family/kernel:backend:shape` */
  name: string;
  fn: () => void | Promise<void>;
  /** Bytes the call must move (for GB/s). */
  bytes?: number;
  /** Floating-point operations per call (for GFLOP/s). */
  flops?: number;
  /** Runs once before the task is measured (allocate, fill). */
  setup?: () => void | Promise<void>;
  /** Shown beside the task in the table (e.g. "reference measured at a smaller n"). */
  note?: string;
}

/** A ratio computed from this run's task results; `pass` is set when there is a target. */
export interface RatioSpec {
  name: string;
  /** Computes the value from this run's results (look tasks up by name). */
  value: (task: (name: string) => TaskResult) => number;
  /** The value must be at least this. */
  target?: number;
  /** Unit for display: 'x' (speed-up), 'of roofline', 'GFLOP/s', ... */
  unit?: string;
  note?: string;
}

export interface TaskResult {
  name: string;
  medianMs: number;
  p25Ms: number;
  p75Ms: number;
  samples: number;
  gbPerS?: number;
  gflopPerS?: number;
  note?: string;
}

export interface RatioResult {
  name: string;
  value: number;
  target?: number;
  pass?: boolean;
  unit?: string;
  note?: string;
}

export type RuntimeName = 'node' | 'deno' | 'browser';

export interface SuiteResult {
  suite: string;
  runtime: { name: RuntimeName; version: string };
  /** ISO 8601 time the run finished. */
  date: string;
  /** True for a --quick run (smaller shapes, fewer samples): not comparable with full runs. */
  quick: boolean;
  tasks: TaskResult[];
  ratios: RatioResult[];
  /** The clock that timed the samples (see Clock). */
  clock: Clock;
  /** Free-form remarks about the run (shapes changed in quick mode, machine load, ...). */
  notes: string[];
}

export interface RunOptions {
  /** Fewer rounds and a shorter time per task. */
  quick?: boolean;
  /** Called after each measured task with the fraction done and the task's name. */
  onProgress?: (fraction: number, label: string) => void;
  signal?: AbortSignal;
  /** Ratios to compute from the results. */
  ratios?: RatioSpec[];
  notes?: string[];
  /** Override the number of interleaved rounds (default 6, quick 2). */
  rounds?: number;
  /** Override the time budget per task per round in ms (default 150, quick 60). */
  timeMs?: number;
  /** Which clock times the samples (default: 'cpu' where available, else 'wall'); see Clock. */
  clock?: Clock;
}

/**
 * 'wall': elapsed time (performance.now). 'cpu': CPU time of this process
 * (process.cpuUsage, user + system, µs resolution), which excludes the time the thread
 * waits while other processes run — on a shared machine the honest measure of what a
 * single-threaded kernel costs. It also counts V8's background threads (GC, compiler),
 * which are idle while a kernel runs. On an idle machine the two agree.
 */
export type Clock = 'wall' | 'cpu';

function cpuClockAvailable(): boolean {
  const p = (globalThis as { process?: { cpuUsage?: () => { user: number; system: number } } }).process;
  return typeof p?.cpuUsage === 'function';
}

function clockFn(clock: Clock): () => number {
  if (clock === 'wall') return () => performance.now();
  const proc = (globalThis as unknown as { process: { cpuUsage(): { user: number; system: number } } }).process;
  return () => {
    const u = proc.cpuUsage();
    return (u.user + u.system) / 1000;
  };
}

/** What every registered suite accepts (see suites/index.ts). */
export type SuiteOptions = Pick<RunOptions, 'quick' | 'onProgress' | 'signal' | 'clock'>;

/** A registered benchmark suite. */
export type Suite = (opts?: SuiteOptions) => Promise<SuiteResult>;

let sinkValue = 0;

/**
 * Feed a result here so the optimiser cannot drop the computation that produced it.
 * @example fn: () => sink(k.dot(x, y, n))
 */
export function sink(v: number): void {
  sinkValue = (sinkValue + v) % 1e9;
}

/** The accumulated sink (exposed so nothing can prove it unused). */
export function sinkTotal(): number {
  return sinkValue;
}

/**
 * Which JavaScript runtime this is, and its version.
 * @example detectRuntime() // { name: 'node', version: '20.20.2' }
 */
export function detectRuntime(): { name: RuntimeName; version: string } {
  const g = globalThis as { Deno?: { version?: { deno?: string } }; process?: { versions?: { node?: string } };
    navigator?: { userAgent?: string } };
  if (g.Deno?.version?.deno) return { name: 'deno', version: g.Deno.version.deno };
  if (g.process?.versions?.node) return { name: 'node', version: g.process.versions.node };
  return { name: 'browser', version: g.navigator?.userAgent ?? 'unknown' };
}

/** Calls shorter than this are repeated inside one timed sample. */
const MIN_SAMPLE_MS = 1;

async function timeOnce(fn: () => unknown, now: () => number): Promise<{ ms: number; async: boolean }> {
  const t0 = now();
  const r = fn();
  const isAsync = typeof (r as Promise<unknown> | undefined)?.then === 'function';
  if (isAsync) await r;
  return { ms: now() - t0, async: isAsync };
}

/** fn repeated `batch` times as one call (async when fn is). */
function batched(fn: () => unknown, batch: number, isAsync: boolean): () => unknown {
  if (batch === 1) return fn;
  if (isAsync) return async () => { for (let i = 0; i < batch; i++) await fn(); };
  return () => { for (let i = 0; i < batch; i++) fn(); };
}

function quantile(sorted: number[], q: number): number {
  if (sorted.length === 0) return NaN;
  const pos = (sorted.length - 1) * q;
  const lo = Math.floor(pos);
  const hi = Math.ceil(pos);
  return sorted[lo] + (sorted[hi] - sorted[lo]) * (pos - lo);
}

/**
 * Run `tasks` and summarise them. Each task is set up and called twice (warm-up and a cost
 * estimate; calls under 1 ms are then batched per sample), then measured for `timeMs` per
 * round with at least 3 (quick) or 5 samples per round — 2 for calls over 100 ms — in
 * `rounds` interleaved rounds. Times are per call.
 *
 * @example
 * const r = await runSuite('demo', [
 *   { name: 'demo/dot:wasm-simd:4096', fn: () => sink(k.dot(x, y, 4096)), flops: 2 * 4096 },
 *   { name: 'demo/dot:reference:4096', fn: () => sink(ref.dot(px, py, 4096)), flops: 2 * 4096 },
 * ], { ratios: [{ name: 'dot speed-up', unit: 'x', target: 5,
 *   value: (t) => t('demo/dot:reference:4096').medianMs / t('demo/dot:wasm-simd:4096').medianMs }] });
 * r.ratios[0].pass // true when wasm is at least 5x faster in this run
 */
export async function runSuite(name: string, tasks: BenchTask[], opts: RunOptions = {}): Promise<SuiteResult> {
  const quick = opts.quick ?? false;
  const rounds = checkInt('rounds', opts.rounds ?? (quick ? 2 : 6), 1);
  const timeMs = checkNumber('timeMs', opts.timeMs ?? (quick ? 60 : 150), 0, Infinity, { minExclusive: true });
  const clock = checkOneOf('clock', opts.clock ?? (cpuClockAvailable() ? 'cpu' : 'wall'), ['cpu', 'wall'] as const);
  if (clock === 'cpu' && !cpuClockAvailable()) {
    throw new SparseInferenceError('UNAVAILABLE', "clock 'cpu' needs process.cpuUsage (Node or Deno); use clock 'wall'");
  }
  const now = clockFn(clock);
  const samples = new Map<string, number[]>();
  for (const t of tasks) {
    if (samples.has(t.name)) throw badArgument(`tasks has a duplicate name '${t.name}'`);
    samples.set(t.name, []);
  }

  // Set up, warm up and estimate each task's cost; calls under MIN_SAMPLE_MS are batched so
  // that timer overhead and resolution stay small against the measured time.
  const plan = new Map<string, { fn: () => unknown; batch: number; slow: boolean }>();
  for (const task of tasks) {
    throwIfAborted(opts.signal, `benchmark ${name}`);
    if (task.setup) await task.setup();
    const first = await timeOnce(task.fn, now);
    const second = await timeOnce(task.fn, now);
    const callMs = Math.max(1e-6, Math.min(first.ms, second.ms));
    const batch = Math.max(1, Math.ceil(MIN_SAMPLE_MS / callMs));
    plan.set(task.name, { fn: batched(task.fn, batch, first.async), batch, slow: callMs > 100 });
  }

  const total = rounds * tasks.length;
  let done = 0;
  for (let round = 0; round < rounds; round++) {
    for (const task of tasks) {
      // A macrotask between measurements (outside the timed region): with synchronous tasks the
      // whole run would otherwise never let an abort timer fire. One measurement is ~timeMs.
      await new Promise<void>((resolve) => setTimeout(resolve, 0));
      throwIfAborted(opts.signal, `benchmark ${name}`);
      const { fn, batch, slow } = plan.get(task.name)!;
      const bench = new Bench({
        now,
        time: timeMs,
        iterations: slow ? 2 : quick ? 3 : 5,
        warmup: !slow,
        warmupTime: Math.min(50, timeMs / 4),
        warmupIterations: 2,
        retainSamples: true,
        throws: true,
        signal: opts.signal, // tinybench stops between iterations; a task is at most ~timeMs
      });
      bench.add(task.name, fn);
      const [t] = await bench.run();
      throwIfAborted(opts.signal, `benchmark ${name}`);
      const r = t.result;
      if (r.state !== 'completed') throw new Error(`benchmark task ${task.name} did not complete (${r.state})`);
      for (const ms of r.latency.samples ?? []) samples.get(task.name)!.push(ms / batch);
      done++;
      opts.onProgress?.(done / total, task.name);
    }
  }

  const results: TaskResult[] = tasks.map((task) => {
    const s = samples.get(task.name)!.slice().sort((a, b) => a - b);
    const medianMs = quantile(s, 0.5);
    const out: TaskResult = {
      name: task.name, medianMs, p25Ms: quantile(s, 0.25), p75Ms: quantile(s, 0.75), samples: s.length,
    };
    if (task.bytes !== undefined) out.gbPerS = task.bytes / medianMs / 1e6;
    if (task.flops !== undefined) out.gflopPerS = task.flops / medianMs / 1e6;
    if (task.note !== undefined) out.note = task.note;
    return out;
  });
  const byName = new Map(results.map((r) => [r.name, r]));
  const lookup = (taskName: string): TaskResult => {
    const r = byName.get(taskName);
    if (!r) throw badArgument(`ratios refers to an unknown task '${taskName}'`);
    return r;
  };
  const ratios: RatioResult[] = (opts.ratios ?? []).map((spec) => {
    const value = spec.value(lookup);
    const out: RatioResult = { name: spec.name, value };
    if (spec.target !== undefined) { out.target = spec.target; out.pass = value >= spec.target; }
    if (spec.unit !== undefined) out.unit = spec.unit;
    if (spec.note !== undefined) out.note = spec.note;
    return out;
  });
  return {
    suite: name, runtime: detectRuntime(), date: new Date().toISOString(), quick, clock,
    tasks: results, ratios, notes: [...(opts.notes ?? [])],
  };
}

function fmt(v: number | undefined, digits = 3): string {
  if (v === undefined || !Number.isFinite(v)) return '';
  if (v === 0) return '0';
  const a = Math.abs(v);
  if (a >= 1000) return v.toFixed(0);
  return v.toPrecision(digits);
}

function table(headers: string[], rows: string[][], rightAlign: boolean[]): string {
  const widths = headers.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const line = (cells: string[]) => cells
    .map((c, i) => (rightAlign[i] ? c.padStart(widths[i]) : c.padEnd(widths[i])))
    .join('  ').trimEnd();
  return [line(headers), line(widths.map((w) => '-'.repeat(w))), ...rows.map(line)].join('\n');
}

/**
 * A readable text table of a suite result: tasks (median, p25–p75, samples, GB/s, GFLOP/s,
 * note), then the same-run ratios with their targets and PASS/FAIL, then notes.
 * @example process.stdout.write(formatTable(await kernelsSuite({ quick: true })));
 */
export function formatTable(result: SuiteResult): string {
  const head = `suite ${result.suite} — ${result.runtime.name} ${result.runtime.version} — ${result.date}`
    + ` — ${result.clock === 'cpu' ? 'CPU-time clock' : 'wall clock'}`
    + (result.quick ? ' — QUICK (smaller shapes, fewer samples)' : '');
  const taskRows = result.tasks.map((t) => [
    t.name, fmt(t.medianMs), `${fmt(t.p25Ms)}–${fmt(t.p75Ms)}`, String(t.samples),
    fmt(t.gbPerS), fmt(t.gflopPerS), t.note ?? '',
  ]);
  const parts = [head, '', table(['task', 'median ms', 'p25–p75 ms', 'n', 'GB/s', 'GFLOP/s', 'note'], taskRows,
    [false, true, true, true, true, true, false])];
  if (result.ratios.length > 0) {
    const ratioRows = result.ratios.map((r) => [
      r.name, `${fmt(r.value)}${r.unit ? ` ${r.unit}` : ''}`,
      r.target === undefined ? '' : `≥ ${fmt(r.target)}`,
      r.pass === undefined ? '' : r.pass ? 'PASS' : 'FAIL', r.note ?? '',
    ]);
    parts.push('', table(['ratio (same run)', 'value', 'target', '', 'note'], ratioRows, [false, true, true, false, false]));
  }
  if (result.notes.length > 0) parts.push('', ...result.notes.map((n) => `note: ${n}`));
  return parts.join('\n') + '\n';
}

/**
 * Write the result as JSON to `<dir>/<suite>-<runtime>.json` (quick runs:
 * `<suite>-<runtime>.quick.json`, so they never overwrite a full run). Node and Deno only.
 * Returns the path written.
 * @example await writeResult(result, 'bench/results') // 'bench/results/kernels-node.json'
 */
export async function writeResult(result: SuiteResult, dir: string): Promise<string> {
  const fs = await import('node:fs/promises');
  const path = await import('node:path');
  await fs.mkdir(dir, { recursive: true });
  const file = path.join(dir, `${result.suite}-${result.runtime.name}${result.quick ? '.quick' : ''}.json`);
  const tmp = file.replace(/\.json$/, `.${Date.now()}.tmp.json`); // git-ignored if left behind
  await fs.writeFile(tmp, JSON.stringify(result, null, 2) + '\n');
  await fs.rename(tmp, file);
  return file;
}

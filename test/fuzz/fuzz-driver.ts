/**
 * The fuzz suite's parent: starts call-child.ts in a child process (Node with tsx, cwd a scratch
 * directory), sends each export its hostile calls one at a time and classifies what happened.
 * A watchdog kills the child when a call blocks longer than `callLimitMs` or the child's resident
 * memory passes `memoryLimitBytes` (both recorded as 'hang'), then starts a fresh child and goes
 * on. After its first hang an export gets no more calls (its class is settled, and each hang
 * costs a restart).
 */
import { fork, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { CallRequest, CallResult, ExportInfo } from './protocol.js';

export interface FuzzOptions {
  /** Source root whose entry points are fuzzed (src/ of a checkout). */
  root: string;
  /** Entry files under root (default: the package's public entry points, protocol.ts). */
  entryPoints?: readonly string[];
  /** Hostile calls per callable export with a never-valid first argument. */
  callsPerExport: number;
  /** Further calls per export with every argument from the hostile set (default 0). */
  anyCallsPerExport?: number;
  /** Exports not called at all (name → reason). */
  leftOut: Record<string, string>;
  callLimitMs?: number;
  memoryLimitBytes?: number;
  seed?: number;
}

export interface FuzzRun { exports: ExportInfo[]; results: CallResult[] }

const CHILD = join(dirname(fileURLToPath(import.meta.url)), 'call-child.ts');
/** tsx's loader by absolute URL: the child runs in a scratch cwd, where a bare 'tsx' would not resolve. */
const TSX = import.meta.resolve('tsx');

export async function fuzzExports(o: FuzzOptions): Promise<FuzzRun> {
  const callLimitMs = o.callLimitMs ?? 5000;
  const memoryLimit = o.memoryLimitBytes ?? 1.5 * 2 ** 30;
  const scratch = mkdtempSync(join(tmpdir(), 'sparse-inference-fuzz-'));
  const results: CallResult[] = [];
  let child: Child | null = null;
  try {
    child = await Child.start(o, scratch);
    const exports = child.exports;
    const queue: CallRequest[] = [];
    for (const e of exports) {
      if (e.kind === 'value' || e.name in o.leftOut) continue;
      for (let c = 0; c < o.callsPerExport; c++) {
        queue.push({ name: e.name, kind: e.kind, arity: e.arity, mode: 'invalid-first', seed: (o.seed ?? 14) * 100_003 + c * 7919 + hash(e.name) });
      }
      for (let c = 0; c < (o.anyCallsPerExport ?? 0); c++) {
        queue.push({ name: e.name, kind: e.kind, arity: e.arity, mode: 'any', seed: (o.seed ?? 14) * 100_019 + c * 7927 + hash(e.name) });
      }
    }
    const hung = new Set<string>();
    for (const req of queue) {
      if (hung.has(req.name)) continue;
      const r = await child.call(req, callLimitMs, memoryLimit);
      if (r === null) { // killed by the watchdog: record it, start over
        results.push({ ...req, args: child.lastArgs, outcome: 'hang', detail: child.killReason });
        hung.add(req.name);
        child = await Child.start(o, scratch);
        continue;
      }
      if (r.outcome === 'hang') hung.add(req.name);
      results.push(r);
    }
    return { exports, results };
  } finally {
    child?.kill();
    rmSync(scratch, { recursive: true, force: true });
  }
}

function hash(s: string): number {
  let h = 0;
  for (let i = 0; i < s.length; i++) h = (h * 31 + s.charCodeAt(i)) | 0;
  return h >>> 0;
}

/** One child process: its exports, and one call at a time under the watchdog. */
class Child {
  exports: ExportInfo[] = [];
  killReason = '';
  /** The arguments of the call in progress, as the child showed them. */
  lastArgs: string[] = [];
  private constructor(private readonly p: ChildProcess) {}

  static start(o: FuzzOptions, cwd: string): Promise<Child> {
    const p = fork(CHILD, [o.root, ...(o.entryPoints ? [o.entryPoints.join(',')] : [])], { cwd, execArgv: ['--import', TSX], stdio: ['ignore', 'ignore', 'pipe', 'ipc'] });
    let stderr = '';
    p.stderr!.on('data', (d: Buffer) => { stderr = (stderr + d.toString()).slice(-4000); });
    const c = new Child(p);
    return new Promise((resolve, reject) => {
      p.once('message', (m: { type: string; infos: ExportInfo[] }) => { c.exports = m.infos; resolve(c); });
      p.once('exit', (code) => reject(new Error(`fuzz child exited (${code}) before listing exports:\n${stderr}`)));
    });
  }

  call(req: CallRequest, limitMs: number, memoryLimit: number): Promise<CallResult | null> {
    return new Promise((resolve) => {
      const onMessage = (m: { type: string; result: CallResult; args: string[] }) => {
        if (m.type === 'start') this.lastArgs = m.args;
        else if (m.type === 'result') done(m.result);
      };
      const onExit = () => { this.killReason ||= 'the child process died'; done(null); };
      const stop = (why: string) => { this.killReason = why; this.kill(); };
      const timer = setTimeout(() => stop(`blocked for more than ${limitMs} ms`), limitMs);
      const memory = setInterval(() => {
        const rss = residentBytes(this.p.pid);
        if (rss > memoryLimit) stop(`resident memory ${(rss / 2 ** 30).toFixed(1)} GiB over the ${(memoryLimit / 2 ** 30).toFixed(1)} GiB limit`);
      }, 100);
      const done = (r: CallResult | null) => {
        clearTimeout(timer); clearInterval(memory);
        this.p.off('message', onMessage); this.p.off('exit', onExit);
        resolve(r);
      };
      this.p.on('message', onMessage);
      this.p.once('exit', onExit);
      this.killReason = '';
      this.lastArgs = [];
      this.p.send(req);
    });
  }

  kill(): void {
    if (this.p.exitCode === null && this.p.signalCode === null) this.p.kill('SIGKILL');
  }
}

/** VmRSS of a process (Linux /proc; 0 where unavailable, which disables the memory limit). */
function residentBytes(pid: number | undefined): number {
  try {
    const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) * 1024 : 0;
  } catch {
    return 0;
  }
}

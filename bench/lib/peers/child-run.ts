/**
 * Running a peer program (or our own CLI) as a child process for the engine-vs-engine suites:
 * its exit code, output, and peak resident memory. Node/Deno only (node:child_process).
 * Peak RSS comes from GNU time (`/usr/bin/time -f %M`, kilobytes) when it is installed;
 * otherwise it is NaN.
 */
import { SparseInferenceError } from '../../../src/core/errors.js';

export interface ChildRun {
  code: number;
  stdout: string;
  stderr: string;
  /** Peak resident set of the child, bytes (NaN without /usr/bin/time). */
  peakRss: number;
}

const TIME_MARK = '__peak_rss_kb=';

/** Run `command args`; resolves when it exits (rejects only when it cannot start). */
export async function runChild(command: string, args: string[], opts: { cwd?: string; env?: Record<string, string> } = {}): Promise<ChildRun> {
  const cp = await import('node:child_process');
  const fs = await import('node:fs');
  const timed = fs.existsSync('/usr/bin/time');
  const [cmd, argv] = timed ? ['/usr/bin/time', ['-f', `${TIME_MARK}%M`, command, ...args]] : [command, args];
  return new Promise((resolve, reject) => {
    const child = cp.spawn(cmd, argv, { cwd: opts.cwd, env: { ...process.env, ...opts.env }, stdio: ['ignore', 'pipe', 'pipe'] });
    const out: Buffer[] = [], err: Buffer[] = [];
    child.stdout.on('data', (b: Buffer) => out.push(b));
    child.stderr.on('data', (b: Buffer) => err.push(b));
    child.on('error', (e) => reject(new SparseInferenceError('UNAVAILABLE', `cannot run ${command}: ${e.message}`, { cause: e })));
    child.on('close', (code) => {
      let stderr = Buffer.concat(err).toString('utf8');
      let peakRss = NaN;
      const at = stderr.lastIndexOf(TIME_MARK);
      if (timed && at >= 0) {
        peakRss = Number(stderr.slice(at + TIME_MARK.length).trim()) * 1024;
        stderr = stderr.slice(0, at);
      }
      resolve({ code: code ?? -1, stdout: Buffer.concat(out).toString('utf8'), stderr, peakRss });
    });
  });
}

/** The first number after `label` in `text`, or NaN. */
export function numberAfter(text: string, label: RegExp): number {
  const m = label.exec(text);
  return m ? Number(m[1]) : NaN;
}

/** Median of the finite values (NaN when there are none). */
export function median(values: number[]): number {
  const v = values.filter(Number.isFinite).sort((a, b) => a - b);
  if (v.length === 0) return NaN;
  const m = v.length >> 1;
  return v.length % 2 ? v[m] : (v[m - 1] + v[m]) / 2;
}

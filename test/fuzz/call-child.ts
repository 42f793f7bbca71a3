/**
 * The child process of the fuzz suite: imports the public entry points under ROOT (argv[2]; or
 * the comma-separated entry files of argv[3], for the suite's self-test),
 * reports their runtime exports, then runs the calls the parent sends one at a time and answers
 * with the outcome class. The parent's watchdog kills it when a call blocks or eats memory.
 * Run with `node --import tsx`; cwd is a scratch directory (some exports write files).
 */
import fc from 'fast-check';
import { pathToFileURL } from 'node:url';
import { join } from 'node:path';
import { hostileArgs } from './hostile-values.js';
import { ENTRY_POINTS, type Outcome, type CallRequest, type CallResult, type ExportInfo } from './protocol.js';

const root = process.argv[2];
const entries: readonly string[] = process.argv[3] ? process.argv[3].split(',') : ENTRY_POINTS;
const send = (m: unknown) => process.send!(m);

const exportsByName = new Map<string, unknown>();
for (const entry of entries) {
  const mod = await import(pathToFileURL(join(root, entry)).href) as Record<string, unknown>;
  // A module may instead export FUZZ_TARGETS: named callables (methods of live instances).
  const targets = (mod.FUZZ_TARGETS ?? mod) as Record<string, unknown>;
  for (const [name, value] of Object.entries(targets)) if (!exportsByName.has(name)) exportsByName.set(name, value);
}

function isClass(f: unknown): boolean {
  return typeof f === 'function' && /^class[\s{]/.test(Function.prototype.toString.call(f));
}

const infos: ExportInfo[] = [...exportsByName].map(([name, v]) => ({
  name, kind: isClass(v) ? 'class' : typeof v === 'function' ? 'function' : 'value',
  arity: typeof v === 'function' ? v.length : 0,
}));
send({ type: 'exports', infos });

/** NaN anywhere near the surface of a result: a number, an array's elements, an object's fields. */
function hasNaN(v: unknown, depth = 0): boolean {
  if (typeof v === 'number') return Number.isNaN(v);
  if (depth > 2 || v === null || typeof v !== 'object') return false;
  if (ArrayBuffer.isView(v)) {
    const a = v as unknown as ArrayLike<number>;
    for (let i = 0; i < Math.min(a.length, 4096); i++) if (Number.isNaN(a[i])) return true;
    return false;
  }
  if (Array.isArray(v)) return v.slice(0, 256).some((x) => hasNaN(x, depth + 1));
  return Object.values(v).slice(0, 64).some((x) => hasNaN(x, depth + 1));
}

function classifyError(e: unknown): { outcome: Outcome; detail: string } {
  const err = e as { name?: string; message?: string; code?: string };
  const detail = `${err?.name ?? typeof e}: ${String(err?.message ?? e).slice(0, 160)}`;
  if (err?.name === 'SparseInferenceError') return { outcome: 'clean', detail };
  if (e instanceof WebAssembly.RuntimeError) return { outcome: 'trap', detail };
  return { outcome: 'other', detail };
}

const ASYNC_LIMIT_MS = 3000;

async function runCall(req: CallRequest): Promise<CallResult> {
  const target = exportsByName.get(req.name) as (...a: unknown[]) => unknown;
  const [args] = fc.sample(hostileArgs(req.arity, req.mode), { seed: req.seed, numRuns: 1 });
  const shown = args.map((a) => (ArrayBuffer.isView(a) ? `${a.constructor.name}(${(a as Float32Array).length})`
    : a instanceof AbortSignal ? 'AbortSignal(aborted)' : typeof a === 'object' && a !== null ? JSON.stringify(a, showNumber) : String(a)));
  send({ type: 'start', args: shown }); // so a call the watchdog kills is reported with its arguments
  let result: unknown;
  try {
    result = req.kind === 'class' ? new (target as unknown as new (...a: unknown[]) => unknown)(...args) : target(...args);
    if (result instanceof Promise) {
      let timer: NodeJS.Timeout | undefined;
      const timeout = new Promise((_, reject) => { timer = setTimeout(() => reject(new HangError()), ASYNC_LIMIT_MS); });
      try { result = await Promise.race([result, timeout]); } finally { clearTimeout(timer); }
    }
  } catch (e) {
    if (e instanceof HangError) return { ...req, args: shown, outcome: 'hang', detail: `promise unsettled after ${ASYNC_LIMIT_MS} ms` };
    return { ...req, args: shown, ...classifyError(e) };
  }
  if (hasNaN(result)) return { ...req, args: shown, outcome: 'nan', detail: 'returned NaN' };
  return { ...req, args: shown, outcome: 'accepted', detail: `returned ${typeof result}` };
}

class HangError extends Error {}

/** JSON.stringify replacer that shows NaN and ±Infinity as such (JSON would print null). */
function showNumber(_key: string, v: unknown): unknown {
  return typeof v === 'number' && !Number.isFinite(v) ? String(v) : v;
}

process.on('message', (req: CallRequest) => {
  void runCall(req).then((r) => send({ type: 'result', result: r }));
});
// A rejection nobody awaited (from a call that already returned) must not end the child.
process.on('unhandledRejection', () => {});

#!/usr/bin/env node
// Merge every result file in bench/results/ into one summary — bench/results/summary.json and
// docs/benchmarks.md — so the documentation is generated from the measurements and never
// drifts from them. Run by `npm run bench:all` after the three runtimes; on its own:
//   node bench/runners/merge.mjs [--results DIR] [--json FILE] [--doc FILE]
//
// What it builds:
//  - the runtime matrix: for suites measured in more than one runtime (kernels, peers), every
//    task × runtime (median and p25–p75) and every same-run ratio × runtime, comparing like
//    with like (all full runs, or else all quick runs);
//  - per suite and runtime, the same-run ratios with their targets, PASS/FAIL and notes (full
//    runs preferred over quick ones), plus the full task table;
//  - the list of missed targets, with the investigated reasons from explanations.mjs.
import { readdirSync, readFileSync, writeFileSync, mkdirSync, renameSync } from 'node:fs';
import { basename, dirname, join, relative } from 'node:path';
import { parseArgs } from 'node:util';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { EXPLANATIONS } from './explanations.mjs';

const repoRoot = fileURLToPath(new URL('../../', import.meta.url));
const RUNTIME_ORDER = ['node', 'deno', 'browser'];
const SUMMARY_NAME = 'summary.json';

export const USAGE = `Usage: node bench/runners/merge.mjs [--results DIR] [--json FILE] [--doc FILE]

Merge the benchmark results in DIR (default bench/results) into FILE (default
DIR/summary.json) and the generated page docs/benchmarks.md.
`;

/** Is this parsed JSON a SuiteResult (see src/bench/harness.ts)? */
export function isSuiteResult(r) {
  return r !== null && typeof r === 'object' && typeof r.suite === 'string'
    && typeof r.runtime?.name === 'string' && Array.isArray(r.tasks) && Array.isArray(r.ratios)
    && r.tasks.every((t) => typeof t?.name === 'string' && Number.isFinite(t.medianMs));
}

/**
 * Read every result file of a directory (not the summary, not temporary files). Files that
 * are not SuiteResults are returned in `skipped` with the reason.
 */
export function loadResults(dir) {
  const results = [];
  const skipped = [];
  for (const name of readdirSync(dir).sort()) {
    if (!name.endsWith('.json') || name === SUMMARY_NAME || name.endsWith('.tmp.json')) continue;
    const file = join(dir, name);
    let parsed;
    try {
      parsed = JSON.parse(readFileSync(file, 'utf8'));
    } catch (e) {
      skipped.push({ file: name, reason: `not JSON (${e.message})` });
      continue;
    }
    if (!isSuiteResult(parsed)) { skipped.push({ file: name, reason: 'not a benchmark suite result' }); continue; }
    results.push({ file: name, result: parsed });
  }
  return { results, skipped };
}

/** `family/kernel:backend:shape` → parts (the shape may itself contain ':'). */
export function parseTaskName(name) {
  const m = /^([^/]+)\/([^:]+):([^:]+):(.*)$/.exec(name);
  return m ? { family: m[1], kernel: m[2], backend: m[3], shape: m[4] } : { family: '', kernel: name, backend: '', shape: '' };
}

const runtimeRank = (r) => { const i = RUNTIME_ORDER.indexOf(r); return i < 0 ? RUNTIME_ORDER.length : i; };

function describeSource({ file, result: r }) {
  return {
    file, suite: r.suite, runtime: r.runtime.name, version: r.runtime.version, quick: r.quick === true,
    clock: r.clock ?? 'unknown', date: r.date, machine: r.machine ?? null, peerVersions: r.peerVersions ?? null,
  };
}

/**
 * Merge loaded results into the summary object written as summary.json (and rendered as
 * docs/benchmarks.md). Deterministic: the same inputs give the same output.
 */
export function mergeResults(loaded) {
  // One slot per result name (file name without .quick/.json: 'kernels-node', 'webgpu-node-h100'),
  // holding the newest full and the newest quick run under that name.
  const slots = new Map();
  for (const entry of loaded) {
    const base = entry.file.replace(/\.json$/, '').replace(/\.quick$/, '');
    if (!slots.has(base)) slots.set(base, { base, suite: entry.result.suite, runtime: entry.result.runtime.name });
    const slot = slots.get(base);
    const kind = entry.result.quick === true ? 'quick' : 'full';
    if (!slot[kind] || String(slot[kind].result.date) < String(entry.result.date)) slot[kind] = entry;
  }
  const ordered = [...slots.values()].sort((a, b) => a.suite.localeCompare(b.suite)
    || runtimeRank(a.runtime) - runtimeRank(b.runtime) || a.base.localeCompare(b.base));
  const suiteNames = [...new Set(ordered.map((s) => s.suite))];
  // suite → runtime → slot, for the standard names '<suite>-<runtime>' the runners write.
  const bySuite = new Map();
  for (const slot of ordered) {
    if (slot.base !== `${slot.suite}-${slot.runtime}`) continue;
    if (!bySuite.has(slot.suite)) bySuite.set(slot.suite, new Map());
    bySuite.get(slot.suite).set(slot.runtime, slot);
  }

  // Per result name: the preferred result (full over quick).
  const suites = [];
  const missed = [];
  for (const slot of ordered) {
    const { suite, runtime } = slot;
    const entry = slot.full ?? slot.quick;
    const r = entry.result;
    const ratios = r.ratios.map((x) => ({ ...x }));
    suites.push({ ...describeSource(entry), ratios, notes: r.notes ?? [], tasks: r.tasks });
    for (const x of ratios) {
      if (x.pass === false) {
        const why = EXPLANATIONS.find((e) => e.suite === suite && e.ratio.test(x.name) && (!e.runtimes || e.runtimes.includes(runtime)));
        missed.push({ suite, runtime, file: entry.file, quick: r.quick === true, name: x.name, value: x.value, target: x.target,
          unit: x.unit ?? '', note: x.note ?? '', explanation: why?.text ?? null });
      }
    }
  }

  // The runtime matrix: suites measured in more than one runtime.
  const matrix = [];
  for (const suite of suiteNames) {
    const byRuntime = bySuite.get(suite);
    if (!byRuntime || byRuntime.size < 2) continue;
    const runtimes = [...byRuntime.keys()].sort((a, b) => runtimeRank(a) - runtimeRank(b) || a.localeCompare(b));
    const slots = runtimes.map((rt) => byRuntime.get(rt));
    const mode = slots.every((s) => s.full) ? 'full' : slots.every((s) => s.quick) ? 'quick' : 'mixed';
    const pick = (s) => (mode === 'full' ? s.full : mode === 'quick' ? s.quick : s.full ?? s.quick);
    const chosen = runtimes.map((rt, i) => ({ runtime: rt, entry: pick(slots[i]) }));
    const rows = new Map();
    for (const { runtime, entry } of chosen) {
      for (const t of entry.result.tasks) {
        if (!rows.has(t.name)) rows.set(t.name, { task: t.name, ...parseTaskName(t.name), cells: {} });
        rows.get(t.name).cells[runtime] = { medianMs: t.medianMs, p25Ms: t.p25Ms, p75Ms: t.p75Ms, samples: t.samples };
      }
    }
    const ratioRows = new Map();
    for (const { runtime, entry } of chosen) {
      for (const x of entry.result.ratios) {
        if (!ratioRows.has(x.name)) ratioRows.set(x.name, { name: x.name, unit: x.unit ?? '', target: x.target, cells: {} });
        ratioRows.get(x.name).cells[runtime] = { value: x.value, pass: x.pass };
      }
    }
    matrix.push({
      suite, mode, runtimes,
      sources: chosen.map(({ entry }) => describeSource(entry)),
      tasks: [...rows.values()],
      ratios: [...ratioRows.values()],
    });
  }

  const dates = loaded.map((e) => String(e.result.date)).sort();
  return {
    generator: 'bench/runners/merge.mjs',
    resultsAsOf: dates[dates.length - 1] ?? null,
    sources: loaded.map(describeSource),
    matrix,
    suites,
    missed,
  };
}

// ---------- rendering ----------

/** Three significant digits, like the harness' table. */
export function fmt(v) {
  if (v === undefined || v === null || !Number.isFinite(v)) return '—';
  if (v === 0) return '0';
  return Math.abs(v) >= 1000 ? v.toFixed(0) : v.toPrecision(3);
}

const ratioValue = (v, unit) => `${fmt(v)}${unit ? ` ${unit}` : ''}`;
const target = (t) => (t === undefined || t === null ? '' : `≥ ${fmt(t)}`);
const passCell = (p) => (p === true ? 'PASS' : p === false ? '**FAIL**' : '');
const esc = (s) => String(s).replace(/\|/g, '\\|').replace(/\n/g, ' ');
const CLOCK_LABEL = { cpu: 'CPU time', wall: 'wall clock' };
const mdTable = (headers, rows) => [`| ${headers.join(' | ')} |`, `| ${headers.map(() => '---').join(' | ')} |`,
  ...rows.map((r) => `| ${r.map(esc).join(' | ')} |`)].join('\n');

function runtimeLabel(s) {
  const v = s.runtime === 'browser' ? (/(HeadlessChrome|Chrome|Firefox|Safari)\/[\d.]+/.exec(s.version)?.[0] ?? s.version) : s.version;
  return `${s.runtime} ${v}`;
}

function machineLine(s) {
  const m = s.machine;
  if (!m) return 'not recorded (written by `npm run bench`; see the machine note above)';
  const load = m.loadavg1End !== undefined ? `load average ${m.loadavg1} → ${m.loadavg1End}` : `load average ${m.loadavg1}`;
  return `${m.cpu}, ${m.cores} cores, ${m.memoryGiB} GiB; ${load}`;
}

/** docs/benchmarks.md from the summary. */
export function renderMarkdown(summary) {
  const machines = [...new Set(summary.sources.filter((s) => s.machine)
    .map((s) => `${s.machine.cpu}, ${s.machine.cores} cores, ${s.machine.memoryGiB} GiB`))].sort();
  const out = [];
  const p = (...lines) => out.push(...lines);
  p('# Benchmarks',
    '',
    '<!-- GENERATED by bench/runners/merge.mjs from bench/results/*.json — do not edit by hand. -->',
    '',
    `Generated from the result files in \`bench/results/\` (newest result: ${summary.resultsAsOf ?? 'none'}). `
    + 'Every ratio below was measured **within one run** (same process, tasks interleaved round by round); '
    + 'absolute times from a shared machine drift between runs, same-run ratios much less.',
    '',
    '## Commands',
    '',
    '| command | what it does |',
    '| --- | --- |',
    '| `npm run bench:node` | kernels + peers suites in Node from `dist/`, full size → `bench/results/<suite>-node.json` |',
    '| `npm run bench:deno` | the same suites in Deno, same `dist/` build → `<suite>-deno.json` |',
    '| `npm run bench:browser` | the same suites in headless Chromium (esbuild bundle of `dist/` + peers, served from 127.0.0.1, playwright-core) → `<suite>-browser.json` |',
    '| `npm run bench:all` | builds, runs all three runtimes with `--quick` (the runtime matrix), Node at full size, then this merge |',
    '| `node bench/runners/merge.mjs` | regenerates `bench/results/summary.json` and this page from the result files present |',
    '| `npm run bench -- <suite>` | any single suite (kernels, llama, activations, knots, kvcache, peers, …) in Node |',
    '',
    'Add `-- --quick` to a single-runtime script for smaller shapes and fewer samples (results go to '
    + '`<suite>-<runtime>.quick.json`, which git ignores; their numbers are kept in `summary.json`).',
    '',
    '## Machine and clocks',
    '',
    `Machine${machines.length === 1 ? '' : 's'} recorded by the runners: ${machines.length > 0 ? machines.join('; ') : 'none recorded'}. `
    + 'The development machine is shared with several other jobs (2 cores for all of them), so the load '
    + 'average at the start and end of each run is recorded where the runner knows it (see Sources). '
    + 'Clocks: **Node and Deno** time samples with the process CPU time (`process.cpuUsage()`, user + system), '
    + 'which leaves out the time the thread sat descheduled while other jobs ran; **browsers** have no CPU '
    + 'clock, so the browser runs use the wall clock (`performance.now()`, 5 µs resolution on the '
    + 'cross-origin-isolated bench page) and scatter more under load (compare their p25–p75).',
    '');

  // Targets overview.
  p('## Targets', '');
  const targetRows = [];
  for (const s of summary.suites) {
    for (const x of s.ratios) {
      if (x.target === undefined) continue;
      targetRows.push([s.suite, `${s.runtime}${s.quick ? ' (quick)' : ''}`, x.name, ratioValue(x.value, x.unit), target(x.target), passCell(x.pass)]);
    }
  }
  p(targetRows.length > 0 ? mdTable(['suite', 'runtime', 'ratio (same run)', 'value', 'target', ''], targetRows) : '_No targets in the results._', '');

  p('## Targets missed', '');
  if (summary.missed.length === 0) p('None in the merged results.', '');
  // One paragraph per reason, after the misses it explains.
  const groups = new Map();
  for (const m of summary.missed) {
    const key = m.explanation ?? `(unexplained) ${m.suite}`;
    if (!groups.has(key)) groups.set(key, []);
    groups.get(key).push(m);
  }
  for (const [key, list] of groups) {
    for (const m of list) {
      p(`- **${m.suite} / ${m.runtime}${m.quick ? ' (quick)' : ''}: ${m.name}** — ${ratioValue(m.value, m.unit)} against ${target(m.target)}`
        + `${m.note ? ` (${m.note})` : ''}.`);
    }
    p('', list[0].explanation ?? `Not investigated by the benchmark runners; see the \`${list[0].suite}\` suite's notes below.`, '');
  }

  // Runtime matrix.
  for (const mx of summary.matrix) {
    p(`## Runtimes: \`${mx.suite}\` suite in ${mx.runtimes.join(', ')}`, '');
    p(`Mode: **${mx.mode}**${mx.mode === 'quick' ? ' (quick shapes and sample counts in every runtime, so the columns compare like with like)' : ''}`
      + `${mx.mode === 'mixed' ? ' — some runtimes full, some quick: shapes that differ appear on separate rows' : ''}.`, '');
    p(mdTable(['runtime', 'version', 'clock', 'date', 'file'], mx.sources.map((s) =>
      [s.runtime, runtimeLabel(s).slice(s.runtime.length + 1), CLOCK_LABEL[s.clock] ?? s.clock, s.date, `\`bench/results/${s.file}\``])), '');
    p('Same-run ratios, by runtime:', '');
    p(mdTable(['ratio', 'target', ...mx.runtimes], mx.ratios.map((r) => [r.name, target(r.target),
      ...mx.runtimes.map((rt) => (r.cells[rt] ? `${ratioValue(r.cells[rt].value, r.unit)} ${passCell(r.cells[rt].pass)}`.trim() : '—'))])), '');
    p('Median time per call in ms (p25–p75), by runtime; the last columns are the time relative to Node '
      + '(> 1: slower than Node; separate processes and, for the browser, a different clock):', '');
    const others = mx.runtimes.filter((r) => r !== 'node');
    const hasNode = mx.runtimes.includes('node');
    p(mdTable(['kernel', 'shape', 'backend', ...mx.runtimes, ...(hasNode ? others.map((r) => `${r} / node`) : [])],
      mx.tasks.map((t) => [t.kernel, t.shape, t.backend,
        ...mx.runtimes.map((rt) => (t.cells[rt] ? `${fmt(t.cells[rt].medianMs)} (${fmt(t.cells[rt].p25Ms)}–${fmt(t.cells[rt].p75Ms)})` : '—')),
        ...(hasNode ? others.map((rt) => (t.cells[rt] && t.cells.node ? `${fmt(t.cells[rt].medianMs / t.cells.node.medianMs)}` : '—')) : [])])), '');
  }

  // Per suite.
  p('## Suites', '');
  const bySuite = new Map();
  for (const s of summary.suites) { if (!bySuite.has(s.suite)) bySuite.set(s.suite, []); bySuite.get(s.suite).push(s); }
  for (const [suite, list] of bySuite) {
    p(`### \`${suite}\``, '');
    for (const s of list) {
      p(`**${runtimeLabel(s)}**, ${s.quick ? 'quick run' : 'full run'}, ${CLOCK_LABEL[s.clock] ?? s.clock}, ${s.date} — \`bench/results/${s.file}\`. Machine: ${machineLine(s)}.`, '');
      if (s.peerVersions) p(`Peer packages: ${Object.entries(s.peerVersions).map(([k, v]) => `${k} ${v}`).join(', ')}.`, '');
      if (s.ratios.length > 0) {
        p(mdTable(['ratio (same run)', 'value', 'target', '', 'note'],
          s.ratios.map((x) => [x.name, ratioValue(x.value, x.unit), target(x.target), passCell(x.pass), x.note ?? ''])), '');
      }
      if (s.notes.length > 0) p(...s.notes.map((n) => `- ${n}`), '');
      p('<details><summary>All tasks</summary>', '',
        mdTable(['task', 'median ms', 'p25–p75 ms', 'n', 'GB/s', 'GFLOP/s', 'note'], s.tasks.map((t) => [t.name, fmt(t.medianMs),
          `${fmt(t.p25Ms)}–${fmt(t.p75Ms)}`, String(t.samples ?? ''), t.gbPerS === undefined ? '' : fmt(t.gbPerS),
          t.gflopPerS === undefined ? '' : fmt(t.gflopPerS), t.note ?? ''])),
        '', '</details>', '');
    }
  }

  p('## Sources', '');
  p(mdTable(['file', 'suite', 'runtime', 'mode', 'clock', 'date', 'machine'], summary.sources.map((s) =>
    [`\`${s.file}\``, s.suite, runtimeLabel(s), s.quick ? 'quick' : 'full', CLOCK_LABEL[s.clock] ?? s.clock, s.date, machineLine(s)])), '');
  return out.join('\n');
}

/** Write text through a temporary file and a rename (no half-written file for a reader). */
function writeAtomic(file, text) {
  mkdirSync(dirname(file), { recursive: true });
  const tmp = `${file}.${process.pid}.tmp`;
  writeFileSync(tmp, text);
  renameSync(tmp, file);
}

/** Summary in summary.json: tasks of the per-suite entries are kept, so the page can be rebuilt from it alone. */
export function main(argv) {
  let values;
  try {
    ({ values } = parseArgs({ args: argv, options: {
      results: { type: 'string', default: join(repoRoot, 'bench', 'results') },
      json: { type: 'string' }, doc: { type: 'string', default: join(repoRoot, 'docs', 'benchmarks.md') },
      help: { type: 'boolean', short: 'h', default: false },
    } }));
  } catch (e) {
    process.stderr.write(`${e.message}\n\n${USAGE}`);
    return 2;
  }
  if (values.help) { process.stdout.write(USAGE); return 0; }
  const { results, skipped } = loadResults(values.results);
  for (const s of skipped) process.stderr.write(`skipped ${s.file}: ${s.reason}\n`);
  if (results.length === 0) { process.stderr.write(`no benchmark results in ${values.results}\n`); return 1; }
  const summary = mergeResults(results);
  const jsonFile = values.json ?? join(values.results, SUMMARY_NAME);
  writeAtomic(jsonFile, `${JSON.stringify(summary, null, 2)}\n`);
  writeAtomic(values.doc, `${renderMarkdown(summary)}\n`);
  process.stdout.write(`merged ${results.length} result files → ${relative(process.cwd(), jsonFile) || basename(jsonFile)}, `
    + `${relative(process.cwd(), values.doc)}; ${summary.missed.length} target(s) missed\n`);
  return 0;
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  process.exitCode = main(process.argv.slice(2));
}

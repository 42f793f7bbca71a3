/**
 * `sparse-inference demo`: run every registered report section and write a self-contained
 * HTML report (report/index.html), printing one summary line per section. The default is a
 * quiet, representative run of a minute or two; `--full` runs the long workloads.
 */
import { existsSync, statSync } from 'node:fs';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { CliCommand, CliContext } from '../command.js';
import { CliUsageError, parseArgs } from '../args.js';
import { createProgressBar } from '../progress.js';
import { packageVersion } from '../version.js';
import { reportSections } from '../../report/sections/index.js';
import type { ReportSection, SectionBuilder } from '../../report/section.js';
import { writeReport } from '../../report/write.js';
import { detectRuntime } from '../../report/environment.js';
import { SparseInferenceError } from '../../core/errors.js';
import { escapeXml } from '../../plot/svg.js';
import { openKernels, syncKernels } from '../model-runtime.js';

type Registry = Readonly<Record<string, SectionBuilder>>;

const OPTIONS = {
  out: { type: 'string', default: 'report' },
  model: { type: 'string' },
  tokenizer: { type: 'string' },
  full: { type: 'boolean' },
  quick: { type: 'boolean' },
  only: { type: 'string' },
  backend: { type: 'string', default: 'auto', choices: ['auto', 'reference', 'wasm'] },
  webgpu: { type: 'boolean' },
  seed: { type: 'number', integer: true, min: 0 },
  json: { type: 'boolean' },
  threads: { type: 'number', integer: true, min: 1, max: 64, default: 1 },
} as const;

/** The shared checkpoint used when no --model is given: ../shared/models beside the package or the current folder. */
const SHARED_MODEL = ['stories260K.bin', 'tok512.bin'] as const;

function sharedCheckpoint(): { model: string; tokenizer: string } | undefined {
  const dirs = [resolve('..', 'shared', 'models'), fileURLToPath(new URL('../../../../shared/models/', import.meta.url))];
  for (const dir of dirs) {
    const [model, tokenizer] = SHARED_MODEL.map((f) => resolve(dir, f));
    if (existsSync(model) && existsSync(tokenizer)) return { model, tokenizer };
  }
  return undefined;
}

function usage(registry: Registry): string {
  return `Usage: sparse-inference demo [options]

Run the report sections in order (${Object.keys(registry).join(', ')}) and write one
self-contained HTML page (inline CSS and SVG, no external assets). Prints one summary line
per section with its time. 'npm start' runs this command.

The default is a quiet, representative run (a minute or two on 2 cores: fewer iterations,
tokens and budgets, no kernel benchmark); --full runs the long workloads (several minutes).
The page says which settings produced each number. The real checkpoint
../shared/models/stories260K.bin + tok512.bin is used when present (else generated data).

Options:
  --out DIR          Output directory (default: report); the page is DIR/index.html
  --model PATH       llama2.c checkpoint (default: ../shared/models/stories260K.bin when present)
  --tokenizer PATH   llama2.c tokenizer (default: ../shared/models/tok512.bin when present)
  --full             The long workloads (kernel speed: npm run bench)
  --quick            The quiet default (accepted for older scripts)
  --only IDS         Comma-separated section ids to run (default: all)
  --backend NAME     Kernel backend: auto, reference or wasm (default: auto)
  --webgpu           Also probe for a WebGPU adapter in the backends section (loads the GPU
                     stack, which may print driver warnings on machines without a GPU)
  --seed N           Seed of the knot chains (N and N+1) and of the synthetic data
                     (default: each section's own: knots 1 and 2)
  --threads N        Kernel threads (wasm backend; default 1)
  --json             Print the report path, sections (id, title, summary, seconds) and
                     failures as JSON instead of text
  -h, --help         Show this help

Exit code 1 when any section failed (the page still shows the others and the error).
`;
}

function checkFile(flag: string, path: string | undefined): string | undefined {
  if (path === undefined) return undefined;
  if (!existsSync(path) || !statSync(path).isFile()) throw new CliUsageError(`${flag}: no such file '${path}'`);
  return resolve(path);
}

async function runDemo(registry: Registry, args: string[], ctx: CliContext): Promise<number> {
  const { values } = parseArgs(args, { options: OPTIONS });
  if ((values.model === undefined) !== (values.tokenizer === undefined)) {
    throw new CliUsageError('--model and --tokenizer must be given together');
  }
  if (values.full && values.quick) throw new CliUsageError('--full and --quick cannot be given together');
  const shared = values.model === undefined ? sharedCheckpoint() : undefined;
  const modelPath = checkFile('--model', values.model) ?? shared?.model;
  const tokenizerPath = checkFile('--tokenizer', values.tokenizer) ?? shared?.tokenizer;
  const quick = !values.full;
  const known = Object.keys(registry);
  const ids = values.only === undefined ? known : values.only.split(',').map((s) => s.trim()).filter(Boolean);
  if (ids.length === 0) throw new CliUsageError('--only needs at least one section id');
  for (const id of ids) {
    if (!known.includes(id)) throw new CliUsageError(`--only: unknown section '${id}' (sections: ${known.join(', ')})`);
  }

  const started = Date.now();
  await using run = await openKernels(values.backend, values.threads);
  const kernels = syncKernels(run.kernels, 'demo');
  const bar = createProgressBar(ctx, 'demo');
  const sections: ReportSection[] = [];
  const seconds: number[] = [];
  const failures: string[] = [];
  try {
    for (const [i, id] of ids.entries()) {
      if (ctx.signal.aborted) throw new SparseInferenceError('ABORTED', 'demo was interrupted', { cause: ctx.signal.reason });
      bar(i / ids.length, id);
      const t0 = Date.now();
      try {
        sections.push(await registry[id]({
          kernels, modelPath, tokenizerPath, quick, probeWebGpu: values.webgpu === true, seed: values.seed, signal: ctx.signal,
          onProgress: (f, label) => bar((i + Math.min(1, Math.max(0, f))) / ids.length, `${id}: ${label}`),
        }));
      } catch (e) {
        // Interruption stops the run; any other failure is reported and the rest still run.
        if (e instanceof SparseInferenceError && e.code === 'ABORTED') throw e;
        const message = e instanceof Error ? e.message : String(e);
        failures.push(`${id}: ${message}`);
        sections.push({
          id, title: `${id} (failed)`, summary: `FAILED: ${message}`,
          html: `<p class="failed">This section failed: <code>${escapeXml(message)}</code></p>`,
        });
      }
      seconds.push((Date.now() - t0) / 1000);
      const last = sections[sections.length - 1];
      last.settings = `${last.settings ? `${last.settings}; ` : ''}section computed in ${seconds[i].toFixed(1)} s`;
    }
    bar(1, 'writing report');
  } finally {
    bar.done();
  }

  const runtime = detectRuntime();
  const total = (Date.now() - started) / 1000;
  const path = await writeReport(values.out, sections, {
    generatedAt: new Date(),
    runtime: `${runtime.name} ${runtime.version} (${runtime.platform})`,
    backend: `${kernels.backend} (${kernels.variant})`,
    version: packageVersion(),
    details: {
      Command: ['sparse-inference demo', ...args].join(' '),
      Workload: quick ? 'quick (the quiet default; demo --full for the long run)' : 'full (--full)',
      Data: modelPath
        ? `model ${modelPath}, tokenizer ${tokenizerPath}${shared ? ' (the shared checkpoint, found automatically)' : ''}`
        : 'generated (no checkpoint given and none in ../shared/models)',
      Duration: `${total.toFixed(1)} s`,
    },
  });
  if (values.json) {
    ctx.stdout(JSON.stringify({
      report: path, seconds: total, workload: quick ? 'quick' : 'full',
      sections: sections.map((s, i) => ({ id: s.id, title: s.title, summary: s.summary, seconds: seconds[i] })), failures,
    }, null, 2) + '\n');
    for (const f of failures) ctx.stderr(`sparse-inference demo: section failed: ${f.replace(/\s*\n\s*/g, ' ')}\n`);
    return failures.length ? 1 : 0;
  }
  const w = Math.max(...sections.map((s) => s.id.length));
  sections.forEach((s, i) => ctx.stdout(`${s.id.padEnd(w)}  ${s.summary.replace(/\s*\n\s*/g, ' ')} (${seconds[i].toFixed(1)} s)\n`));
  ctx.stdout(`report: ${path} (${sections.length} section${sections.length === 1 ? '' : 's'}, ${total.toFixed(1)} s, ${quick ? 'quick default' : 'full'})\n`);
  for (const f of failures) ctx.stderr(`sparse-inference demo: section failed: ${f.replace(/\s*\n\s*/g, ' ')}\n`);
  return failures.length ? 1 : 0;
}

/**
 * The demo command over a registry of sections: the real one by default; tests pass their
 * own to exercise selection and failure handling cheaply.
 */
export function createDemoCommand(registry: Registry = reportSections): CliCommand {
  return {
    name: 'demo',
    summary: 'Run every report section and write a self-contained HTML report',
    usage: usage(registry),
    run: (args, ctx) => runDemo(registry, args, ctx),
  };
}

export const demoCommand: CliCommand = createDemoCommand();

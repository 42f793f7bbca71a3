/**
 * The demo report as one self-contained HTML page: inline CSS, inline SVG plots, no scripts,
 * no external assets, so it opens from disk, in a mail attachment or a CI artifact alike.
 * The markup is also well-formed XML (tests parse it).
 */
import { badArgument } from '../core/errors.js';
import { describe } from '../core/validate.js';
import { escapeXml } from '../plot/svg.js';
import type { ReportSection } from './section.js';

/** Where and how the report was generated (shown in its header). */
export interface ReportMeta {
  /** Page title (default 'sparse-inference report'). */
  title?: string;
  generatedAt: Date;
  /** e.g. 'node 20.20.2 (linux x64)'. */
  runtime: string;
  /** e.g. 'wasm (simd)'. */
  backend: string;
  /** Library version. */
  version?: string;
  /** Further key/value lines (command line, data used, duration). */
  details?: Record<string, string>;
}

const ID = /^[a-z][a-z0-9-]*$/;

const CSS = `
:root { color-scheme: light; }
body { font: 15px/1.5 system-ui, -apple-system, "Segoe UI", Helvetica, Arial, sans-serif; color: #1a1a1a;
  background: #fafafa; margin: 0; }
main { max-width: 1180px; margin: 0 auto; padding: 24px 28px 64px; background: #fff; }
h1 { font-size: 26px; margin: 8px 0 4px; }
h2 { font-size: 21px; margin: 40px 0 8px; padding-top: 8px; border-top: 1px solid #ddd; }
h3 { font-size: 17px; margin: 24px 0 6px; }
p, li { max-width: 78ch; }
code { font: 13px ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; background: #f2f2f2; padding: 1px 4px; border-radius: 3px; }
dl.meta { display: grid; grid-template-columns: max-content 1fr; gap: 2px 16px; font-size: 14px; color: #333; }
dl.meta dt { font-weight: 600; }
dl.meta dd { margin: 0; }
nav.toc ol { padding-left: 22px; }
nav.toc .summary { color: #555; font-size: 14px; }
table.si-table { border-collapse: collapse; margin: 10px 0 18px; font-size: 13px; }
table.si-table th, table.si-table td { padding: 3px 7px; border-bottom: 1px solid #e3e3e3; text-align: left; vertical-align: top; }
table.si-table th { background: #f3f5f7; font-weight: 600; }
table.si-table td.num { text-align: right; font-variant-numeric: tabular-nums; }
svg { max-width: 100%; height: auto; display: block; margin: 8px 0 16px; }
figure { margin: 12px 0 20px; }
figcaption { font-size: 13px; color: #555; max-width: 78ch; }
p.failed { border-left: 4px solid #d55e00; padding-left: 12px; }
div.conclusion { background: #f3f7fb; border-left: 4px solid #0072b2; padding: 8px 14px; margin: 8px 0 10px; max-width: 78ch; }
div.conclusion ul { margin: 4px 0; padding-left: 20px; }
p.settings { font-size: 13px; color: #555; }
pre { white-space: pre-wrap; max-width: 78ch; background: #f7f7f7; padding: 8px 12px; }
.summary-line { color: #444; font-style: italic; }
footer { margin-top: 48px; font-size: 13px; color: #666; }
`;

/**
 * Render sections into the report page: header with generation metadata, a table of
 * contents linking each section, then one `<section id>` per ReportSection in order.
 * Section titles and summaries are escaped; section `html` is inserted as given (it is
 * produced by the library's own plot and table functions).
 *
 * @throws SparseInferenceError BAD_ARGUMENT for a missing or duplicate section id, or an id
 *   that is not a lowercase anchor name.
 * @example renderReport([backendsSection], { generatedAt: new Date(), runtime: 'node 20', backend: 'wasm (simd)' })
 */
export function renderReport(sections: ReportSection[], meta: ReportMeta): string {
  if (!Array.isArray(sections)) throw badArgument(`sections must be an array, got ${describe(sections)}`);
  if (!meta || !(meta.generatedAt instanceof Date) || Number.isNaN(meta.generatedAt.getTime())) {
    throw badArgument('meta.generatedAt must be a valid Date');
  }
  const seen = new Set<string>();
  sections.forEach((s, i) => {
    if (!s || typeof s.id !== 'string' || !ID.test(s.id)) {
      throw badArgument(`sections[${i}].id must be a lowercase anchor name like 'kvcache', got ${describe(s?.id)}`);
    }
    if (seen.has(s.id)) throw badArgument(`sections[${i}].id '${s.id}' is used twice`);
    seen.add(s.id);
    for (const k of ['title', 'html', 'summary'] as const) {
      if (typeof s[k] !== 'string') throw badArgument(`sections[${i}].${k} must be a string, got ${describe(s[k])}`);
    }
    for (const k of ['conclusion', 'settings'] as const) {
      if (s[k] !== undefined && typeof s[k] !== 'string') throw badArgument(`sections[${i}].${k} must be a string, got ${describe(s[k])}`);
    }
  });

  const title = meta.title ?? 'sparse-inference report';
  const rows: [string, string][] = [
    ['Generated', meta.generatedAt.toISOString().replace('T', ' ').replace(/\.\d+Z$/, ' UTC')],
    ['Runtime', meta.runtime],
    ['Backend', meta.backend],
  ];
  if (meta.version) rows.push(['Library', `sparse-inference ${meta.version}`]);
  for (const [k, v] of Object.entries(meta.details ?? {})) rows.push([k, v]);
  const metaHtml = rows.map(([k, v]) => `<dt>${escapeXml(k)}</dt><dd>${escapeXml(v)}</dd>`).join('\n');
  const toc = sections.map((s) =>
    `<li><a href="#${s.id}">${escapeXml(s.title)}</a>${s.summary ? ` <span class="summary">— ${escapeXml(s.summary)}</span>` : ''}</li>`).join('\n');
  const body = sections.map((s) => `<section id="${s.id}">\n<h2>${escapeXml(s.title)}</h2>\n`
    + (s.conclusion ? `<div class="conclusion"><strong>What to conclude.</strong> ${s.conclusion}</div>\n` : '')
    + (s.settings ? `<p class="settings">Settings: ${escapeXml(s.settings)}</p>\n` : '')
    + `${s.html}\n</section>`).join('\n\n');

  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8"/>
<meta name="viewport" content="width=device-width, initial-scale=1"/>
<title>${escapeXml(title)}</title>
<style>${CSS}</style>
</head>
<body>
<main>
<header>
<h1>${escapeXml(title)}</h1>
<p>Results computed by the <code>sparse-inference</code> library at the time shown below: a Llama runtime,
CHESS activation sparsity, Bayesian spline knot inference and A²ATS KV-cache retrieval, each through the same
kernel backends. Each section opens with what to conclude and the settings that produced its numbers; the
runtime and backend tables come last.</p>
<dl class="meta">
${metaHtml}
</dl>
</header>
<nav class="toc">
<h2>Contents</h2>
<ol>
${toc}
</ol>
</nav>
${body}
<footer>Self-contained page: inline CSS and SVG, no scripts or external assets.</footer>
</main>
</body>
</html>
`;
}

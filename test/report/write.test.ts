import { describe, expect, it } from 'vitest';
import { mkdtemp, readFile, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { renderReport, type ReportMeta } from '../../src/report/html.js';
import { writeReport } from '../../src/report/write.js';
import { barChart, htmlTable } from '../../src/plot/index.js';
import { SparseInferenceError } from '../../src/core/errors.js';
import { parseXml, findAll, textOf } from '../plot/xml.js';

const meta: ReportMeta = { generatedAt: new Date('2025-01-02T03:04:05Z'), runtime: 'node 20 <test>', backend: 'wasm (simd)', version: '1.2.3', details: { Workload: 'quick' } };
const sections = [
  { id: 'alpha', title: 'Alpha & <b>', summary: 'a "summary"', html: htmlTable(['k'], [['v']]) },
  { id: 'beta-2', title: 'Beta', summary: '', html: barChart({ bars: [{ label: 'x', value: 1 }] }) },
];

describe('report', () => {
  it('renders a table of contents, one section per input and metadata', () => {
    const root = parseXml(renderReport(sections, meta));
    const secs = findAll(root, (e) => e.name === 'section');
    expect(secs.map((s) => s.attrs.id)).toEqual(['alpha', 'beta-2']);
    expect(textOf(findAll(secs[0], (e) => e.name === 'h2')[0])).toBe('Alpha & <b>');
    expect(findAll(secs[1], (e) => e.name === 'svg')).toHaveLength(1);
    const toc = findAll(root, (e) => e.name === 'nav')[0];
    expect(findAll(toc, (e) => e.name === 'a').map((a) => a.attrs.href)).toEqual(['#alpha', '#beta-2']);
    const dl = findAll(root, (e) => e.name === 'dd').map(textOf);
    expect(dl).toEqual(['2025-01-02 03:04:05 UTC', 'node 20 <test>', 'wasm (simd)', 'sparse-inference 1.2.3', 'quick']);
    expect(findAll(root, (e) => e.name === 'style')).toHaveLength(1);
    expect(findAll(root, (e) => e.name === 'script' || e.name === 'link')).toEqual([]);
  });

  it('opens a section with its conclusion and settings, before the body', () => {
    const root = parseXml(renderReport([{ ...sections[0], conclusion: 'A <strong>wins</strong> by 2×', settings: 'n = 4 & k < 2' }, sections[1]], meta));
    const [alpha, beta] = findAll(root, (e) => e.name === 'section');
    const kids = alpha.children.filter((c) => typeof c !== 'string') as { name: string; attrs: Record<string, string> }[];
    expect(kids.slice(0, 3).map((c) => `${c.name}.${c.attrs.class ?? ''}`)).toEqual(['h2.', 'div.conclusion', 'p.settings']);
    const conclusion = textOf(findAll(alpha, (e) => e.attrs.class === 'conclusion')[0]);
    for (const part of ['What to conclude.', 'wins', 'by 2×']) expect(conclusion).toContain(part);
    expect(textOf(findAll(alpha, (e) => e.attrs.class === 'settings')[0])).toBe('Settings: n = 4 & k < 2');
    expect(findAll(beta, (e) => e.attrs.class === 'conclusion' || e.attrs.class === 'settings')).toEqual([]);
    expect(() => renderReport([{ ...sections[0], settings: 3 as never }], meta)).toThrow(/sections\[0\]\.settings must be a string/);
  });

  it('rejects bad section ids and metadata, naming the argument', () => {
    const bad = (s: unknown[], m: unknown = meta) => () => renderReport(s as never, m as never);
    expect(bad([{ ...sections[0], id: 'Has Space' }])).toThrow(/sections\[0\]\.id must be a lowercase anchor/);
    expect(bad([sections[0], { ...sections[1], id: 'alpha' }])).toThrow(/sections\[1\]\.id 'alpha' is used twice/);
    expect(bad([{ ...sections[0], html: undefined }])).toThrow(/sections\[0\]\.html must be a string/);
    expect(bad(sections, { ...meta, generatedAt: 'today' })).toThrow(/meta\.generatedAt/);
    expect(bad(sections, { ...meta, generatedAt: 'today' })).toThrow(SparseInferenceError);
  });

  it('writeReport writes dir/index.html and nothing else', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'si-report-'));
    try {
      const path = await writeReport(join(dir, 'out'), sections, meta);
      expect(path).toBe(join(dir, 'out', 'index.html'));
      expect(await readFile(path, 'utf8')).toBe(renderReport(sections, meta));
      expect(await readdir(join(dir, 'out'))).toEqual(['index.html']);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});

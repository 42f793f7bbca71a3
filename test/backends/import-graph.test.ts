/**
 * The layering the architecture promises, checked on the source: no import cycle among src/
 * modules (a depth-first search over static runtime imports; `import type` is erased and does
 * not count), nothing in src/kernels imports src/backends (the interface and the registry sit
 * below every backend), and the algorithm families reach kernels only through the Kernels
 * interface: they import neither a backend (only the factory that selects one) nor a reference
 * kernel.
 */
import { describe, expect, it } from 'vitest';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';

const SRC = path.resolve(import.meta.dirname, '../../src');

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = path.join(dir, e.name);
    return e.isDirectory() ? sourceFiles(p) : e.name.endsWith('.ts') && !e.name.endsWith('.d.ts') ? [p] : [];
  });
}

/** Static runtime imports and re-exports of a file, resolved to files under src/. */
function runtimeImports(file: string): string[] {
  const text = readFileSync(file, 'utf8');
  const found: string[] = [];
  const re = /^\s*(?:import|export)\s+(type\s+)?(?:[^'"]*?\sfrom\s+)?['"](\.[^'"]+)['"]/gm;
  for (const m of text.matchAll(re)) {
    if (m[1]) continue; // import type / export type: erased
    found.push(path.resolve(path.dirname(file), m[2].replace(/\.js$/, '.ts')));
  }
  return found;
}

const files = sourceFiles(SRC);
const graph = new Map(files.map((f) => [f, runtimeImports(f).filter((g) => g.startsWith(SRC))]));
const rel = (f: string) => path.relative(SRC, f);

describe('import graph of src/', () => {
  it('sees the modules and their imports (the parser is not vacuous)', () => {
    expect(files.length).toBeGreaterThan(100);
    const create = graph.get(path.join(SRC, 'backends', 'create-kernels.ts'));
    expect(create?.map(rel)).toContain('backends/cpu-backends.ts');
  });

  it('has no import cycle', () => {
    const state = new Map<string, 'open' | 'done'>();
    const stack: string[] = [];
    const cycles: string[] = [];
    const visit = (f: string) => {
      state.set(f, 'open');
      stack.push(f);
      for (const g of graph.get(f) ?? []) {
        if (state.get(g) === 'open') cycles.push([...stack.slice(stack.indexOf(g)), g].map(rel).join(' → '));
        else if (!state.has(g)) visit(g);
      }
      stack.pop();
      state.set(f, 'done');
    };
    for (const f of files) if (!state.has(f)) visit(f);
    expect(cycles).toEqual([]);
  });

  it('src/kernels imports nothing from src/backends', () => {
    const up = files.filter((f) => rel(f).startsWith('kernels/'))
      .flatMap((f) => (graph.get(f) ?? []).filter((g) => rel(g).startsWith('backends/')).map((g) => `${rel(f)} → ${rel(g)}`));
    expect(up).toEqual([]);
  });

  it('families import neither a backend (only the factory) nor a reference kernel', () => {
    const families = ['kvcache/', 'activations/', 'knots/', 'llama/'];
    const factory = ['backends/create-kernels.ts'];
    const bypass = files.filter((f) => families.some((fam) => rel(f).startsWith(fam)))
      .flatMap((f) => (graph.get(f) ?? [])
        .filter((g) => (rel(g).startsWith('backends/') && !factory.includes(rel(g))) || rel(g).startsWith('kernels/reference/'))
        .map((g) => `${rel(f)} → ${rel(g)}`));
    expect(bypass).toEqual([]);
  });
});

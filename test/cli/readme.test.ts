// The README's promises that tooling relies on: the two quick-start commands, CI running
// exactly the README's test command, and links that resolve.
import { describe, expect, it } from 'vitest';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { resolve } from 'node:path';

const root = resolve(import.meta.dirname, '..', '..');
const readme = readFileSync(resolve(root, 'README.md'), 'utf8');
const pkg = JSON.parse(readFileSync(resolve(root, 'package.json'), 'utf8'));

describe('README and CI', () => {
  it('has the quick-start commands verbatim, backed by package.json scripts', () => {
    expect(readme).toContain('npm install && npm start');
    expect(readme).toContain('npm install && npm test');
    expect(pkg.scripts.start).toMatch(/node dist\/cli\/main\.js demo$/);
    expect(pkg.scripts.test).toMatch(/vitest run$/);
  });

  it('.ci/run is an executable bash script running npm test with the REQUIRE variables', () => {
    const path = resolve(root, '.ci/run');
    expect(statSync(path).mode & 0o111).not.toBe(0);
    const ci = readFileSync(path, 'utf8');
    expect(ci.startsWith('#!/usr/bin/env bash\n')).toBe(true);
    expect(ci).toContain('set -euo pipefail');
    expect(ci).toMatch(/^export SPARSE_INFERENCE_REQUIRE_SHARED=1$/m);
    expect(ci).toMatch(/^export SPARSE_INFERENCE_REQUIRE_RUNTIMES=1$/m);
    expect(ci).toMatch(/^npm install$/m);
    expect(ci).toMatch(/^npm test /m);
  });

  it('links only to files that exist', () => {
    const links = [...readme.matchAll(/\]\(([^)#]+)\)/g)].map((m) => m[1]).filter((l) => !/^https?:/.test(l));
    expect(links.length).toBeGreaterThan(0);
    for (const l of links) expect(existsSync(resolve(root, l)), l).toBe(true);
  });
});

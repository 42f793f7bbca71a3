import { describe, expect, it } from 'vitest';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { barChart, writeSvg } from '../../src/plot/index.js';
import { SparseInferenceError } from '../../src/core/errors.js';

describe('writeSvg', () => {
  it('writes the SVG, creating parent directories', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'si-svg-'));
    try {
      const svg = barChart({ bars: [{ label: 'a', value: 1 }] });
      const path = join(dir, 'nested', 'deeper', 'a.svg');
      await writeSvg(path, svg);
      expect(await readFile(path, 'utf8')).toBe(svg + '\n');
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('rejects a non-SVG string and an empty path', async () => {
    await expect(writeSvg('/tmp/x.svg', '<html></html>')).rejects.toThrow(/svg must be an SVG document/);
    await expect(writeSvg('', '<svg/>')).rejects.toBeInstanceOf(SparseInferenceError);
  });
});

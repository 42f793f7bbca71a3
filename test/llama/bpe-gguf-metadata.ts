/**
 * Test helper: the metadata of a GGUF file, read from its first megabytes only (the header holds
 * the vocabulary and merges; the tensors after it are not read).
 */
import { closeSync, fstatSync, openSync, readSync } from 'node:fs';
import { parseGgufPrefix, type GgufValue } from '../../src/llama/gguf/index.js';

const cache = new Map<string, Map<string, GgufValue>>();

export function readGgufMetadata(path: string): Map<string, GgufValue> {
  const hit = cache.get(path);
  if (hit) return hit;
  const fd = openSync(path, 'r');
  try {
    const size = fstatSync(fd).size;
    for (let want = 4 << 20; ; want *= 2) {
      const n = Math.min(want, size);
      const buf = new Uint8Array(n);
      readSync(fd, buf, 0, n, 0);
      const g = parseGgufPrefix(buf, size, path);
      if (g !== null) { cache.set(path, g.metadata); return g.metadata; }
    }
  } finally {
    closeSync(fd);
  }
}

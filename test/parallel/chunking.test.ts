/**
 * chunkSize: chunks are unit-aligned, at least the minimum, at most TARGET_CHUNKS of them, and
 * as small as those allow (about total / TARGET_CHUNKS).
 */
import { expect, it } from 'vitest';
import fc from 'fast-check';
import { TARGET_CHUNKS, chunkSize } from '../../src/backends/wasm-threads/chunking.js';
import { MAX_CHUNKS } from '../../src/backends/wasm-threads/worker-source.js';

it('gives unit-aligned chunks, at least the minimum, at most TARGET_CHUNKS of them', () => {
  fc.assert(fc.property(fc.integer({ min: 1, max: 10_000_000 }), fc.integer({ min: 1, max: 64 }), fc.integer({ min: 0, max: 100_000 }),
    (total, unit, min) => {
      const size = chunkSize(total, unit, min);
      const count = Math.ceil(total / size);
      expect(size % unit).toBe(0);
      expect(size).toBeGreaterThanOrEqual(Math.max(min, 1));
      expect(count).toBeLessThanOrEqual(TARGET_CHUNKS);
      expect(count).toBeGreaterThanOrEqual(1);
      // Not needlessly large: one unit less would break the minimum or the chunk limit.
      const smaller = size - unit;
      if (smaller > 0) expect(smaller < min || Math.ceil(total / smaller) > TARGET_CHUNKS || smaller < Math.ceil(total / TARGET_CHUNKS)).toBe(true);
    }));
  expect(TARGET_CHUNKS).toBeLessThanOrEqual(MAX_CHUNKS);
});

it('gives the documented examples', () => {
  expect(chunkSize(4096, 7, 1)).toBe(133);
  expect(Math.ceil(4096 / 133)).toBe(31);
  expect(chunkSize(4096, 16, 1024)).toBe(1024);
  expect(chunkSize(10, 4, 1)).toBe(4);
});

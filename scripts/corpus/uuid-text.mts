/**
 * Random UUID strings, one per line: the "meaningless" half of the calibration set (A²ATS
 * calibrates its codebooks on web text plus 16K tokens of random UUIDs). Version-4 layout, every
 * random bit drawn from the seeded generator, so a seed always gives the same text.
 */
import type { Rng } from '../../src/core/rng.ts';

const hex = (x: number, digits: number) => (x >>> 0).toString(16).padStart(digits, '0');

/** One version-4 UUID (RFC 9562 layout: version nibble 4, variant bits 10). */
export function randomUuid(rng: Rng): string {
  const a = rng.nextU32(), b = rng.nextU32(), c = rng.nextU32(), d = rng.nextU32();
  const timeHi = ((b & 0xffff) & 0x0fff) | 0x4000;
  const clockSeq = ((c >>> 16) & 0x3fff) | 0x8000;
  return `${hex(a, 8)}-${hex(b >>> 16, 4)}-${hex(timeHi, 4)}-${hex(clockSeq, 4)}-${hex(c & 0xffff, 4)}${hex(d, 8)}`;
}

/** UUID lines until the text holds at least `minTokens` tokens by `count`. */
export function uuidLines(rng: Rng, minTokens: number, count: (text: string) => number): string {
  const lines: string[] = [];
  let tokens = 0;
  while (tokens < minTokens) {
    const batch = Array.from({ length: 8 }, () => randomUuid(rng));
    lines.push(...batch);
    tokens = count(lines.join('\n'));
  }
  return lines.join('\n');
}

/**
 * GPT-2's byte ↔ character map for byte-level BPE (Radford et al. 2019, `bytes_to_unicode`):
 * every byte is shown as one printable character so that vocabulary entries and merges are
 * plain strings. Printable Latin-1 bytes ('!'..'~', '¡'..'¬', '®'..'ÿ') stand for themselves;
 * the other 68 bytes (controls, space, 0x7F..0xA0, 0xAD) take U+0100.. in byte order, which is
 * why a space appears as 'Ġ' (U+0120) and a newline as 'Ċ' (U+010A) in the vocabulary.
 *
 * @example
 * BYTE_TO_CHAR[0x20];          // 'Ġ'
 * CHAR_TO_BYTE.get('Ċ');        // 0x0a
 */

function isPrintableLatin1(b: number): boolean {
  return (b >= 0x21 && b <= 0x7e) || (b >= 0xa1 && b <= 0xac) || (b >= 0xae && b <= 0xff);
}

function buildByteToChar(): string[] {
  const out: string[] = new Array(256);
  let next = 256;
  for (let b = 0; b < 256; b++) out[b] = String.fromCharCode(isPrintableLatin1(b) ? b : next++);
  return out;
}

/** The character that stands for byte b (0..255). */
export const BYTE_TO_CHAR: readonly string[] = buildByteToChar();

/** The byte a vocabulary character stands for; undefined for characters outside the map. */
export const CHAR_TO_BYTE: ReadonlyMap<string, number> = new Map(BYTE_TO_CHAR.map((c, b) => [c, b]));

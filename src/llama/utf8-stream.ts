/**
 * Incremental UTF-8 decoding of token pieces, for streaming generated text. A character split
 * across byte pieces is emitted once complete (TextDecoder in stream mode); pieces of plain
 * ASCII while no character is pending — nearly every piece of English text — skip TextDecoder,
 * whose per-call cost is larger than a small model's whole decode step.
 *
 * @example
 * const utf8 = new Utf8Stream();
 * utf8.push(Uint8Array.of(0xc3)); // '' (incomplete)
 * utf8.push(Uint8Array.of(0xa9)); // 'é'
 * utf8.end();                     // '' (nothing pending)
 */
export class Utf8Stream {
  private readonly decoder = new TextDecoder('utf-8');
  /** Continuation bytes the last lead byte still expects (0: on a character boundary). */
  private pending = 0;

  /** The text these bytes complete ('' while a character is incomplete). */
  push(bytes: Uint8Array): string {
    if (this.pending === 0 && isAscii(bytes)) return Reflect.apply(String.fromCharCode, null, bytes) as string;
    this.track(bytes);
    return this.decoder.decode(bytes, { stream: true });
  }

  /** Whatever is pending, flushed (an incomplete character becomes U+FFFD). */
  end(): string {
    this.pending = 0;
    return this.decoder.decode();
  }

  /** Follows character boundaries the way the decoder does (malformed input resets it). */
  private track(bytes: Uint8Array): void {
    for (let i = 0; i < bytes.length; i++) {
      const b = bytes[i];
      if (this.pending > 0 && (b & 0xc0) === 0x80) this.pending--;
      else this.pending = b >= 0xf0 && b <= 0xf4 ? 3 : b >= 0xe0 && b < 0xf0 ? 2 : b >= 0xc2 && b < 0xe0 ? 1 : 0;
    }
  }
}

function isAscii(bytes: Uint8Array): boolean {
  for (let i = 0; i < bytes.length; i++) if (bytes[i] >= 0x80) return false;
  return true;
}

/**
 * Special tokens (`<|im_start|>`, `<|endoftext|>`, ...) are found in the raw text before any
 * pre-tokenization, so they never merge with their neighbours: Hugging Face `tokenizers` does
 * this for added tokens and llama.cpp for control tokens when it parses special tokens. Where two
 * could start at the same place the longest wins, then the next match starts after it.
 *
 * @example
 * const split = new SpecialSplitter(new Map([['<|im_end|>', 2]]));
 * [...split.pieces('hi<|im_end|>\n')]   // ['hi', 2, '\n']
 */
export class SpecialSplitter {
  private readonly pattern: RegExp | null;

  constructor(private readonly ids: ReadonlyMap<string, number>) {
    const texts = [...ids.keys()].filter((t) => t.length > 0).sort((a, b) => b.length - a.length);
    // Longest first: a regex alternation takes the first alternative that matches at a position.
    this.pattern = texts.length > 0 ? new RegExp(texts.map(escapeRegExp).join('|'), 'gu') : null;
  }

  /** Text runs (strings) and special token ids (numbers), in order; empty runs are omitted. */
  *pieces(text: string): Generator<string | number> {
    let at = 0;
    if (this.pattern !== null) {
      for (const m of text.matchAll(this.pattern)) {
        if (m.index > at) yield text.slice(at, m.index);
        yield this.ids.get(m[0])!;
        at = m.index + m[0].length;
      }
    }
    if (at < text.length) yield text.slice(at);
  }
}

function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\/-]/g, '\\$&');
}

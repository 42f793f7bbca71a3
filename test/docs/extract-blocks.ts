/**
 * Fenced code blocks of the Markdown documentation: README.md and docs/*.md, with the file and
 * line each starts on and its info string (```ts, ```js browser, ```sh, ...).
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

export interface CodeBlock {
  file: string;
  /** 1-based line of the opening fence. */
  line: number;
  /** First word of the info string: ts, js, sh, json, ... */
  lang: string;
  /** The rest of the info string (e.g. 'browser'). */
  tags: string[];
  code: string;
}

/** Every fenced block of README.md and docs/*.md under `root`. */
export function docCodeBlocks(root: string): CodeBlock[] {
  const files = ['README.md', ...readdirSync(join(root, 'docs')).filter((f) => f.endsWith('.md')).sort().map((f) => `docs/${f}`)];
  const blocks: CodeBlock[] = [];
  for (const file of files) {
    const lines = readFileSync(join(root, file), 'utf8').split('\n');
    for (let i = 0; i < lines.length; i++) {
      const open = /^```(\S*)\s*(.*)$/.exec(lines[i]);
      if (!open) continue;
      const end = lines.findIndex((l, j) => j > i && /^```\s*$/.test(l));
      if (end < 0) throw new Error(`${file}:${i + 1}: code block is never closed`);
      blocks.push({ file, line: i + 1, lang: open[1], tags: open[2].split(/\s+/).filter(Boolean), code: lines.slice(i + 1, end).join('\n') });
      i = end;
    }
  }
  return blocks;
}

/** The `sparse-inference ...` command lines of a shell block (continuations joined, comments dropped). */
export function cliCommandLines(code: string): string[][] {
  const joined = code.replace(/\\\n\s*/g, ' ').split('\n');
  const out: string[][] = [];
  for (const raw of joined) {
    const line = raw.replace(/\s#.*$/, '').trim();
    const words = line.split(/\s+/);
    const at = words[0] === 'npx' ? 1 : 0;
    if (words[at] === 'sparse-inference') out.push(words.slice(at + 1));
  }
  return out;
}

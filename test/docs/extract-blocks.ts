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

/** One `sparse-inference` command of a shell block: its command word(s) and the flags it uses. */
export interface CliLine { words: string[]; flags: string[] }

/**
 * The `sparse-inference ...` commands of a shell block. A command continues on lines that end
 * in a backslash or on the indented lines after it (usage synopses); comments are dropped.
 */
export function cliCommandLines(code: string): CliLine[] {
  const out: CliLine[] = [];
  let current: string | null = null;
  const finish = () => {
    if (current === null) return;
    const words = current.split(/\s+/).filter(Boolean);
    const flags = [...current.matchAll(/(?<![\w-])--[a-z][a-z0-9-]*/g)].map((m) => m[0]);
    out.push({ words, flags });
    current = null;
  };
  for (const raw of code.replace(/\\\n/g, ' ').split('\n')) {
    const line = raw.replace(/(^|\s)#.*$/, '');
    const command = /^\s*(npx\s+)?sparse-inference(\s+(.*))?$/.exec(line);
    if (command) { finish(); current = command[3] ?? ''; continue; }
    if (current !== null && /^\s+\S/.test(line)) { current += ' ' + line.trim(); continue; }
    finish();
  }
  finish();
  return out;
}

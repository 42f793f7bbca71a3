/**
 * Reads a GNU info manual (the output of makeinfo) into its nodes as plain prose.
 *
 * Info format, as far as this reader needs it: nodes are separated by the unit separator 0x1F;
 * each node starts with a header line `File: x.info,  Node: Name,  Next: ..,  Up: Parent`.
 * A split manual's main file lists its parts in an `Indirect:` node; the `Tag Table:` node is an
 * index of byte offsets. Inside a node, `* Menu:` starts a menu (lines `* Entry::  text`) that
 * runs to the end of the node; cross references read `*note Label: Node.` or `*note Node::`;
 * index entries and images are wrapped in `\0\b[index\0\b]` / `\0\b[image ...\0\b]` markers.
 */
import { readFileSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';

export interface InfoNode {
  /** The node's name (`Node:` in its header). */
  name: string;
  /** Its parent (`Up:`); chapters have `Top` as parent. */
  up: string;
  /** Cleaned text: no header, no menu, no control characters, headings without underlines. */
  text: string;
}

/** Raw bytes of an info file, gunzipped when its name ends in .gz. */
export function readInfoFile(path: string): string {
  const bytes = readFileSync(path);
  return (path.endsWith('.gz') ? gunzipSync(bytes) : bytes).toString('utf8');
}

/** Files of a manual in order: the main file, then its `Indirect:` parts if it is split. */
export function infoFileParts(mainPath: string): string[] {
  const main = readInfoFile(mainPath);
  const indirect = main.split('\x1f').find((chunk) => chunk.replace(/^\n/, '').startsWith('Indirect:'));
  if (!indirect) return [mainPath];
  const dir = mainPath.slice(0, mainPath.lastIndexOf('/') + 1);
  const gz = mainPath.endsWith('.gz') ? '.gz' : '';
  const parts = indirect.split('\n').slice(2).map((line) => line.split(':')[0].trim()).filter((p) => p !== '');
  return [mainPath, ...parts.map((p) => dir + p + gz)];
}

/** Nodes of a manual, in file order, with their text cleaned. */
export function readInfoManual(mainPath: string): InfoNode[] {
  const nodes: InfoNode[] = [];
  for (const file of infoFileParts(mainPath)) {
    for (const chunk of readInfoFile(file).split('\x1f')) {
      const body = chunk.replace(/^\n/, '');
      const header = /^File: [^,]*,\s+Node: ([^,\n]*)(?:,[^\n]*?Up: ([^,\n]*))?[^\n]*\n/.exec(body);
      if (!header) continue; // preamble, Indirect:, Tag Table:, Local Variables
      nodes.push({ name: header[1].trim(), up: (header[2] ?? '').trim(), text: cleanNodeText(body.slice(header[0].length)) });
    }
  }
  return nodes;
}

/** A heading underline: a line of one repeated character among * = - . written by makeinfo. */
const UNDERLINE = /^(\*{3,}|={3,}|-{3,}|\.{3,})$/;

/** Node text without menus, markers, cross-reference syntax and control characters. */
export function cleanNodeText(raw: string): string {
  let text = raw;
  const menu = text.search(/^\* Menu:/m);
  if (menu >= 0) text = text.slice(0, menu);
  text = text.replace(/\0\x08\[[^\0]*\0\x08\]/g, ''); // index entries, images
  // Cross references keep their label: "*note Label: Node." -> "Label", "*note Node::" -> "Node".
  text = text.replace(/\*[Nn]ote[ \n]+([^:*]+?)::/g, (_m, label: string) => label.replace(/\s+/g, ' '));
  text = text.replace(/\*[Nn]ote[ \n]+([^:*]+?):[ \n]+[^.,;]*([.,;])/g, (_m, label: string, end: string) => label.replace(/\s+/g, ' ') + end);
  text = text.replace(/[\0-\x08\x0b-\x1f\x7f]/g, '');
  // makeinfo indents the first line of a paragraph by three spaces; examples by five or more.
  const lines = text.split('\n').map((l) => l.replace(/\s+$/, '').replace(/^ {3}(?=\S)/, ''));
  const kept = lines.filter((l) => !UNDERLINE.test(l.trim()));
  return kept.join('\n').replace(/\n{3,}/g, '\n\n').trim();
}

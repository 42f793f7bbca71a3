/**
 * A small, strict XML well-formedness checker and parser for tests: it rejects unescaped
 * '<' or '&', unquoted or duplicate attributes, unknown entities and mismatched tags, and
 * returns the element tree so tests can read back coordinates.
 */
export interface XmlElement {
  name: string;
  attrs: Record<string, string>;
  children: XmlElement[];
  text: string;
}

const NAME = /^[A-Za-z_:][-A-Za-z0-9_:.]*/;
const ENTITY = /^&(amp|lt|gt|quot|apos|#[0-9]+|#x[0-9a-fA-F]+);/;

function decode(raw: string, where: string): string {
  let out = '';
  for (let i = 0; i < raw.length; i++) {
    const c = raw[i];
    if (c === '<') throw new Error(`unescaped '<' in ${where}`);
    if (c !== '&') { out += c; continue; }
    const m = ENTITY.exec(raw.slice(i));
    if (!m) throw new Error(`bad entity in ${where}: ${raw.slice(i, i + 12)}`);
    const e = m[1];
    out += e === 'amp' ? '&' : e === 'lt' ? '<' : e === 'gt' ? '>' : e === 'quot' ? '"' : e === 'apos' ? "'"
      : String.fromCodePoint(e[1] === 'x' ? parseInt(e.slice(2), 16) : parseInt(e.slice(1), 10));
    i += m[0].length - 1;
  }
  return out;
}

/** Parse `src` (an XML document, optionally with a prolog/doctype) and return its root element. */
export function parseXml(src: string): XmlElement {
  let i = 0;
  const stack: XmlElement[] = [];
  let root: XmlElement | null = null;
  const skipWs = () => { while (i < src.length && /\s/.test(src[i])) i++; };
  while (i < src.length) {
    if (src.startsWith('<?', i)) { const e = src.indexOf('?>', i); if (e < 0) throw new Error('unterminated <?'); i = e + 2; continue; }
    if (src.startsWith('<!--', i)) { const e = src.indexOf('-->', i); if (e < 0) throw new Error('unterminated comment'); i = e + 3; continue; }
    if (src.startsWith('<!DOCTYPE', i) || src.startsWith('<!doctype', i)) {
      if (root || stack.length) throw new Error('doctype after the root element');
      const e = src.indexOf('>', i); i = e + 1; continue;
    }
    if (src.startsWith('</', i)) {
      i += 2;
      const m = NAME.exec(src.slice(i));
      if (!m) throw new Error(`bad closing tag at ${i}`);
      i += m[0].length; skipWs();
      if (src[i] !== '>') throw new Error(`bad closing tag </${m[0]} at ${i}`);
      i++;
      const open = stack.pop();
      if (!open || open.name !== m[0]) throw new Error(`</${m[0]}> closes <${open?.name ?? 'nothing'}>`);
      continue;
    }
    if (src[i] === '<') {
      i++;
      const m = NAME.exec(src.slice(i));
      if (!m) throw new Error(`bad tag name at ${i}: ${src.slice(i, i + 10)}`);
      i += m[0].length;
      const node: XmlElement = { name: m[0], attrs: {}, children: [], text: '' };
      const parent = stack[stack.length - 1];
      if (parent) parent.children.push(node);
      else if (root) throw new Error('more than one root element');
      else root = node;
      for (;;) {
        const before = i;
        skipWs();
        if (src.startsWith('/>', i)) { i += 2; break; }
        if (src[i] === '>') { i++; stack.push(node); break; }
        if (i === before) throw new Error(`missing space before attribute in <${node.name}> at ${i}`);
        const an = NAME.exec(src.slice(i));
        if (!an) throw new Error(`bad attribute in <${node.name}> at ${i}: ${src.slice(i, i + 10)}`);
        i += an[0].length;
        if (src[i] !== '=') throw new Error(`attribute ${an[0]} of <${node.name}> has no value`);
        i++;
        const q = src[i];
        if (q !== '"' && q !== "'") throw new Error(`attribute ${an[0]} of <${node.name}> is unquoted`);
        const end = src.indexOf(q, i + 1);
        if (end < 0) throw new Error('unterminated attribute');
        if (an[0] in node.attrs) throw new Error(`duplicate attribute ${an[0]} in <${node.name}>`);
        node.attrs[an[0]] = decode(src.slice(i + 1, end), `attribute ${an[0]}`);
        i = end + 1;
      }
      continue;
    }
    const next = src.indexOf('<', i);
    const raw = src.slice(i, next < 0 ? src.length : next);
    if (stack.length) stack[stack.length - 1].text += decode(raw, `text of <${stack[stack.length - 1].name}>`);
    else if (raw.trim()) throw new Error('text outside the root element');
    i = next < 0 ? src.length : next;
  }
  if (stack.length) throw new Error(`unclosed <${stack[stack.length - 1].name}>`);
  if (!root) throw new Error('no root element');
  return root;
}

/** All descendants (depth-first, document order) matching a predicate. */
export function findAll(node: XmlElement, pred: (e: XmlElement) => boolean): XmlElement[] {
  const out: XmlElement[] = [];
  const walk = (e: XmlElement) => { if (pred(e)) out.push(e); e.children.forEach(walk); };
  walk(node);
  return out;
}

/** All text inside an element. */
export function textOf(e: XmlElement): string {
  return e.text + e.children.map(textOf).join('');
}

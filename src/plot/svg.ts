/**
 * Small helpers for writing SVG as text: escaping, attribute lists, compact coordinates,
 * colour validation and document-unique ids. Charts built from these are well-formed XML.
 */
import { badArgument } from '../core/errors.js';

const ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

/** Escape text for use in XML/HTML content or a quoted attribute value. */
export function escapeXml(text: string): string {
  return String(text).replace(/[&<>"']/g, (c) => ESCAPES[c]);
}

/** A pixel coordinate with at most two decimals (keeps files small, output deterministic). */
export function px(v: number): string {
  const r = Math.round(v * 100) / 100;
  return String(Object.is(r, -0) ? 0 : r);
}

export type Attrs = Record<string, string | number | undefined>;

/** `<name a="1" b="2">children</name>`, or self-closing when there are no children. */
export function el(name: string, attrs: Attrs, children?: string): string {
  let s = `<${name}`;
  for (const [k, v] of Object.entries(attrs)) {
    if (v === undefined) continue;
    s += ` ${k}="${typeof v === 'number' ? px(v) : escapeXml(v)}"`;
  }
  return children === undefined ? `${s}/>` : `${s}>${children}</${name}>`;
}

const COLOR = /^(#[0-9a-fA-F]{3,8}|[a-zA-Z]{3,30}|(rgb|rgba|hsl|hsla)\([0-9\s.,%+-]{1,60}\))$/;

/** Accept only plain CSS colours, so a colour can never break out of its attribute. */
export function checkColor(name: string, color: unknown): string {
  if (typeof color !== 'string' || !COLOR.test(color)) {
    throw badArgument(`${name} must be a CSS colour like '#0072b2' or 'rgb(0,114,178)', got ${JSON.stringify(color)}`);
  }
  return color;
}

/**
 * A short id derived from the SVG body (FNV-1a), so clip paths and gradients of different
 * charts inlined in one HTML page never collide, while the output stays a pure function.
 */
export function contentId(prefix: string, content: string): string {
  let h = 0x811c9dc5;
  for (let i = 0; i < content.length; i++) {
    h ^= content.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return `${prefix}-${(h >>> 0).toString(36)}`;
}

/** Rough text width in pixels for layout (average glyph ≈ 0.6 em in sans-serif, a little wide on purpose). */
export function textWidth(text: string, fontSize: number): number {
  return text.length * fontSize * 0.6;
}

/**
 * Break text into lines no wider than `maxWidth` (by textWidth) at spaces, never shortening it:
 * a single word longer than a line gets a line of its own.
 * @example wrapText('posterior mean with 95% band', 11, 80) → ['posterior mean', 'with 95% band']
 */
export function wrapText(text: string, fontSize: number, maxWidth: number): string[] {
  const words = text.split(/\s+/).filter(Boolean);
  if (words.length === 0) return [''];
  const lines: string[] = [];
  let line = words[0];
  for (const w of words.slice(1)) {
    if (textWidth(`${line} ${w}`, fontSize) <= maxWidth) line += ` ${w}`;
    else { lines.push(line); line = w; }
  }
  lines.push(line);
  return lines;
}

/**
 * The alpha a CSS colour carries itself: rgba()/hsla() fourth value, #rgba or #rrggbbaa;
 * 1 for opaque colours. Lets a chart apply transparency exactly once.
 * @example colorAlpha('rgba(31,119,180,0.3)') → 0.3; colorAlpha('#0072B2') → 1
 */
export function colorAlpha(color: string): number {
  const hex = /^#([0-9a-fA-F]+)$/.exec(color)?.[1];
  if (hex) {
    if (hex.length === 4) return parseInt(hex[3] + hex[3], 16) / 255;
    if (hex.length === 8) return parseInt(hex.slice(6), 16) / 255;
    return 1;
  }
  const fn = /^(?:rgba?|hsla?)\(([^)]*)\)$/.exec(color)?.[1];
  if (fn) {
    const parts = fn.split(/[\s,/]+/).filter(Boolean);
    if (parts.length === 4) {
      const a = parts[3].endsWith('%') ? parseFloat(parts[3]) / 100 : parseFloat(parts[3]);
      if (Number.isFinite(a)) return Math.min(1, Math.max(0, a));
    }
  }
  return color.toLowerCase() === 'transparent' ? 0 : 1;
}

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

/** Rough text width in pixels for layout (average glyph ≈ 0.6 em in sans-serif). */
export function textWidth(text: string, fontSize: number): number {
  return text.length * fontSize * 0.6;
}

/** Shorten long labels with an ellipsis. */
export function truncate(text: string, max: number): string {
  return text.length <= max ? text : text.slice(0, max - 1) + '…';
}

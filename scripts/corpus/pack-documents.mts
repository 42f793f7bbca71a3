/**
 * Packs consecutive units of text (info nodes, pydoc topics, paragraphs) into documents whose
 * token counts lie in [min, max], preferring to cut where a chapter begins.
 */

export interface TextUnit {
  text: string;
  /** Where this unit came from (node or topic name), kept for the manifest. */
  label: string;
  /** True when a chapter starts here: the preferred place to end a document. */
  chapterStart: boolean;
}

export interface PackedDocument {
  text: string;
  labels: string[];
}

/** Unit joiner: a blank line, as between paragraphs. */
const JOIN = '\n\n';

/**
 * Documents of at least `min` and at most `max` tokens (counted unit by unit: the caller checks
 * the exact count of the joined text). Units over `max - min` tokens are first split at blank
 * lines, so a short document plus the next unit never overshoots. A final remainder under `min`
 * joins the last document when it fits, else it is dropped.
 */
export function packDocuments(units: TextUnit[], count: (text: string) => number, min: number, max: number): PackedDocument[] {
  const pieces = units.flatMap((u) => splitLargeUnit(u, count, max - min));
  const docs: { units: TextUnit[]; tokens: number }[] = [];
  let cur: TextUnit[] = [];
  let curTokens = 0;
  for (const piece of pieces) {
    const tokens = count(piece.text);
    const full = curTokens + tokens > max;
    if (cur.length > 0 && (full || (piece.chapterStart && curTokens >= min))) {
      if (curTokens >= min) docs.push({ units: cur, tokens: curTokens });
      cur = [];
      curTokens = 0;
    }
    cur.push(piece);
    curTokens += tokens;
  }
  if (curTokens >= min) docs.push({ units: cur, tokens: curTokens });
  else if (cur.length > 0 && docs.length > 0 && docs[docs.length - 1].tokens + curTokens <= max) docs[docs.length - 1].units.push(...cur);
  return docs.map((d) => ({ text: d.units.map((u) => u.text).join(JOIN), labels: [...new Set(d.units.map((u) => u.label))] }));
}

/** A unit over `limit` tokens as several, cut at blank lines (a single paragraph stays whole). */
function splitLargeUnit(unit: TextUnit, count: (text: string) => number, limit: number): TextUnit[] {
  if (count(unit.text) <= limit) return [unit];
  const out: TextUnit[] = [];
  let cur: string[] = [];
  let curTokens = 0;
  for (const para of unit.text.split(/\n\n+/)) {
    const t = count(para);
    if (cur.length > 0 && curTokens + t > limit) {
      out.push({ text: cur.join(JOIN), label: unit.label, chapterStart: out.length === 0 && unit.chapterStart });
      cur = [];
      curTokens = 0;
    }
    cur.push(para);
    curTokens += t;
  }
  if (cur.length > 0) out.push({ text: cur.join(JOIN), label: unit.label, chapterStart: out.length === 0 && unit.chapterStart });
  return out;
}

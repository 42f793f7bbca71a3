/**
 * Word n-grams for the contamination check between calibration and evaluation text: lower-cased
 * runs of letters/digits, n = 13 (the length GPT-3's and later decontamination passes use), so a
 * shared 13-gram means a shared phrase, not a shared idiom.
 */
export const OVERLAP_N = 13;

export function wordNgrams(text: string, n = OVERLAP_N): Set<string> {
  const words = text.toLowerCase().match(/[\p{L}\p{N}_]+/gu) ?? [];
  const out = new Set<string>();
  for (let i = 0; i + n <= words.length; i++) out.add(words.slice(i, i + n).join(' '));
  return out;
}

/** Paragraphs of `text` (blank-line separated) that share no n-gram with `banned`, and how many were dropped. */
export function dropSharedParagraphs(text: string, banned: ReadonlySet<string>): { text: string; dropped: number } {
  const paragraphs = text.split(/\n\n+/);
  const kept = paragraphs.filter((p) => ![...wordNgrams(p)].some((g) => banned.has(g)));
  return { text: kept.join('\n\n'), dropped: paragraphs.length - kept.length };
}

/** Tables of a fuzz run: exports by their worst outcome, and calls by outcome. */
import { OUTCOMES, type CallResult, type Outcome } from './protocol.js';

const RANK = new Map(OUTCOMES.map((o, i) => [o, i]));

/**
 * What a call's outcome means for its export: a normal return or NaN from an export in
 * `documented` is its documented result, and a normal return (without NaN) to a call whose
 * arguments were all drawn from the hostile set ('any' mode, which may draw valid arguments)
 * is no defect, counted as clean.
 */
export function effectiveOutcome(r: CallResult, documented: Record<string, string>): Outcome {
  if ((r.outcome === 'accepted' || r.outcome === 'nan') && r.name in documented) return 'documented';
  if (r.outcome === 'accepted' && r.mode === 'any') return 'clean';
  return r.outcome;
}

/** Each export's worst effective outcome over its calls, with the call that showed it. */
export function worstByExport(results: CallResult[], documented: Record<string, string>): Map<string, CallResult> {
  const worst = new Map<string, CallResult>();
  for (const raw of results) {
    const r = { ...raw, outcome: effectiveOutcome(raw, documented) };
    const w = worst.get(r.name);
    if (!w || RANK.get(r.outcome)! > RANK.get(w.outcome)!) worst.set(r.name, r);
  }
  return worst;
}

export function countBy<T>(items: Iterable<T>, key: (t: T) => Outcome): Record<Outcome, number> {
  const counts = Object.fromEntries(OUTCOMES.map((o) => [o, 0])) as Record<Outcome, number>;
  for (const t of items) counts[key(t)]++;
  return counts;
}

export function formatTable(title: string, counts: Record<Outcome, number>): string {
  return `${title}\n${OUTCOMES.map((o) => `  ${o.padEnd(10)} ${counts[o]}`).join('\n')}`;
}

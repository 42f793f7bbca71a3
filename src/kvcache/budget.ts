/**
 * Retrieval budgets (A²ATS §3.3). Sinks and the window are always kept on top of the budget;
 * the budget counts far tokens only.
 *
 * - `perHead` (the paper's rule): each query head keeps its top ⌊ρ·n⌋ (or `count`) far tokens
 *   and the GQA group attends to the union, so the realized far budget per KV head lies
 *   between ⌊ρ·n⌋ and g·⌊ρ·n⌋.
 * - `total`: exactly ⌊ρ·n⌋ (or `count`) far tokens per KV head. Per-head scorers fill it by
 *   interleaving their rankings (rank 0 of every head, then rank 1, …, skipping repeats) — the
 *   union of per-head top-k, grown one token at a time — so every method can be compared at
 *   the same realized budget.
 * n is the current context length (i + 1).
 */
import { badArgument } from '../core/errors.js';
import { checkInt, checkNumber, checkOneOf } from '../core/validate.js';

/** A far-token budget. @example { mode: 'perHead', fraction: 0.03 } */
export interface Budget {
  mode: 'perHead' | 'total';
  /** ρ in [0, 1]: a fraction of the current length n. */
  fraction?: number;
  /** A fixed token count (instead of fraction). */
  count?: number;
}

/** Validates a budget (exactly one of fraction and count). */
export function checkBudget(b: Budget, name = 'budget'): Budget {
  if (b === null || typeof b !== 'object') throw badArgument(`${name} must be an object`);
  checkOneOf(`${name}.mode`, b.mode, ['perHead', 'total'] as const);
  if ((b.fraction === undefined) === (b.count === undefined)) {
    throw badArgument(`${name} must set exactly one of fraction and count`);
  }
  if (b.fraction !== undefined) checkNumber(`${name}.fraction`, b.fraction, 0, 1);
  if (b.count !== undefined) checkInt(`${name}.count`, b.count, 0);
  return b;
}

/**
 * Far tokens to keep (per head for 'perHead', per KV head for 'total'): ⌊ρ·n⌋ or count,
 * capped at the m far candidates.
 * @example budgetTokens({ mode: 'perHead', fraction: 0.03 }, 32768, 32696)  // 983
 */
export function budgetTokens(b: Budget, n: number, m: number): number {
  checkBudget(b);
  checkInt('n', n, 0); checkInt('m', m, 0, n);
  const want = b.count !== undefined ? b.count : Math.floor((b.fraction as number) * n + 1e-9);
  return Math.max(0, Math.min(m, want));
}

/**
 * The merge list of a byte-level BPE vocabulary (Sennrich et al., ACL 2016; GPT-2): merge r
 * (0 = first learned, applied first) joins tokens a and b into the token a+b. Stored as a map
 * from the id pair to the rank and an array from rank to the merged id, so a word is merged by
 * rank with a heap (PairHeap) in O(n log n), leftmost pair first among equal ranks — the order
 * of Hugging Face `tokenizers` (`Word::merge_all`) and llama.cpp.
 *
 * @example
 * const table = MergeTable.fromStrings(['Ġ t', 'h e'], vocab, vocab.size, (i, why) => new Error(why));
 * table.rank(vocab.get('Ġ')!, vocab.get('t')!);   // 0 (vocab: Map<string, id>)
 */
import type { PairHeap } from './pair-heap.js';

/** Merges between pauses of mergeSteps. */
const STEP = 4096;

export class MergeTable {
  /** id of the token each merge produces, by rank. */
  readonly result: Int32Array;
  private readonly ranks = new Map<number, number>();

  /** Use fromStrings; `stride` is the vocabulary size (pair key = a·stride + b). */
  private constructor(private readonly stride: number, count: number) {
    this.result = new Int32Array(count);
  }

  /**
   * Builds the table from GGUF-style merges ("left right", one space). `bad(i, why)` makes the
   * error for merge i: one whose parts or result is not in the vocabulary.
   */
  static fromStrings(merges: readonly string[], vocab: ReadonlyMap<string, number>, vocabSize: number,
    bad: (i: number, why: string) => Error): MergeTable {
    const t = new MergeTable(vocabSize, merges.length);
    for (let r = 0; r < merges.length; r++) {
      const m = merges[r];
      if (typeof m !== 'string') throw bad(r, `is a ${typeof m}, not a string`);
      const sp = m.indexOf(' ', 1);
      if (sp < 0) throw bad(r, `${JSON.stringify(m)} is not "left right"`);
      const a = vocab.get(m.slice(0, sp));
      const b = vocab.get(m.slice(sp + 1));
      const ab = vocab.get(m.slice(0, sp) + m.slice(sp + 1));
      if (a === undefined || b === undefined || ab === undefined) {
        throw bad(r, `${JSON.stringify(m)} names a token that is not in the vocabulary`);
      }
      const key = a * vocabSize + b;
      // A repeated pair keeps its first (lowest) rank, as a dictionary built in order would.
      if (!t.ranks.has(key)) t.ranks.set(key, r);
      t.result[r] = ab;
    }
    return t;
  }

  get size(): number {
    return this.result.length;
  }

  /** Rank of merging token a then token b, or -1 when they do not merge. */
  rank(a: number, b: number): number {
    return this.ranks.get(a * this.stride + b) ?? -1;
  }

  /**
   * Merges a word's symbols (token ids, one per byte at first) by rank until no adjacent pair
   * merges, appending the final ids to `out`. Ids are overwritten in place (symbols is scratch).
   * Pauses (yields) every STEP merges, so a huge single word stays cancellable. `heap` is the
   * caller's scratch, one per encode call, so encodes paused in between never share one.
   */
  *mergeSteps(symbols: Int32Array, out: number[], heap: PairHeap): Generator<void> {
    const n = symbols.length;
    if (n === 1) { out.push(symbols[0]); return; }
    const next = new Int32Array(n);
    const prev = new Int32Array(n);
    heap.clear();
    for (let i = 0; i < n; i++) {
      next[i] = i + 1 < n ? i + 1 : -1;
      prev[i] = i - 1;
      if (i + 1 < n) {
        const r = this.rank(symbols[i], symbols[i + 1]);
        if (r >= 0) heap.push(r, i, r);
      }
      if (i % STEP === STEP - 1) yield;
    }
    for (let pops = 1; heap.pop(); pops++) {
      if (pops % STEP === 0) yield;
      const i = heap.left;
      const r = heap.payload;
      const j = next[i];
      // Stale entry: the left symbol was absorbed, is last now, or its pair changed.
      if (symbols[i] < 0 || j < 0 || this.rank(symbols[i], symbols[j]) !== r) continue;
      symbols[i] = this.result[r];
      symbols[j] = -1;
      const k = next[j];
      next[i] = k;
      if (k >= 0) prev[k] = i;
      const p = prev[i];
      if (p >= 0) {
        const rp = this.rank(symbols[p], symbols[i]);
        if (rp >= 0) heap.push(rp, p, rp);
      }
      if (k >= 0) {
        const rk = this.rank(symbols[i], symbols[k]);
        if (rk >= 0) heap.push(rk, i, rk);
      }
    }
    // Symbol 0 is never absorbed (only right-hand symbols are), so the list starts there.
    for (let i = 0, c = 1; i >= 0; i = next[i], c++) {
      out.push(symbols[i]);
      if (c % STEP === 0) yield;
    }
  }
}

/**
 * The one interface behind which A²ATS and every baseline sit (spec §5): a method sees the
 * tokens of each KV head as they arrive and, at a decode step, scores the far tokens for the
 * g query heads of the group. Selection (budget, union, sinks, window) and attention are
 * shared code (./retrieval.ts), so methods differ only in how they score.
 */
import type { ResidentArray } from '../kernels/kernels.js';
import type { HeadKeys } from './kv-store.js';

/** The queries of one GQA group at one decode step. */
export interface GroupQuery {
  /** g*headDim pre-RoPE queries. */
  pre: Float32Array;
  /** g*headDim post-RoPE queries (exact, at pos). */
  post: Float32Array;
  /** Decode position i. */
  pos: number;
}

/** How a method indexes tokens and scores far ones; selection and attention are shared. */
export interface RetrievalMethod {
  readonly name: string;
  /**
   * 'perHead': `score` writes g*m scores (row h for query head h), selected by union;
   * 'group': one score per far token (m), selected by top-R;
   * 'all': no scoring, every token is attended (full attention).
   */
  readonly scoring: 'perHead' | 'group' | 'all';
  /** Whether perHead scores estimate the exact logits q·k/√d (for the score-MSE metric). */
  readonly estimatesScores: boolean;
  /** Forget all per-sequence state (codes, pages, per-request codebooks). */
  reset(): void;
  /** Index tokens [from, to) of KV head `kvHead` (prefill: one call; decode: one token each). */
  observe(kvHead: number, keys: HeadKeys, from: number, to: number): void;
  /**
   * Score far tokens [farStart, farEnd) of KV head `kvHead` into out.view() (see `scoring`).
   * `out` is resident; take its view after any allocation the method makes (growth detaches views).
   */
  score(kvHead: number, keys: HeadKeys, query: GroupQuery, farStart: number, farEnd: number,
    out: ResidentArray<Float32Array>): void;
  /**
   * Bytes the scoring step reads per KV head with n tokens of which m are far (codes, tables,
   * page summaries, keys): the "index" traffic, to which selected K/V rows are added.
   */
  indexBytes(n: number, m: number): number;
  /** Release resident memory. */
  dispose(): void;
}

/**
 * The one interface behind which A²ATS and every baseline sit (spec §5): a method sees the
 * tokens of each KV head as they arrive and, at a decode step, scores the far tokens for the
 * g query heads of the group. Selection (budget, union, sinks, window) and attention are
 * shared code (./retrieval.ts), so methods differ only in how they score.
 *
 * Every method runs on any kernels: `observe` and `score` are async. Methods that score with
 * kernels (VqRetrieval) leave their scores on the device on a GPU; methods that score on the
 * host (Quest, the oracle, PQCache's softmax) write the host side of the score buffer and push it.
 */
import type { F32Arg } from '../kernels/device-array.js';
import type { HeadKeys } from './kv-store.js';

/**
 * Where `score` writes scores (at least g*m (perHead) or m (group) elements): `arg()` is the
 * kernel argument (a resident view on CPU kernels, a device array on a GPU), `host()` the host
 * side; after writing `host()`, `push()` makes it visible to later kernel calls. Call `arg()`
 * and `host()` at each use: an allocation on a CPU backend detaches earlier views.
 */
export interface ScoreBuffer {
  readonly length: number;
  arg(): F32Arg;
  host(): Float32Array;
  push(): void;
}

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
  observe(kvHead: number, keys: HeadKeys, from: number, to: number): Promise<void>;
  /**
   * Score far tokens [farStart, farEnd) of KV head `kvHead` into `out` (see `scoring`). Kernel
   * calls that write the scores may be returned unawaited (their results, values or promises):
   * on a GPU they are visible to every later kernel call (device order), so the caller issues
   * the selection right after and awaits both together — one GPU submission per step. The
   * caller must await what is returned (errors surface there). Per-request work that is long
   * (PQCache's codebook fit at the first step) returns to the event loop in slices and stops
   * on `options.signal` (ABORTED) within ~250 ms.
   */
  score(kvHead: number, keys: HeadKeys, query: GroupQuery, farStart: number, farEnd: number,
    out: ScoreBuffer, options?: { signal?: AbortSignal }): Promise<readonly unknown[]>;
  /**
   * Optional: the work on a query that `score` must await before its kernel calls (VqRetrieval:
   * rotating it by R(b)), done ahead for every KV head of a step. A method that has it and sets
   * `issuesBeforeReturn` issues all of `score`'s kernel calls before `score` returns, so the
   * caller issues the selection right behind them without awaiting `score`: on a GPU scoring
   * and top-K share one submission. Methods without it (host-side scoring) are awaited first.
   */
  prepareQuery?(kvHead: number, query: GroupQuery): Promise<void>;
  readonly issuesBeforeReturn?: boolean;
  /**
   * Bytes the scoring step reads per KV head with n tokens of which m are far (codes, tables,
   * page summaries, keys): the "index" traffic, to which selected K/V rows are added.
   */
  indexBytes(n: number, m: number): number;
  /** Release resident memory. */
  dispose(): void;
}

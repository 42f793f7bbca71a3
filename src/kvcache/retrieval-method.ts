/**
 * The one interface behind which A²ATS and every baseline sit (spec §5): a method sees the
 * tokens of each KV head as they arrive and, at a decode step, scores the far tokens for the
 * g query heads of the group. Selection (budget, union, sinks, window) and attention are
 * shared code (./retrieval.ts), so methods differ only in how they score.
 *
 * A method that can score on asynchronous kernels (the GPU) also implements `scoreSteps`: the
 * same scoring written once as a generator over `Kernels | AsyncKernels` (see
 * src/kernels/maybe-async.ts), writing into a score buffer that stays on the device. Retrieval
 * uses it when present; methods without it run on synchronous kernels only.
 */
import type { ResidentArray } from '../kernels/kernels.js';
import type { DeviceArray } from '../kernels/async-kernels.js';
import type { Step } from '../kernels/maybe-async.js';
import type { HeadKeys } from './kv-store.js';

/**
 * Where `scoreSteps` writes scores: `arg()` is a resident view (sync kernels) or a device array
 * (async kernels) of at least g*m (perHead) or m (group) elements. Call `arg()` at each use:
 * on sync kernels an allocation detaches earlier views. A HostMirror satisfies it.
 */
export interface ScoreBuffer {
  arg(): Float32Array | DeviceArray<Float32Array>;
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
  observe(kvHead: number, keys: HeadKeys, from: number, to: number): void;
  /**
   * Score far tokens [farStart, farEnd) of KV head `kvHead` into out.view() (see `scoring`).
   * `out` is resident; take its view after any allocation the method makes (growth detaches views).
   */
  score(kvHead: number, keys: HeadKeys, query: GroupQuery, farStart: number, farEnd: number,
    out: ResidentArray<Float32Array>): void;
  /**
   * Optional: per-request work that `score` would otherwise do synchronously on its first call
   * for KV head `kvHead` (PqCache: fitting the codebooks), done asynchronously, abortably
   * (`signal`, ABORTED within ~250 ms). Call it before `score`/`select` at each step; it returns
   * at once when nothing is due. Results equal those of the synchronous path.
   */
  prepare?(kvHead: number, keys: HeadKeys, options?: { signal?: AbortSignal }): Promise<void>;
  /**
   * Optional: `score` as a generator over the kernels the method was created with (sync or
   * async), writing into `out.arg()`. Kernel calls whose results are needed on the host are
   * wrapped in `yield* settle(...)`; the scoring calls themselves are only issued, and their
   * results (values or promises) returned unsettled: on async kernels the scores are visible to
   * every later kernel call (device order), so the caller issues the selection right after and
   * settles both together — one GPU submission per step. The caller must settle what is
   * returned (errors surface there).
   */
  scoreSteps?(kvHead: number, keys: HeadKeys, query: GroupQuery, farStart: number, farEnd: number,
    out: ScoreBuffer): Generator<Step, unknown[], unknown>;
  /**
   * Bytes the scoring step reads per KV head with n tokens of which m are far (codes, tables,
   * page summaries, keys): the "index" traffic, to which selected K/V rows are added.
   */
  indexBytes(n: number, m: number): number;
  /** Release resident memory. */
  dispose(): void;
}

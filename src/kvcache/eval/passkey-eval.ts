/**
 * Passkey retrieval with each retrieval method as the model's KV cache (the A²ATS and Quest
 * long-context check; tasks from buildPasskeySuite): the prompt but its last token is prefilled
 * once with dense attention, then each method decodes the answer greedily, retrieving at every
 * step in every layer. A task scores when the answer contains the key (scorePasskey).
 *
 * Budgets as in evaluateDecode: A²ATS takes per-head top-⌊ρn⌋ with GQA union; the other sparse
 * methods get A²ATS's realized far fraction on the same task (without A²ATS, the per-head rule).
 */
import type { CpuKernels } from '../../kernels/kernels.js';
import { checkKernels } from '../../kernels/check-kernels.js';
import { badArgument, throwIfAborted } from '../../core/errors.js';
import { checkInt, checkNumber, checkOneOf } from '../../core/validate.js';
import { checkOptions, optionKeys } from '../../core/options.js';
import type { LlamaModel } from '../../llama/model.js';
import type { TextTokenizer } from '../../llama/text-tokenizer.js';
import { DenseKvCache } from '../../llama/dense-kv-cache.js';
import { checkLlamaModel, checkTextTokenizer } from '../../llama/check-llama-args.js';
import { scorePasskey, type PasskeyTask } from '../../llama/eval/passkey-task.js';
import { RetrievalKvCache } from '../retrieval-kv-cache.js';
import { yieldToEventLoop } from '../cooperative.js';
import { DECODE_EVAL_METHODS, densePrefill, type DecodeEvalMethod, type RetrievalSettings } from './decode-eval.js';

export interface PasskeyEvalOptions extends RetrievalSettings {
  /** ρ of the sparse methods. */
  budget: number;
  /** Default: full, a2ats, quest, oracle. */
  methods?: DecodeEvalMethod[];
  /** Tokens generated per answer (default 8). */
  answerTokens?: number;
  onProgress?: (fraction: number, label: string) => void;
  signal?: AbortSignal;
}

const PASSKEY_EVAL_KEYS = optionKeys<PasskeyEvalOptions>({
  budget: true, methods: true, window: true, sinks: true, distance: true, codebooks: true, questPageSize: true,
  answerTokens: true, onProgress: true, signal: true,
});

/** One task under one method. */
export interface PasskeyTrial {
  method: DecodeEvalMethod;
  targetTokens: number;
  promptTokens: number;
  depth: number;
  key: string;
  answer: string;
  correct: boolean;
  /** Far tokens attended / context, over the answer's steps. */
  farFraction: number;
}

/**
 * Every task under every method (see the file header).
 * @example const trials = await evaluatePasskey(kernels, model, tok, buildPasskeySuite(tok, { lengths: [2048], perLength: 5, seed: 0 }), { budget: 0.03, codebooks });
 */
export async function evaluatePasskey(kernels: CpuKernels, model: LlamaModel, tokenizer: TextTokenizer, tasks: readonly PasskeyTask[],
  options: PasskeyEvalOptions): Promise<PasskeyTrial[]> {
  checkKernels('kernels', kernels);
  checkLlamaModel('model', model);
  checkTextTokenizer('tokenizer', tokenizer);
  if (options === null || typeof options !== 'object') throw badArgument('evaluatePasskey options must give the budget');
  const o = checkOptions('evaluatePasskey options', options, PASSKEY_EVAL_KEYS);
  const budget = checkNumber('budget', o.budget, 0, 1);
  const methods = o.methods ?? ['full', 'a2ats', 'quest', 'oracle'];
  if (!Array.isArray(methods) || methods.length === 0) throw badArgument('methods must be a non-empty array');
  for (const m of methods) checkOneOf('methods[]', m, DECODE_EVAL_METHODS);
  const answerTokens = checkInt('answerTokens', o.answerTokens ?? 8, 1);
  if (!Array.isArray(tasks) || tasks.length === 0) throw badArgument('tasks must be a non-empty array of passkey tasks (buildPasskeySuite)');
  tasks.forEach((t, i) => {
    if (t === null || typeof t !== 'object' || typeof t.prompt !== 'string' || typeof t.key !== 'string' || !/^\d{5}$/.test(t.key)) {
      throw badArgument(`tasks[${i}] must be a passkey task with a prompt and a 5-digit key (buildPasskeySuite)`);
    }
  });
  const c = model.config;
  const order = [...methods].sort((a, b) => Number(b === 'a2ats') - Number(a === 'a2ats')); // A²ATS first: it sets the others' budget
  const matched = methods.includes('a2ats');
  const trials: PasskeyTrial[] = [];
  for (let ti = 0; ti < tasks.length; ti++) {
    const task = tasks[ti];
    const ids = tokenizer.encode(task.prompt);
    if (ids.length + answerTokens > c.seqLen) throw badArgument(`tasks[${ti}] needs ${ids.length + answerTokens} positions, the model has ${c.seqLen}`);
    const snapshot = await densePrefill(model, ids.slice(0, -1), o.signal);
    let a2atsFar = budget;
    for (const method of order) {
      throwIfAborted(o.signal, 'passkey evaluation');
      let far = 0, context = 0;
      const total = method !== 'a2ats' && method !== 'full' && matched;
      const kv = new RetrievalKvCache({
        method, window: o.window ?? 64, sinks: o.sinks ?? 8, distance: o.distance, codebooks: o.codebooks, questPageSize: o.questPageSize ?? 16,
        budget: total ? { mode: 'total', fraction: Math.min(1, a2atsFar) } : { mode: 'perHead', fraction: budget },
        probe: (info) => { far += info.selection.farCount; context += info.pos + 1; }, probeOutput: 'selected', signal: o.signal,
      });
      await model.use({ kv });
      const answer: number[] = [];
      try {
        await model.restoreKv(snapshot, ids.length - 1);
        let token = ids[ids.length - 1];
        for (let s = 0; s < answerTokens; s++) {
          await yieldToEventLoop();
          throwIfAborted(o.signal, 'passkey evaluation');
          const logits = await model.forward(token, ids.length - 1 + s);
          token = kernels.argmax(logits, c.vocabSize);
          answer.push(token);
        }
      } finally {
        await model.use({ kv: new DenseKvCache() });
      }
      if (method === 'a2ats') a2atsFar = far / context;
      const text = tokenizer.decodeAll(answer);
      trials.push({ method, targetTokens: task.targetTokens, promptTokens: ids.length, depth: task.depth, key: task.key, answer: text,
        correct: scorePasskey(text, task.key), farFraction: far / context });
    }
    o.onProgress?.((ti + 1) / tasks.length, `passkey ${ti + 1}/${tasks.length} (${task.targetTokens} tokens)`);
  }
  return trials;
}

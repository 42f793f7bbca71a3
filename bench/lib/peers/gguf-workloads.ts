/**
 * The workloads of the llama-gguf suite, identical for every engine: fixed token ids (no
 * sampling), so each engine does exactly the same forward passes.
 *   context C   prefill C − decode prompt tokens, then `decode` single-token steps, so the
 *               decode steps attend over ≈ C tokens
 * Prefill speed is prompt tokens / prefill time; decode speed is decode steps / decode time.
 * The ids are those of a real text (TinyStories) under the GGUF's own tokenizer (llama.cpp's,
 * through llama-cpp-python), and the prompt's text is kept for engines that take text (wllama).
 */
import { Rng } from '../../../src/core/rng.js';
import { SparseInferenceError } from '../../../src/core/errors.js';
import { runChild } from './child-run.js';

export interface GgufWorkload {
  name: string;
  /** Tokens in the cache at the end (prompt + decode steps). */
  context: number;
  /** Decode steps. */
  decode: number;
  prompt: number[];
  decodeTokens: number[];
  /** The prompt as text that tokenizes to exactly `prompt` (when built from a text). */
  promptText?: string;
}

/** One engine's timings for each workload (seconds) and its peak RSS (bytes, NaN if unknown). */
export interface EngineReport {
  engine: string;
  results: { name: string; prefillSeconds: number; decodeSeconds: number }[];
  peakRss: number;
}

/**
 * Workloads at the given contexts. Token ids are drawn uniformly from [lo, hi) with a seeded
 * generator (SmolLM2: ordinary BPE pieces, away from the special tokens at the low ids).
 */
export function ggufWorkloads(contexts: number[], decode: number, seed = 13, lo = 1000, hi = 40000): GgufWorkload[] {
  const rng = new Rng(seed);
  const ids = (n: number) => Array.from({ length: n }, () => lo + Math.floor(rng.uniform() * (hi - lo)));
  return contexts.map((context) => ({
    name: `ctx${context}`, context, decode, prompt: ids(context - decode), decodeTokens: ids(decode),
  }));
}

const TOKENIZE = String.raw`
import json, sys
from llama_cpp import Llama
model, text_file, sizes = sys.argv[1], sys.argv[2], json.loads(sys.argv[3])
llm = Llama(model_path=model, vocab_only=True, verbose=False)
text = open(text_file, encoding="utf-8").read()[:400000].replace("<|endoftext|>", "\n")
ids = llm.tokenize(text.encode("utf-8"), add_bos=False, special=False)
out = []
for prompt_n, decode_n in sizes:
    p = ids[:prompt_n]
    ptext = llm.detokenize(p).decode("utf-8", errors="strict")
    if llm.tokenize(ptext.encode("utf-8"), add_bos=False, special=False) != p:
        raise SystemExit("prompt text does not round-trip to its ids")
    out.append({"prompt": p, "promptText": ptext, "decodeTokens": ids[prompt_n:prompt_n + decode_n]})
print(json.dumps(out))
`;

/**
 * Workloads whose ids are the first tokens of `textFile` under the GGUF's tokenizer (a prompt
 * that round-trips through its text), via llama-cpp-python; UNAVAILABLE without it.
 */
export async function ggufTextWorkloads(model: string, textFile: string, contexts: number[], decode: number): Promise<GgufWorkload[]> {
  const python = process.env.PYTHON ?? 'python3';
  const sizes = contexts.map((c) => [c - decode, decode]);
  const r = await runChild(python, ['-c', TOKENIZE, model, textFile, JSON.stringify(sizes)]);
  if (r.code !== 0) {
    throw new SparseInferenceError('UNAVAILABLE', `tokenizing with llama-cpp-python failed: ${r.stderr.trim().split('\n').slice(-1)[0]}`);
  }
  const parts = JSON.parse(r.stdout.trim().split('\n').slice(-1)[0]) as { prompt: number[]; promptText: string; decodeTokens: number[] }[];
  return contexts.map((context, i) => ({ name: `ctx${context}`, context, decode, ...parts[i] }));
}

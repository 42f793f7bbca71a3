/**
 * `sparse-inference llama <generate|ppl|convert>`: run a Llama checkpoint (llama2.c .bin, or a
 * Hugging Face directory / .safetensors with config.json) with a llama2.c tokenizer.
 */
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { CliCommand, CliContext } from '../command.js';
import { CliUsageError, VOCABULARY, parseArgs } from '../args.js';
import { openKernels, openModel, openModelAndTokenizer } from '../model-runtime.js';
import { FFN_NAMES, KV_CACHE_NAMES, KV_TYPES, componentNames, kvStorage, useComponents } from '../model-components.js';
import { createProgressBar } from '../progress.js';
import { SparseInferenceError } from '../../core/errors.js';
import { generate } from '../../llama/generate.js';
import { evaluateNll } from '../../llama/evaluate-nll.js';
import { toHfCheckpoint } from '../../llama/convert-to-hf.js';
import type { TextTokenizer } from '../../llama/text-tokenizer.js';
import type { KvType } from '../../llama/model.js';
import { chatOptionsFromTemplate, formatChat } from '../../llama/chat-template.js';

const BACKENDS = ['auto', 'reference', 'wasm', 'threads', 'webgpu'] as const;

const USAGE = `Usage: sparse-inference llama <subcommand> [options]

Run a Llama-architecture model: a llama2.c checkpoint (.bin), a Hugging Face checkpoint
(a directory with config.json and model.safetensors or model.safetensors.index.json + shards,
or a .safetensors file with config.json beside it), with a llama2.c tokenizer (tokenizer.bin,
tok512.bin); or a GGUF file (llama.cpp; Q4_1/Q8_0 weights stay quantized), whose own BPE
tokenizer is used when --tokenizer is not given. The format is detected from the file's contents.

Subcommands:
  generate  --model M --tokenizer T [--prompt P] [--tokens N] [--temperature t] [--top-p p]
            [--seed s] [--chat] [--json] [model options]
            Print the prompt and its continuation (as llama2.c's run does), then the speed
            on stderr. --tokens: new tokens at most (default 256). --temperature 0 is greedy
            (default 1); --top-p in (0, 1], 1 = off (default 0.9); --seed (default 0).
            --chat: the prompt is a user turn in the model's chat template (GGUF), and
            only the reply is printed (it stops at the end of the turn).
            --json: print {prompt, text, tokens, tokensPerSecond, stopReason} instead.
  ppl       --model M --tokenizer T --text F [--tokens N] [--json] [model options]
            Mean negative log-likelihood and perplexity on a text of stories separated by
            <|endoftext|>: each story stripped, BOS-prefixed, truncated to the context and
            run from position 0; whole stories in order until N tokens are predicted
            (default: all stories).
  convert   --model M --out DIR [--dtype f32|bf16|f16] [--json] [--backend b] [--threads N]
            Write DIR/model.safetensors and DIR/config.json (Hugging Face layout; q/k rows
            permuted for half-split RoPE, so the converted model gives the same logits).

Model options (generate, ppl):
  --backend auto|reference|wasm|threads|webgpu
                                 Kernel backend (default auto: wasm SIMD when available;
                                 threads: wasm on worker threads; webgpu runs generate and
                                 ppl on the GPU, not convert)
  --threads N                    Kernel threads (wasm; default 1, threads backend 2)
  --max-seq-len N                Cap the context of a Hugging Face or GGUF model (KV cache size)
  --activations int8|f32         GGUF with quantized weights: round activations to 8-bit blocks
                                 before each product, as llama.cpp does (default int8, faster),
                                 or keep them float32
  --kv dense|a2ats|quest|pqcache|oracle
                                 The KV cache: exact attention (default), or retrieval of
                                 --budget of the context (A²ATS needs --codebooks)
  --kv-type f32|f16              How the dense KV cache stores keys and values: float32
                                 (default) or binary16 (half the memory per position, as
                                 llama.cpp's default; CPU backends; slower decode here)
  --ffn dense|chess|cats|teal    The FFN: dense (default) or activation sparsity with
                                 --thresholds (CHESS thresholds with q/o inputs also make
                                 q_proj and o_proj sparse)
  --thresholds FILE              Thresholds from 'activations calibrate --out FILE' (alone:
                                 --ffn is the file's method)
  --codebooks FILE               Codebooks from 'kvcache calibrate --out FILE' (alone: --kv a2ats)
  --budget f                     Fraction of the context a retrieval KV cache attends (default 0.1)
  --sinks N                      First tokens always attended by a retrieval KV cache (default 4)
  --window N                     Last tokens always attended by quest, pqcache, oracle (default 16;
                                 a2ats: the codebooks' WRoPE window)
  -h, --help                     Show this help

Examples:
  sparse-inference llama generate --model stories260K.bin --tokenizer tok512.bin --temperature 0
  sparse-inference llama generate --model SmolLM2-135M-Instruct.Q4_1.gguf --max-seq-len 2048 \\
      --prompt "Once upon a time" --temperature 0
  sparse-inference llama ppl --model stories260K.bin --tokenizer tok512.bin \\
      --text tinystories_sample.txt --tokens 3000 --thresholds chess.json
  sparse-inference llama generate --model stories260K.bin --tokenizer tok512.bin --temperature 0 \
      --kv a2ats --codebooks a2ats.bin --ffn chess --thresholds chess.json --budget 0.2
`;

const common = {
  model: { type: 'string' },
  tokenizer: { type: 'string' },
  backend: { type: 'string', choices: BACKENDS, default: 'auto' },
  'max-seq-len': { type: 'number', integer: true, min: 1 },
  activations: { type: 'string', choices: ['int8', 'f32'] },
  ...VOCABULARY.threads,
  ...VOCABULARY.json,
  ...VOCABULARY.thresholds,
  ...VOCABULARY.codebooks,
  kv: { type: 'string', choices: KV_CACHE_NAMES },
  'kv-type': { type: 'string', choices: KV_TYPES },
  ffn: { type: 'string', choices: FFN_NAMES },
  budget: { type: 'number', min: 0, max: 1, default: 0.1 },
  sinks: { type: 'number', integer: true, min: 0, default: 4 },
  window: { type: 'number', integer: true, min: 0, default: 16 },
} as const;

function required(v: string | undefined, name: string): string {
  if (v === undefined || v === '') throw new CliUsageError(`--${name} is required`);
  return v;
}

/** Kernels, the model and its tokenizer, and the components the options ask for; disposing releases all. */
async function openRun(values: {
  model?: string; tokenizer?: string; backend: string; threads: number; 'max-seq-len'?: number; activations?: string; thresholds?: string;
  codebooks?: string; kv?: string; 'kv-type'?: string; ffn?: string; budget: number; sinks: number; window: number;
}) {
  // Usage errors first, before anything loads.
  const names = componentNames(values.kv, values.ffn, values.codebooks, values.thresholds);
  const kvType = kvStorage(values['kv-type'] as KvType | undefined, names.kv, values.backend);
  const k = await openKernels(values.backend, values.threads);
  let model, tokenizer;
  try {
    // Sparse FFNs read float weights: a GGUF model keeps its matrices as float32 for them.
    const weights = names.ffn === 'dense' ? {} : { weights: 'f32' as const };
    ({ model, tokenizer } = await openModelAndTokenizer({ model: required(values.model, 'model'), tokenizer: values.tokenizer },
      k.kernels, values['max-seq-len'], values.activations as 'int8' | 'f32' | undefined, { ...weights, kvType }));
  } catch (e) {
    await k.dispose();
    throw e;
  }
  let components;
  try {
    components = await useComponents(model, { ...names, codebooks: values.codebooks, thresholds: values.thresholds,
      budget: values.budget, sinks: values.sinks, window: values.window });
  } catch (e) {
    model.dispose();
    await k.dispose();
    throw e;
  }
  return {
    model, tokenizer, notes: components.notes,
    async [Symbol.asyncDispose]() {
      model.dispose();
      await k.dispose();
    },
  };
}

/** --chat: the prompt as one user turn in the model's chat template (a GGUF tokenizer's ChatML). */
function chatPrompt(tokenizer: TextTokenizer, text: string): string {
  const template = (tokenizer as { chatTemplate?: string }).chatTemplate;
  if (template === undefined) throw new CliUsageError('--chat needs a model with a chat template (a GGUF file with tokenizer.chat_template)');
  return formatChat([{ role: 'user', content: text }], { addGenerationPrompt: true, ...chatOptionsFromTemplate(template) });
}

/** ", f16 KV cache" in the summary line when the cache is binary16 (float32 goes unsaid). */
function kvNote(kvType: KvType): string {
  return kvType === 'f16' ? ', f16 KV cache' : '';
}

/** llama2.c's safe_printf: drop pieces that are a single non-printing control byte. */
function printable(piece: string): boolean {
  if (piece.length !== 1) return true;
  const c = piece.charCodeAt(0);
  return c >= 32 || (c >= 9 && c <= 13);
}

async function runGenerate(args: string[], ctx: CliContext): Promise<number> {
  const { values } = parseArgs(args, {
    options: {
      ...common,
      prompt: { type: 'string', default: '' },
      ...VOCABULARY.tokens,
      tokens: { type: 'number', integer: true, min: 0, default: 256 },
      steps: { type: 'renamed', to: 'tokens' },
      temperature: { type: 'number', min: 0, default: 1 },
      'top-p': { type: 'number', min: 0, max: 1, default: 0.9 },
      chat: { type: 'boolean' },
      ...VOCABULARY.seed,
    },
  });
  if (values['top-p'] === 0) throw new CliUsageError('--top-p must be in (0, 1]');
  await using run = await openRun(values);
  const { model, tokenizer } = run;
  const prompt = values.chat ? chatPrompt(tokenizer, values.prompt) : values.prompt;
  const out = await generate(model, tokenizer, {
    prompt, maxTokens: values.tokens, temperature: values.temperature, topP: values['top-p'],
    seed: values.seed, signal: ctx.signal,
    // With --chat only the reply is printed (the template's turn markers are not).
    onToken: values.json ? undefined : (piece, _id, isPrompt) => {
      if (piece && printable(piece) && !(values.chat && isPrompt)) ctx.stdout(piece);
    },
  });
  const backend = `${model.kernels.backend}/${model.kernels.variant}`;
  if (values.json) {
    ctx.stdout(JSON.stringify({
      prompt: values.prompt, text: out.text, tokens: out.generated.length, tokensPerSecond: out.tokensPerSecond,
      stopReason: out.stopReason, backend, kvType: model.kvType, seed: values.seed, strategies: run.notes || undefined,
    }, null, 2) + '\n');
    return 0;
  }
  ctx.stdout('\n');
  const threads = values.threads > 1 ? `, ${values.threads} threads` : '';
  ctx.stderr(`${out.generated.length} tokens, ${out.tokensPerSecond.toFixed(1)} tok/s ` +
    `(${backend}${threads}${kvNote(model.kvType)}; stop: ${out.stopReason}${run.notes ? `; ${run.notes}` : ''})\n`);
  return 0;
}

async function runPpl(args: string[], ctx: CliContext): Promise<number> {
  const { values } = parseArgs(args, {
    options: {
      ...common,
      text: { type: 'string' },
      ...VOCABULARY.tokens,
    },
  });
  const textPath = required(values.text, 'text');
  await using run = await openRun(values);
  const { model, tokenizer } = run;
  let text: string;
  try {
    text = await readFile(textPath, 'utf8');
  } catch (e) {
    throw new SparseInferenceError('BAD_FILE', `cannot read text ${textPath}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
  }
  const bar = createProgressBar(ctx, 'ppl');
  const t0 = performance.now();
  let r;
  try {
    r = await evaluateNll(model, tokenizer, text, {
      maxTokens: values.tokens, signal: ctx.signal,
      onProgress: (f, info) => bar(f, `${info.tokens} tokens, NLL ${info.meanNll.toFixed(4)}`),
    });
  } finally {
    bar.done();
  }
  const seconds = (performance.now() - t0) / 1000;
  const result = {
    model: values.model, text: textPath, backend: `${model.kernels.backend}/${model.kernels.variant}`,
    kvType: model.kvType, meanNll: r.meanNll, perplexity: r.perplexity, tokens: r.tokens, stories: r.stories,
    seconds, tokensPerSecond: r.tokens / seconds, strategies: run.notes || undefined,
  };
  if (values.json) {
    ctx.stdout(JSON.stringify(result, null, 2) + '\n');
  } else {
    ctx.stdout(`mean NLL ${r.meanNll.toFixed(4)} nats/token, perplexity ${r.perplexity.toFixed(3)} ` +
      `over ${r.tokens} tokens (${r.stories} stories) in ${seconds.toFixed(1)} s ` +
      `(${result.tokensPerSecond.toFixed(0)} tok/s, ${result.backend}${kvNote(model.kvType)}${run.notes ? `; ${run.notes}` : ''})\n`);
  }
  return 0;
}

async function runConvert(args: string[], ctx: CliContext): Promise<number> {
  const { values } = parseArgs(args, {
    options: {
      model: { type: 'string' },
      backend: { type: 'string', choices: ['auto', 'reference', 'wasm'], default: 'auto' },
      'max-seq-len': { type: 'number', integer: true, min: 1 },
      ...VOCABULARY.threads,
      ...VOCABULARY.out,
      ...VOCABULARY.json,
      dtype: { type: 'string', choices: ['f32', 'bf16', 'f16'], default: 'f32' },
    },
  });
  const outDir = required(values.out, 'out');
  await using k = await openKernels(values.backend, values.threads);
  const model = await openModel(values.model, k.kernels, values['max-seq-len']);
  const { safetensors, config } = toHfCheckpoint(model, { dtype: values.dtype.toUpperCase() as 'F32' | 'BF16' | 'F16' });
  model.dispose();
  try {
    await mkdir(outDir, { recursive: true });
    await writeFile(join(outDir, 'model.safetensors'), safetensors);
    await writeFile(join(outDir, 'config.json'), config + '\n');
  } catch (e) {
    throw new SparseInferenceError('BAD_FILE', `cannot write ${outDir}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
  }
  const files = [join(outDir, 'model.safetensors'), join(outDir, 'config.json')];
  if (values.json) ctx.stdout(JSON.stringify({ files, bytes: safetensors.length, dtype: values.dtype }, null, 2) + '\n');
  else ctx.stdout(`wrote ${files[0]} (${safetensors.length} bytes, ${values.dtype}) and config.json\n`);
  return 0;
}

export const llamaCommand: CliCommand = {
  name: 'llama',
  summary: 'Run a Llama checkpoint: generate text, measure perplexity, convert to safetensors',
  usage: USAGE,
  async run(args, ctx) {
    const [sub, ...rest] = args;
    switch (sub) {
      case 'generate': return runGenerate(rest, ctx);
      case 'ppl': return runPpl(rest, ctx);
      case 'convert': return runConvert(rest, ctx);
      case undefined: throw new CliUsageError('missing subcommand (generate, ppl or convert)');
      default: throw new CliUsageError(`unknown subcommand '${sub}' (generate, ppl or convert)`);
    }
  },
};

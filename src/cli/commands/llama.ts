/**
 * `sparse-inference llama <generate|ppl|convert>`: run a Llama checkpoint (llama2.c .bin, or a
 * Hugging Face directory / .safetensors with config.json) with a llama2.c tokenizer.
 */
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { CliCommand, CliContext } from '../command.js';
import { CliUsageError, parseArgs } from '../args.js';
import { createProgressBar } from '../progress.js';
import { SparseInferenceError } from '../../core/errors.js';
import { createKernels } from '../../kernels/create.js';
import { createAsyncKernels } from '../../kernels/create-async.js';
import { createParallelKernels } from '../../backends/wasm-threads/create-parallel-kernels.js';
import type { LlamaModel } from '../../llama/model.js';
import { readLlamaModel, readTokenizer } from '../../llama/node-files.js';
import { generate } from '../../llama/generate.js';
import { evaluateNll } from '../../llama/evaluate-nll.js';
import { toHfCheckpoint } from '../../llama/convert-to-hf.js';
import { readGgufTokenizer } from '../../node/gguf-file.js';
import type { TextTokenizer } from '../../llama/text-tokenizer.js';

const BACKENDS = ['auto', 'reference', 'wasm', 'webgpu'] as const;

const USAGE = `Usage: sparse-inference llama <subcommand> [options]

Run a Llama-architecture model: a llama2.c checkpoint (.bin), a Hugging Face checkpoint
(a directory with config.json and model.safetensors or model.safetensors.index.json + shards,
or a .safetensors file with config.json beside it), with a llama2.c tokenizer (tokenizer.bin,
tok512.bin); or a GGUF file (llama.cpp; Q4_1/Q8_0 weights stay quantized), whose own BPE
tokenizer is used when --tokenizer is not given.

Subcommands:
  generate  --model M --tokenizer T [--prompt P] [--steps N] [--temperature t] [--top-p p]
            [--seed s] [--backend b]
            Print the prompt and its continuation (as llama2.c's run does), then the speed
            on stderr. --steps: new tokens at most (default 256). --temperature 0 is greedy
            (default 1); --top-p in (0, 1], 1 = off (default 0.9); --seed (default 0).
  ppl       --model M --tokenizer T --text F [--max-tokens N] [--json] [--backend b]
            Mean negative log-likelihood and perplexity on a text of stories separated by
            <|endoftext|>: each story stripped, BOS-prefixed, truncated to the context and
            run from position 0; whole stories in order until N tokens are predicted
            (default: all stories).
  convert   --model M --out DIR [--dtype f32|bf16|f16] [--backend b]
            Write DIR/model.safetensors and DIR/config.json (Hugging Face layout; q/k rows
            permuted for half-split RoPE, so the converted model gives the same logits).

Common options:
  --backend auto|reference|wasm|webgpu
                                 Kernel backend (default auto: wasm SIMD when available;
                                 webgpu runs generate and ppl on the GPU, not convert)
  --max-seq-len N                Cap the context of a Hugging Face or GGUF model (KV cache size)
  --threads N                    Share large matrix products among N threads (wasm
                                 backend; default 1). Results do not depend on N.
  -h, --help                     Show this help

Examples:
  sparse-inference llama generate --model stories260K.bin --tokenizer tok512.bin --temperature 0
  sparse-inference llama generate --model SmolLM2-135M-Instruct.Q4_1.gguf --max-seq-len 2048 \\
      --prompt "Once upon a time" --temperature 0
  sparse-inference llama ppl --model stories260K.bin --tokenizer tok512.bin \\
      --text tinystories_sample.txt --max-tokens 3000
`;

const common = {
  model: { type: 'string' },
  tokenizer: { type: 'string' },
  backend: { type: 'string', choices: BACKENDS, default: 'auto' },
  'max-seq-len': { type: 'number', integer: true, min: 1 },
  threads: { type: 'number', integer: true, min: 1, max: 64, default: 1 },
} as const;

function required(v: string | undefined, name: string): string {
  if (v === undefined || v === '') throw new CliUsageError(`--${name} is required`);
  return v;
}

/**
 * The model on the chosen kernels (the wasm-threads backend for --threads > 1), and `release`,
 * which frees it and stops the backend's worker threads.
 */
async function loadModel(values: { model?: string; backend: string; 'max-seq-len'?: number; threads: number }):
  Promise<{ model: LlamaModel; release: () => Promise<void> }> {
  const backend = values.backend as (typeof BACKENDS)[number];
  const threads = values.threads;
  if (threads > 1 && backend !== 'auto' && backend !== 'wasm') {
    throw new CliUsageError(`--threads ${threads} needs the wasm backend (--backend auto or wasm), not ${backend}`);
  }
  const pool = threads > 1 ? await createParallelKernels({ threads }) : null;
  const kernels = pool ?? (backend === 'webgpu' ? await createAsyncKernels({ backend }) : await createKernels({ backend }));
  try {
    const model = await readLlamaModel(required(values.model, 'model'), { kernels, maxSeqLen: values['max-seq-len'] });
    return { model, release: async () => { model.dispose(); await pool?.dispose(); } };
  } catch (e) {
    await pool?.dispose();
    throw e;
  }
}

/** --tokenizer (a llama2.c tokenizer file), or for a GGUF model the BPE tokenizer in its metadata. */
async function loadTokenizer(values: { model?: string; tokenizer?: string }, vocabSize?: number): Promise<TextTokenizer> {
  if (values.tokenizer !== undefined) return readTokenizer(values.tokenizer, vocabSize);
  if (values.model?.endsWith('.gguf')) return readGgufTokenizer(values.model);
  return readTokenizer(required(values.tokenizer, 'tokenizer'), vocabSize);
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
      steps: { type: 'number', integer: true, min: 0, default: 256 },
      temperature: { type: 'number', min: 0, default: 1 },
      'top-p': { type: 'number', min: 0, max: 1, default: 0.9 },
      seed: { type: 'number', integer: true, min: 0, default: 0 },
    },
  });
  if (values['top-p'] === 0) throw new CliUsageError('--top-p must be in (0, 1]');
  const { model, release } = await loadModel(values);
  try {
    const tokenizer = await loadTokenizer(values, model.config.vocabSize);
    const out = await generate(model, tokenizer, {
      prompt: values.prompt, maxTokens: values.steps, temperature: values.temperature, topP: values['top-p'],
      seed: values.seed, signal: ctx.signal,
      onToken: (piece) => { if (piece && printable(piece)) ctx.stdout(piece); },
    });
    ctx.stdout('\n');
    ctx.stderr(`${out.generated.length} tokens, ${out.tokensPerSecond.toFixed(1)} tok/s ` +
      `(${model.kernels.backend}/${model.kernels.variant}${values.threads > 1 ? `, ${values.threads} threads` : ''}; stop: ${out.stopReason})\n`);
  } finally {
    await release();
  }
  return 0;
}

async function runPpl(args: string[], ctx: CliContext): Promise<number> {
  const { values } = parseArgs(args, {
    options: {
      ...common,
      text: { type: 'string' },
      'max-tokens': { type: 'number', integer: true, min: 1 },
      json: { type: 'boolean' },
    },
  });
  const textPath = required(values.text, 'text');
  const { model, release } = await loadModel(values);
  try {
    const tokenizer = await loadTokenizer(values, model.config.vocabSize);
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
        maxTokens: values['max-tokens'], signal: ctx.signal,
        onProgress: (f, info) => bar(f, `${info.tokens} tokens, NLL ${info.meanNll.toFixed(4)}`),
      });
    } finally {
      bar.done();
    }
    const seconds = (performance.now() - t0) / 1000;
    const result = {
      model: values.model, text: textPath, backend: `${model.kernels.backend}/${model.kernels.variant}`,
      meanNll: r.meanNll, perplexity: r.perplexity, tokens: r.tokens, stories: r.stories,
      seconds, tokensPerSecond: r.tokens / seconds,
    };
    if (values.json) {
      ctx.stdout(JSON.stringify(result, null, 2) + '\n');
    } else {
      ctx.stdout(`mean NLL ${r.meanNll.toFixed(4)} nats/token, perplexity ${r.perplexity.toFixed(3)} ` +
        `over ${r.tokens} tokens (${r.stories} stories) in ${seconds.toFixed(1)} s ` +
        `(${result.tokensPerSecond.toFixed(0)} tok/s, ${result.backend})\n`);
    }
  } finally {
    await release();
  }
  return 0;
}

async function runConvert(args: string[], ctx: CliContext): Promise<number> {
  const { values } = parseArgs(args, {
    options: {
      ...common,
      out: { type: 'string' },
      dtype: { type: 'string', choices: ['f32', 'bf16', 'f16'], default: 'f32' },
    },
  });
  const outDir = required(values.out, 'out');
  const { model, release } = await loadModel(values);
  let converted;
  try {
    converted = toHfCheckpoint(model, { dtype: values.dtype.toUpperCase() as 'F32' | 'BF16' | 'F16' });
  } finally {
    await release();
  }
  const { safetensors, config } = converted;
  try {
    await mkdir(outDir, { recursive: true });
    await writeFile(join(outDir, 'model.safetensors'), safetensors);
    await writeFile(join(outDir, 'config.json'), config + '\n');
  } catch (e) {
    throw new SparseInferenceError('BAD_FILE', `cannot write ${outDir}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
  }
  ctx.stdout(`wrote ${join(outDir, 'model.safetensors')} (${safetensors.length} bytes, ${values.dtype}) and config.json\n`);
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

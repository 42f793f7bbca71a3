/**
 * The tokenizers suite: encode speed of the two tokenizers on TinyStories text.
 *
 *   llama2c-heap    the llama2.c tokenizer (tok512.bin): run.c's greedy merge over a heap, O(n log n)
 *   llama2c-rescan  the merge this library used before (run.c's loop: a scan over all pairs per
 *                   merge, pair scores cached, O(n²)), kept here as the baseline; measured at 10K
 *                   characters because 40K take seconds
 *   bpe             SmolLM2's byte-level BPE built from the GGUF metadata (word cache as it is
 *                   after earlier calls: the steady state of a long-lived tokenizer)
 *   bpe-build       bpeTokenizerFromGguf on the file's metadata (49152 tokens, 48900 merges)
 *
 * Each call encodes the next slice of the 2 MB sample (cycling), so the texts differ between
 * calls. Needs ../shared (tok512.bin, tinystories_sample.txt) beside the working directory and,
 * for the BPE tasks, the SmolLM2 GGUF in models/ (or $SPARSE_INFERENCE_MODELS); tasks whose files
 * are missing are left out with a note.
 *
 * @example
 * const result = await tokenizersSuite({ quick: true });
 */
import { loadTokenizer, type Tokenizer } from '../../../src/llama/tokenizer.js';
import { bpeTokenizerFromGguf } from '../../../src/llama/bpe/from-gguf.js';
import { parseGgufPrefix, type GgufValue } from '../../../src/llama/gguf/index.js';
import { runSuite, sink, type BenchTask, type RatioSpec, type SuiteOptions, type SuiteResult } from '../harness.js';

const GGUF_NAME = 'SmolLM2-135M-Instruct.Q4_1.gguf';

interface Files { tok512?: Uint8Array; stories?: string; ggufMetadata?: Map<string, GgufValue> }

async function readFiles(): Promise<Files> {
  const out: Files = {};
  try {
    const fs = await import('node:fs/promises');
    const path = await import('node:path');
    const shared = path.resolve(process.cwd(), '..', 'shared');
    out.tok512 = new Uint8Array(await fs.readFile(path.join(shared, 'models', 'tok512.bin')));
    out.stories = await fs.readFile(path.join(shared, 'data', 'tinystories_sample.txt'), 'utf8');
    const models = process.env.SPARSE_INFERENCE_MODELS ?? path.resolve(process.cwd(), 'models');
    const file = path.join(models, GGUF_NAME);
    const handle = await fs.open(file, 'r');
    try {
      const size = (await handle.stat()).size;
      for (let want = 4 << 20; ; want *= 2) {
        const buf = new Uint8Array(Math.min(want, size));
        await handle.read(buf, 0, buf.length, 0);
        const g = parseGgufPrefix(buf, size, file);
        if (g !== null) { out.ggufMetadata = g.metadata; break; }
      }
    } finally {
      await handle.close();
    }
  } catch {
    // Whatever was read is used; the rest is reported as missing.
  }
  return out;
}

/** A function returning the next `n`-character slice of `text`, cycling. */
function slices(text: string, n: number): () => string {
  let at = 0;
  return () => {
    if (at + n > text.length) at = 0;
    const s = text.slice(at, at + n);
    at += n;
    return s;
  };
}

/**
 * run.c's encoder: the dummy-prefix space, one piece per character (byte pieces <0xNN> at id NN+3
 * for unknown ones), then every merge scans all adjacent pairs for the best (O(n²)).
 */
function rescanEncoder(tok: Tokenizer): (text: string) => number[] {
  const latin1 = (bytes: Uint8Array) => Array.from(bytes, (b) => String.fromCharCode(b)).join('');
  const keys = Array.from({ length: tok.vocabSize }, (_, i) => latin1(tok.piece(i)));
  const byKey = new Map<string, number>();
  keys.forEach((k, i) => { if (!byKey.has(k)) byKey.set(k, i); });
  const utf8 = new TextEncoder();
  return (text) => {
    if (text === '') return [];
    const ids = [byKey.get(' ')!];
    for (const ch of text) {
      const bytes = utf8.encode(ch);
      const id = byKey.get(latin1(bytes));
      if (id !== undefined) ids.push(id);
      else for (const b of bytes) ids.push(b + 3);
    }
    // The merge as this library had it before the heap: pair scores cached, one linear scan
    // for the best pair and one splice per merge.
    const pairId = new Int32Array(ids.length);
    const pairScore = new Float64Array(ids.length);
    const setPair = (i: number) => {
      const id = i + 1 < ids.length ? byKey.get(keys[ids[i]] + keys[ids[i + 1]]) : undefined;
      pairId[i] = id ?? -1;
      pairScore[i] = id === undefined ? -Infinity : tok.score(id);
    };
    for (let i = 0; i < ids.length - 1; i++) setPair(i);
    for (;;) {
      const n = ids.length;
      let best = -1e10;
      let at = -1;
      for (let i = 0; i < n - 1; i++) if (pairId[i] >= 0 && pairScore[i] > best) { best = pairScore[i]; at = i; }
      if (at < 0) return ids;
      ids[at] = pairId[at];
      ids.splice(at + 1, 1);
      pairId.copyWithin(at + 1, at + 2, n);
      pairScore.copyWithin(at + 1, at + 2, n);
      setPair(at);
      if (at > 0) setPair(at - 1);
    }
  };
}

export async function tokenizersSuite(opts: SuiteOptions = {}): Promise<SuiteResult> {
  const quick = opts.quick ?? false;
  const files = await readFiles();
  const tasks: BenchTask[] = [];
  const ratios: RatioSpec[] = [];
  const notes: string[] = ['each call encodes the next slice of ../shared/data/tinystories_sample.txt (cycling)'];
  const name = (kind: string, shape: string) => `tokenizers/encode:${kind}:${shape}`;
  const chars = 40_000;
  const small = quick ? 5_000 : 10_000;

  if (files.tok512 && files.stories) {
    const tok = loadTokenizer(files.tok512, { vocabSize: 512 });
    const big = slices(files.stories, chars);
    const little = slices(files.stories, small);
    const little2 = slices(files.stories, small);
    tasks.push({ name: name('llama2c-heap', `tok512-${chars / 1000}K`), fn: () => sink(tok.encode(big()).length) });
    tasks.push({ name: name('llama2c-heap', `tok512-${small / 1000}K`), fn: () => sink(tok.encode(little()).length) });
    const rescan = rescanEncoder(tok);
    // The baseline must compute the same thing, or the ratio means nothing.
    const probe = files.stories.slice(0, 3000);
    if (rescan(probe).join() !== tok.encode(probe).join()) throw new Error('tokenizers suite: the rescan baseline disagrees with encode()');
    tasks.push({ name: name('llama2c-rescan', `tok512-${small / 1000}K`), fn: () => sink(rescan(little2()).length) });
    ratios.push({
      name: `llama2c ${small / 1000}K chars: heap vs rescan`, unit: 'x',
      value: (t) => t(name('llama2c-rescan', `tok512-${small / 1000}K`)).medianMs / t(name('llama2c-heap', `tok512-${small / 1000}K`)).medianMs,
    });
    ratios.push({
      name: `llama2c ${chars / 1000}K chars: 200 ms / time`, unit: 'x', target: 1,
      value: (t) => 200 / t(name('llama2c-heap', `tok512-${chars / 1000}K`)).medianMs,
    });
    ratios.push({ name: 'llama2c heap: characters/s', unit: 'char/s', value: (t) => chars / t(name('llama2c-heap', `tok512-${chars / 1000}K`)).medianMs * 1000 });
  } else {
    notes.push('llama2c tasks left out: ../shared/models/tok512.bin or ../shared/data/tinystories_sample.txt is missing');
  }

  if (files.ggufMetadata && files.stories) {
    const meta = files.ggufMetadata;
    const bpe = bpeTokenizerFromGguf(meta);
    const next = slices(files.stories, chars);
    tasks.push({ name: name('bpe', `smollm2-${chars / 1000}K`), fn: () => sink(bpe.encode(next()).length) });
    tasks.push({ name: 'tokenizers/build:bpe:smollm2', fn: () => sink(bpeTokenizerFromGguf(meta).vocabSize) });
    ratios.push({ name: 'bpe smollm2: characters/s', unit: 'char/s', value: (t) => chars / t(name('bpe', `smollm2-${chars / 1000}K`)).medianMs * 1000 });
    ratios.push({
      name: `bpe ${chars / 1000}K chars: 200 ms / time`, unit: 'x', target: 1,
      value: (t) => 200 / t(name('bpe', `smollm2-${chars / 1000}K`)).medianMs,
    });
  } else {
    notes.push(`bpe tasks left out: models/${GGUF_NAME} (scripts/fetch-models) or the stories sample is missing`);
  }
  return runSuite('tokenizers', tasks, { ...opts, ratios, notes });
}

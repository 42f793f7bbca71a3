/**
 * A llama2.c tokenizer for random test models: <unk>, <s>, </s>, ' ', then one letter per id
 * (id i is the character 0x40 + i), all scores 0 — so any text of those letters encodes to one
 * token per character.
 */
import { loadTokenizer, type Tokenizer } from '../../src/llama/tokenizer.js';

export function letterTokenizer(vocabSize: number): Tokenizer {
  const pieces: string[] = ['<unk>', '<s>', '</s>'];
  for (let i = 3; i < vocabSize; i++) pieces.push(String.fromCharCode(0x40 + i));
  pieces[3] = ' ';
  const enc = pieces.map((p) => new TextEncoder().encode(p));
  const out = new Uint8Array(4 + enc.reduce((a, p) => a + 8 + p.length, 0));
  const dv = new DataView(out.buffer);
  dv.setInt32(0, 8, true);
  let at = 4;
  for (const p of enc) { dv.setFloat32(at, 0, true); dv.setInt32(at + 4, p.length, true); out.set(p, at + 8); at += 8 + p.length; }
  return loadTokenizer(out, { vocabSize });
}

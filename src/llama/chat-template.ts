/**
 * Chat prompts in the ChatML turn format that SmolLM2-Instruct (and Qwen, Hermes, ...) were
 * trained on:
 *
 *   <|im_start|>system\n{system}<|im_end|>\n
 *   <|im_start|>user\n{text}<|im_end|>\n
 *   <|im_start|>assistant\n                      ← with addGenerationPrompt: the model answers here
 *
 * The GGUF file carries the model's Jinja template (`tokenizer.chat_template`); rather than
 * interpret Jinja, chatOptionsFromTemplate recognises ChatML in it and reads the default system
 * prompt it inserts when a conversation does not start with one. The test renders the file's
 * template with Python jinja2 (as transformers does) and requires identical text.
 *
 * Message text is copied verbatim: special-token text inside it (`<|im_end|>`) becomes a
 * special token when encoded with the default parseSpecial — as with transformers'
 * apply_chat_template — so strip it from untrusted input.
 *
 * @example
 * const tok = bpeTokenizerFromGguf(metadata);
 * const prompt = formatChat([{ role: 'user', content: 'Hi!' }],
 *   { addGenerationPrompt: true, ...chatOptionsFromTemplate(tok.chatTemplate) });
 * const out = await generate(model, tok, { prompt, maxTokens: 128 });  // stops at <|im_end|>
 */
import { SparseInferenceError, badArgument } from '../core/errors.js';
import { checkOptions } from '../core/options.js';
import { describe } from '../core/validate.js';

export interface ChatMessage {
  /** 'system', 'user', 'assistant', or another role the model knows (e.g. 'tool'). */
  role: string;
  content: string;
}

export interface ChatFormatOptions {
  /** End with an open assistant turn for the model to complete. Default false. */
  addGenerationPrompt?: boolean;
  /** System turn put first when the first message is not a system message. Default: none. */
  defaultSystemPrompt?: string;
}

const START = '<|im_start|>';
const END = '<|im_end|>';

/** The conversation as one ChatML string, ready for encode(). */
export function formatChat(messages: readonly ChatMessage[], opts: ChatFormatOptions = {}): string {
  if (!Array.isArray(messages)) throw badArgument(`messages must be an array of { role, content }, got ${describe(messages)}`);
  const o = checkOptions('formatChat options', opts, ['addGenerationPrompt', 'defaultSystemPrompt']);
  if (o.addGenerationPrompt !== undefined && typeof o.addGenerationPrompt !== 'boolean') {
    throw badArgument(`formatChat options.addGenerationPrompt must be a boolean, got ${describe(o.addGenerationPrompt)}`);
  }
  if (o.defaultSystemPrompt !== undefined && typeof o.defaultSystemPrompt !== 'string') {
    throw badArgument(`formatChat options.defaultSystemPrompt must be a string, got ${describe(o.defaultSystemPrompt)}`);
  }
  const turn = (role: string, content: string) => `${START}${role}\n${content}${END}\n`;
  let out = '';
  messages.forEach((m, i) => {
    if (m === null || typeof m !== 'object') throw badArgument(`messages[${i}] must be an object { role, content }, got ${describe(m)}`);
    if (typeof m.role !== 'string' || m.role === '') throw badArgument(`messages[${i}].role must be a non-empty string, got ${describe(m.role)}`);
    if (typeof m.content !== 'string') throw badArgument(`messages[${i}].content must be a string, got ${describe(m.content)}`);
    if (i === 0 && m.role !== 'system' && o.defaultSystemPrompt !== undefined) out += turn('system', o.defaultSystemPrompt);
    out += turn(m.role, m.content);
  });
  if (o.addGenerationPrompt) out += `${START}assistant\n`;
  return out;
}

/** A Jinja string literal: '...' or "..." with backslash escapes. */
const STRING_LITERAL = /'((?:[^'\\]|\\.)*)'|"((?:[^"\\]|\\.)*)"/gs;

function unescapeJinja(s: string): string {
  return s.replace(/\\(.)/gs, (_, c: string) => ({ n: '\n', t: '\t', r: '\r' } as Record<string, string>)[c] ?? c);
}

/**
 * Reads a model's chat template (GGUF `tokenizer.chat_template`): checks that it is ChatML and
 * returns the options formatChat needs to reproduce it (its default system prompt, if any).
 * Throws UNAVAILABLE for other chat formats.
 */
export function chatOptionsFromTemplate(template: string | undefined): Pick<ChatFormatOptions, 'defaultSystemPrompt'> {
  if (typeof template !== 'string') {
    throw new SparseInferenceError('UNAVAILABLE', `the model has no chat template (tokenizer.chat_template), got ${describe(template)}`);
  }
  if (!template.includes(START) || !template.includes(END)) {
    throw new SparseInferenceError('UNAVAILABLE', `the chat template is not ChatML (no ${START} / ${END} turns); only ChatML is implemented`);
  }
  for (const m of template.matchAll(STRING_LITERAL)) {
    const text = unescapeJinja(m[1] ?? m[2]);
    const prefix = `${START}system\n`;
    if (text.startsWith(prefix) && text.endsWith(`${END}\n`)) {
      return { defaultSystemPrompt: text.slice(prefix.length, text.length - END.length - 1) };
    }
  }
  return {};
}

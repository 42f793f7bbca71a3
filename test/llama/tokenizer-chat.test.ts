import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { chatOptionsFromTemplate, formatChat, type ChatMessage } from '../../src/llama/chat-template.js';
import { bpeTokenizerFromGguf } from '../../src/llama/bpe/from-gguf.js';
import { expectBadArgument } from '../_harness/bad-input.js';
import { describeWithModels, SMOLLM2_GGUF } from '../_harness/models.js';
import { readGgufMetadata } from './bpe-gguf-metadata.js';
import { expectError } from './helpers.js';

/** SmolLM2's template rendered by Python jinja2 (scripts/tokenizer-oracle.py). */
const fixture = JSON.parse(readFileSync(new URL('../fixtures/llama/smollm2-tokenizer.json', import.meta.url), 'utf8')) as {
  chatTemplate: string;
  chats: { messages: ChatMessage[]; addGenerationPrompt: boolean; text: string; ids: number[] }[];
};

describe('formatChat = the model template rendered by jinja2', () => {
  const options = chatOptionsFromTemplate(fixture.chatTemplate);

  it('reads the default system prompt out of the template', () => {
    expect(options).toEqual({ defaultSystemPrompt: 'You are a helpful AI assistant named SmolLM, trained by Hugging Face' });
  });

  for (const c of fixture.chats) {
    it(`${c.messages.map((m) => m.role).join(',') || 'no messages'}${c.addGenerationPrompt ? ' + generation prompt' : ''}`, () => {
      expect(formatChat(c.messages, { addGenerationPrompt: c.addGenerationPrompt, ...options })).toBe(c.text);
    });
  }

  it('a ChatML template without a default system prompt; other formats are UNAVAILABLE', () => {
    const plain = "{% for m in messages %}{{'<|im_start|>' + m['role'] + '\\n' + m['content'] + '<|im_end|>' + '\\n'}}{% endfor %}";
    expect(chatOptionsFromTemplate(plain)).toEqual({});
    expect(formatChat([{ role: 'user', content: 'x' }], chatOptionsFromTemplate(plain))).toBe('<|im_start|>user\nx<|im_end|>\n');
    // Escaped newlines in the Jinja literal read the same as literal ones.
    const escaped = "{{ '<|im_start|>system\\nBe brief.<|im_end|>\\n' }}{{'<|im_start|>'}}{{'<|im_end|>'}}";
    expect(chatOptionsFromTemplate(escaped)).toEqual({ defaultSystemPrompt: 'Be brief.' });
    expectError(() => chatOptionsFromTemplate('{{ bos_token }}[INST] {{ m }} [/INST]'), 'UNAVAILABLE', /ChatML/);
    expectError(() => chatOptionsFromTemplate(undefined), 'UNAVAILABLE', /chat_template/);
  });

  it('rejects bad messages and options naming them', () => {
    expectBadArgument(() => formatChat('hi' as never), 'messages');
    expectBadArgument(() => formatChat([null as never]), 'messages');
    expectBadArgument(() => formatChat([{ role: '', content: 'x' }]), 'role');
    expectBadArgument(() => formatChat([{ role: 'user', content: 5 as never }]), 'content');
    expectBadArgument(() => formatChat([], { addGenerationPrompt: 'yes' } as never), 'addGenerationPrompt');
    expectBadArgument(() => formatChat([], { systemPrompt: 'x' } as never), 'systemPrompt');
  });
});

describeWithModels('SmolLM2 chat prompts from the GGUF', [SMOLLM2_GGUF], ([gguf]) => {
  const tok = bpeTokenizerFromGguf(readGgufMetadata(gguf));

  it('the file holds the template the fixture rendered, and formatted chats encode as HF encodes them', () => {
    expect(tok.chatTemplate).toBe(fixture.chatTemplate);
    const options = chatOptionsFromTemplate(tok.chatTemplate);
    for (const c of fixture.chats) {
      expect(tok.encode(formatChat(c.messages, { addGenerationPrompt: c.addGenerationPrompt, ...options }))).toEqual(c.ids);
    }
  });
});

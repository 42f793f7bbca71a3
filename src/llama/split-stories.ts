/**
 * The evaluation corpus format of TinyStories (Eldan & Li, arXiv 2305.07759): stories
 * separated by `<|endoftext|>`. Each story is stripped of surrounding whitespace; empty ones
 * are dropped.
 *
 * @example
 * splitStories('A cat.\n<|endoftext|>\nA dog.\n')   // ['A cat.', 'A dog.']
 */
import { badArgument } from '../core/errors.js';

export const STORY_SEPARATOR = '<|endoftext|>';

export function splitStories(text: string): string[] {
  if (typeof text !== 'string') throw badArgument(`text must be a string, got ${typeof text}`);
  return text.split(STORY_SEPARATOR).map((s) => s.trim()).filter((s) => s.length > 0);
}

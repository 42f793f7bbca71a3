/** Evaluation tasks built from text: passkey retrieval and LAMBADA-style last-word prediction. */
export {
  buildPasskeyTask, buildPasskeySuite, scorePasskey, PASSKEY_INSTRUCTIONS, PASSKEY_FILLER, PASSKEY_QUESTION, PASSKEY_MIN_TOKENS,
  type PasskeyTask, type PasskeyTaskOptions, type PasskeySuiteOptions,
} from './passkey-task.js';
export {
  buildLastWordTasks, lastWordCandidates, scoreLastWord, LAST_WORD_STOP_WORDS, type LastWordTask, type LastWordCandidate, type LastWordTaskOptions,
} from './last-word-task.js';
export { answerLastWord, type LastWordAnswer } from './answer-last-word.js';
export type { TokenCounter } from './token-counter.js';
export {
  parseCorpusManifest, corpusDocuments, CORPUS_FORMAT,
  type CorpusManifest, type CorpusDocument, type CorpusSourceFile, type CorpusSplit, type CorpusDocumentKind,
} from './corpus-manifest.js';

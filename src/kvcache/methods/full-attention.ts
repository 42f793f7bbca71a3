/**
 * Full attention (the exact ceiling): every token is attended; nothing to score.
 */
import type { RetrievalMethod } from '../retrieval-method.js';
import { disposeSymbol } from '../../core/dispose.js';

/** Selects every token. @example new Retrieval(kernels, new FullAttention(), opts) */
export class FullAttention implements RetrievalMethod {
  readonly name = 'full';
  readonly scoring = 'all' as const;
  readonly estimatesScores = false;
  reset(): void {}
  async observe(): Promise<void> {}
  async score(): Promise<readonly unknown[]> { return []; }
  indexBytes(): number {
    return 0;
  }
  dispose(): void {}

  [disposeSymbol](): void { this.dispose(); }
}

/**
 * Fisher–Yates shuffle in place with the seeded generator: equal seeds give equal orders in
 * every runtime (Knuth, TAOCP vol. 2, Algorithm 3.4.2 P).
 *
 * @example
 * const a = [1, 2, 3, 4];  shuffleInPlace(a, new Rng(0));
 */
import type { Rng } from './rng.js';

export function shuffleInPlace<T>(a: T[], rng: Rng): void {
  for (let i = a.length - 1; i > 0; i--) {
    const j = rng.int(i + 1);
    [a[i], a[j]] = [a[j], a[i]];
  }
}

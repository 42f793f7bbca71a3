/** One case of the shared differential suite: runs on any backend, throws on a mismatch. */
import type { Kernels } from '../../src/kernels/kernels.js';

export interface SuiteCase {
  name: string;
  run(k: Kernels): Promise<void>;
}

/**
 * The default Ffn: the dense SwiGLU feed-forward block (Shazeer, arXiv 2002.05202),
 *
 *   out = W2 · (silu(W1 x) ⊙ (W3 x)),   W1, W3: hiddenDim × dim, W2: dim × hiddenDim,
 *
 * with the model's stored matrices in whatever format they are kept (float32 or quantized: the
 * model's `matvec`). Scratch: two hiddenDim arrays, allocated at bind.
 *
 * @example
 * await model.use({ ffn: new DenseFfn() });   // the same numbers as the model's default
 */
import type { Awaitable } from '../core/awaitable.js';
import { badArgument } from '../core/errors.js';
import { checkInt } from '../core/validate.js';
import { disposeSymbol } from '../core/dispose.js';
import type { DeviceArray, F32Arg } from '../kernels/device-array.js';
import type { Ffn, ModelShape, ModelWeights } from './components.js';
import type { Kernels } from '../kernels/kernels.js';
import { checkBindArgs, checkModelWeights } from './check-component-args.js';

export class DenseFfn implements Ffn {
  readonly name = 'dense';
  /** forward issues its four kernel calls before its first await. */
  readonly issuesBeforeReturn = true;
  private bound: { shape: ModelShape; k: Kernels; w: ModelWeights; gate: DeviceArray<Float32Array>; up: DeviceArray<Float32Array> } | null = null;

  bind(shape: ModelShape, kernels: Kernels, weights: ModelWeights): void {
    if (this.bound !== null) throw badArgument('DenseFfn is already bound to a model');
    checkBindArgs(shape, kernels);
    checkModelWeights(weights);
    const gate = kernels.allocF32(shape.hiddenDim);
    let up: DeviceArray<Float32Array>;
    try {
      up = kernels.allocF32(shape.hiddenDim);
    } catch (e) {
      gate.dispose();
      throw e;
    }
    this.bound = { shape, k: kernels, w: weights, gate, up };
  }

  async forward(layer: number, x: F32Arg, out: F32Arg): Promise<void> {
    const b = this.bound;
    if (b === null) throw badArgument('DenseFfn is not bound to a model (or was disposed)');
    checkInt('layer', layer, 0, b.shape.nLayers - 1);
    // Issued without waiting in between: on the GPU they queue in order, on the CPU they run at once.
    const pending: Awaitable<unknown>[] = [
      b.w.matvec(layer, 'w1', x, b.gate),
      b.w.matvec(layer, 'w3', x, b.up),
      b.k.swiglu(b.gate, b.up, b.shape.hiddenDim),
      b.w.matvec(layer, 'w2', b.gate, out),
    ];
    await Promise.all(pending);
  }

  dispose(): void {
    this.bound?.gate.dispose();
    this.bound?.up.dispose();
    this.bound = null;
  }

  [disposeSymbol](): void { this.dispose(); }
}

/**
 * What a capture callback (`model.setCapture`) sees: every intermediate activation of a layer,
 * named by kind, in the order the forward step computes them. The activations family
 * (CHESS, arXiv 2409.01366; TEAL, arXiv 2408.14690) calibrates its thresholds from them.
 *
 * @example
 * model.setCapture((layer, kind, data) => { if (kind === 'aUp') sums[layer] += data[0]; });
 */

export type ActivationKind =
  | 'attnInput'   // RMS-normed input of q/k/v projections (dim)
  | 'qPreRope' | 'kPreRope' | 'qPostRope' | 'kPostRope' | 'v'
  | 'oProjInput'  // attention output before wo (dim)
  | 'ffnInput'    // RMS-normed FFN input (dim)
  | 'aGate'       // silu(w1 x) (hiddenDim)
  | 'aUp'         // w3 x (hiddenDim)
  | 'downInput';  // aGate ⊙ aUp (hiddenDim)

/** Every ActivationKind, in the order forward emits them within a layer. */
export const ACTIVATION_KINDS: readonly ActivationKind[] = [
  'attnInput', 'qPreRope', 'kPreRope', 'v', 'qPostRope', 'kPostRope', 'oProjInput',
  'ffnInput', 'aGate', 'aUp', 'downInput',
];

/** Called during forward; `data` is only valid during the call (copy what you keep). */
export type ActivationCapture = (layer: number, kind: ActivationKind, data: Float32Array, pos: number) => void;

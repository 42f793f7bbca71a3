/**
 * llama.cpp's tensor names (gguf-py constants, MODEL_ARCH.LLAMA) for the runtime's weight slots.
 * Shapes are in ggml order: [row length, rows], so a (rows × cols) matrix is [cols, rows].
 */
import { checkInt, checkOneOf } from '../../core/validate.js';
import { MAX_LAYERS } from '../../core/limits.js';
import type { LayerTensorName } from '../weight-layout.js';

const LAYER_NAMES: Record<LayerTensorName, string> = {
  rmsAtt: 'attn_norm', wq: 'attn_q', wk: 'attn_k', wv: 'attn_v', wo: 'attn_output',
  rmsFfn: 'ffn_norm', w1: 'ffn_gate', w2: 'ffn_down', w3: 'ffn_up',
};

/** GGUF name of a per-layer tensor, or of 'tokEmb' | 'rmsFinal' | 'wcls'. */
export function ggufTensorName(t: LayerTensorName | 'tokEmb' | 'rmsFinal' | 'wcls', layer = 0): string {
  checkOneOf('t', t, ['tokEmb', 'rmsFinal', 'wcls', ...Object.keys(LAYER_NAMES)]);
  checkInt('layer', layer, 0, MAX_LAYERS - 1);
  switch (t) {
    case 'tokEmb': return 'token_embd.weight';
    case 'rmsFinal': return 'output_norm.weight';
    case 'wcls': return 'output.weight';
    default: return `blk.${layer}.${LAYER_NAMES[t]}.weight`;
  }
}

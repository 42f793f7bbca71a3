/**
 * Hugging Face LlamaForCausalLM tensor names for the runtime's weights. HF stores q_proj and
 * k_proj rows permuted for half-split RoPE (see ./convert-to-hf.ts); the names map one to one.
 *
 * @example
 * hfTensorName('wq', 3)   // 'model.layers.3.self_attn.q_proj.weight'
 */
import { checkInt, describe } from '../core/validate.js';
import { badArgument } from '../core/errors.js';
import type { GlobalTensorName, LayerTensorName } from './weight-layout.js';

const LAYER_NAMES: Record<LayerTensorName, string> = {
  rmsAtt: 'input_layernorm.weight',
  wq: 'self_attn.q_proj.weight',
  wk: 'self_attn.k_proj.weight',
  wv: 'self_attn.v_proj.weight',
  wo: 'self_attn.o_proj.weight',
  rmsFfn: 'post_attention_layernorm.weight',
  w1: 'mlp.gate_proj.weight',
  w2: 'mlp.down_proj.weight',
  w3: 'mlp.up_proj.weight',
};

const GLOBAL_NAMES: Record<GlobalTensorName, string> = {
  tokEmb: 'model.embed_tokens.weight',
  rmsFinal: 'model.norm.weight',
  wcls: 'lm_head.weight',
};

export function hfTensorName(tensor: LayerTensorName, layer: number): string;
export function hfTensorName(tensor: GlobalTensorName): string;
export function hfTensorName(tensor: LayerTensorName | GlobalTensorName, layer?: number): string {
  if (typeof tensor !== 'string' || !(tensor in GLOBAL_NAMES || tensor in LAYER_NAMES)) {
    throw badArgument(`tensor must be one of ${[...Object.keys(GLOBAL_NAMES), ...Object.keys(LAYER_NAMES)].join(', ')}, got ${describe(tensor)}`);
  }
  if (tensor in GLOBAL_NAMES) return GLOBAL_NAMES[tensor as GlobalTensorName];
  checkInt('layer', layer, 0);
  return `model.layers.${layer}.${LAYER_NAMES[tensor as LayerTensorName]}`;
}

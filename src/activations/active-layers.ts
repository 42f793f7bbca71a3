/** Which layers a sparsity component makes sparse: all (default) or the listed ones (checked). */
import { badArgument } from '../core/errors.js';
import { checkInt, describe } from '../core/validate.js';

export function activeLayers(nLayers: number, layers: readonly number[] | undefined): boolean[] {
  if (layers === undefined) return new Array<boolean>(nLayers).fill(true);
  if (!Array.isArray(layers)) throw badArgument(`layers must be an array of layer indices, got ${describe(layers)}`);
  const active = new Array<boolean>(nLayers).fill(false);
  layers.forEach((l, i) => { active[checkInt(`layers[${i}]`, l, 0, nLayers - 1)] = true; });
  return active;
}

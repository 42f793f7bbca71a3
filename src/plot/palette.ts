/**
 * Colours. Series use the Okabe–Ito palette (distinguishable under the common colour-vision
 * deficiencies; Okabe & Ito 2008, "Color Universal Design"); heat maps use viridis
 * (perceptually uniform and readable in greyscale; van der Walt & Smith, matplotlib 2015).
 */
import { checkInt, describe } from '../core/validate.js';
import { badArgument } from '../core/errors.js';

/** Okabe–Ito, reordered so the first colours contrast most on white (yellow last). */
export const PALETTE: readonly string[] = [
  '#0072B2', // blue
  '#D55E00', // vermillion
  '#009E73', // bluish green
  '#CC79A7', // reddish purple
  '#E69F00', // orange
  '#56B4E9', // sky blue
  '#000000', // black
  '#F0E442', // yellow
];

/** The default colour of the i-th series (cycles through the palette). */
export function seriesColor(i: number): string {
  checkInt('i', i, 0);
  return PALETTE[i % PALETTE.length];
}

// viridis sampled at t = 0, 0.1, …, 1 (matplotlib's _viridis_data).
const VIRIDIS: readonly [number, number, number][] = [
  [0x44, 0x01, 0x54], [0x48, 0x24, 0x75], [0x41, 0x44, 0x87], [0x35, 0x5f, 0x8d],
  [0x2a, 0x78, 0x8e], [0x21, 0x91, 0x8c], [0x22, 0xa8, 0x84], [0x44, 0xbf, 0x70],
  [0x7a, 0xd1, 0x51], [0xbd, 0xdf, 0x26], [0xfd, 0xe7, 0x25],
];

/** Viridis colour at t ∈ [0, 1] (clamped), as '#rrggbb'; linear between the 11 anchors. */
export function viridis(t: number): string {
  if (typeof t !== 'number' || Number.isNaN(t)) throw badArgument(`t must be a number in [0, 1] (clamped), got ${describe(t)}`);
  const u = Math.min(1, Math.max(0, t)) * (VIRIDIS.length - 1);
  const i = Math.min(VIRIDIS.length - 2, Math.floor(u));
  const f = u - i;
  const a = VIRIDIS[i];
  const b = VIRIDIS[i + 1];
  let s = '#';
  for (let c = 0; c < 3; c++) s += Math.round(a[c] + (b[c] - a[c]) * f).toString(16).padStart(2, '0');
  return s;
}

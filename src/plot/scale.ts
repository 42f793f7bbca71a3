/**
 * A scale maps data values to pixels along one axis, linearly or on log10, and carries
 * the tick positions for that axis.
 */
import { linearTicks, logTicks, type Ticks } from './ticks.js';

export interface Scale {
  domain: [number, number];
  /** Pixel positions of domain[0] and domain[1] (range[0] > range[1] on a y axis). */
  range: [number, number];
  log: boolean;
  ticks: Ticks;
  /** Pixel position of a data value. */
  map(v: number): number;
}

/**
 * Ticks for the data extent [lo, hi]: an explicit domain is kept as given, otherwise the
 * extent widens to nice tick values (decades on a log axis).
 */
export function axisTicks(lo: number, hi: number, opts: { log?: boolean; explicit?: boolean; count?: number } = {}): Ticks {
  return opts.log ? logTicks(lo, hi, !opts.explicit) : linearTicks(lo, hi, opts.count ?? 5, !opts.explicit);
}

/** Map ticks.domain onto the pixel range [r0, r1] (log10 when `log`). */
export function makeScale(ticks: Ticks, range: [number, number], log = false): Scale {
  const domain = ticks.domain;
  const t = log ? Math.log10 : (v: number) => v;
  const t0 = t(domain[0]);
  const span = t(domain[1]) - t0;
  const [r0, r1] = range;
  return { domain, range, log, ticks, map: (v: number) => r0 + ((t(v) - t0) / span) * (r1 - r0) };
}

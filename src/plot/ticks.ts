/**
 * Axis ticks at "nice" numbers: steps of 1, 2 or 5 × 10^k on linear axes (Heckbert,
 * "Nice numbers for graph labels", Graphics Gems 1990), decades on log axes.
 */

/** The nice step (1, 2, 5 × 10^k) closest to `raw`. */
export function niceStep(raw: number): number {
  const exp = Math.floor(Math.log10(raw));
  const f = raw / 10 ** exp;
  const e = 1e-9; // 0.7 / 0.1 is 6.999999999999999
  const nf = f < 1.5 - e ? 1 : f < 3 - e ? 2 : f < 7 - e ? 5 : 10;
  return nf * 10 ** exp;
}

/** Decimal places needed to print multiples of `step` exactly. */
function decimalsOf(step: number): number {
  return Math.max(0, -Math.floor(Math.log10(step) + 1e-9));
}

/** Round k·step to the step's precision (removes 0.30000000000000004-style noise). */
function multiple(k: number, step: number): number {
  return Number((k * step).toFixed(Math.min(20, decimalsOf(step))));
}

export interface Ticks {
  /** Axis range; widened to tick multiples when `extend` was requested. */
  domain: [number, number];
  values: number[];
  /** Spacing of linear ticks (used to format labels); NaN on log axes. */
  step: number;
}

/**
 * About `count` ticks on [lo, hi]. With `extend`, the domain grows outwards to the nearest
 * tick (the usual choice for data-driven axes); otherwise only ticks inside are kept.
 * A zero-width range is padded so the axis still has a scale.
 * @example linearTicks(0.3, 9.2, 5, true) → domain [0, 10], values [0, 2, 4, 6, 8, 10]
 */
export function linearTicks(lo: number, hi: number, count: number, extend: boolean): Ticks {
  if (lo === hi) {
    const pad = Math.abs(lo) * 0.1 || 1;
    lo -= pad;
    hi += pad;
  }
  const step = niceStep((hi - lo) / count);
  const k0 = extend ? Math.floor(lo / step + 1e-9) : Math.ceil(lo / step - 1e-9);
  const k1 = extend ? Math.ceil(hi / step - 1e-9) : Math.floor(hi / step + 1e-9);
  const values: number[] = [];
  for (let k = k0; k <= k1; k++) values.push(multiple(k, step));
  const domain: [number, number] = extend ? [values[0], values[values.length - 1]] : [lo, hi];
  return { domain, values, step };
}

/**
 * Ticks on a log axis over [lo, hi] (lo > 0). With `extend`, the domain grows to whole
 * decades. Short ranges (under two decades of ticks) also get 2× and 5× ticks; long ranges
 * thin the decades to about 8 labels.
 * @example logTicks(3, 700, true) → domain [1, 1000], values [1, 10, 100, 1000]
 */
export function logTicks(lo: number, hi: number, extend: boolean): Ticks {
  let e0 = Math.log10(lo);
  let e1 = Math.log10(hi);
  if (extend) {
    e0 = Math.floor(e0 + 1e-9);
    e1 = Math.ceil(e1 - 1e-9);
    if (e1 === e0) e1 += 1;
  }
  const domain: [number, number] = extend ? [decade(e0), decade(e1)] : [lo, hi];
  const first = Math.ceil(e0 - 1e-9);
  const last = Math.floor(e1 + 1e-9);
  const values: number[] = [];
  if (last - first < 2) {
    for (let e = Math.floor(e0); e <= Math.ceil(e1); e++) {
      for (const m of [1, 2, 5]) {
        const v = m * decade(e);
        if (v >= domain[0] * (1 - 1e-9) && v <= domain[1] * (1 + 1e-9)) values.push(v);
      }
    }
  } else {
    const every = Math.max(1, Math.ceil((last - first + 1) / 8));
    for (let e = first; e <= last; e += every) values.push(decade(e));
  }
  return { domain, values, step: NaN };
}

/** 10^e written exactly for integer e (10 ** -3 is 0.0010000000000000002). */
function decade(e: number): number {
  return Number(`1e${e}`);
}

/**
 * Labels for a whole axis, in one style: plain decimals when every tick lies in [1e-4, 1e5),
 * else compact scientific for all ('2e-6', '1.5e6'; zero stays '0'). Linear axes print the
 * decimals of their step, so labels line up.
 * @example formatTicks({ values: [0, 0.5, 1], step: 0.5, domain: [0, 1] }) → ['0', '0.5', '1.0']
 */
export function formatTicks(t: Ticks): string[] {
  const scientific = t.values.some((v) => v !== 0 && (Math.abs(v) >= 1e5 || Math.abs(v) < 1e-4));
  return t.values.map((v) => formatTick(v, scientific ? NaN : t.step, scientific));
}

/** One tick label (see formatTicks). */
export function formatTick(v: number, step = NaN, scientific = false): string {
  if (v === 0) return '0';
  if (scientific) {
    const [m, e] = v.toExponential(3).split('e');
    return `${Number(m)}e${Number(e)}`;
  }
  if (Number.isFinite(step)) return v.toFixed(decimalsOf(step));
  return String(Number(v.toPrecision(6)));
}

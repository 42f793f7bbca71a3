/**
 * Input shapes of the plot functions. Every chart is a pure function from these options to an
 * SVG string (no DOM), so the same code draws plots in Node, Deno and browsers.
 */
import { optionKeys } from '../core/options.js';

/** One data series of a line chart: y[i] is drawn at x[i]; x and y have equal length. */
export interface Series {
  /** Legend text (escaped). */
  name: string;
  x: ArrayLike<number>;
  y: ArrayLike<number>;
  /** 'line' (default) joins the points; 'points' draws markers; 'step' holds y until the next x. */
  kind?: 'line' | 'points' | 'step';
  /** CSS colour (hex, rgb()/rgba() or a colour name); default: the next palette colour. */
  color?: string;
  dashed?: boolean;
  /** Draw a marker at every point of a line or step (tells overlapping lines apart). */
  marker?: boolean;
}

/** A shaded interval lo[i] ≤ y ≤ hi[i] over x[i] (credible/confidence bands). */
export interface Band {
  name: string;
  x: ArrayLike<number>;
  lo: ArrayLike<number>;
  hi: ArrayLike<number>;
  /**
   * CSS colour; default: the next palette colour. An opaque colour is drawn at BAND_OPACITY;
   * a colour with its own alpha (rgba(), #rrggbbaa) is drawn with that alpha alone.
   */
  color?: string;
}

/** Every key of Series and Band, for checkOptions. */
export const SERIES_KEYS = optionKeys<Series>({ name: true, x: true, y: true, kind: true, color: true, dashed: true, marker: true });
export const BAND_KEYS = optionKeys<Band>({ name: true, x: true, lo: true, hi: true, color: true });

/** Options of lineChart. Domains default to "nice" rounded ranges covering all data. */
export interface ChartOptions {
  title?: string;
  xLabel?: string;
  yLabel?: string;
  /** Pixels; default 640 × 400. */
  width?: number;
  height?: number;
  logX?: boolean;
  logY?: boolean;
  series: Series[];
  bands?: Band[];
  /** Vertical reference lines (e.g. a true knot location). */
  vlines?: { x: number; label?: string }[];
  xDomain?: [number, number];
  yDomain?: [number, number];
  /** Legend position: 'auto' (default: right when every entry is short, else below), 'right', 'below'. */
  legend?: 'auto' | 'right' | 'below';
  /**
   * Exact left and right margins around the plot area, in pixels. Panels stacked with the same
   * margins, width and xDomain put each x value at the same pixel (stackCharts does this).
   */
  margins?: { left: number; right: number };
}

/** Options of barChart: one bar per entry, in the given order. */
export interface BarChartOptions {
  title?: string;
  xLabel?: string;
  yLabel?: string;
  width?: number;
  height?: number;
  bars: { label: string; value: number; color?: string }[];
}

/**
 * Options of heatMap. x (nx) and y (ny) are the cell centres, strictly increasing;
 * z has ny*nx values, row-major: z[j*nx + i] is the cell at (x[i], y[j]).
 */
export interface HeatMapOptions {
  title?: string;
  xLabel?: string;
  yLabel?: string;
  width?: number;
  height?: number;
  x: ArrayLike<number>;
  y: ArrayLike<number>;
  z: ArrayLike<number>;
  /** Markers drawn over the cells (e.g. posterior draws or true parameters). */
  points?: { x: number; y: number }[];
}

/** Every key of the chart options and their nested records, for checkOptions. */
export const CHART_KEYS = optionKeys<ChartOptions>({
  title: true, xLabel: true, yLabel: true, width: true, height: true, logX: true, logY: true, series: true,
  bands: true, vlines: true, xDomain: true, yDomain: true, legend: true, margins: true,
});
export const VLINE_KEYS = ['x', 'label'] as const;
export const MARGIN_KEYS = ['left', 'right'] as const;
export const BAR_CHART_KEYS = optionKeys<BarChartOptions>({ title: true, xLabel: true, yLabel: true, width: true, height: true, bars: true });
export const BAR_KEYS = ['label', 'value', 'color'] as const;
export const HEAT_MAP_KEYS = optionKeys<HeatMapOptions>({
  title: true, xLabel: true, yLabel: true, width: true, height: true, x: true, y: true, z: true, points: true,
});
export const POINT_KEYS = ['x', 'y'] as const;

/**
 * Plots as pure functions returning SVG strings (no DOM), used by the demo report and
 * available to library users in Node, Deno and browsers.
 */
export type { Series, Band, ChartOptions, BarChartOptions, HeatMapOptions } from './types.js';
export { lineChart, BAND_OPACITY } from './line-chart.js';
export { stackCharts, type StackChartsOptions } from './stack-charts.js';
export { barChart } from './bar-chart.js';
export { heatMap } from './heat-map.js';
export { htmlTable, formatNumber } from './html-table.js';
export { writeSvg } from './write-svg.js';
export { PALETTE, seriesColor, viridis } from './palette.js';
export { escapeXml } from './svg.js';

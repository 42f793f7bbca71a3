/**
 * Statistics: exact quantiles by selection (R types 7 and 1), median, mean, variance,
 * log-sum-exp, log Γ and log-binomial coefficients.
 */
export { quantile, quantiles, type QuantileMethod, type QuantileOptions } from './quantile.js';
export { median } from './median.js';
export { mean, variance, type VarianceOptions } from './moments.js';
export { logSumExp } from './log-sum-exp.js';
export { logGamma } from './log-gamma.js';
export { logChoose } from './log-choose.js';
export { bootstrapMean, bootstrapPairedDifference, type BootstrapOptions, type BootstrapInterval } from './bootstrap.js';

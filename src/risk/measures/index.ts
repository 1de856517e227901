/**
 * Portfolio risk mathematics for the risk manager: VaR and ES, return statistics, correlation
 * concentration, risk contributions and stress tests.
 */
export type { Position, ReturnModel, ReturnSeries } from './inputs.js';
export * from './normal.js';
export * from './covariance.js';
export * from './var.js';
export * from './contribution.js';
export * from './concentration.js';
export * from './stress.js';

/** The statistics library behind the performance monitor: one import for every accumulator. */
export * from './rolling.js';
export * from './returns.js';
export * from './drawdown.js';
export * from './trades.js';
export * from './buckets.js';
export * from './latency.js';
export * from './signals.js';

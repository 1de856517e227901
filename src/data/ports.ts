/**
 * Data ports. Backtests pull from a HistoricalDataSource (records in time order, as fast as the
 * engine can take them); paper and live sessions receive records pushed by a LiveDataClient,
 * paced by the wall clock. Both deliver the same MarketData records.
 */
import type { MarketData } from '../model/data.js';
import type { Instrument } from '../model/instrument.js';

export interface HistoricalDataSource {
  readonly instruments: readonly Instrument[];
  /** Records in non-decreasing `ts` order. May be iterated once. */
  records(): Iterable<MarketData>;
}

export interface LiveDataClient {
  readonly instruments: readonly Instrument[];
  /** Starts delivering records to `sink` until stop() is called. */
  start(sink: (record: MarketData) => void): void;
  stop(): void;
}

/** Public API of the data area: ports, synthetic market, CSV replay, merging and bar aggregation. */
export type { HistoricalDataSource, LiveDataClient } from './ports.js';
export { MS_PER_YEAR, SyntheticFeed, SyntheticMarket, type SyntheticConfig, type SyntheticInstrumentConfig } from './synthetic.js';
export { CsvDataSource, CsvError, DAY_MS, loadBarsCsv, loadQuotesCsv, loadTradesCsv, type BarsCsvOptions } from './csv.js';
export { mergeSources } from './merge.js';
export { BarAggregator } from './bars.js';
export { BTC_USD, BUILTIN_INSTRUMENTS, ETH_USD, SOL_USD, SPX, defaultSyntheticConfig } from './builtin-instruments.js';

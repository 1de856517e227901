/** The strategy package: the Strategy base API, the built-in strategies and their registry. */
export { Strategy, type SignalInput, type StrategyContext } from './strategy.js';
export { type InstrumentState, TargetPositionStrategy } from './base.js';
export {
  COMMON_PARAMS,
  type CommonParams,
  PRICE_SOURCES,
  type ParamDoc,
  ParamReader,
  type ParamValue,
  type PriceSource,
  type RawParams,
  type StrategyInfo,
  TRADING_MODES,
  type TradingMode,
  readCommonParams,
} from './params.js';
export { MA_CROSS, MA_KINDS, MaCrossStrategy, type MaKind } from './ma-cross.js';
export { RSI_REVERSION, RsiReversionStrategy } from './rsi-reversion.js';
export { BOLLINGER_BREAKOUT, BollingerBreakoutStrategy } from './bollinger-breakout.js';
export { STRATEGIES, STRATEGY_NAMES, createStrategy } from './registry.js';

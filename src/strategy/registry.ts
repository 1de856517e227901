/**
 * The strategy registry: builds a built-in strategy from its name and loose params (config file,
 * CLI), and describes every strategy and its params for help output.
 */
import { InputError } from '../core/errors.js';
import { BollingerBreakoutStrategy } from './bollinger-breakout.js';
import { MaCrossStrategy } from './ma-cross.js';
import type { RawParams, StrategyInfo } from './params.js';
import { RsiReversionStrategy } from './rsi-reversion.js';
import type { Strategy } from './strategy.js';

interface StrategyClass {
  readonly info: StrategyInfo;
  new (id: string, params?: RawParams, instrumentIds?: readonly string[]): Strategy;
}

const CLASSES: readonly StrategyClass[] = [MaCrossStrategy, RsiReversionStrategy, BollingerBreakoutStrategy];

/** Every built-in strategy with its summary and params, in registry order. */
export const STRATEGIES: readonly StrategyInfo[] = CLASSES.map((c) => c.info);

export const STRATEGY_NAMES: readonly string[] = STRATEGIES.map((s) => s.name);

/**
 * Builds the named strategy. `instrumentIds` limits it to those instruments (all when absent).
 * Throws InputError for an unknown name or an unknown or bad param.
 */
export function createStrategy(name: string, id: string, params: RawParams = {}, instrumentIds: readonly string[] = []): Strategy {
  const cls = CLASSES.find((c) => c.info.name === name);
  if (!cls) throw new InputError(`unknown strategy ${JSON.stringify(name)}; expected one of ${STRATEGY_NAMES.join(', ')}`);
  return new cls(id, params, instrumentIds);
}

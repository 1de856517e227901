/** Enumerations of the trading domain, as string literal unions with their value lists. */

export const ORDER_SIDES = ['BUY', 'SELL'] as const;
export type OrderSide = (typeof ORDER_SIDES)[number];

export const ORDER_TYPES = ['MARKET', 'LIMIT', 'STOP_MARKET', 'STOP_LIMIT'] as const;
export type OrderType = (typeof ORDER_TYPES)[number];

export const TIME_IN_FORCE = ['GTC', 'IOC', 'FOK', 'DAY'] as const;
export type TimeInForce = (typeof TIME_IN_FORCE)[number];

export const ASSET_CLASSES = ['CRYPTO', 'EQUITY', 'INDEX', 'FX', 'FUTURE', 'COMMODITY'] as const;
export type AssetClass = (typeof ASSET_CLASSES)[number];

export type LiquiditySide = 'MAKER' | 'TAKER';

export type PositionSide = 'LONG' | 'SHORT' | 'FLAT';

/** +1 for a buy, -1 for a sell. */
export function sideSign(side: OrderSide): 1 | -1 {
  return side === 'BUY' ? 1 : -1;
}

export function oppositeSide(side: OrderSide): OrderSide {
  return side === 'BUY' ? 'SELL' : 'BUY';
}

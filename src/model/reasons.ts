/**
 * Typed reason codes carried by denials (pre-trade, from the risk engine or order validation)
 * and rejections (from a venue). The UI shows them as they are; messages carry the details.
 */

export const DENIAL_REASONS = [
  'INVALID_ORDER',
  'UNKNOWN_INSTRUMENT',
  'DUPLICATE_CLIENT_ORDER_ID',
  'REDUCE_ONLY_WOULD_INCREASE',
  'TRADING_HALTED',
  'TRADING_REDUCING',
  'MAX_ORDER_QTY',
  'MAX_ORDER_NOTIONAL',
  'MAX_POSITION_QTY',
  'MAX_POSITION_NOTIONAL',
  'MAX_OPEN_POSITIONS',
  'MAX_GROSS_EXPOSURE',
  'MAX_NET_EXPOSURE',
  'PORTFOLIO_HEAT',
  'DAILY_LOSS_LIMIT',
  'MAX_DRAWDOWN',
  'FAT_FINGER',
  'STALE_MARKET_DATA',
  'NO_MARKET_DATA',
  'ORDER_RATE',
  'BUYING_POWER',
  'CORRELATION_CONCENTRATION',
] as const;
export type DenialReason = (typeof DENIAL_REASONS)[number];

export const REJECT_REASONS = [
  'UNKNOWN_INSTRUMENT',
  'INVALID_PRICE',
  'INVALID_QUANTITY',
  'INSUFFICIENT_BUYING_POWER',
  'DUPLICATE_ORDER',
  'FOK_NOT_FILLABLE',
  'POST_ONLY_WOULD_TAKE',
  'REDUCE_ONLY_WOULD_INCREASE',
  'NO_MARKET',
  'VENUE_ERROR',
] as const;
export type RejectReason = (typeof REJECT_REASONS)[number];

/**
 * Market data records: quotes (top of book), trades and time bars. Every record carries the
 * instrument id and its event time `ts` in epoch milliseconds; bars are stamped at their close.
 */
import type { Price } from '../core/price.js';
import type { Quantity } from '../core/quantity.js';

export interface QuoteTick {
  readonly kind: 'quote';
  readonly instrumentId: string;
  readonly bid: Price;
  readonly ask: Price;
  readonly bidSize: Quantity;
  readonly askSize: Quantity;
  readonly ts: number;
}

export type AggressorSide = 'BUY' | 'SELL' | 'NONE';

export interface TradeTick {
  readonly kind: 'trade';
  readonly instrumentId: string;
  readonly price: Price;
  readonly size: Quantity;
  readonly aggressor: AggressorSide;
  readonly tradeId: string;
  readonly ts: number;
}

export interface Bar {
  readonly kind: 'bar';
  readonly instrumentId: string;
  /** Bar length in milliseconds (86_400_000 for daily bars). */
  readonly intervalMs: number;
  readonly open: Price;
  readonly high: Price;
  readonly low: Price;
  readonly close: Price;
  readonly volume: Quantity;
  /** Close time of the bar. */
  readonly ts: number;
}

export type MarketData = QuoteTick | TradeTick | Bar;

/** Mid price of a quote as a float (statistics and display only). */
export function midPrice(q: QuoteTick): number {
  return (q.bid.toNumber() + q.ask.toNumber()) / 2;
}

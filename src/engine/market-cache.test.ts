/**
 * The kernel's market cache: what each kind of record leaves as an instrument's touch, last
 * price and time.
 */
import { describe, expect, it } from 'vitest';
import { Price } from '../core/price.js';
import { Quantity } from '../core/quantity.js';
import { MarketCache } from './market-cache.js';

const px = (raw: number) => Price.fromRaw(raw, 2);
const qty = (raw: number) => Quantity.fromRaw(raw, 0);

describe('MarketCache', () => {
  it('starts without data, then follows and counts quotes, trades and bars as they are recorded', () => {
    const cache = new MarketCache(['ACME']);
    const s = cache.get('ACME')!;
    expect(s).toEqual({ bidRaw: undefined, askRaw: undefined, lastRaw: NaN, lastTs: -Infinity, records: 0 });
    expect(cache.get('NOPE')).toBeUndefined();

    // A quote sets the touch and a mid that may fall between ticks.
    MarketCache.record(s, { kind: 'quote', instrumentId: 'ACME', bid: px(10000), ask: px(10001), bidSize: qty(5), askSize: qty(5), ts: 1 });
    expect(s).toEqual({ bidRaw: 10000, askRaw: 10001, lastRaw: 10000.5, lastTs: 1, records: 1 });

    // A trade moves the last price and keeps the touch of the quote.
    MarketCache.record(s, { kind: 'trade', instrumentId: 'ACME', price: px(10003), size: qty(1), aggressor: 'BUY', tradeId: 't1', ts: 2 });
    expect(s).toEqual({ bidRaw: 10000, askRaw: 10001, lastRaw: 10003, lastTs: 2, records: 2 });

    // A bar has no book: it clears the touch.
    MarketCache.record(s, { kind: 'bar', instrumentId: 'ACME', intervalMs: 60_000, open: px(10000), high: px(10010), low: px(9990), close: px(10005), volume: qty(100), ts: 3 });
    expect(s).toEqual({ bidRaw: undefined, askRaw: undefined, lastRaw: 10005, lastTs: 3, records: 3 });
  });
});

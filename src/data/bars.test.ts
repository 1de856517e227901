import { describe, expect, it } from 'vitest';
import { ValueError } from '../core/errors.js';
import type { Bar, QuoteTick, TradeTick } from '../model/data.js';
import { Instrument } from '../model/instrument.js';
import { BarAggregator } from './bars.js';
import { BTC_USD } from './builtin-instruments.js';

const ES = new Instrument({ symbol: 'ES', assetClass: 'FUTURE', quoteCurrency: 'USD', tickSize: '0.25', sizeStep: '1' });

function trade(ts: number, price: string, size: string): TradeTick {
  return { kind: 'trade', instrumentId: 'BTC-USD', price: BTC_USD.price(price), size: BTC_USD.quantity(size), aggressor: 'BUY', tradeId: `t${ts}`, ts };
}

function quote(inst: Instrument, ts: number, bid: string, ask: string): QuoteTick {
  const one = inst.quantity('1');
  return { kind: 'quote', instrumentId: inst.id, bid: inst.price(bid), ask: inst.price(ask), bidSize: one, askSize: one, ts };
}

function ohlcv(b: Bar): string[] {
  return [String(b.ts), ...[b.open, b.high, b.low, b.close, b.volume].map(String)];
}

describe('BarAggregator', () => {
  it('aggregates trades into epoch-aligned bars, emitted when the next interval starts', () => {
    const bars: Bar[] = [];
    const agg = new BarAggregator(BTC_USD, 60_000, (b) => bars.push(b));
    agg.update(trade(60_000, '100.00', '1'));
    agg.update(trade(75_000, '101.50', '2'));
    agg.update(trade(90_000, '99.50', '0.5'));
    agg.update(trade(119_999, '99.75', '1'));
    expect(bars).toEqual([]);
    agg.update(trade(180_500, '98.00', '3')); // 120_000..180_000 had nothing: no bar for it
    expect(bars.map(ohlcv)).toEqual([['120000', '100.00', '101.50', '99.50', '99.75', '4.5000']]);
    expect(bars[0]).toMatchObject({ kind: 'bar', instrumentId: 'BTC-USD', intervalMs: 60_000 });
    agg.flush();
    agg.flush();
    expect(bars.map(ohlcv)).toEqual([
      ['120000', '100.00', '101.50', '99.50', '99.75', '4.5000'],
      ['240000', '98.00', '98.00', '98.00', '98.00', '3.0000'],
    ]);
  });

  it('uses quote mids rounded to the nearest tick, half up, with no volume', () => {
    const bars: Bar[] = [];
    const agg = new BarAggregator(ES, 1_000, (b) => bars.push(b));
    agg.update(quote(ES, 5_000, '100.00', '100.25')); // mid 100.125 -> 100.25
    agg.update(quote(ES, 5_400, '99.50', '100.00')); // 99.75
    agg.update(quote(ES, 5_999, '100.00', '100.00')); // 100.00
    agg.flush();
    expect(bars.map(ohlcv)).toEqual([['6000', '100.25', '100.25', '99.75', '100.00', '0']]);
  });

  it('rejects another instrument, an older record and a bad interval', () => {
    const agg = new BarAggregator(BTC_USD, 1_000, () => {});
    expect(() => agg.update(quote(ES, 0, '1', '1'))).toThrow('quote for ES sent to the BTC-USD bar aggregator');
    agg.update(trade(2_500, '1', '1'));
    expect(() => agg.update(trade(1_999, '1', '1'))).toThrow(ValueError);
    expect(() => new BarAggregator(BTC_USD, 0, () => {})).toThrow(ValueError);
  });
});

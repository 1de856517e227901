import { describe, expect, it } from 'vitest';
import type { MarketData } from '../model/data.js';
import { BTC_USD, ETH_USD } from './builtin-instruments.js';
import { mergeSources } from './merge.js';
import type { HistoricalDataSource } from './ports.js';

function trades(instrument: typeof BTC_USD, stamps: number[], tag: string): HistoricalDataSource {
  const records: MarketData[] = stamps.map((ts, i) => ({
    kind: 'trade',
    instrumentId: instrument.id,
    price: instrument.price('1'),
    size: instrument.quantity('1'),
    aggressor: 'NONE',
    tradeId: `${tag}${i}`,
    ts,
  }));
  return { instruments: [instrument], records: () => records };
}

const ids = (s: HistoricalDataSource): string[] => [...s.records()].map((r) => (r.kind === 'trade' ? r.tradeId : '?'));

describe('mergeSources', () => {
  it('orders by ts, ties in source order, and keeps each source in its own order', () => {
    const merged = mergeSources([trades(BTC_USD, [1, 3, 3, 5], 'a'), trades(ETH_USD, [0, 3, 5, 9], 'b'), trades(BTC_USD, [3], 'c')]);
    expect(ids(merged)).toEqual(['b0', 'a0', 'a1', 'a2', 'b1', 'c0', 'a3', 'b2', 'b3']);
    expect(merged.instruments).toEqual([BTC_USD, ETH_USD]);
  });

  it('handles no sources and empty sources', () => {
    expect(ids(mergeSources([]))).toEqual([]);
    expect(ids(mergeSources([trades(BTC_USD, [], 'a'), trades(ETH_USD, [2], 'b')]))).toEqual(['b0']);
  });
});

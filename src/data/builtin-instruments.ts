/**
 * Built-in instruments and the default synthetic market: SPX for the shipped S&P 500 daily file
 * (data/sp500-2019-2020.csv) and three crypto pairs that the paper-trading preset simulates.
 */
import { Instrument } from '../model/instrument.js';
import type { SyntheticConfig } from './synthetic.js';

/** S&P 500 index: whole units, cent ticks, 5 bps taker fee. */
export const SPX = new Instrument({
  symbol: 'SPX',
  assetClass: 'INDEX',
  quoteCurrency: 'USD',
  tickSize: '0.01',
  sizeStep: '1',
  minSize: '1',
  multiplier: '1',
  makerFee: '0',
  takerFee: '0.0005',
});

export const BTC_USD = new Instrument({
  symbol: 'BTC-USD',
  assetClass: 'CRYPTO',
  quoteCurrency: 'USD',
  tickSize: '0.01',
  sizeStep: '0.0001',
  minSize: '0.0001',
  makerFee: '0.0002',
  takerFee: '0.0005',
});

export const ETH_USD = new Instrument({
  symbol: 'ETH-USD',
  assetClass: 'CRYPTO',
  quoteCurrency: 'USD',
  tickSize: '0.01',
  sizeStep: '0.001',
  makerFee: '0.0002',
  takerFee: '0.0005',
});

export const SOL_USD = new Instrument({
  symbol: 'SOL-USD',
  assetClass: 'CRYPTO',
  quoteCurrency: 'USD',
  tickSize: '0.001',
  sizeStep: '0.01',
  makerFee: '0.0002',
  takerFee: '0.0005',
});

export const BUILTIN_INSTRUMENTS: readonly Instrument[] = [SPX, BTC_USD, ETH_USD, SOL_USD];

/** BTC, ETH and SOL as correlated driftless GBMs quoted every 250 ms with a 2 bps spread. */
export function defaultSyntheticConfig(startTs: number, seed: number): SyntheticConfig {
  return {
    instruments: [
      { instrument: BTC_USD, initialPrice: 60_000, drift: 0, volatility: 0.6, spreadBps: 2, size: 2 },
      { instrument: ETH_USD, initialPrice: 3_000, drift: 0, volatility: 0.75, spreadBps: 2, size: 20 },
      { instrument: SOL_USD, initialPrice: 150, drift: 0, volatility: 0.9, spreadBps: 2, size: 300 },
    ],
    correlation: [
      [1, 0.8, 0.7],
      [0.8, 1, 0.75],
      [0.7, 0.75, 1],
    ],
    intervalMs: 250,
    startTs,
    seed,
  };
}

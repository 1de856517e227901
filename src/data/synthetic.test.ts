import { describe, expect, it } from 'vitest';
import { SimulatedClock } from '../core/clock.js';
import { InvariantError, ValueError } from '../core/errors.js';
import type { MarketData, QuoteTick } from '../model/data.js';
import { Instrument } from '../model/instrument.js';
import { BTC_USD, ETH_USD, SOL_USD, defaultSyntheticConfig } from './builtin-instruments.js';
import { MS_PER_YEAR, SyntheticFeed, SyntheticMarket, type SyntheticConfig } from './synthetic.js';

const CORRELATION = [
  [1, 0.8, 0.7],
  [0.8, 1, 0.75],
  [0.7, 0.75, 1],
];

function show(r: MarketData): string {
  return JSON.stringify(r);
}

function quotes(market: SyntheticMarket): QuoteTick[] {
  const out: QuoteTick[] = [];
  for (const r of market.records()) if (r.kind === 'quote') out.push(r);
  return out;
}

function mid(q: QuoteTick): number {
  return (q.bid.toNumber() + q.ask.toNumber()) / 2;
}

/** Log returns of each instrument's quote mids, one series per instrument, in config order. */
function logReturns(config: SyntheticConfig, steps: number): number[][] {
  const ids = config.instruments.map((c) => c.instrument.id);
  const series = ids.map(() => [] as number[]);
  const last = new Map<string, number>();
  for (const q of quotes(new SyntheticMarket(config, steps))) {
    const m = mid(q);
    const prev = last.get(q.instrumentId);
    if (prev !== undefined) series[ids.indexOf(q.instrumentId)]!.push(Math.log(m / prev));
    last.set(q.instrumentId, m);
  }
  return series;
}

function mean(xs: number[]): number {
  return xs.reduce((a, b) => a + b, 0) / xs.length;
}

function covariance(xs: number[], ys: number[]): number {
  const mx = mean(xs);
  const my = mean(ys);
  let s = 0;
  for (let i = 0; i < xs.length; i++) s += (xs[i]! - mx) * (ys[i]! - my);
  return s / (xs.length - 1);
}

describe('SyntheticMarket', () => {
  it('gives the same stream for the same seed, on every iteration, and another for another seed', () => {
    const a = new SyntheticMarket(defaultSyntheticConfig(0, 7), 500);
    const first = [...a.records()].map(show);
    expect([...a.records()].map(show)).toEqual(first);
    expect([...new SyntheticMarket(defaultSyntheticConfig(0, 7), 500).records()].map(show)).toEqual(first);
    expect([...new SyntheticMarket(defaultSyntheticConfig(0, 8), 500).records()].map(show)).not.toEqual(first);
  });

  it('quotes every instrument each step, on tick with bid < ask, and trades at the touch', () => {
    const config = { ...defaultSyntheticConfig(1_000, 3), tradeProbability: 0.5 };
    const lastQuote = new Map<string, QuoteTick>();
    let quoteCount = 0;
    let tradeCount = 0;
    for (const r of new SyntheticMarket(config, 5_000).records()) {
      const inst = [BTC_USD, ETH_USD, SOL_USD].find((i) => i.id === r.instrumentId)!;
      if (r.kind === 'quote') {
        expect((r.ts - 1_000) % 250).toBe(0);
        expect(r.ts).toBe(1_000 + 250 * Math.floor(quoteCount / 3));
        expect(inst.isOnTick(r.bid) && inst.isOnTick(r.ask)).toBe(true);
        expect(r.bid.raw).toBeGreaterThan(0);
        expect(r.bid.raw).toBeLessThan(r.ask.raw);
        lastQuote.set(r.instrumentId, r);
        quoteCount++;
      } else if (r.kind === 'trade') {
        const q = lastQuote.get(r.instrumentId)!;
        expect(r.ts).toBe(q.ts);
        expect(r.price).toBe(r.aggressor === 'BUY' ? q.ask : q.bid);
        expect(r.tradeId).toBe(`SYN-${++tradeCount}`);
        expect(inst.orderQuantityProblem(r.size)).toBeUndefined();
        expect(r.size.raw).toBeLessThanOrEqual(q.askSize.raw);
      }
    }
    expect(quoteCount).toBe(15_000);
    // 15,000 draws at p = 0.5: 7,500 ± 61 (1 sd).
    expect(tradeCount).toBeGreaterThan(7_200);
    expect(tradeCount).toBeLessThan(7_800);
  });

  it('starts at the initial prices with the configured spread', () => {
    const [btc, eth, sol] = quotes(new SyntheticMarket(defaultSyntheticConfig(0, 1), 1));
    // 60000 ± 1 bps = 59994 / 60006; 3000 ± 0.3; 150 ± 0.015.
    expect([btc!.bid.toString(), btc!.ask.toString()]).toEqual(['59994.00', '60006.00']);
    expect([eth!.bid.toString(), eth!.ask.toString()]).toEqual(['2999.70', '3000.30']);
    expect([sol!.bid.toString(), sol!.ask.toString()]).toEqual(['149.985', '150.015']);
  });

  it('reproduces the configured correlation of log returns and annualized volatility', () => {
    const vols = [0.6, 0.75, 0.9];
    const config: SyntheticConfig = {
      instruments: [BTC_USD, ETH_USD, SOL_USD].map((instrument, i) => ({
        instrument,
        initialPrice: [60_000, 3_000, 150][i]!,
        drift: 0,
        volatility: vols[i]!,
        spreadBps: 2,
      })),
      correlation: CORRELATION,
      intervalMs: 3_600_000,
      startTs: 0,
      seed: 2024,
      tradeProbability: 0,
    };
    const steps = 20_000;
    const r = logReturns(config, steps);
    const perYear = Math.sqrt(MS_PER_YEAR / config.intervalMs);
    for (let i = 0; i < 3; i++) {
      // Standard error of a sample sd over 20,000 returns is ~0.5% of σ; allow 3%.
      const vol = Math.sqrt(covariance(r[i]!, r[i]!)) * perYear;
      expect(Math.abs(vol / vols[i]! - 1)).toBeLessThan(0.03);
      for (let j = 0; j < i; j++) {
        // Standard error of a sample correlation ρ is (1 − ρ²)/√n ≤ 0.0026 here; allow 0.02.
        const rho = covariance(r[i]!, r[j]!) / Math.sqrt(covariance(r[i]!, r[i]!) * covariance(r[j]!, r[j]!));
        expect(Math.abs(rho - CORRELATION[i]![j]!)).toBeLessThan(0.02);
      }
    }
  });

  it('compounds the drift per year when volatility is zero', () => {
    const config: SyntheticConfig = {
      instruments: [{ instrument: BTC_USD, initialPrice: 100, drift: 0.1, volatility: 0, spreadBps: 0 }],
      intervalMs: MS_PER_YEAR / 10,
      startTs: 0,
      seed: 1,
    };
    const qs = quotes(new SyntheticMarket(config, 11));
    // After 10 steps of a tenth of a year: 100·e^0.1 = 110.517...
    expect(qs[10]!.bid.toString()).toBe('110.51');
    expect(qs[10]!.ask.toString()).toBe('110.52');
  });

  it('clamps a price that would round to zero to one tick', () => {
    const config: SyntheticConfig = {
      instruments: [{ instrument: BTC_USD, initialPrice: 0.001, drift: 0, volatility: 0, spreadBps: 0 }],
      intervalMs: 1_000,
      startTs: 0,
      seed: 1,
    };
    const [q] = quotes(new SyntheticMarket(config, 1));
    expect([q!.bid.toString(), q!.ask.toString()]).toEqual(['0.01', '0.02']);
  });

  it('rejects an invalid config', () => {
    const base = defaultSyntheticConfig(0, 1);
    expect(() => new SyntheticMarket({ ...base, correlation: [[1, 0.9, 0.9], [0.9, 1, -0.9], [0.9, -0.9, 1]] }, 1)).toThrow(/positive definite/);
    expect(() => new SyntheticMarket({ ...base, correlation: [[1, 0], [0, 1]] }, 1)).toThrow(/2 rows, expected 3/);
    expect(() => new SyntheticMarket({ ...base, correlation: [[1, 0, 0], [0, 2, 0], [0, 0, 1]] }, 1)).toThrow(/correlation\[1\]\[1\] is 2/);
    expect(() => new SyntheticMarket({ ...base, intervalMs: 0 }, 1)).toThrow(ValueError);
    expect(() => new SyntheticMarket({ ...base, tradeProbability: 1.5 }, 1)).toThrow(/tradeProbability/);
    const odd = new Instrument({ symbol: 'ODD', assetClass: 'CRYPTO', quoteCurrency: 'USD', tickSize: '0.01', sizeStep: '1' });
    expect(() => new SyntheticMarket({ ...base, correlation: undefined, instruments: [{ instrument: odd, initialPrice: -1, drift: 0, volatility: 0.1, spreadBps: 1 }] }, 1)).toThrow(
      'initialPrice -1 of ODD must be positive',
    );
  });
});

describe('SyntheticFeed', () => {
  it('delivers one step per interval on a simulated clock, the same records as the market', () => {
    const clock = new SimulatedClock(10_000);
    const feed = new SyntheticFeed(defaultSyntheticConfig(0, 5), clock);
    const got: MarketData[] = [];
    feed.start((r) => got.push(r));
    clock.advanceTo(10_249);
    expect(got).toEqual([]);
    clock.advanceTo(10_749);
    const expected = [...new SyntheticMarket(defaultSyntheticConfig(10_250, 5), 2).records()];
    expect(got.map(show)).toEqual(expected.map(show));
    expect(new Set(got.map((r) => r.ts))).toEqual(new Set([10_250, 10_500]));

    expect(() => feed.start(() => {})).toThrow(InvariantError);
    feed.stop();
    clock.advanceTo(20_000);
    expect(got.length).toBe(expected.length);
  });

  it('stops mid-step when the sink calls stop()', () => {
    const clock = new SimulatedClock(0);
    const feed = new SyntheticFeed(defaultSyntheticConfig(0, 5), clock);
    const got: MarketData[] = [];
    feed.start((r) => {
      got.push(r);
      feed.stop();
    });
    clock.advanceTo(10_000);
    expect(got.length).toBe(1);
  });
});

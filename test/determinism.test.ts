/**
 * Determinism: the same data, strategies, config and seed give a byte-identical event log,
 * on real data and on the seeded synthetic market; a different seed gives a different one.
 */
import { describe, expect, it } from 'vitest';
import { Money, USD } from '../src/core/money.js';
import { SPX, SyntheticMarket, defaultSyntheticConfig, loadBarsCsv } from '../src/data/index.js';
import { runBacktest } from '../src/engine/backtest.js';
import { fixedLatency, participationFillModel } from '../src/execution/models.js';
import { attachRiskEngine } from '../src/risk/attach.js';
import { createStrategy } from '../src/strategy/registry.js';

function syntheticLog(seed: number): string {
  const r = runBacktest({
    source: new SyntheticMarket(defaultSyntheticConfig(Date.UTC(2026, 0, 1), seed), 3000),
    strategies: [
      createStrategy('ma_cross', 'ma', { fast: 5, slow: 20, mode: 'long-short', source: 'quote' }),
      createStrategy('bollinger_breakout', 'bb', { period: 20, mode: 'long-short', source: 'quote', stopPct: 0.002, takeProfitPct: 0.004 }),
    ],
    initialCapital: Money.of('100000', USD),
    exchange: { latencyModel: fixedLatency(50), fillModel: participationFillModel(0.5) },
    attach: (engine) => attachRiskEngine(engine, { maxOrdersPerSecond: 5, maxPositionQty: '1' }),
    keepEventLog: true,
  });
  expect(r.summary.fills).toBeGreaterThan(50);
  return r.eventLog.join('');
}

describe('determinism', () => {
  it('gives a byte-identical event log for the same synthetic seed, latency, partial fills and risk', () => {
    const a = syntheticLog(11);
    const b = syntheticLog(11);
    expect(a.length).toBeGreaterThan(10_000);
    expect(a).toBe(b);
    expect(syntheticLog(12)).not.toBe(a);
  });

  it('gives a byte-identical event log for the same real-data backtest', () => {
    const run = () =>
      runBacktest({
        source: loadBarsCsv('data/sp500-2019-2020.csv', SPX),
        strategies: [createStrategy('rsi_reversion', 'rsi', { period: 14, size: 5, stopPct: 0.03, takeProfitPct: 0.05 })],
        initialCapital: Money.of('100000', USD),
        keepEventLog: true,
      }).eventLog.join('');
    expect(run()).toBe(run());
  });
});

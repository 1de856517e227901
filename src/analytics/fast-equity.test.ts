import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { MessageBus } from '../core/bus.js';
import { SimulatedClock } from '../core/clock.js';
import { Money, USD } from '../core/money.js';
import { MarketCache } from '../engine/market-cache.js';
import { Instrument } from '../model/instrument.js';
import type { OrderFilled } from '../model/order-events.js';
import { Portfolio } from '../portfolio/portfolio.js';
import { PerformanceMonitor } from './performance-monitor.js';

// Instruments with different price, size and multiplier precisions, so the market value is scaled
// both down (rounded) and up to the account's cents.
const INSTRUMENTS = [
  new Instrument({ symbol: 'A', assetClass: 'CRYPTO', quoteCurrency: 'USD', tickSize: '0.01', sizeStep: '0.001' }),
  new Instrument({ symbol: 'B', assetClass: 'FUTURE', quoteCurrency: 'USD', tickSize: '0.25', sizeStep: '1', multiplier: '50' }),
  new Instrument({ symbol: 'C', assetClass: 'FX', quoteCurrency: 'USD', tickSize: '0.00001', sizeStep: '0.01', multiplier: '0.1' }),
  new Instrument({ symbol: 'D', assetClass: 'EQUITY', quoteCurrency: 'USD', tickSize: '1', sizeStep: '1' }),
];

const step = fc.record({
  inst: fc.integer({ min: 0, max: INSTRUMENTS.length - 1 }),
  ticks: fc.integer({ min: 1, max: 5_000_000 }),
  steps: fc.integer({ min: 1, max: 20_000 }),
  side: fc.constantFrom('BUY' as const, 'SELL' as const),
  fill: fc.boolean(),
});

describe('PerformanceMonitor.fastEquityMinor', () => {
  it('equals Portfolio.equityRaw() to the minor unit after any fills and marks (property)', () => {
    fc.assert(
      fc.property(fc.array(step, { maxLength: 60 }), (steps) => {
        const portfolio = new Portfolio(Money.of('1000000', USD), INSTRUMENTS);
        const monitor = new PerformanceMonitor({ bus: new MessageBus(), clock: new SimulatedClock(0), portfolio, market: new MarketCache(INSTRUMENTS.map((i) => i.id)), orders: { status: () => undefined } });
        steps.forEach((s, n) => {
          const inst = INSTRUMENTS[s.inst]!;
          const priceRaw = s.ticks * inst.tickSize.raw;
          if (s.fill) {
            const fill: OrderFilled = {
              type: 'OrderFilled', clientOrderId: `o${n}`, instrumentId: inst.id, strategyId: 's', ts: n, venueOrderId: `v${n}`, tradeId: `t${n}`,
              side: s.side, lastQty: sizeOf(inst, s.steps), lastPx: priceOf(inst, priceRaw), fee: Money.of('0', USD), liquidity: 'TAKER',
            };
            portfolio.applyFill(fill);
          } else {
            portfolio.markRaw(inst.id, priceRaw);
          }
          expect(monitor.fastEquityMinor()).toBe(Number(portfolio.equityRaw()));
        });
        monitor.detach();
      }),
      { numRuns: 300, seed: 20_260_105 },
    );
  });
});

function priceOf(inst: Instrument, raw: number) {
  return inst.price((raw / 10 ** inst.pricePrecision).toFixed(inst.pricePrecision));
}

function sizeOf(inst: Instrument, steps: number) {
  return inst.quantity(((steps * inst.sizeStep.raw) / 10 ** inst.sizePrecision).toFixed(inst.sizePrecision));
}

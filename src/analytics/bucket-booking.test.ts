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
import { TimeBuckets } from './stats/buckets.js';

// The monitor books fills and round trips into its hourly and daily buckets each quarter hour of
// clock time and before a snapshot, not one by one: the figures must equal booking each event at
// its own time, in zones whose hours start on the hour, the half hour and the quarter hour.
const INSTRUMENT = new Instrument({ symbol: 'A', assetClass: 'EQUITY', quoteCurrency: 'USD', tickSize: '0.01', sizeStep: '1' });
const START = Date.UTC(2026, 2, 7, 22, 0); // a Saturday evening UTC, across New York's DST change

const step = fc.record({
  gapMs: fc.oneof(fc.integer({ min: 0, max: 60_000 }), fc.integer({ min: 0, max: 3 * 3_600_000 })),
  side: fc.constantFrom('BUY' as const, 'SELL' as const),
  qty: fc.integer({ min: 1, max: 3 }),
  priceCents: fc.integer({ min: 9_000, max: 11_000 }),
  snapshot: fc.boolean(),
});

describe('PerformanceMonitor hourly and daily buckets', () => {
  it('equal every fill and round trip booked at its own time, with snapshots taken between them (property)', () => {
    fc.assert(
      fc.property(fc.constantFrom('UTC', 'America/New_York', 'Asia/Kolkata', 'Asia/Kathmandu'), fc.array(step, { minLength: 1, maxLength: 40 }), (timeZone, steps) => {
        const clock = new SimulatedClock(START);
        const bus = new MessageBus();
        const portfolio = new Portfolio(Money.of('1000000', USD), [INSTRUMENT]);
        const market = new MarketCache([INSTRUMENT.id]);
        const monitor = new PerformanceMonitor({ bus, clock, portfolio, market, orders: { status: () => undefined }, options: { timeZone, publishIntervalMs: 0 }, startNow: true });
        const fills = new TimeBuckets({ timeZone });
        const trades = new TimeBuckets({ timeZone });
        let ts = START;
        steps.forEach((s, n) => {
          ts += s.gapMs;
          clock.advanceTo(ts);
          const fill: OrderFilled = {
            type: 'OrderFilled', clientOrderId: `o${n}`, instrumentId: INSTRUMENT.id, strategyId: 's', ts, venueOrderId: `v${n}`, tradeId: `t${n}`,
            side: s.side, lastQty: INSTRUMENT.quantity(String(s.qty)), lastPx: INSTRUMENT.price((s.priceCents / 100).toFixed(2)), fee: Money.of('0.01', USD), liquidity: 'TAKER',
          };
          // As the engine does: the portfolio applies the fill, publishes a closed round trip, then the fill.
          const { closed } = portfolio.applyFill(fill)!;
          if (closed) {
            bus.publish('position.closed', closed);
            trades.add({ ts: closed.closedAt, pnl: Number(closed.netPnl.raw) / 100, volume: 0 });
          }
          bus.publish('order.event', fill);
          fills.add({ ts, pnl: 0, volume: (s.qty * s.priceCents) / 100 });
          if (s.snapshot) monitor.snapshot();
        });
        clock.advanceTo(ts + 3_600_000);
        const got = monitor.snapshot().buckets;
        const money = (x: number) => x.toFixed(2).replace(/^-(0\.00)$/, '$1');
        const expected = (t: { pnl: number; trades: number; wins: number } | undefined, f: { trades: number; volume: number } | undefined) => ({
          pnl: money(t?.pnl ?? 0),
          trades: t?.trades ?? 0,
          wins: t?.wins ?? 0,
          fills: f?.trades ?? 0,
          volume: money(f?.volume ?? 0),
        });
        const fillHours = fills.byHour();
        expect(got.byHour.map(({ hour, pnl, trades: t, wins, fills: f, volume }) => ({ hour, pnl, trades: t, wins, fills: f, volume }))).toEqual(
          trades.byHour().map((t, i) => ({ hour: t.hour, ...expected(t, fillHours[i]) })),
        );
        const fillDays = new Map(fills.byDay().map((d) => [d.day, d]));
        const tradeDays = new Map(trades.byDay().map((d) => [d.day, d]));
        const days = [...new Set([...fillDays.keys(), ...tradeDays.keys()])].sort();
        expect(got.byDay.map(({ day, pnl, trades: t, wins, fills: f, volume }) => ({ day, pnl, trades: t, wins, fills: f, volume }))).toEqual(
          days.map((day) => ({ day, ...expected(tradeDays.get(day), fillDays.get(day)) })),
        );
        monitor.detach();
      }),
      { numRuns: 200, seed: 20_261_125 },
    );
  });

  it('book a fill made by a timer that runs before the booking timer of its quarter hour under its own hour', () => {
    const clock = new SimulatedClock(START);
    const bus = new MessageBus();
    const portfolio = new Portfolio(Money.of('1000000', USD), [INSTRUMENT]);
    const fill = (n: number, ts: number): OrderFilled => ({
      type: 'OrderFilled', clientOrderId: `o${n}`, instrumentId: INSTRUMENT.id, strategyId: 's', ts, venueOrderId: `v${n}`, tradeId: `t${n}`,
      side: 'BUY', lastQty: INSTRUMENT.quantity('1'), lastPx: INSTRUMENT.price('100.00'), fee: Money.of('0.01', USD), liquidity: 'TAKER',
    });
    const publish = (f: OrderFilled) => {
      portfolio.applyFill(f);
      bus.publish('order.event', f);
    };
    // A strategy's "at 23:00" timer, set before the monitor set its booking timer for that instant.
    const hour = START + 3_600_000;
    clock.setTimer(hour, () => publish(fill(1, hour)));
    const monitor = new PerformanceMonitor({ bus, clock, portfolio, market: new MarketCache([INSTRUMENT.id]), orders: { status: () => undefined }, options: { publishIntervalMs: 0 }, startNow: true });
    clock.advanceTo(hour - 600_000);
    publish(fill(0, hour - 600_000));
    clock.advanceTo(hour + 600_000);
    expect(monitor.snapshot().buckets.byHour.filter((h) => h.fills > 0).map((h) => [h.hour, h.fills])).toEqual([
      [22, 1],
      [23, 1],
    ]);
    monitor.detach();
  });
});

/**
 * The risk engine keeps the portfolio heat as a running sum of per-instrument terms, re-valuing
 * only the terms whose position, working stops or volatility changed. This property compares it,
 * after every step of a random session, with the heat summed from scratch in bigints.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { SimulatedClock } from '../core/clock.js';
import { Money, USD } from '../core/money.js';
import { TradingEngine } from '../engine/trading-engine.js';
import { SimulatedExchange } from '../execution/simulated-exchange.js';
import type { Instrument } from '../model/instrument.js';
import { Order } from '../model/order.js';
import { fixedLatency } from '../execution/models.js';
import { attachRiskEngine } from './attach.js';
import { ACME, ALL, BETA, FINE, RiskHarness, SECOND, T0 } from './test-fixtures.js';

const INSTRUMENTS = [ACME, BETA, FINE] as const;
const FALLBACK_UNITS = 20_000_000n; // the default 2% fallback at 9 decimals
const SCALE = 1_000_000_000n;

/** Heat from scratch: per open position, |qty| × distance to its best reduce-only stop, else 2σ (or 2%) of its market value. */
function heatFromScratch(h: RiskHarness): bigint {
  let heat = 0n;
  for (const inst of INSTRUMENTS) {
    const p = h.engine.portfolio.position(inst.id)!;
    const qty = p.qtyRaw;
    const mark = p.markRaw;
    if (qty === 0 || mark === undefined) continue;
    const exitSide = qty > 0 ? 'SELL' : 'BUY';
    let stop: number | undefined;
    for (const o of h.engine.execution.workingOrders()) {
      if (o.instrumentId !== inst.id || o.side !== exitSide || !o.reduceOnly || o.triggerPrice === undefined) continue;
      const t = o.triggerPrice.raw;
      if (stop === undefined || (qty > 0 ? t < stop : t > stop)) stop = t;
    }
    if (stop !== undefined) {
      const dist = Math.max(0, qty > 0 ? mark - stop : stop - mark);
      const n = inst.notionalRaw(dist, Math.abs(qty));
      heat += n < 0n ? -n : n;
    } else {
      const sigma = h.risk.volatility(inst.id);
      const units = sigma === undefined ? FALLBACK_UNITS : BigInt(Math.round(Math.min(1, 2 * sigma) * 1e9));
      const mv = inst.notionalRaw(mark, Math.abs(qty));
      heat += ((mv < 0n ? -mv : mv) * units) / SCALE;
    }
  }
  return heat;
}

const price = (inst: Instrument, ticks: number) => (ticks * Number(inst.tickSize.toString())).toFixed(inst.pricePrecision);

const action = fc.oneof(
  fc.record({ kind: fc.constant('quote' as const), inst: fc.nat(2), ticks: fc.integer({ min: 9_000, max: 11_000 }) }),
  fc.record({ kind: fc.constant('bar' as const), inst: fc.nat(2), ticks: fc.integer({ min: 9_000, max: 11_000 }) }),
  fc.record({ kind: fc.constant('market' as const), inst: fc.nat(2), buy: fc.boolean(), lots: fc.integer({ min: 1, max: 30 }) }),
  fc.record({ kind: fc.constant('stop' as const), inst: fc.nat(2), away: fc.integer({ min: 1, max: 2_000 }) }),
  fc.record({ kind: fc.constant('cancel' as const), pick: fc.nat() }),
  fc.record({ kind: fc.constant('wait' as const), seconds: fc.integer({ min: 1, max: 5 }) }),
);

describe('portfolio heat (kept incrementally)', () => {
  it('equals the heat summed from scratch after every quote, bar, fill, stop, cancel and volatility sample (property)', () => {
    fc.assert(
      fc.property(fc.array(action, { minLength: 1, maxLength: 60 }), (actions) => {
        const h = new RiskHarness({ limits: { maxPortfolioHeat: 1 }, instruments: INSTRUMENTS, startingCash: '100000000' });
        let now = T0;
        for (const inst of INSTRUMENTS) h.quote(now, price(inst, 10_000), price(inst, 10_001), inst);
        for (const a of actions) {
          now += SECOND;
          if (a.kind === 'quote') {
            const inst = INSTRUMENTS[a.inst]!;
            h.quote(now, price(inst, a.ticks), price(inst, a.ticks + 1), inst);
          } else if (a.kind === 'bar') {
            h.bar(now, price(INSTRUMENTS[a.inst]!, a.ticks), INSTRUMENTS[a.inst]!);
          } else if (a.kind === 'market') {
            const inst = INSTRUMENTS[a.inst]!;
            h.order(inst, a.buy ? 'BUY' : 'SELL', ((inst.sizeStep.raw * a.lots * 10) / 10 ** inst.sizePrecision).toFixed(inst.sizePrecision));
          } else if (a.kind === 'stop') {
            const inst = INSTRUMENTS[a.inst]!;
            const p = h.engine.portfolio.position(inst.id)!;
            if (p.qtyRaw === 0 || p.markRaw === undefined) continue;
            const long = p.qtyRaw > 0;
            const ticks = Math.round(p.markRaw / inst.tickSize.raw) + (long ? -a.away : a.away);
            if (ticks <= 0) continue;
            const qty = (Math.abs(p.qtyRaw) / 10 ** inst.sizePrecision).toFixed(inst.sizePrecision);
            h.order(inst, long ? 'SELL' : 'BUY', qty, { trigger: price(inst, ticks), reduceOnly: true });
          } else if (a.kind === 'cancel') {
            const working = h.engine.execution.workingOrders();
            if (working.length > 0) h.engine.run(() => h.engine.execution.cancel(working[a.pick % working.length]!.clientOrderId));
          } else {
            now += a.seconds * SECOND;
            h.advanceTo(now);
          }
          expect(h.risk.heatRaw()).toBe(heatFromScratch(h));
        }
      }),
      { numRuns: 150 },
    );
  });

  it('drops a stop from the heat when it stops working, also after the heat was read while its cancel was in flight', () => {
    const h = new RiskHarness({ limits: { maxPortfolioHeat: 1 }, latencyModel: fixedLatency(100) });
    h.quote(T0, '100.00', '100.01');
    h.buy(10);
    h.advanceTo(T0 + SECOND);
    const stop = h.sell(10, { trigger: '90.00', reduceOnly: true });
    h.advanceTo(T0 + 2 * SECOND);
    expect(h.risk.heatRaw()).toBe(10_010n); // 10 × (100.01 − 90.00)
    h.engine.run(() => h.engine.execution.cancel(stop.id));
    expect(h.risk.heatRaw()).toBe(10_010n); // PENDING_CANCEL still works at the venue
    h.advanceTo(T0 + 3 * SECOND);
    expect(h.engine.execution.workingOrders()).toEqual([]);
    expect(h.risk.heatRaw()).toBe(2_000n); // back to the 2% fallback: 2% of 10 × 100.01 = 20.00
  });

  it('follows a journal restore: imported positions re-value their terms with the stops restored without events', () => {
    const source = new RiskHarness({ limits: { maxPortfolioHeat: 1 } });
    source.quote(T0, '100.00', '100.01');
    source.buy(10);
    source.sell(10, { trigger: '90.00', reduceOnly: true });
    expect(source.risk.heatRaw()).toBe(10_010n); // 10 × (100.01 − 90.00), marked at the mid rounded to the tick
    // A fresh engine whose heat is read before the restore, as a dashboard might.
    const clock = new SimulatedClock(T0);
    const cash = Money.of('100000', USD);
    const engine = new TradingEngine({ clock, instruments: ALL, initialCapital: cash, venue: new SimulatedExchange({ clock, instruments: ALL, startingCash: cash }) });
    const risk = attachRiskEngine(engine, { maxPortfolioHeat: 1 });
    expect(risk.heatRaw()).toBe(0n);
    engine.portfolio.importState(source.engine.portfolio.exportState());
    engine.execution.restore(source.engine.execution.workingOrders().map((o) => Order.fromState(o.toState())));
    engine.start();
    expect(risk.heatRaw()).toBe(10_010n);
  });
});

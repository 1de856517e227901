/**
 * Property: whatever orders strategies emit, no filled position exceeds the position limits and
 * no fill takes gross exposure over its limit.
 *
 * fast-check draws random limits (maxPositionQty per instrument, maxPositionNotional,
 * maxGrossExposure) and a random script over three instruments with different ticks, size steps
 * and minimum sizes: quotes that move each price by a random number of ticks with a random
 * spread (locked quotes included), orders from three strategies (random instrument, side, type,
 * size from 1% to 150% of the position limit, time in force, price, and now and then
 * reduce-only), cancels of random working orders, and clock advances. Everything runs through the real TradingEngine + SimulatedExchange
 * with the risk engine attached.
 *
 * Limits are checked at the order's price estimate, so the orders are chosen to fill exactly at
 * that estimate: a MARKET order is valued at the touch and fills at once at that touch (quote
 * data, full-size fill model, no slippage); a LIMIT order is either priced exactly at the touch
 * (it fills at once at its own price) or passive, 1–40 ticks behind it (it rests, and a resting
 * limit fills at its own price when a later quote crosses it). A reduce-only order fills at the
 * same prices, capped by the venue at what is held. Stops are left out: a stop fills
 * at the touch after a gap, away from its trigger price.
 *
 * Invariants, checked at every fill (after the portfolio has applied it), with bigint equality:
 *  P1  |position| ≤ maxPositionQty of the instrument.
 *  P2  a fill that grows |position| or flips its side leaves |position| × fill price ≤
 *      maxPositionNotional (a resting order's fill included: working orders count against the
 *      limit when a new order is checked, valued at the highest price of that side).
 *  P3  a fill that grows |position| or flips it while its order is being submitted (the order
 *      was marketable) leaves gross exposure ≤ maxGrossExposure, valued as the check values it:
 *      this instrument at the fill price, the others at their marks. (A resting order's fill is
 *      not covered: the other instruments' prices may have moved since it was checked, and price
 *      moves alone may take gross exposure over the limit.)
 * And: submit never throws, and every denial carries a known reason code.
 */
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import type { OrderSide } from '../model/enums.js';
import type { Instrument } from '../model/instrument.js';
import { DENIAL_REASONS } from '../model/reasons.js';
import { ACME, FINE, RiskHarness, T0, XBT } from './test-fixtures.js';

const NUM_RUNS = 200;
const INSTRUMENTS = [ACME, XBT, FINE] as const;
/** Starting mid in ticks, the largest move per quote in ticks, and the lowest mid in ticks. */
const SHAPE = [
  { startTicks: 10_000, maxMove: 60, minTicks: 5_000 }, // ACME 100.00, step 1
  { startTicks: 2_000, maxMove: 25, minTicks: 1_000 }, // XBT 1000.0 (tick 0.5), step 0.005, min 0.01
  { startTicks: 2_000, maxMove: 50, minTicks: 1_000 }, // FINE 20.00, step 0.001
] as const;

type Step =
  | { kind: 'quote'; inst: number; move: number; spread: number }
  | { kind: 'order'; strategy: string; inst: number; side: OrderSide; type: 'MARKET' | 'LIMIT'; sizePct: number; behind: number; tif: 'GTC' | 'IOC'; reduceOnly: boolean }
  | { kind: 'cancel'; pick: number }
  | { kind: 'time'; ms: number };

const inst = fc.integer({ min: 0, max: 2 });
const step: fc.Arbitrary<Step> = fc.oneof(
  { weight: 3, arbitrary: fc.record({ kind: fc.constant('quote' as const), inst, move: fc.integer({ min: -100, max: 100 }), spread: fc.integer({ min: 0, max: 2 }) }) },
  {
    weight: 5,
    arbitrary: fc.record({
      kind: fc.constant('order' as const),
      strategy: fc.constantFrom('s1', 's2', 's3'),
      inst,
      side: fc.constantFrom<OrderSide>('BUY', 'SELL'),
      type: fc.constantFrom('MARKET' as const, 'LIMIT' as const),
      sizePct: fc.integer({ min: 1, max: 150 }), // of the instrument's position limit
      behind: fc.oneof(fc.constant(0), fc.integer({ min: 1, max: 40 })),
      reduceOnly: fc.constantFrom(false, false, false, false, true),
      tif: fc.constantFrom('GTC' as const, 'GTC' as const, 'IOC' as const),
    }),
  },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('cancel' as const), pick: fc.nat() }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('time' as const), ms: fc.integer({ min: 1, max: 5_000 }) }) },
);

interface Limits {
  acmeQty: number;
  xbtQty: number;
  fineQty: number;
  positionNotional: number;
  gross: number;
}

const limitsArb: fc.Arbitrary<Limits> = fc.record({
  acmeQty: fc.integer({ min: 1, max: 60 }), // shares
  xbtQty: fc.integer({ min: 2, max: 300 }), // × 0.005
  fineQty: fc.integer({ min: 1, max: 4_000 }), // × 0.001
  positionNotional: fc.integer({ min: 500, max: 8_000 }),
  gross: fc.integer({ min: 1_000, max: 20_000 }),
});

const stats = { runs: 0, fills: 0, restingFills: 0, denials: {} as Record<string, number> };

const abs = (x: bigint) => (x < 0n ? -x : x);
const fmt = (raw: number, precision: number) => (raw / 10 ** precision).toFixed(precision);

function runScenario(lim: Limits, steps: Step[]): void {
  const h = new RiskHarness({
    instruments: INSTRUMENTS,
    startingCash: '10000000', // buying power never binds
    limits: {
      maxPositionNotional: `${lim.positionNotional}.00`,
      maxGrossExposure: `${lim.gross}.00`,
      perInstrument: {
        ACME: { maxPositionQty: String(lim.acmeQty) },
        XBT: { maxPositionQty: fmt(lim.xbtQty * 5, 3) },
        FINE: { maxPositionQty: fmt(lim.fineQty, 3) },
      },
    },
  });
  stats.runs++;
  const portfolio = h.engine.portfolio;
  const maxQtyRaw = new Map([
    ['ACME', lim.acmeQty],
    ['XBT', lim.xbtQty * 5],
    ['FINE', lim.fineQty],
  ]);
  const notionalLimitRaw = BigInt(lim.positionNotional) * 100n;
  const grossLimitRaw = BigInt(lim.gross) * 100n;
  /** The order being submitted: its fills are the ones that happen at once, at the check's prices. */
  let submitting: string | undefined;
  let seq = 0;
  const problems: string[] = [];

  h.engine.bus.subscribe('order.event', (e) => {
    if (e.type === 'OrderDenied') {
      stats.denials[e.reason] = (stats.denials[e.reason] ?? 0) + 1;
      if (!(DENIAL_REASONS as readonly string[]).includes(e.reason)) problems.push(`unknown reason ${e.reason}`);
      return;
    }
    if (e.type !== 'OrderFilled') return;
    stats.fills++;
    const instrument = h.engine.instruments.get(e.instrumentId)!;
    const pos = portfolio.netQtyRaw(e.instrumentId);
    const prev = pos - (e.side === 'BUY' ? 1 : -1) * e.lastQty.raw;
    const grows = Math.abs(pos) > Math.abs(prev) || (pos !== 0 && Math.sign(pos) !== Math.sign(prev) && prev !== 0);
    const where = `${e.clientOrderId} ${e.side} ${e.lastQty} ${e.instrumentId} @ ${e.lastPx}: position ${fmt(prev, instrument.sizePrecision)} → ${fmt(pos, instrument.sizePrecision)}`;
    if (Math.abs(pos) > maxQtyRaw.get(e.instrumentId)!) problems.push(`P1 ${where} exceeds maxPositionQty`);
    if (submitting !== e.clientOrderId) stats.restingFills++;
    if (!grows) return;
    const notional = abs(instrument.notionalRaw(e.lastPx.raw, pos));
    if (notional > notionalLimitRaw) problems.push(`P2 ${where}: notional ${notional} > ${notionalLimitRaw}`);
    if (submitting === e.clientOrderId) {
      let gross = notional;
      for (const p of portfolio.allPositions()) if (p.instrument.id !== e.instrumentId) gross += abs(p.marketValueRaw());
      if (gross > grossLimitRaw) problems.push(`P3 ${where}: gross ${gross} > ${grossLimitRaw}`);
    }
  });

  const mids = SHAPE.map((s): number => s.startTicks);
  const spreads = [1, 1, 1];
  const quote = (i: number) => {
    const instrument: Instrument = INSTRUMENTS[i]!;
    const t = instrument.tickSize.raw;
    const p = instrument.pricePrecision;
    h.quote(h.clock.now(), fmt((mids[i]! - spreads[i]!) * t, p), fmt((mids[i]! + spreads[i]!) * t, p), instrument);
  };
  INSTRUMENTS.forEach((_, i) => quote(i));

  for (const s of steps) {
    if (s.kind === 'quote') {
      const shape = SHAPE[s.inst]!;
      mids[s.inst] = Math.max(shape.minTicks, mids[s.inst]! + Math.round((s.move / 100) * shape.maxMove));
      spreads[s.inst] = s.spread;
      h.advanceTo(h.clock.now() + 100);
      quote(s.inst);
    } else if (s.kind === 'time') {
      h.advanceTo(h.clock.now() + s.ms);
    } else if (s.kind === 'cancel') {
      const working = h.engine.execution.workingOrders();
      if (working.length > 0) h.engine.run(() => h.engine.execution.cancel(working[s.pick % working.length]!.clientOrderId));
    } else {
      const instrument: Instrument = INSTRUMENTS[s.inst]!;
      const stepRaw = instrument.sizeStep.raw;
      const qtyRaw = Math.max(instrument.minSize.raw, Math.ceil((s.sizePct / 100) * (maxQtyRaw.get(instrument.id)! / stepRaw)) * stepRaw);
      const t = instrument.tickSize.raw;
      const buy = s.side === 'BUY';
      const touchTicks = buy ? mids[s.inst]! + spreads[s.inst]! : mids[s.inst]! - spreads[s.inst]!;
      // Passive: behind the touch on the order's own side of the book (a buy below the bid).
      const ownSide = buy ? mids[s.inst]! - spreads[s.inst]! : mids[s.inst]! + spreads[s.inst]!;
      const priceTicks = s.behind === 0 ? touchTicks : buy ? ownSide - s.behind : ownSide + s.behind;
      const request = h.request(instrument, s.side, fmt(qtyRaw, instrument.sizePrecision), {
        type: s.type,
        price: s.type === 'LIMIT' ? fmt(priceTicks * t, instrument.pricePrecision) : undefined,
        tif: s.tif,
        reduceOnly: s.reduceOnly,
      });
      submitting = `${s.strategy}-${++seq}`;
      const result = h.engine.run(() => h.engine.execution.submit(s.strategy, { ...request, clientOrderId: submitting }));
      submitting = undefined;
      if (!result.ok) problems.push(`submit refused: ${result.reason}`);
    }
  }
  expect(problems).toEqual([]);
}

describe('risk limits under random order flow', () => {
  afterAll(() => {
    // The scripts must actually reach the limits, or the property proves nothing.
    expect(stats.runs).toBeGreaterThanOrEqual(NUM_RUNS);
    expect(stats.fills).toBeGreaterThan(1000);
    expect(stats.restingFills).toBeGreaterThan(50);
    for (const reason of ['MAX_POSITION_QTY', 'MAX_POSITION_NOTIONAL', 'MAX_GROSS_EXPOSURE']) expect(stats.denials[reason] ?? 0, reason).toBeGreaterThan(20);
  });

  it('never lets a fill exceed maxPositionQty, maxPositionNotional or maxGrossExposure', () => {
    fc.assert(
      fc.property(limitsArb, fc.array(step, { minLength: 20, maxLength: 150, size: 'max' }), (lim, steps) => runScenario(lim, steps)),
      { numRuns: NUM_RUNS },
    );
  });
});

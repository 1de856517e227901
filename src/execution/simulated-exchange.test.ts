/**
 * SimulatedExchange matching, driven through the real TradingEngine + SimulatedClock with
 * hand-made quotes and bars. Every price, quantity, fee and status sequence is asserted exactly.
 *
 * Fees (ACME): maker 0.0002, taker 0.001 of notional, rounded once to the cent, half away from zero.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { SimulatedClock } from '../core/clock.js';
import { Price } from '../core/price.js';
import { Quantity } from '../core/quantity.js';
import type { OrderType, TimeInForce } from '../model/enums.js';
import type { OrderEventType } from '../model/order-events.js';
import { Order, type OrderRequest } from '../model/order.js';
import { fixedLatency, fixedTickSlippage, participationFillModel } from './models.js';
import type { VenueEvent } from './ports.js';
import { SimulatedExchange } from './simulated-exchange.js';
import { ACME, Harness, type HarnessOptions, MIDNIGHT, MINUTE, T0, XBT, px, qty, usd } from './test-fixtures.js';

let harnesses: Harness[] = [];
function harness(opts: HarnessOptions = {}): Harness {
  const h = new Harness(opts);
  harnesses.push(h);
  return h;
}
afterEach(() => {
  // Whatever a test did, no order may reach two terminal states or change after one.
  for (const h of harnesses) h.checkInvariants();
  harnesses = [];
});

const buy = (type: OrderType, tif: TimeInForce, extra: Partial<OrderRequest> = {}): OrderRequest => ({
  instrumentId: 'ACME',
  side: 'BUY',
  type,
  quantity: qty(10),
  timeInForce: tif,
  ...extra,
});

type Fill = [qty: string, px: string, liquidity: string, fee: string];

describe('order type × time in force on quotes', () => {
  // Opening touch: bid 100.00 / ask 100.02 with 6 shown on each side; the fill model takes at most
  // what is shown (participation 1), so a 10-share order that can trade now fills 6 at once.
  const OPEN = { bid: '100.00', ask: '100.02', bidSize: 6, askSize: 6 };
  const marketable: Record<OrderType, Partial<OrderRequest>> = {
    MARKET: {},
    LIMIT: { price: px('100.05') },
    // The touch (ask 100.02) reaches the trigger exactly: a stop triggers on equality.
    STOP_MARKET: { triggerPrice: px('100.02') },
    STOP_LIMIT: { triggerPrice: px('100.02'), price: px('100.05') },
  };
  const isStop = (t: OrderType) => t === 'STOP_MARKET' || t === 'STOP_LIMIT';
  // 6 @ 100.02 taker: 600.12 × 0.001 = 0.60012 -> 0.60
  const FIRST: Fill = ['6', '100.02', 'TAKER', '0.60'];

  describe.each(Object.keys(marketable) as OrderType[])('%s, tradable on arrival', (type) => {
    const head: OrderEventType[] = isStop(type) ? ['OrderSubmitted', 'OrderAccepted', 'OrderTriggered'] : ['OrderSubmitted', 'OrderAccepted'];

    it('GTC takes the shown size at the touch and fills the rest on a later quote', () => {
      const h = harness({ fillModel: participationFillModel(1) });
      h.quote(T0, OPEN);
      const id = h.id(h.submit(buy(type, 'GTC', marketable[type])));
      expect(h.typesFor(id)).toEqual([...head, 'OrderFilled']);
      expect(h.fillSummary(id)).toEqual([FIRST]);
      expect(h.status(id)).toBe('PARTIALLY_FILLED');

      h.quote(T0 + MINUTE, { bid: '100.01', ask: '100.03', bidSize: 10, askSize: 10 });
      // Market-like orders take the new touch: 4 @ 100.03 taker: 400.12 × 0.001 = 0.40012 -> 0.40.
      // A limit that has rested is the maker at its own price: 4 @ 100.05: 400.20 × 0.0002 = 0.08004 -> 0.08.
      const second: Fill = type === 'MARKET' || type === 'STOP_MARKET' ? ['4', '100.03', 'TAKER', '0.40'] : ['4', '100.05', 'MAKER', '0.08'];
      expect(h.fillSummary(id)).toEqual([FIRST, second]);
      expect(h.typesFor(id)).toEqual([...head, 'OrderFilled', 'OrderFilled']);
      expect(h.status(id)).toBe('FILLED');
      expect(h.filled(id)).toBe('10');
      expect(h.net()).toBe('10');
      // A GTC order never expires at the end of the day.
      h.advanceTo(MIDNIGHT + 1);
      expect(h.status(id)).toBe('FILLED');
    });

    it('IOC fills what is shown and cancels the remainder at once', () => {
      const h = harness({ fillModel: participationFillModel(1) });
      h.quote(T0, OPEN);
      const id = h.id(h.submit(buy(type, 'IOC', marketable[type])));
      expect(h.typesFor(id)).toEqual([...head, 'OrderFilled', 'OrderCanceled']);
      expect(h.fillSummary(id)).toEqual([FIRST]);
      expect(h.status(id)).toBe('CANCELED');
      expect(h.filled(id)).toBe('6');
      expect(h.exchange.workingOrders()).toEqual([]);
      // Later liquidity no longer reaches it.
      h.quote(T0 + MINUTE, { bid: '100.01', ask: '100.02', bidSize: 100, askSize: 100 });
      expect(h.filled(id)).toBe('6');
    });

    it('FOK is canceled without any fill when the shown size cannot fill it in full', () => {
      const h = harness({ fillModel: participationFillModel(1) });
      h.quote(T0, OPEN);
      const id = h.id(h.submit(buy(type, 'FOK', marketable[type])));
      expect(h.typesFor(id)).toEqual([...head, 'OrderCanceled']);
      expect(h.fillsFor(id)).toEqual([]);
      expect(h.status(id)).toBe('CANCELED');
      expect(h.net()).toBe('0');
      h.quote(T0 + MINUTE, { bid: '100.01', ask: '100.02', bidSize: 100, askSize: 100 });
      expect(h.filled(id)).toBe('0');
    });

    it('FOK fills in full, in one fill, when the shown size suffices', () => {
      const h = harness({ fillModel: participationFillModel(1) });
      h.quote(T0, { ...OPEN, askSize: 10 });
      const id = h.id(h.submit(buy(type, 'FOK', marketable[type])));
      expect(h.typesFor(id)).toEqual([...head, 'OrderFilled']);
      // 10 @ 100.02 taker: 1000.20 × 0.001 = 1.0002 -> 1.00
      expect(h.fillSummary(id)).toEqual([['10', '100.02', 'TAKER', '1.00']]);
      expect(h.status(id)).toBe('FILLED');
    });

    it('DAY fills what is shown and expires with the remainder at the end of the UTC day', () => {
      const h = harness({ fillModel: participationFillModel(1) });
      h.quote(T0, OPEN);
      const id = h.id(h.submit(buy(type, 'DAY', marketable[type])));
      expect(h.execution.status(id)!.expireAt).toBe(MIDNIGHT);
      expect(h.typesFor(id)).toEqual([...head, 'OrderFilled']);
      h.advanceTo(MIDNIGHT - 1);
      expect(h.status(id)).toBe('PARTIALLY_FILLED');
      h.advanceTo(MIDNIGHT);
      expect(h.typesFor(id)).toEqual([...head, 'OrderFilled', 'OrderExpired']);
      expect(h.eventsFor(id).at(-1)!.ts).toBe(MIDNIGHT);
      expect(h.status(id)).toBe('EXPIRED');
      expect(h.filled(id)).toBe('6');
      expect(h.exchange.workingOrders()).toEqual([]);
    });
  });

  // Orders that cannot trade on arrival (ask 100.02): a limit below the ask, stops above it.
  const resting: Record<Exclude<OrderType, 'MARKET'>, { request: Partial<OrderRequest>; reach: { bid: string; ask: string } }> = {
    LIMIT: { request: { price: px('99.50') }, reach: { bid: '99.30', ask: '99.40' } },
    STOP_MARKET: { request: { triggerPrice: px('100.50') }, reach: { bid: '100.48', ask: '100.50' } },
    STOP_LIMIT: { request: { triggerPrice: px('100.50'), price: px('100.60') }, reach: { bid: '100.53', ask: '100.55' } },
  };
  const RESTING_TYPES = Object.keys(resting) as Array<keyof typeof resting>;

  it.each(RESTING_TYPES)('GTC %s rests, then fills in full when the touch reaches it', (type) => {
    const h = harness({ fillModel: participationFillModel(1) });
    h.quote(T0, OPEN);
    const id = h.id(h.submit(buy(type, 'GTC', resting[type].request)));
    expect(h.typesFor(id)).toEqual(['OrderSubmitted', 'OrderAccepted']);
    // One tick short of the stop does not trigger it.
    h.quote(T0 + MINUTE, { bid: '100.47', ask: '100.49', askSize: 20 });
    expect(h.status(id)).toBe('ACCEPTED');
    h.quote(T0 + 2 * MINUTE, { ...resting[type].reach, askSize: 20 });
    const expected: Record<typeof type, { types: OrderEventType[]; fill: Fill }> = {
      // Resting limit: maker at its price. 10 @ 99.50: 995.00 × 0.0002 = 0.199 -> 0.20
      LIMIT: { types: ['OrderFilled'], fill: ['10', '99.50', 'MAKER', '0.20'] },
      // Stop triggered at the touch, taker. 10 @ 100.50: 1005.00 × 0.001 = 1.005 -> 1.01 (half away from zero)
      STOP_MARKET: { types: ['OrderTriggered', 'OrderFilled'], fill: ['10', '100.50', 'TAKER', '1.01'] },
      // The stop-limit becomes a limit at 100.60, marketable against ask 100.55: taker at the touch.
      // 10 @ 100.55: 1005.50 × 0.001 = 1.0055 -> 1.01
      STOP_LIMIT: { types: ['OrderTriggered', 'OrderFilled'], fill: ['10', '100.55', 'TAKER', '1.01'] },
    };
    expect(h.typesFor(id)).toEqual(['OrderSubmitted', 'OrderAccepted', ...expected[type].types]);
    expect(h.fillSummary(id)).toEqual([expected[type].fill]);
    expect(h.status(id)).toBe('FILLED');
  });

  it('IOC LIMIT that cannot trade on arrival is canceled at once', () => {
    const h = harness();
    h.quote(T0, OPEN);
    const id = h.id(h.submit(buy('LIMIT', 'IOC', resting.LIMIT.request)));
    expect(h.typesFor(id)).toEqual(['OrderSubmitted', 'OrderAccepted', 'OrderCanceled']);
    h.quote(T0 + MINUTE, resting.LIMIT.reach);
    expect(h.fillsFor(id)).toEqual([]);
  });

  it('FOK LIMIT that cannot trade on arrival is canceled at once, not left resting', () => {
    const h = harness();
    h.quote(T0, OPEN);
    const id = h.id(h.submit(buy('LIMIT', 'FOK', resting.LIMIT.request)));
    expect(h.typesFor(id)).toEqual(['OrderSubmitted', 'OrderAccepted', 'OrderCanceled']);
    expect(h.exchange.workingOrders()).toEqual([]);
    h.quote(T0 + MINUTE, resting.LIMIT.reach);
    expect(h.fillsFor(id)).toEqual([]);
    expect(h.status(id)).toBe('CANCELED');
  });

  it.each(['STOP_MARKET', 'STOP_LIMIT'] as const)('IOC %s waits for its trigger, then fills what is shown and cancels the rest', (type) => {
    const h = harness({ fillModel: participationFillModel(1) });
    h.quote(T0, OPEN);
    const id = h.id(h.submit(buy(type, 'IOC', resting[type].request)));
    expect(h.typesFor(id)).toEqual(['OrderSubmitted', 'OrderAccepted']);
    h.quote(T0 + MINUTE, { ...resting[type].reach, askSize: 6 });
    expect(h.typesFor(id)).toEqual(['OrderSubmitted', 'OrderAccepted', 'OrderTriggered', 'OrderFilled', 'OrderCanceled']);
    const ask = resting[type].reach.ask;
    // 6 @ 100.50: 603.00 × 0.001 = 0.603 -> 0.60; 6 @ 100.55: 603.30 × 0.001 = 0.6033 -> 0.60
    expect(h.fillSummary(id)).toEqual([['6', ask, 'TAKER', '0.60']]);
    expect(h.filled(id)).toBe('6');
  });

  it.each(['STOP_MARKET', 'STOP_LIMIT'] as const)('FOK %s waits for its trigger, then is canceled unfilled when the shown size is short', (type) => {
    const h = harness({ fillModel: participationFillModel(1) });
    h.quote(T0, OPEN);
    const id = h.id(h.submit(buy(type, 'FOK', resting[type].request)));
    h.quote(T0 + MINUTE, { ...resting[type].reach, askSize: 6 });
    expect(h.typesFor(id)).toEqual(['OrderSubmitted', 'OrderAccepted', 'OrderTriggered', 'OrderCanceled']);
    expect(h.fillsFor(id)).toEqual([]);
    expect(h.net()).toBe('0');
  });

  it('FOK STOP_LIMIT whose limit is not marketable once triggered is canceled', () => {
    const h = harness();
    h.quote(T0, OPEN);
    const id = h.id(h.submit(buy('STOP_LIMIT', 'FOK', resting.STOP_LIMIT.request)));
    // Ask jumps through the trigger (100.50) and past the limit (100.60).
    h.quote(T0 + MINUTE, { bid: '100.68', ask: '100.70' });
    expect(h.typesFor(id)).toEqual(['OrderSubmitted', 'OrderAccepted', 'OrderTriggered', 'OrderCanceled']);
  });

  it('IOC STOP_LIMIT whose limit is not marketable once triggered is canceled', () => {
    const h = harness();
    h.quote(T0, OPEN);
    const id = h.id(h.submit(buy('STOP_LIMIT', 'IOC', resting.STOP_LIMIT.request)));
    h.quote(T0 + MINUTE, { bid: '100.68', ask: '100.70' });
    expect(h.typesFor(id)).toEqual(['OrderSubmitted', 'OrderAccepted', 'OrderTriggered', 'OrderCanceled']);
  });

  it.each(RESTING_TYPES)('DAY %s that never trades expires exactly at the end of the UTC day', (type) => {
    const h = harness();
    h.quote(T0, OPEN);
    const id = h.id(h.submit(buy(type, 'DAY', resting[type].request)));
    h.advanceTo(MIDNIGHT - 1);
    expect(h.status(id)).toBe('ACCEPTED');
    h.advanceTo(MIDNIGHT + 5 * MINUTE);
    expect(h.typesFor(id)).toEqual(['OrderSubmitted', 'OrderAccepted', 'OrderExpired']);
    expect(h.eventsFor(id).at(-1)!.ts).toBe(MIDNIGHT);
    expect(h.exchange.workingOrders()).toEqual([]);
    // A quote of the next day that would have filled it does nothing.
    h.quote(MIDNIGHT + 10 * MINUTE, resting[type].reach);
    expect(h.fillsFor(id)).toEqual([]);
  });

  it('triggered STOP_LIMIT whose limit is passed rests as a limit and later fills as maker at its price', () => {
    const h = harness();
    h.quote(T0, OPEN);
    const id = h.id(h.submit(buy('STOP_LIMIT', 'GTC', resting.STOP_LIMIT.request)));
    h.quote(T0 + MINUTE, { bid: '100.68', ask: '100.70' });
    expect(h.status(id)).toBe('TRIGGERED');
    expect(h.fillsFor(id)).toEqual([]);
    h.quote(T0 + 2 * MINUTE, { bid: '100.56', ask: '100.58' });
    // 10 @ 100.60 maker: 1006.00 × 0.0002 = 0.2012 -> 0.20
    expect(h.fillSummary(id)).toEqual([['10', '100.60', 'MAKER', '0.20']]);
    expect(h.typesFor(id)).toEqual(['OrderSubmitted', 'OrderAccepted', 'OrderTriggered', 'OrderFilled']);
  });

  it('sell stop triggers when the bid falls to it and sells at the bid', () => {
    const h = harness();
    h.quote(T0, { bid: '100.00', ask: '100.02' });
    const id = h.id(h.submit({ instrumentId: 'ACME', side: 'SELL', type: 'STOP_MARKET', quantity: qty(5), triggerPrice: px('99.00') }));
    h.quote(T0 + MINUTE, { bid: '99.01', ask: '99.03' });
    expect(h.status(id)).toBe('ACCEPTED');
    h.quote(T0 + 2 * MINUTE, { bid: '98.97', ask: '99.00' });
    // 5 @ 98.97 taker: 494.85 × 0.001 = 0.49485 -> 0.49
    expect(h.fillSummary(id)).toEqual([['5', '98.97', 'TAKER', '0.49']]);
    expect(h.net()).toBe('-5');
  });

  it('resting sell limit fills as maker at its price when the bid rises to it', () => {
    const h = harness();
    h.quote(T0, { bid: '100.00', ask: '100.02' });
    const id = h.id(h.submit({ instrumentId: 'ACME', side: 'SELL', type: 'LIMIT', quantity: qty(5), price: px('100.10') }));
    h.quote(T0 + MINUTE, { bid: '100.09', ask: '100.11' });
    expect(h.status(id)).toBe('ACCEPTED');
    h.quote(T0 + 2 * MINUTE, { bid: '100.10', ask: '100.12' });
    // 5 @ 100.10 maker: 500.50 × 0.0002 = 0.1001 -> 0.10
    expect(h.fillSummary(id)).toEqual([['5', '100.10', 'MAKER', '0.10']]);
  });

  it('a market order sent before any quote waits for the first one', () => {
    const h = harness();
    const id = h.id(h.submit(buy('MARKET', 'GTC')));
    expect(h.typesFor(id)).toEqual(['OrderSubmitted', 'OrderAccepted']);
    h.quote(T0 + MINUTE, { bid: '100.00', ask: '100.02' });
    expect(h.fillSummary(id)).toEqual([['10', '100.02', 'TAKER', '1.00']]);
  });

  it('a DAY order with an explicit expireAt expires then, not at midnight', () => {
    const h = harness();
    h.quote(T0, OPEN);
    const expireAt = T0 + 30 * MINUTE;
    const id = h.id(h.submit(buy('LIMIT', 'DAY', { price: px('99.50'), expireAt })));
    expect(h.execution.status(id)!.expireAt).toBe(expireAt);
    h.advanceTo(expireAt - 1);
    expect(h.status(id)).toBe('ACCEPTED');
    h.advanceTo(expireAt + MINUTE);
    expect(h.typesFor(id)).toEqual(['OrderSubmitted', 'OrderAccepted', 'OrderExpired']);
    expect(h.eventsFor(id).at(-1)!.ts).toBe(expireAt);
  });

  it('a DAY order sent late in the day expires at that same midnight', () => {
    const h = harness({ start: MIDNIGHT - 60 * MINUTE });
    h.quote(MIDNIGHT - 60 * MINUTE, OPEN);
    const id = h.id(h.submit(buy('LIMIT', 'DAY', { price: px('99.50') })));
    h.advanceTo(MIDNIGHT + MINUTE);
    expect(h.status(id)).toBe('EXPIRED');
    expect(h.eventsFor(id).at(-1)!.ts).toBe(MIDNIGHT);
  });

  it('a DAY order filled or canceled before midnight does not expire afterwards', () => {
    const h = harness();
    h.quote(T0, OPEN);
    const filled = h.id(h.submit(buy('MARKET', 'DAY')));
    const canceled = h.id(h.submit(buy('LIMIT', 'DAY', { price: px('99.00') })));
    h.cancel(canceled);
    h.advanceTo(MIDNIGHT + MINUTE);
    expect(h.typesFor(filled)).toEqual(['OrderSubmitted', 'OrderAccepted', 'OrderFilled']);
    expect(h.typesFor(canceled)).toEqual(['OrderSubmitted', 'OrderAccepted', 'OrderPendingCancel', 'OrderCanceled']);
  });
});

describe('bars: no look-ahead', () => {
  const B1 = { open: '99.80', high: '100.20', low: '99.60', close: '100.00' };

  it('an order sent on a bar fills at the next bar\'s open, not at the close it was decided on', () => {
    const h = harness();
    h.bar(T0, B1);
    const id = h.id(h.submit(buy('MARKET', 'GTC')));
    expect(h.typesFor(id)).toEqual(['OrderSubmitted', 'OrderAccepted']);
    h.bar(T0 + MINUTE, { open: '100.50', high: '101.00', low: '100.40', close: '100.90' });
    // 10 @ 100.50 taker: 1005.00 × 0.001 = 1.005 -> 1.01
    expect(h.fillSummary(id)).toEqual([['10', '100.50', 'TAKER', '1.01']]);
    expect(h.fillsFor(id)[0]!.ts).toBe(T0 + MINUTE);
  });

  it('a buy limit fills at its price (maker) when the next bar\'s range reaches it', () => {
    const h = harness();
    h.bar(T0, B1);
    const id = h.id(h.submit(buy('LIMIT', 'GTC', { price: px('99.00') })));
    h.bar(T0 + MINUTE, { open: '100.00', high: '100.10', low: '99.01', close: '99.50' });
    expect(h.fillsFor(id)).toEqual([]);
    h.bar(T0 + 2 * MINUTE, { open: '99.50', high: '99.60', low: '98.50', close: '99.20' });
    // 10 @ 99.00 maker: 990.00 × 0.0002 = 0.198 -> 0.20
    expect(h.fillSummary(id)).toEqual([['10', '99.00', 'MAKER', '0.20']]);
  });

  it('a buy limit fills at the open when the next bar gaps through it', () => {
    const h = harness();
    h.bar(T0, B1);
    const id = h.id(h.submit(buy('LIMIT', 'GTC', { price: px('99.00') })));
    h.bar(T0 + MINUTE, { open: '98.00', high: '98.80', low: '97.50', close: '98.50' });
    // 10 @ 98.00 taker: 980.00 × 0.001 = 0.98
    expect(h.fillSummary(id)).toEqual([['10', '98.00', 'TAKER', '0.98']]);
  });

  it('a sell limit fills at its price when the range reaches it, at the open on a gap', () => {
    const h = harness();
    h.bar(T0, B1);
    const inRange = h.id(h.submit({ instrumentId: 'ACME', side: 'SELL', type: 'LIMIT', quantity: qty(2), price: px('100.50') }));
    const gapped = h.id(h.submit({ instrumentId: 'ACME', side: 'SELL', type: 'LIMIT', quantity: qty(2), price: px('99.90') }));
    h.bar(T0 + MINUTE, { open: '100.00', high: '100.60', low: '99.95', close: '100.10' });
    // 2 @ 100.50 maker: 201.00 × 0.0002 = 0.0402 -> 0.04; 2 @ 100.00 taker: 200.00 × 0.001 = 0.20
    expect(h.fillSummary(inRange)).toEqual([['2', '100.50', 'MAKER', '0.04']]);
    expect(h.fillSummary(gapped)).toEqual([['2', '100.00', 'TAKER', '0.20']]);
  });

  it('a buy stop triggers inside the bar and fills at its trigger', () => {
    const h = harness();
    h.bar(T0, B1);
    const id = h.id(h.submit(buy('STOP_MARKET', 'GTC', { triggerPrice: px('101.00') })));
    h.bar(T0 + MINUTE, { open: '100.00', high: '100.99', low: '99.90', close: '100.50' });
    expect(h.status(id)).toBe('ACCEPTED');
    h.bar(T0 + 2 * MINUTE, { open: '100.50', high: '102.00', low: '100.40', close: '101.50' });
    expect(h.typesFor(id)).toEqual(['OrderSubmitted', 'OrderAccepted', 'OrderTriggered', 'OrderFilled']);
    // 10 @ 101.00 taker: 1010.00 × 0.001 = 1.01
    expect(h.fillSummary(id)).toEqual([['10', '101.00', 'TAKER', '1.01']]);
  });

  it('a buy stop gapped over fills at the open', () => {
    const h = harness();
    h.bar(T0, B1);
    const id = h.id(h.submit(buy('STOP_MARKET', 'GTC', { triggerPrice: px('101.00') })));
    h.bar(T0 + MINUTE, { open: '102.00', high: '102.50', low: '101.80', close: '102.20' });
    // 10 @ 102.00 taker: 1020.00 × 0.001 = 1.02
    expect(h.fillSummary(id)).toEqual([['10', '102.00', 'TAKER', '1.02']]);
  });

  it('a sell stop triggers inside the bar at its trigger and at the open on a gap down', () => {
    const h = harness();
    h.bar(T0, B1);
    const inside = h.id(h.submit({ instrumentId: 'ACME', side: 'SELL', type: 'STOP_MARKET', quantity: qty(3), triggerPrice: px('99.00') }));
    h.bar(T0 + MINUTE, { open: '99.50', high: '99.70', low: '98.00', close: '98.40' });
    // 3 @ 99.00 taker: 297.00 × 0.001 = 0.297 -> 0.30
    expect(h.fillSummary(inside)).toEqual([['3', '99.00', 'TAKER', '0.30']]);
    const gap = h.id(h.submit({ instrumentId: 'ACME', side: 'SELL', type: 'STOP_MARKET', quantity: qty(3), triggerPrice: px('98.00') }));
    h.bar(T0 + 2 * MINUTE, { open: '97.50', high: '97.90', low: '97.00', close: '97.20' });
    // 3 @ 97.50 taker: 292.50 × 0.001 = 0.2925 -> 0.29
    expect(h.fillSummary(gap)).toEqual([['3', '97.50', 'TAKER', '0.29']]);
  });

  it('a stop-limit triggered inside the bar fills from its trigger; one gapped past its limit rests until a later bar reaches the limit', () => {
    const h = harness();
    h.bar(T0, B1);
    const inside = h.id(h.submit(buy('STOP_LIMIT', 'GTC', { triggerPrice: px('101.00'), price: px('101.20') })));
    // Opens 100.40 (below the trigger), trades up to 101.50.
    h.bar(T0 + MINUTE, { open: '100.40', high: '101.50', low: '100.30', close: '101.40' });
    // Triggered at 101.00, where the 101.20 limit is marketable: 10 @ 101.00 taker: 1010.00 × 0.001 = 1.01
    expect(h.typesFor(inside)).toEqual(['OrderSubmitted', 'OrderAccepted', 'OrderTriggered', 'OrderFilled']);
    expect(h.fillSummary(inside)).toEqual([['10', '101.00', 'TAKER', '1.01']]);

    const late = h.id(h.submit(buy('STOP_LIMIT', 'GTC', { triggerPrice: px('102.00'), price: px('102.10') })));
    // Gaps to 103.00 and never comes back to 102.10: triggered, not filled.
    h.bar(T0 + 2 * MINUTE, { open: '103.00', high: '103.50', low: '102.20', close: '103.20' });
    expect(h.status(late)).toBe('TRIGGERED');
    expect(h.fillsFor(late)).toEqual([]);
    h.bar(T0 + 3 * MINUTE, { open: '102.80', high: '103.00', low: '102.00', close: '102.40' });
    // 10 @ 102.10 maker: 1021.00 × 0.0002 = 0.2042 -> 0.20
    expect(h.fillSummary(late)).toEqual([['10', '102.10', 'MAKER', '0.20']]);
  });

  it('stops are matched before limits in the same bar, whatever their submission order', () => {
    // Bar volume 10 and participation 1: whoever is matched first takes the whole bar.
    const h = harness({ fillModel: participationFillModel(1) });
    h.bar(T0, { ...B1, volume: 100 });
    const limit = h.id(h.submit(buy('LIMIT', 'GTC', { price: px('99.50') })));
    const stop = h.id(h.submit(buy('STOP_MARKET', 'GTC', { triggerPrice: px('100.50') })));
    h.bar(T0 + MINUTE, { open: '100.00', high: '101.00', low: '99.00', close: '100.20', volume: 10 });
    // 10 @ 100.50 taker: 1005.00 × 0.001 = 1.005 -> 1.01
    expect(h.fillSummary(stop)).toEqual([['10', '100.50', 'TAKER', '1.01']]);
    expect(h.fillsFor(limit)).toEqual([]);
    expect(h.status(limit)).toBe('ACCEPTED');
  });

  it('bar volume bounds fills through the participation model; the rest fills at later opens', () => {
    const h = harness({ fillModel: participationFillModel(0.5) });
    h.bar(T0, { ...B1, volume: 100 });
    const id = h.id(h.submit(buy('MARKET', 'GTC')));
    h.bar(T0 + MINUTE, { open: '100.10', high: '100.30', low: '100.00', close: '100.20', volume: 9 });
    // floor(9 × 0.5) = 4 @ 100.10: 400.40 × 0.001 = 0.4004 -> 0.40
    expect(h.fillSummary(id)).toEqual([['4', '100.10', 'TAKER', '0.40']]);
    expect(h.status(id)).toBe('PARTIALLY_FILLED');
    h.bar(T0 + 2 * MINUTE, { open: '100.30', high: '100.40', low: '100.20', close: '100.25', volume: 1000 });
    // the remaining 6 @ 100.30: 601.80 × 0.001 = 0.6018 -> 0.60
    expect(h.fillSummary(id)).toEqual([
      ['4', '100.10', 'TAKER', '0.40'],
      ['6', '100.30', 'TAKER', '0.60'],
    ]);
    expect(h.status(id)).toBe('FILLED');
    expect(h.execution.status(id)!.avgPx!.toString()).toBe('100.22'); // (400.40 + 601.80) / 10 = 100.22
  });

  it('an IOC limit sent on a bar gets the next bar as its only chance', () => {
    const h = harness();
    h.bar(T0, B1);
    const id = h.id(h.submit(buy('LIMIT', 'IOC', { price: px('99.00') })));
    expect(h.status(id)).toBe('ACCEPTED');
    h.bar(T0 + MINUTE, { open: '100.00', high: '100.10', low: '99.50', close: '99.60' });
    expect(h.typesFor(id)).toEqual(['OrderSubmitted', 'OrderAccepted', 'OrderCanceled']);
    h.bar(T0 + 2 * MINUTE, { open: '98.00', high: '98.10', low: '97.00', close: '97.50' });
    expect(h.fillsFor(id)).toEqual([]);
  });
});

describe('options', () => {
  it('refuses a leverage that is not a finite number of at least 0.001', () => {
    for (const leverage of [NaN, 0, -2, Infinity, 0.0004]) {
      expect(() => new SimulatedExchange({ clock: new SimulatedClock(T0), instruments: [ACME], startingCash: usd('1000'), leverage })).toThrow(`leverage ${leverage} is not a finite number of at least 0.001`);
    }
  });
});

describe('trade-only data', () => {
  it('each trade stands in for both sides of the book, and works the resting orders', () => {
    const h = new Harness();
    h.trade(T0, '100.00');
    const limit = h.id(h.submit({ instrumentId: 'ACME', side: 'BUY', type: 'LIMIT', quantity: qty(10), price: px('95.00') }));
    h.trade(T0 + 1000, '96.00');
    expect(h.status(limit)).toBe('ACCEPTED');
    h.trade(T0 + 2000, '94.00');
    expect(h.fillSummary(limit).map(([q, p]) => [q, p])).toEqual([['10', '95.00']]); // a resting limit fills at its price
    const market = h.id(h.submit({ instrumentId: 'ACME', side: 'BUY', type: 'MARKET', quantity: qty(1) }));
    expect(h.fillSummary(market)[0]![1]).toBe('94.00');
  });

  it('once quotes arrive, trades no longer move the touch', () => {
    const h = new Harness();
    h.trade(T0, '100.00');
    h.quote(T0 + 1000, { bid: '99.00', ask: '101.00' });
    h.trade(T0 + 2000, '90.00');
    const market = h.id(h.submit({ instrumentId: 'ACME', side: 'BUY', type: 'MARKET', quantity: qty(1) }));
    expect(h.fillSummary(market)[0]![1]).toBe('101.00');
  });
});

describe('partial fills on quotes', () => {
  it('participation 0.5 fills half the shown size each quote until the order is done', () => {
    const h = harness({ fillModel: participationFillModel(0.5) });
    h.quote(T0, { bid: '100.00', ask: '100.02', askSize: 8 });
    const id = h.id(h.submit(buy('MARKET', 'GTC')));
    h.quote(T0 + 1000, { bid: '100.01', ask: '100.03', askSize: 5 });
    h.quote(T0 + 2000, { bid: '100.03', ask: '100.05', askSize: 100 });
    expect(h.fillSummary(id)).toEqual([
      // floor(8 × 0.5) = 4 @ 100.02: 400.08 × 0.001 = 0.40008 -> 0.40
      ['4', '100.02', 'TAKER', '0.40'],
      // floor(5 × 0.5) = 2 @ 100.03: 200.06 × 0.001 = 0.20006 -> 0.20
      ['2', '100.03', 'TAKER', '0.20'],
      // the remaining 4 @ 100.05: 400.20 × 0.001 = 0.4002 -> 0.40
      ['4', '100.05', 'TAKER', '0.40'],
    ]);
    expect(h.typesFor(id)).toEqual(['OrderSubmitted', 'OrderAccepted', 'OrderFilled', 'OrderFilled', 'OrderFilled']);
    const order = h.execution.status(id)!;
    expect(order.status).toBe('FILLED');
    // (400.08 + 200.06 + 400.20) / 10 = 100.034 -> 100.03
    expect(order.avgPx!.toString()).toBe('100.03');
    expect(order.feesRaw).toBe(100n); // 0.40 + 0.20 + 0.40 = 1.00 USD
  });

  it('participation caps all orders at one quote together, resting ones and new arrivals alike, and a new quote renews it', () => {
    const h = harness({ fillModel: participationFillModel(0.5) });
    h.quote(T0, { bid: '100.00', ask: '100.02' });
    const a = h.id(h.submit(buy('LIMIT', 'GTC', { price: px('99.50') })));
    const b = h.id(h.submit(buy('LIMIT', 'GTC', { price: px('99.50') })));
    // 10 shown: the two resting buys share floor(10 × 0.5) = 5, by time priority.
    h.quote(T0 + 1000, { bid: '99.30', ask: '99.40', askSize: 10 });
    expect([h.filled(a), h.filled(b)]).toEqual(['5', '0']);
    // An order arriving at the same quote finds nothing left of the 5.
    const c = h.id(h.submit(buy('MARKET', 'GTC')));
    expect(h.filled(c)).toBe('0');
    // The next quote shows 4: floor(4 × 0.5) = 2 in all, to the market order (matched before limits).
    h.quote(T0 + 2000, { bid: '99.30', ask: '99.40', askSize: 4 });
    expect([h.filled(a), h.filled(b), h.filled(c)]).toEqual(['5', '0', '2']);
  });

  it('participation caps the orders matched against one bar together at its share of the bar volume', () => {
    const h = harness({ fillModel: participationFillModel(0.1) });
    h.bar(T0, { open: '100.00', high: '100.00', low: '100.00', close: '100.00', volume: 100 });
    const a = h.id(h.submit(buy('MARKET', 'GTC')));
    const b = h.id(h.submit(buy('MARKET', 'GTC')));
    h.bar(T0 + MINUTE, { open: '100.00', high: '100.50', low: '99.50', close: '100.20', volume: 150 });
    // floor(150 × 0.1) = 15 for both: 10 to the first, 5 to the second.
    expect([h.filled(a), h.filled(b)]).toEqual(['10', '5']);
  });

  it('a resting limit fills partially as maker at its price, then completes', () => {
    const h = harness({ fillModel: participationFillModel(0.5) });
    h.quote(T0, { bid: '100.00', ask: '100.02' });
    const id = h.id(h.submit(buy('LIMIT', 'GTC', { price: px('99.50') })));
    h.quote(T0 + 1000, { bid: '99.30', ask: '99.40', askSize: 6 });
    expect(h.status(id)).toBe('PARTIALLY_FILLED');
    h.quote(T0 + 2000, { bid: '99.35', ask: '99.45', askSize: 20 });
    // 3 @ 99.50 maker: 298.50 × 0.0002 = 0.0597 -> 0.06; 7 @ 99.50: 696.50 × 0.0002 = 0.1393 -> 0.14
    expect(h.fillSummary(id)).toEqual([
      ['3', '99.50', 'MAKER', '0.06'],
      ['7', '99.50', 'MAKER', '0.14'],
    ]);
    expect(h.status(id)).toBe('FILLED');
  });
});

describe('priority', () => {
  it('resting orders fill by price, then by time, against limited shown size', () => {
    const h = harness({ fillModel: participationFillModel(1) });
    h.quote(T0, { bid: '100.00', ask: '100.02' });
    const a = h.id(h.submit(buy('LIMIT', 'GTC', { price: px('99.50'), clientOrderId: 'A' })));
    const b = h.id(h.submit(buy('LIMIT', 'GTC', { price: px('99.60'), clientOrderId: 'B' })));
    const c = h.id(h.submit(buy('LIMIT', 'GTC', { price: px('99.60'), clientOrderId: 'C' })));
    h.quote(T0 + 1000, { bid: '99.30', ask: '99.40', askSize: 15 });
    // 10 @ 99.60 maker: 996.00 × 0.0002 = 0.1992 -> 0.20; 5 @ 99.60: 498.00 × 0.0002 = 0.0996 -> 0.10
    expect(h.fillSummary(b)).toEqual([['10', '99.60', 'MAKER', '0.20']]);
    expect(h.fillSummary(c)).toEqual([['5', '99.60', 'MAKER', '0.10']]);
    expect(h.fillsFor(a)).toEqual([]);
    const fillOrder = h.events.filter((e) => e.type === 'OrderFilled').map((e) => e.clientOrderId);
    expect(fillOrder).toEqual(['B', 'C']);
  });

  it('an amended order loses its time priority to an equal-priced order sent after it', () => {
    const run = (amend: boolean) => {
      const h = harness({ fillModel: participationFillModel(1) });
      h.quote(T0, { bid: '100.00', ask: '100.02' });
      h.submit(buy('LIMIT', 'GTC', { price: px('99.50'), clientOrderId: 'A' }));
      h.submit(buy('LIMIT', 'GTC', { price: px('99.50'), clientOrderId: 'B' }));
      if (amend) {
        expect(h.modify('A', { quantity: qty(12) })).toBe(true);
        expect(h.typesFor('A')).toEqual(['OrderSubmitted', 'OrderAccepted', 'OrderPendingUpdate', 'OrderUpdated']);
        expect(h.execution.status('A')!.quantity.toString()).toBe('12');
      }
      h.quote(T0 + 1000, { bid: '99.30', ask: '99.40', askSize: 10 });
      return [h.filled('A'), h.filled('B')];
    };
    expect(run(false)).toEqual(['10', '0']);
    expect(run(true)).toEqual(['0', '10']);
  });
});

describe('latency', () => {
  it('with 100 ms latency an order sent at t fills against the quote in force at t+100', () => {
    const h = harness({ latencyModel: fixedLatency(100) });
    h.quote(T0, { bid: '100.00', ask: '100.02' });
    const id = h.id(h.submit(buy('MARKET', 'GTC')));
    expect(h.typesFor(id)).toEqual(['OrderSubmitted']);
    h.quote(T0 + 50, { bid: '100.08', ask: '100.10' });
    expect(h.typesFor(id)).toEqual(['OrderSubmitted']);
    h.quote(T0 + 150, { bid: '100.28', ask: '100.30' });
    // Not 100.02 (the touch at t) nor 100.30 (after arrival): 10 @ 100.10: 1001.00 × 0.001 = 1.001 -> 1.00
    expect(h.fillSummary(id)).toEqual([['10', '100.10', 'TAKER', '1.00']]);
    const [submitted, accepted, fill] = h.eventsFor(id);
    expect([submitted!.ts, accepted!.ts, fill!.ts]).toEqual([T0, T0 + 100, T0 + 100]);
  });

  it('a cancel is delayed too: the order can still fill while the cancel travels', () => {
    const h = harness({ latencyModel: fixedLatency(100) });
    h.quote(T0, { bid: '100.00', ask: '100.02' });
    const id = h.id(h.submit(buy('LIMIT', 'GTC', { price: px('99.50') })));
    h.advanceTo(T0 + 200);
    expect(h.status(id)).toBe('ACCEPTED');
    expect(h.cancel(id)).toBe(true);
    expect(h.status(id)).toBe('PENDING_CANCEL');
    h.quote(T0 + 250, { bid: '99.30', ask: '99.40' });
    // The fill is applied while the cancel is pending (the real-world race)...
    expect(h.status(id)).toBe('FILLED');
    h.advanceTo(T0 + 300);
    // ...and the venue's late answer to the cancel cannot take the order out of FILLED.
    expect(h.venue.raw.filter((e) => e.clientOrderId === id).map((e) => e.type)).toEqual(['OrderAccepted', 'OrderFilled', 'OrderCancelRejected']);
    expect(h.status(id)).toBe('FILLED');
    expect(h.filled(id)).toBe('10');
    expect(h.typesFor(id)).toEqual(['OrderSubmitted', 'OrderAccepted', 'OrderPendingCancel', 'OrderFilled']);
    expect(h.errors.map((e) => [e.clientOrderId, e.from, e.event])).toEqual([[id, 'FILLED', 'OrderCancelRejected']]);
  });
});

describe('slippage and fees', () => {
  it('fixed 2-tick slippage moves market fills against the taker on both sides', () => {
    const h = harness({ slippageModel: fixedTickSlippage(2) });
    h.quote(T0, { bid: '100.00', ask: '100.02' });
    const b = h.id(h.submit(buy('MARKET', 'GTC')));
    const s = h.id(h.submit({ instrumentId: 'ACME', side: 'SELL', type: 'MARKET', quantity: qty(4) }));
    // buy: 100.02 + 0.02 = 100.04; 10 @ 100.04: 1000.40 × 0.001 = 1.0004 -> 1.00
    expect(h.fillSummary(b)).toEqual([['10', '100.04', 'TAKER', '1.00']]);
    // sell: 100.00 − 0.02 = 99.98; 4 @ 99.98: 399.92 × 0.001 = 0.39992 -> 0.40
    expect(h.fillSummary(s)).toEqual([['4', '99.98', 'TAKER', '0.40']]);
  });

  it('slippage applies to triggered stop-markets but never to limits', () => {
    const h = harness({ slippageModel: fixedTickSlippage(2) });
    h.quote(T0, { bid: '100.00', ask: '100.02' });
    const limit = h.id(h.submit(buy('LIMIT', 'GTC', { price: px('100.05') })));
    const stop = h.id(h.submit(buy('STOP_MARKET', 'GTC', { triggerPrice: px('100.50') })));
    h.quote(T0 + 1000, { bid: '100.48', ask: '100.50' });
    // 10 @ 100.02 (no slippage on a limit): 1000.20 × 0.001 = 1.0002 -> 1.00
    expect(h.fillSummary(limit)).toEqual([['10', '100.02', 'TAKER', '1.00']]);
    // 10 @ 100.50 + 0.02 = 100.52: 1005.20 × 0.001 = 1.0052 -> 1.01
    expect(h.fillSummary(stop)).toEqual([['10', '100.52', 'TAKER', '1.01']]);
  });

  it('maker and taker fees use the instrument rates and reach the venue account and the order', () => {
    const h = harness({ instruments: [XBT], startingCash: '100000' });
    h.quote(T0, { inst: XBT, bid: '42000.0', ask: '42000.5' });
    const taker = h.id(h.submit({ instrumentId: 'XBT', side: 'BUY', type: 'MARKET', quantity: qty('0.125', XBT) }));
    const maker = h.id(h.submit({ instrumentId: 'XBT', side: 'SELL', type: 'LIMIT', quantity: qty('0.125', XBT), price: px('42100.0', XBT) }));
    h.quote(T0 + 1000, { inst: XBT, bid: '42100.0', ask: '42100.5' });
    // taker: 0.125 × 42000.5 = 5250.0625 -> 5250.06 notional; fee 5250.0625 × 0.0005 = 2.62503125 -> 2.63
    expect(h.fillSummary(taker)).toEqual([['0.125', '42000.5', 'TAKER', '2.63']]);
    // maker: 0.125 × 42100.0 = 5262.50; fee × 0.0001 = 0.52625 -> 0.53
    expect(h.fillSummary(maker)).toEqual([['0.125', '42100.0', 'MAKER', '0.53']]);
    expect(h.execution.status(taker)!.feesRaw).toBe(263n);
    // Venue cash: 100000 − 5250.06 − 2.63 + 5262.50 − 0.53 = 100009.28
    expect(h.exchange.account()).toEqual({ cash: usd('100009.28'), positions: {} });
  });
});

describe('buying power', () => {
  it('with leverage 1 an order whose notional exceeds equity is rejected by the venue', () => {
    const h = harness({ startingCash: '10000' });
    h.quote(T0, { bid: '100.00', ask: '100.02' });
    // 100 × 100.02 = 10002.00 > 10000.00
    const id = h.id(h.submit(buy('MARKET', 'GTC', { quantity: qty(100) })));
    expect(h.typesFor(id)).toEqual(['OrderSubmitted', 'OrderRejected']);
    const rejected = h.eventsFor(id)[1]!;
    expect(rejected.type === 'OrderRejected' && rejected.reason).toBe('INSUFFICIENT_BUYING_POWER');
    expect(rejected.type === 'OrderRejected' && rejected.message).toContain('10002.00 USD');
    expect(h.status(id)).toBe('REJECTED');
    // 99 × 100.02 = 9901.98 fits.
    const ok = h.id(h.submit(buy('MARKET', 'GTC', { quantity: qty(99) })));
    expect(h.status(ok)).toBe('FILLED');
  });

  it('decides exactly at the edge, on the safe-integer path and on the bigint path beyond 2^53 minor units', () => {
    for (const [cash, edgeQty] of [['10000', 100], ['100000000000000', 1_000_000_000_000]] as const) {
      const h = harness({ startingCash: cash });
      h.quote(T0, { bid: '99.99', ask: '100.00' });
      // edgeQty × 100.00 equals the equity exactly: it fits; one more share does not.
      expect(h.status(h.id(h.submit(buy('MARKET', 'GTC', { quantity: qty(edgeQty + 1) }))))).toBe('REJECTED');
      expect(h.status(h.id(h.submit(buy('MARKET', 'GTC', { quantity: qty(edgeQty) }))))).toBe('FILLED');
    }
  });

  it('counts open positions at their mark: a second order that would exceed equity is rejected', () => {
    const h = harness({ startingCash: '10000' });
    h.quote(T0, { bid: '100.00', ask: '100.02' });
    const first = h.id(h.submit(buy('MARKET', 'GTC', { quantity: qty(99) })));
    // cash 10000 − 9901.98 − fee 9.90 = 88.12; equity 88.12 + 99 × 100.01 (mid) = 9989.11
    expect(h.status(first)).toBe('FILLED');
    const second = h.id(h.submit(buy('MARKET', 'GTC', { quantity: qty(1) })));
    // needs 100 × 100.02 = 10002.00 > 9989.11
    expect(h.status(second)).toBe('REJECTED');
    // Reducing is always allowed.
    const sell = h.id(h.submit({ instrumentId: 'ACME', side: 'SELL', type: 'MARKET', quantity: qty(99) }));
    expect(h.status(sell)).toBe('FILLED');
  });

  it('counts resting orders as if filled: one more resting buy beyond equity is rejected; orders that add no exposure pass', () => {
    const h = harness({ startingCash: '10000' });
    h.quote(T0, { bid: '100.00', ask: '100.02' });
    const limitBuy = (quantity: number) => h.id(h.submit(buy('LIMIT', 'GTC', { quantity: qty(quantity), price: px('99.00') })));
    const first = limitBuy(60); // 60 × 99.00 = 5940.00
    expect(h.status(first)).toBe('ACCEPTED');
    const second = limitBuy(60); // with the first filled: 120 × 99.00 = 11880.00 > 10000.00
    expect(h.status(second)).toBe('REJECTED');
    const rejected = h.eventsFor(second)[1]!;
    expect(rejected.type === 'OrderRejected' && [rejected.reason, rejected.message]).toEqual([
      'INSUFFICIENT_BUYING_POWER',
      'order needs gross exposure 11880.00 USD but buying power is 10000.00 USD (equity 10000.00 USD × leverage 1)',
    ]);
    const third = limitBuy(40); // 100 × 99.00 = 9900.00
    expect(h.status(third)).toBe('ACCEPTED');
    // A resting sell smaller than the resting buys adds nothing to the largest exposure.
    const sell = h.id(h.submit({ instrumentId: 'ACME', side: 'SELL', type: 'LIMIT', quantity: qty(50), price: px('105.00') }));
    expect(h.status(sell)).toBe('ACCEPTED');
    // Canceling a resting buy frees its buying power.
    h.cancel(third);
    expect(h.status(limitBuy(40))).toBe('ACCEPTED');
  });

  it('counts the resting orders of other instruments at their mark', () => {
    const h = harness({ startingCash: '10000' });
    h.quote(T0, { bid: '100.00', ask: '100.02' });
    h.quote(T0, { inst: XBT, bid: '42000.0', ask: '42000.5' });
    expect(h.status(h.id(h.submit(buy('LIMIT', 'GTC', { quantity: qty(60), price: px('99.00') }))))).toBe('ACCEPTED');
    // 60 ACME at the 100.01 mark is 6000.60; 0.1 XBT at 42000.5 is 4200.05: 10200.65 in all.
    expect(h.status(h.id(h.submit({ instrumentId: 'XBT', side: 'BUY', type: 'MARKET', quantity: qty('0.100', XBT) })))).toBe('REJECTED');
    expect(h.status(h.id(h.submit({ instrumentId: 'XBT', side: 'BUY', type: 'MARKET', quantity: qty('0.090', XBT) })))).toBe('FILLED');
  });

  it('leverage 2 doubles the buying power', () => {
    const h = harness({ startingCash: '10000', leverage: 2 });
    h.quote(T0, { bid: '100.00', ask: '100.02' });
    expect(h.status(h.id(h.submit(buy('MARKET', 'GTC', { quantity: qty(199) }))))).toBe('FILLED');
  });
});

describe('reduce-only at the venue', () => {
  it('a reduce-only sell larger than the position is capped at the position and never goes short', () => {
    const h = harness();
    h.quote(T0, { bid: '100.00', ask: '100.02' });
    h.submit(buy('MARKET', 'GTC', { quantity: qty(5) }));
    expect(h.net()).toBe('5');
    const id = h.id(h.submit({ instrumentId: 'ACME', side: 'SELL', type: 'MARKET', quantity: qty(8), reduceOnly: true }));
    // 5 @ 100.00: 500.00 × 0.001 = 0.50
    expect(h.fillSummary(id)).toEqual([['5', '100.00', 'TAKER', '0.50']]);
    expect(h.net()).toBe('0');
    expect(h.exchange.account().positions).toEqual({});
    // The capped remainder can never trade: at the next pass it is canceled.
    h.quote(T0 + 1000, { bid: '100.01', ask: '100.03' });
    expect(h.status(id)).toBe('CANCELED');
    expect(h.filled(id)).toBe('5');
    expect(h.net()).toBe('0');
  });
});

describe('venue validation (orders built by hand, sent straight to the exchange)', () => {
  function venue() {
    const clock = new SimulatedClock(T0);
    const exchange = new SimulatedExchange({ clock, instruments: [ACME, XBT], startingCash: usd('1000000') });
    const events: VenueEvent[] = [];
    exchange.connect((e) => events.push(e));
    const send = (id: string, request: Omit<OrderRequest, 'clientOrderId'>) => {
      exchange.submit(new Order({ clientOrderId: id, strategyId: 'hand', request, ts: T0 }));
      exchange.flush();
      return events.filter((e) => e.clientOrderId === id);
    };
    return { exchange, events, send };
  }
  const rejection = (events: VenueEvent[]) => {
    const e = events[0];
    return e?.type === 'OrderRejected' ? [e.reason, e.message] : [e?.type];
  };

  it('rejects an off-tick price as INVALID_PRICE, naming the price and the tick', () => {
    const { send } = venue();
    const events = send('v1', { instrumentId: 'XBT', side: 'BUY', type: 'LIMIT', quantity: qty('0.010', XBT), price: Price.of('100.3', 1) });
    expect(rejection(events)).toEqual(['INVALID_PRICE', 'price 100.3 is not a positive multiple of tick 0.5 for XBT']);
  });

  it('rejects an off-tick trigger price as INVALID_PRICE', () => {
    const { send } = venue();
    const events = send('v2', { instrumentId: 'XBT', side: 'BUY', type: 'STOP_MARKET', quantity: qty('0.010', XBT), triggerPrice: Price.of('100.2', 1) });
    expect(rejection(events)[0]).toBe('INVALID_PRICE');
  });

  it('rejects an off-step quantity and one below the minimum as INVALID_QUANTITY', () => {
    const { send } = venue();
    expect(rejection(send('v3', { instrumentId: 'XBT', side: 'BUY', type: 'MARKET', quantity: Quantity.of('0.012', 3) }))).toEqual([
      'INVALID_QUANTITY',
      'quantity 0.012 is not a multiple of step 0.005 for XBT',
    ]);
    expect(rejection(send('v4', { instrumentId: 'XBT', side: 'BUY', type: 'MARKET', quantity: Quantity.of('0.005', 3) }))).toEqual([
      'INVALID_QUANTITY',
      'quantity 0.005 is below the minimum size 0.010 for XBT',
    ]);
  });

  it('rejects a limit without a price and a stop without a trigger', () => {
    const { send } = venue();
    expect(rejection(send('v5', { instrumentId: 'ACME', side: 'BUY', type: 'LIMIT', quantity: qty(1) }))).toEqual(['INVALID_PRICE', 'LIMIT order needs a price']);
    expect(rejection(send('v6', { instrumentId: 'ACME', side: 'BUY', type: 'STOP_LIMIT', quantity: qty(1), price: px('100') }))).toEqual([
      'INVALID_PRICE',
      'STOP_LIMIT order needs a trigger price',
    ]);
  });

  it('rejects an instrument it does not trade as UNKNOWN_INSTRUMENT', () => {
    const { send } = venue();
    expect(rejection(send('v7', { instrumentId: 'NOPE', side: 'BUY', type: 'MARKET', quantity: qty(1) }))).toEqual(['UNKNOWN_INSTRUMENT', 'instrument NOPE is not traded on SIM']);
  });

  it('accepts a valid order and knows it afterwards', () => {
    const { send, exchange } = venue();
    expect(send('v8', { instrumentId: 'XBT', side: 'BUY', type: 'LIMIT', quantity: qty('0.015', XBT), price: px('100.5', XBT) }).map((e) => e.type)).toEqual(['OrderAccepted']);
    expect(exchange.queryOrder('v8')).toEqual({ clientOrderId: 'v8', venueOrderId: 'SIM-1', status: 'ACCEPTED', filledQty: Quantity.zero(3) });
    expect(exchange.queryOrder('never-sent')).toBeUndefined();
  });

  it('cancels a reduce-only order when there is no position to reduce', () => {
    const { send, exchange, events } = venue();
    exchange.onMarketData({ kind: 'quote', instrumentId: 'ACME', bid: px('100.00'), ask: px('100.02'), bidSize: qty(100), askSize: qty(100), ts: T0 });
    send('v9', { instrumentId: 'ACME', side: 'SELL', type: 'MARKET', quantity: qty(1), reduceOnly: true });
    expect(events.map((e) => [e.type, e.type === 'OrderCanceled' ? e.reason : ''])).toEqual([
      ['OrderAccepted', ''],
      ['OrderCanceled', 'reduce-only order would increase the position'],
    ]);
    expect(exchange.account().positions).toEqual({});
  });

  it('answers a cancel or modify of an unknown order with a rejection event', () => {
    const { exchange, events } = venue();
    exchange.cancel('ghost');
    exchange.modify('ghost', { quantity: qty(1) });
    exchange.flush();
    expect(events.map((e) => [e.type, e.clientOrderId])).toEqual([
      ['OrderCancelRejected', 'ghost'],
      ['OrderModifyRejected', 'ghost'],
    ]);
  });
});

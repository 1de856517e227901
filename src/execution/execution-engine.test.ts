/**
 * ExecutionEngine (the order gateway) and the order state machine: validation and denials,
 * duplicate ids, cancel and modify round trips through the real SimulatedExchange, duplicate fill
 * reports, and the transition table checked pair by pair.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Price } from '../core/price.js';
import { Quantity } from '../core/quantity.js';
import type { OrderEvent, OrderEventType, OrderUpdated } from '../model/order-events.js';
import { ORDER_STATUSES, type OrderStatus, allowedTransitions, isTerminalStatus, isWorkingStatus } from '../model/order-state.js';
import { Order, type OrderRequest } from '../model/order.js';
import { fixedLatency, participationFillModel } from './models.js';
import { ACME, Harness, MINUTE, T0, XBT, px, qty, usd, useHarnesses } from './test-fixtures.js';

const harness = useHarnesses();

const OPEN = { bid: '100.00', ask: '100.02' };
const limitBuy = (price: string, extra: Partial<OrderRequest> = {}): OrderRequest => ({
  instrumentId: 'ACME',
  side: 'BUY',
  type: 'LIMIT',
  quantity: qty(10),
  price: px(price),
  ...extra,
});
const marketBuy = (n: number, extra: Partial<OrderRequest> = {}): OrderRequest => ({ instrumentId: 'ACME', side: 'BUY', type: 'MARKET', quantity: qty(n), ...extra });

function denial(h: Harness, id: string): [string, string] | undefined {
  const e = h.eventsFor(id).find((x) => x.type === 'OrderDenied');
  return e?.type === 'OrderDenied' ? [e.reason, e.message] : undefined;
}

describe('finished orders', () => {
  it('stay findable by id while their last event is published, even when none is kept afterwards', () => {
    const h = harness({ finishedOrdersKept: 0 });
    const seen: Array<string | undefined> = [];
    h.engine.bus.subscribe('order.event', (e) => {
      if (e.type === 'OrderFilled') seen.push(h.execution.status(e.clientOrderId)?.status);
    });
    h.quote(T0, OPEN);
    const id = h.id(h.submit(marketBuy(1)));
    expect(seen).toEqual(['FILLED']);
    expect(h.execution.status(id)).toBeUndefined();
  });
});

describe('gateway validation: denials are events, the venue never sees the order', () => {
  it('denies an unknown instrument as UNKNOWN_INSTRUMENT', () => {
    const h = harness();
    const r = h.submit({ instrumentId: 'NOPE', side: 'BUY', type: 'MARKET', quantity: Quantity.of(1, 0) });
    expect(r.ok).toBe(true); // the order exists (DENIED); the denial is an event, not an exception
    const id = h.id(r);
    expect(h.typesFor(id)).toEqual(['OrderDenied']);
    expect(denial(h, id)).toEqual(['UNKNOWN_INSTRUMENT', 'instrument NOPE is unknown']);
    expect(h.status(id)).toBe('DENIED');
    expect(h.exchange.queryOrder(id)).toBeUndefined();
    expect(h.execution.workingOrders()).toEqual([]);
  });

  it('denies an off-tick price as INVALID_ORDER, naming the price and the tick', () => {
    const h = harness();
    const id = h.id(h.submit({ instrumentId: 'XBT', side: 'BUY', type: 'LIMIT', quantity: qty('0.010', XBT), price: Price.of('100.3', 1) }));
    expect(denial(h, id)).toEqual(['INVALID_ORDER', 'price 100.3 is not a positive multiple of tick 0.5 for XBT']);
    expect(h.exchange.queryOrder(id)).toBeUndefined();
  });

  it('denies a price at the wrong precision (100.005 for a cent-tick instrument)', () => {
    const h = harness();
    const id = h.id(h.submit({ instrumentId: 'ACME', side: 'BUY', type: 'LIMIT', quantity: qty(1), price: Price.of('100.005', 3) }));
    expect(denial(h, id)?.[0]).toBe('INVALID_ORDER');
  });

  it('denies an off-tick trigger price and a non-positive price', () => {
    const h = harness();
    const trig = h.id(h.submit({ instrumentId: 'XBT', side: 'BUY', type: 'STOP_MARKET', quantity: qty('0.010', XBT), triggerPrice: Price.of('100.2', 1) }));
    expect(denial(h, trig)).toEqual(['INVALID_ORDER', 'trigger price 100.2 is not a positive multiple of tick 0.5 for XBT']);
    const zero = h.id(h.submit({ instrumentId: 'ACME', side: 'BUY', type: 'LIMIT', quantity: qty(1), price: px('0') }));
    expect(denial(h, zero)?.[0]).toBe('INVALID_ORDER');
  });

  it('denies an off-step quantity, one below the minimum and one at the wrong precision', () => {
    const h = harness();
    const offStep = h.id(h.submit({ instrumentId: 'XBT', side: 'BUY', type: 'MARKET', quantity: Quantity.of('0.012', 3) }));
    expect(denial(h, offStep)).toEqual(['INVALID_ORDER', 'quantity 0.012 is not a multiple of step 0.005 for XBT']);
    const small = h.id(h.submit({ instrumentId: 'XBT', side: 'BUY', type: 'MARKET', quantity: Quantity.of('0.005', 3) }));
    expect(denial(h, small)).toEqual(['INVALID_ORDER', 'quantity 0.005 is below the minimum size 0.010 for XBT']);
    const precision = h.id(h.submit({ instrumentId: 'ACME', side: 'BUY', type: 'MARKET', quantity: Quantity.of('1.5', 1) }));
    expect(denial(h, precision)).toEqual(['INVALID_ORDER', 'quantity 1.5 has precision 1, ACME uses 0']);
  });

  it('denies missing and superfluous prices for the order type', () => {
    const h = harness();
    const cases: Array<[OrderRequest, string]> = [
      [{ instrumentId: 'ACME', side: 'BUY', type: 'LIMIT', quantity: qty(1), clientOrderId: 'a' }, 'LIMIT order a needs a price'],
      [{ instrumentId: 'ACME', side: 'BUY', type: 'MARKET', quantity: qty(1), price: px('100'), clientOrderId: 'b' }, 'MARKET order b takes no price'],
      [{ instrumentId: 'ACME', side: 'BUY', type: 'STOP_MARKET', quantity: qty(1), clientOrderId: 'c' }, 'STOP_MARKET order c needs a trigger price'],
      [{ instrumentId: 'ACME', side: 'BUY', type: 'LIMIT', quantity: qty(1), price: px('100'), triggerPrice: px('99'), clientOrderId: 'd' }, 'LIMIT order d takes no trigger price'],
      [{ instrumentId: 'ACME', side: 'BUY', type: 'STOP_LIMIT', quantity: qty(1), triggerPrice: px('99'), clientOrderId: 'e' }, 'STOP_LIMIT order e needs a price'],
    ];
    for (const [request, message] of cases) {
      const id = h.id(h.submit(request));
      expect(denial(h, id)).toEqual(['INVALID_ORDER', message]);
    }
  });

  it('denies a reduce-only order that would open or increase a position', () => {
    const h = harness();
    h.quote(T0, OPEN);
    const flat = h.id(h.submit({ instrumentId: 'ACME', side: 'SELL', type: 'MARKET', quantity: qty(1), reduceOnly: true }));
    expect(denial(h, flat)).toEqual(['REDUCE_ONLY_WOULD_INCREASE', 'reduce-only SELL 1 ACME would not reduce a flat position']);
    h.submit(marketBuy(3));
    expect(h.net()).toBe('3');
    const more = h.id(h.submit(marketBuy(1, { reduceOnly: true })));
    expect(denial(h, more)).toEqual(['REDUCE_ONLY_WOULD_INCREASE', 'reduce-only BUY 1 ACME would not reduce a long position']);
    const reduce = h.id(h.submit({ instrumentId: 'ACME', side: 'SELL', type: 'MARKET', quantity: qty(2), reduceOnly: true }));
    expect(h.status(reduce)).toBe('FILLED');
    expect(h.net()).toBe('1');
  });

  it('puts every order to the pre-trade gate and turns its denial into OrderDenied', () => {
    const seen: string[] = [];
    const h = harness({
      gate: {
        check: (o) => {
          seen.push(o.clientOrderId);
          return o.quantity.raw > 5 ? { reason: 'MAX_ORDER_QTY', message: `quantity ${o.quantity} exceeds 5` } : undefined;
        },
      },
    });
    h.quote(T0, OPEN);
    const big = h.id(h.submit(marketBuy(6)));
    const small = h.id(h.submit(marketBuy(5)));
    expect(seen).toEqual([big, small]);
    expect(denial(h, big)).toEqual(['MAX_ORDER_QTY', 'quantity 6 exceeds 5']);
    expect(h.exchange.queryOrder(big)).toBeUndefined();
    expect(h.status(small)).toBe('FILLED');
  });
});

describe('client order ids', () => {
  it('a duplicate client order id is refused with a command.rejected event, leaving one order', () => {
    const h = harness();
    h.quote(T0, OPEN);
    const first = h.submit(limitBuy('99.00', { clientOrderId: 'X' }));
    expect(first.ok).toBe(true);
    const second = h.submit(limitBuy('98.00', { clientOrderId: 'X' }));
    expect(second).toEqual({ ok: false, reason: 'DUPLICATE_CLIENT_ORDER_ID', message: 'client order id X was already used in this run' });
    expect(h.rejected).toEqual([{ command: 'submit', clientOrderId: 'X', reason: 'DUPLICATE_CLIENT_ORDER_ID', message: 'client order id X was already used in this run', ts: T0 }]);
    expect([...h.execution.allOrders()].map((o) => o.clientOrderId)).toEqual(['X']);
    // The first order is untouched: still at 99.00, still working, one Submitted/Accepted pair.
    expect(h.execution.status('X')!.price!.toString()).toBe('99.00');
    expect(h.typesFor('X')).toEqual(['OrderSubmitted', 'OrderAccepted']);
    expect(h.exchange.workingOrders().map((w) => w.clientOrderId)).toEqual(['X']);
  });

  it('a finished order\'s id cannot be reused either', () => {
    const h = harness();
    h.quote(T0, OPEN);
    h.submit(marketBuy(1, { clientOrderId: 'Y' }));
    expect(h.status('Y')).toBe('FILLED');
    expect(h.submit(marketBuy(1, { clientOrderId: 'Y' })).ok).toBe(false);
    expect(h.fillsFor('Y')).toHaveLength(1);
  });

  it('generated ids are prefixed by the strategy and skip ids already taken', () => {
    const h = harness();
    h.submit(limitBuy('99.00', { clientOrderId: 's-2' }), 's');
    const a = h.id(h.submit(limitBuy('99.00'), 's'));
    const b = h.id(h.submit(limitBuy('99.00'), 's'));
    expect([a, b]).toEqual(['s-1', 's-3']);
  });
});

describe('cancel', () => {
  it('a working order is canceled: PendingCancel, then Canceled from the venue', () => {
    const h = harness();
    h.quote(T0, OPEN);
    const id = h.id(h.submit(limitBuy('99.00')));
    expect(h.execution.workingOrders().map((o) => o.clientOrderId)).toEqual([id]);
    expect(h.cancel(id)).toBe(true);
    expect(h.typesFor(id)).toEqual(['OrderSubmitted', 'OrderAccepted', 'OrderPendingCancel', 'OrderCanceled']);
    expect(h.status(id)).toBe('CANCELED');
    expect(h.execution.workingOrders()).toEqual([]);
    expect(h.exchange.workingOrders()).toEqual([]);
    h.quote(T0 + MINUTE, { bid: '98.00', ask: '98.50' });
    expect(h.fillsFor(id)).toEqual([]);
  });

  it('canceling an unknown order is a command.rejected, not an order event', () => {
    const h = harness();
    expect(h.cancel('ghost')).toBe(false);
    expect(h.rejected.map((r) => [r.command, r.clientOrderId, r.reason])).toEqual([['cancel', 'ghost', 'UNKNOWN_ORDER']]);
    expect(h.events).toEqual([]);
  });

  it('canceling a finished order is refused as NOT_CANCELABLE and changes nothing', () => {
    const h = harness();
    h.quote(T0, OPEN);
    const id = h.id(h.submit(marketBuy(2)));
    expect(h.cancel(id)).toBe(false);
    expect(h.rejected.map((r) => [r.command, r.reason, r.message])).toEqual([['cancel', 'NOT_CANCELABLE', `order ${id} is FILLED`]]);
    expect(h.status(id)).toBe('FILLED');
  });

  it('a second cancel while the first is in flight is refused', () => {
    const h = harness({ latencyModel: fixedLatency(100) });
    h.quote(T0, OPEN);
    const id = h.id(h.submit(limitBuy('99.00')));
    h.advanceTo(T0 + 100);
    expect(h.cancel(id)).toBe(true);
    expect(h.cancel(id)).toBe(false);
    expect(h.rejected.map((r) => r.reason)).toEqual(['NOT_CANCELABLE']);
    h.advanceTo(T0 + 200);
    expect(h.typesFor(id)).toEqual(['OrderSubmitted', 'OrderAccepted', 'OrderPendingCancel', 'OrderCanceled']);
  });

  it('the venue answers a cancel for an order it does not know with OrderCancelRejected', () => {
    const h = harness();
    h.engine.run(() => h.venue.cancel('never-sent'));
    expect(h.venue.raw.map((e) => [e.type, e.clientOrderId])).toEqual([['OrderCancelRejected', 'never-sent']]);
    // The engine has no such order: it reports the stray event instead of applying it.
    expect(h.errors.map((e) => [e.clientOrderId, e.event, e.message])).toEqual([
      ['never-sent', 'OrderCancelRejected', 'venue reported OrderCancelRejected for unknown order never-sent'],
    ]);
    expect(h.events).toEqual([]);
  });

  it('a stop that triggers and fills while its cancel is in flight ends FILLED; the late refusal changes nothing', () => {
    const h = harness({ latencyModel: fixedLatency(100) });
    h.quote(T0, OPEN);
    const id = h.id(h.submit({ instrumentId: 'ACME', side: 'BUY', type: 'STOP_MARKET', quantity: qty(10), triggerPrice: px('100.50') }));
    h.advanceTo(T0 + 100);
    expect(h.status(id)).toBe('ACCEPTED');
    h.cancel(id);
    // While the cancel travels the stop triggers (still pending cancel), then fills.
    h.quote(T0 + 150, { bid: '100.48', ask: '100.50' });
    expect(h.typesFor(id).slice(-3)).toEqual(['OrderPendingCancel', 'OrderTriggered', 'OrderFilled']);
    expect(h.status(id)).toBe('FILLED');
    // The cancel reaches the venue at T0 + 200, too late: refused, and not applied to a FILLED order.
    h.advanceTo(T0 + 200);
    expect(h.venue.raw.at(-1)!.type).toBe('OrderCancelRejected');
    expect(h.status(id)).toBe('FILLED');
    expect(h.errors.map((e) => [e.from, e.event])).toEqual([['FILLED', 'OrderCancelRejected']]);
  });
});

describe('modify', () => {
  it('raises and lowers the quantity and moves the price; the venue works the amended order', () => {
    const h = harness();
    h.quote(T0, OPEN);
    const id = h.id(h.submit(limitBuy('99.00')));
    expect(h.modify(id, { quantity: qty(15) })).toBe(true);
    expect(h.execution.status(id)!.quantity.toString()).toBe('15');
    expect(h.modify(id, { quantity: qty(7), price: px('99.40') })).toBe(true);
    const order = h.execution.status(id)!;
    expect([order.quantity.toString(), order.price!.toString(), order.status]).toEqual(['7', '99.40', 'ACCEPTED']);
    expect(h.typesFor(id)).toEqual(['OrderSubmitted', 'OrderAccepted', 'OrderPendingUpdate', 'OrderUpdated', 'OrderPendingUpdate', 'OrderUpdated']);
    // Fills at the amended price and size: 7 @ 99.40 maker: 695.80 × 0.0002 = 0.13916 -> 0.14
    h.quote(T0 + MINUTE, { bid: '99.30', ask: '99.39' });
    expect(h.fillSummary(id)).toEqual([['7', '99.40', 'MAKER', '0.14']]);
  });

  it('a limit amended through the touch takes the touch as taker, like a new order', () => {
    const h = harness();
    h.quote(T0, OPEN);
    const id = h.id(h.submit(limitBuy('99.50')));
    h.modify(id, { price: px('100.10') });
    // Not 10 @ 100.10 maker: the ask is 100.02. 10 @ 100.02 taker: 1000.20 × 0.001 = 1.0002 -> 1.00
    expect(h.fillSummary(id)).toEqual([['10', '100.02', 'TAKER', '1.00']]);
    expect(h.status(id)).toBe('FILLED');
  });

  it('moves a stop\'s trigger price', () => {
    const h = harness();
    h.quote(T0, OPEN);
    const id = h.id(h.submit({ instrumentId: 'ACME', side: 'BUY', type: 'STOP_MARKET', quantity: qty(10), triggerPrice: px('100.50') }));
    h.modify(id, { triggerPrice: px('101.00') });
    expect(h.execution.status(id)!.triggerPrice!.toString()).toBe('101.00');
    h.quote(T0 + MINUTE, { bid: '100.60', ask: '100.70' });
    expect(h.status(id)).toBe('ACCEPTED');
    h.quote(T0 + 2 * MINUTE, { bid: '100.98', ask: '101.00' });
    expect(h.fillSummary(id)).toEqual([['10', '101.00', 'TAKER', '1.01']]); // 1010.00 × 0.001
  });

  it('a quantity below the filled quantity is rejected and the order returns to PARTIALLY_FILLED', () => {
    const h = harness({ fillModel: participationFillModel(1) });
    h.quote(T0, { ...OPEN, askSize: 4 });
    const id = h.id(h.submit(marketBuy(10)));
    expect(h.filled(id)).toBe('4');
    expect(h.modify(id, { quantity: qty(3) })).toBe(true);
    const events = h.eventsFor(id);
    expect(events.slice(-2).map((e) => e.type)).toEqual(['OrderPendingUpdate', 'OrderModifyRejected']);
    const rejected = events.at(-1)!;
    expect(rejected.type === 'OrderModifyRejected' && rejected.message).toBe('quantity 3 is below the filled 4');
    const order = h.execution.status(id)!;
    expect([order.status, order.quantity.toString(), order.filledQty.toString()]).toEqual(['PARTIALLY_FILLED', '10', '4']);
    // Still working: the rest fills on the next quote.
    h.quote(T0 + MINUTE, { ...OPEN, askSize: 100 });
    expect(h.status(id)).toBe('FILLED');
  });

  it('a quantity equal to the filled quantity completes the order without another fill', () => {
    const h = harness({ fillModel: participationFillModel(1) });
    h.quote(T0, { ...OPEN, askSize: 4 });
    const id = h.id(h.submit(marketBuy(10)));
    h.modify(id, { quantity: qty(4) });
    expect(h.typesFor(id).slice(-2)).toEqual(['OrderPendingUpdate', 'OrderUpdated']);
    expect(h.status(id)).toBe('FILLED');
    expect(h.exchange.queryOrder(id)!.status).toBe('FILLED');
    h.quote(T0 + MINUTE, { ...OPEN, askSize: 100 });
    expect(h.filled(id)).toBe('4');
    expect(h.net()).toBe('4');
  });

  it('an off-tick amended price is rejected by the venue and the order is unchanged', () => {
    const h = harness({ instruments: [ACME, XBT] });
    h.quote(T0, { inst: XBT, bid: '100.0', ask: '100.5' });
    const id = h.id(h.submit({ instrumentId: 'XBT', side: 'BUY', type: 'LIMIT', quantity: qty('0.010', XBT), price: px('99.0', XBT) }));
    h.modify(id, { price: Price.of('99.2', 1) });
    expect(h.typesFor(id).slice(-1)).toEqual(['OrderModifyRejected']);
    expect(h.execution.status(id)!.price!.toString()).toBe('99.0');
    expect(h.status(id)).toBe('ACCEPTED');
  });

  it('an amendment at another precision, to a price the type does not take, or to 0 is refused before the venue', () => {
    const h = harness({ instruments: [ACME, XBT] });
    h.quote(T0, OPEN);
    const id = h.id(h.submit(limitBuy('99.00')));
    const stop = h.id(h.submit({ instrumentId: 'ACME', side: 'BUY', type: 'STOP_MARKET', quantity: qty(10), triggerPrice: px('101.00') }));
    expect(h.modify(id, { price: Price.of('98', 0) })).toBe(false); // read raw at 2 decimals it was 0.98
    expect(h.modify(id, { quantity: Quantity.of('10.0', 1) })).toBe(false);
    expect(h.modify(id, { quantity: Quantity.zero(0) })).toBe(false);
    expect(h.modify(stop, { price: px('101.50') })).toBe(false);
    expect(h.rejected.map((r) => [r.clientOrderId, r.reason, r.message])).toEqual([
      [id, 'INVALID_MODIFICATION', 'price 98 has precision 0, ACME uses 2'],
      [id, 'INVALID_MODIFICATION', 'quantity 10.0 has precision 1, ACME uses 0'],
      [id, 'INVALID_MODIFICATION', `quantity 0 of order ${id} is not positive`],
      [stop, 'INVALID_MODIFICATION', `STOP_MARKET order ${stop} takes no price`],
    ]);
    const order = h.execution.status(id)!;
    expect([order.status, order.quantity.toString(), order.price!.toString()]).toEqual(['ACCEPTED', '10', '99.00']);
    expect(h.typesFor(id)).toEqual(['OrderSubmitted', 'OrderAccepted']);
  });

  it('a larger quantity puts the added quantity to the pre-trade gate', () => {
    const seen: string[] = [];
    const h = harness({ gate: { check: (o) => (seen.push(`${o.side} ${o.quantity}`), o.quantity.raw > 5 ? { reason: 'MAX_ORDER_QTY', message: `order quantity ${o.quantity} is above 5` } : undefined) } });
    h.quote(T0, OPEN);
    const id = h.id(h.submit(limitBuy('99.00', { quantity: qty(4) })));
    expect(h.modify(id, { quantity: qty(8) })).toBe(true); // adds 4
    expect(h.modify(id, { quantity: qty(16) })).toBe(false); // adds 8
    expect(h.modify(id, { quantity: qty(2) })).toBe(true); // adds nothing: not gated
    expect(seen).toEqual(['BUY 4', 'BUY 4', 'BUY 8']);
    expect(h.rejected.map((r) => [r.reason, r.message])).toEqual([['MAX_ORDER_QTY', 'order quantity 8 is above 5']]);
    expect(h.execution.status(id)!.quantity.toString()).toBe('2');
  });

  it('the venue refuses a larger quantity that its buying power does not cover', () => {
    const h = harness({ startingCash: '1000' });
    h.quote(T0, OPEN);
    const id = h.id(h.submit(limitBuy('95.00', { quantity: qty(1) })));
    expect(h.modify(id, { quantity: qty(1000) })).toBe(true);
    const last = h.eventsFor(id).at(-1)!;
    expect(last.type).toBe('OrderModifyRejected');
    expect(last.type === 'OrderModifyRejected' && last.message).toMatch(/buying power/);
    expect(h.execution.status(id)!.quantity.toString()).toBe('1');
  });

  it('modifying an unknown or finished order is a command.rejected', () => {
    const h = harness();
    h.quote(T0, OPEN);
    expect(h.modify('ghost', { quantity: qty(1) })).toBe(false);
    const id = h.id(h.submit(marketBuy(1)));
    expect(h.modify(id, { quantity: qty(2) })).toBe(false);
    expect(h.rejected.map((r) => [r.command, r.clientOrderId, r.reason])).toEqual([
      ['modify', 'ghost', 'UNKNOWN_ORDER'],
      ['modify', id, 'NOT_MODIFIABLE'],
    ]);
  });
});

describe('commands that overtake the venue\'s acknowledgement (latency races)', () => {
  it('a cancel sent before the order is acknowledged: Accepted keeps the cancel pending, then Canceled', () => {
    const h = harness({ latencyModel: fixedLatency(100) });
    h.quote(T0, OPEN);
    const id = h.id(h.submit(limitBuy('99.00')));
    h.advanceTo(T0 + 50);
    h.cancel(id);
    h.advanceTo(T0 + 200);
    expect(h.typesFor(id)).toEqual(['OrderSubmitted', 'OrderPendingCancel', 'OrderAccepted', 'OrderCanceled']);
    expect(h.execution.status(id)!.venueOrderId).toBe('SIM-1');
    expect(h.status(id)).toBe('CANCELED');
    expect(h.errors).toEqual([]);
  });

  it('a cancel sent before the venue rejects the order: the order ends REJECTED, not stuck working', () => {
    const h = harness({ latencyModel: fixedLatency(100), startingCash: '500' });
    h.quote(T0, OPEN);
    const id = h.id(h.submit(marketBuy(10))); // 1000.20 > 500: the venue will reject it
    h.advanceTo(T0 + 50);
    h.cancel(id);
    h.advanceTo(T0 + 200);
    expect(h.venue.raw.map((e) => e.type)).toEqual(['OrderRejected', 'OrderCancelRejected']);
    expect(h.typesFor(id)).toEqual(['OrderSubmitted', 'OrderPendingCancel', 'OrderRejected']);
    expect(h.status(id)).toBe('REJECTED');
    expect(h.execution.workingOrders()).toEqual([]);
  });

  it('a modify sent before the order is acknowledged: the order ends ACCEPTED with the new size', () => {
    const h = harness({ latencyModel: fixedLatency(100) });
    h.quote(T0, OPEN);
    const id = h.id(h.submit(limitBuy('99.00')));
    h.advanceTo(T0 + 50);
    h.modify(id, { quantity: qty(12) });
    h.advanceTo(T0 + 200);
    expect(h.typesFor(id)).toEqual(['OrderSubmitted', 'OrderPendingUpdate', 'OrderAccepted', 'OrderUpdated']);
    const order = h.execution.status(id)!;
    expect([order.status, order.quantity.toString(), order.venueOrderId]).toEqual(['ACCEPTED', '12', 'SIM-1']);
    expect(h.errors).toEqual([]);
  });

  it('a modify followed at once by a cancel: the update is applied, then the cancel', () => {
    const h = harness();
    h.quote(T0, OPEN);
    const id = h.id(h.submit(limitBuy('99.00')));
    h.engine.run(() => {
      h.execution.modify(id, { quantity: qty(12) });
      h.execution.cancel(id);
    });
    expect(h.typesFor(id)).toEqual(['OrderSubmitted', 'OrderAccepted', 'OrderPendingUpdate', 'OrderPendingCancel', 'OrderUpdated', 'OrderCanceled']);
    const order = h.execution.status(id)!;
    expect([order.status, order.quantity.toString()]).toEqual(['CANCELED', '12']);
    expect(h.errors).toEqual([]);
  });
});

describe('fills reported twice', () => {
  it('a fill delivered twice with the same trade id is applied once', () => {
    const h = harness({ fillModel: participationFillModel(1) });
    h.venue.duplicateFills = true;
    h.quote(T0, { ...OPEN, askSize: 6 });
    const id = h.id(h.submit(marketBuy(10)));
    h.quote(T0 + MINUTE, { bid: '100.01', ask: '100.03', askSize: 10 });
    // The venue made two trades; the wrapper delivered each report twice (four deliveries)...
    const raw = h.venue.raw.filter((e) => e.type === 'OrderFilled');
    expect(raw).toHaveLength(2);
    // ...and the engine applied two: no overfill error, no double position, no double fee.
    expect(h.fillsFor(id).map((f) => f.tradeId)).toEqual(['SIM-T1', 'SIM-T2']);
    expect(h.errors).toEqual([]);
    expect(h.filled(id)).toBe('10');
    expect(h.status(id)).toBe('FILLED');
    expect(h.net()).toBe('10');
    expect(h.execution.listExecutions().map((f) => f.tradeId)).toEqual(['SIM-T1', 'SIM-T2']);
    // fees: 6 @ 100.02 -> 0.60, 4 @ 100.03 -> 0.40, each counted once
    expect(h.execution.status(id)!.feesRaw).toBe(100n);
  });

  it('recognizes duplicates of an order filled in many slices (past its short list of trade ids)', () => {
    const h = harness({ fillModel: participationFillModel(1) });
    h.venue.duplicateFills = true;
    h.quote(T0, { ...OPEN, askSize: 1 });
    const id = h.id(h.submit(marketBuy(20)));
    for (let i = 1; i < 20; i++) h.quote(T0 + i * MINUTE, { ...OPEN, askSize: 1 });
    expect(h.fillsFor(id)).toHaveLength(20);
    expect(h.errors).toEqual([]);
    expect(h.filled(id)).toBe('20');
    expect(h.net()).toBe('20');
  });

  it('lists executions oldest first, optionally by instrument', () => {
    const h = harness({ instruments: [ACME, XBT] });
    h.quote(T0, OPEN);
    h.quote(T0, { inst: XBT, bid: '100.0', ask: '100.5' });
    h.submit(marketBuy(1));
    h.submit({ instrumentId: 'XBT', side: 'BUY', type: 'MARKET', quantity: qty('0.010', XBT) });
    h.submit(marketBuy(2));
    expect(h.execution.listExecutions().map((f) => f.instrumentId)).toEqual(['ACME', 'XBT', 'ACME']);
    expect(h.execution.listExecutions('ACME').map((f) => f.lastQty.toString())).toEqual(['1', '2']);
  });
});

describe('the test harness\'s own invariant check', () => {
  it('fails when an order is reported again after reaching a terminal state', () => {
    const h = new Harness(); // not registered: this one is meant to break the invariant
    h.quote(T0, OPEN);
    const id = h.id(h.submit(marketBuy(1)));
    expect(() => h.checkInvariants()).not.toThrow();
    h.engine.bus.publish('order.event', { type: 'OrderCanceled', reason: 'forged', clientOrderId: id, instrumentId: 'ACME', strategyId: 'test', ts: T0 });
    expect(() => h.checkInvariants()).toThrow(/after a terminal state/);
  });
});

// --- the transition table, pair by pair -----------------------------------------------------

const EVENT_TYPE_SET: Record<OrderEventType, true> = {
  OrderDenied: true,
  OrderSubmitted: true,
  OrderAccepted: true,
  OrderRejected: true,
  OrderPendingCancel: true,
  OrderCancelRejected: true,
  OrderCanceled: true,
  OrderExpired: true,
  OrderTriggered: true,
  OrderPendingUpdate: true,
  OrderUpdated: true,
  OrderModifyRejected: true,
  OrderFilled: true,
};
const EVENT_TYPES = Object.keys(EVENT_TYPE_SET) as OrderEventType[];

let tradeNo = 0;
function makeEvent(order: Order, type: OrderEventType, fillQty = 1): OrderEvent {
  const base = { clientOrderId: order.clientOrderId, instrumentId: order.instrumentId, strategyId: order.strategyId, ts: T0 + 1 };
  switch (type) {
    case 'OrderDenied':
      return { ...base, type, reason: 'INVALID_ORDER', message: 'denied' };
    case 'OrderRejected':
      return { ...base, type, reason: 'VENUE_ERROR', message: 'rejected' };
    case 'OrderAccepted':
      return { ...base, type, venueOrderId: 'V-1' };
    case 'OrderCanceled':
      return { ...base, type, reason: 'test' };
    case 'OrderCancelRejected':
    case 'OrderModifyRejected':
      return { ...base, type, message: 'refused' };
    case 'OrderUpdated':
      return { ...base, type, quantity: order.quantity, price: px('98.00') };
    case 'OrderFilled':
      return {
        ...base,
        type,
        venueOrderId: 'V-1',
        tradeId: `T-${++tradeNo}`,
        side: order.side,
        lastQty: qty(fillQty),
        lastPx: px('99.00'),
        fee: usd('0.01'),
        liquidity: 'MAKER',
      };
    default:
      return { ...base, type };
  }
}

/** A way into each status from INITIALIZED through allowed events (10-share limit buy). */
const PATHS: Record<OrderStatus, Array<[OrderEventType, number?]>> = {
  INITIALIZED: [],
  DENIED: [['OrderDenied']],
  SUBMITTED: [['OrderSubmitted']],
  ACCEPTED: [['OrderSubmitted'], ['OrderAccepted']],
  REJECTED: [['OrderSubmitted'], ['OrderRejected']],
  PENDING_CANCEL: [['OrderSubmitted'], ['OrderAccepted'], ['OrderPendingCancel']],
  PENDING_UPDATE: [['OrderSubmitted'], ['OrderAccepted'], ['OrderPendingUpdate']],
  CANCELED: [['OrderSubmitted'], ['OrderAccepted'], ['OrderCanceled']],
  EXPIRED: [['OrderSubmitted'], ['OrderAccepted'], ['OrderExpired']],
  TRIGGERED: [['OrderSubmitted'], ['OrderAccepted'], ['OrderTriggered']],
  PARTIALLY_FILLED: [['OrderSubmitted'], ['OrderAccepted'], ['OrderFilled', 4]],
  FILLED: [['OrderSubmitted'], ['OrderAccepted'], ['OrderFilled', 10]],
};

function orderIn(status: OrderStatus): Order {
  const order = new Order({ clientOrderId: `o-${status}`, strategyId: 'test', request: limitBuy('99.50'), ts: T0 });
  for (const [type, n] of PATHS[status]) {
    const err = order.apply(makeEvent(order, type, n));
    if (err) throw new Error(`path to ${status}: ${err.message}`);
  }
  expect(order.status).toBe(status);
  return order;
}

const allowed = new Set(allowedTransitions().map(([s, e]) => `${s}|${e}`));
const INVALID_PAIRS: Array<[OrderStatus, OrderEventType]> = ORDER_STATUSES.flatMap((s) => EVENT_TYPES.filter((e) => !allowed.has(`${s}|${e}`)).map((e): [OrderStatus, OrderEventType] => [s, e]));

describe('order state machine', () => {
  it('lists every event type of the union and reaches every status', () => {
    expect(EVENT_TYPES).toHaveLength(13);
    for (const s of ORDER_STATUSES) expect(orderIn(s).status).toBe(s);
    // Terminal statuses allow nothing, so every one of their pairs is in the invalid list.
    for (const s of ORDER_STATUSES.filter(isTerminalStatus)) expect(INVALID_PAIRS.filter(([from]) => from === s)).toHaveLength(EVENT_TYPES.length);
    expect(INVALID_PAIRS.length + allowed.size).toBe(ORDER_STATUSES.length * EVENT_TYPES.length);
  });

  it('calls a status terminal exactly when no event leads out of it, and working when it is neither terminal nor new', () => {
    for (const s of ORDER_STATUSES) {
      const ways = allowedTransitions().filter(([from]) => from === s);
      expect(isTerminalStatus(s), s).toBe(ways.length === 0);
      expect(isWorkingStatus(s), s).toBe(!isTerminalStatus(s) && s !== 'INITIALIZED');
    }
  });

  it.each(INVALID_PAIRS)('%s refuses %s and changes nothing', (status, type) => {
    const order = orderIn(status);
    const before = JSON.stringify(order.toJSON());
    const fees = order.feesRaw;
    const err = order.apply(makeEvent(order, type));
    expect(err).toEqual({ clientOrderId: order.clientOrderId, from: status, event: type, message: `${type} is not allowed in state ${status}` });
    expect(order.status).toBe(status);
    expect(JSON.stringify(order.toJSON())).toBe(before);
    expect(order.feesRaw).toBe(fees);
  });

  it('applies every allowed pair to its table target', () => {
    for (const [status, type, target] of allowedTransitions()) {
      const order = orderIn(status);
      const err = order.apply(makeEvent(order, type, 1));
      expect(err, `${status} + ${type}`).toBeUndefined();
      const expected =
        target === 'FILL' ? (order.filledQty.raw === order.quantity.raw ? 'FILLED' : 'PARTIALLY_FILLED') : target === 'PREVIOUS' ? 'ACCEPTED' : target;
      expect(order.status, `${status} + ${type}`).toBe(expected);
    }
  });

  it('refuses a fill that would overfill, leaving quantity, fills and fees unchanged', () => {
    const order = orderIn('PARTIALLY_FILLED'); // 4 of 10
    const err = order.apply(makeEvent(order, 'OrderFilled', 7));
    expect(err?.message).toBe('fill of 7 would overfill (filled 4 of 10)');
    expect([order.status, order.filledQty.toString(), order.feesRaw]).toEqual(['PARTIALLY_FILLED', '4', 1n]);
    expect(order.apply(makeEvent(order, 'OrderFilled', 6))).toBeUndefined();
    expect([order.status, order.filledQty.toString()]).toEqual(['FILLED', '10']);
  });

  it('applies a fill that races a cancel request, and the cancel then completes the order', () => {
    const order = orderIn('PENDING_CANCEL');
    expect(order.apply(makeEvent(order, 'OrderFilled', 3))).toBeUndefined();
    expect([order.status, order.filledQty.toString()]).toEqual(['PARTIALLY_FILLED', '3']);
    expect(order.apply(makeEvent(order, 'OrderCanceled'))).toBeUndefined();
    expect(order.status).toBe('CANCELED');
    const full = orderIn('PENDING_CANCEL');
    expect(full.apply(makeEvent(full, 'OrderFilled', 10))).toBeUndefined();
    expect(full.status).toBe('FILLED');
  });

  it('a refused cancel or amend returns to the status held before the request', () => {
    const partial = orderIn('PARTIALLY_FILLED');
    partial.apply(makeEvent(partial, 'OrderPendingCancel'));
    partial.apply(makeEvent(partial, 'OrderCancelRejected'));
    expect(partial.status).toBe('PARTIALLY_FILLED');
    partial.apply(makeEvent(partial, 'OrderPendingUpdate'));
    partial.apply(makeEvent(partial, 'OrderModifyRejected'));
    expect(partial.status).toBe('PARTIALLY_FILLED');
    // A stop that triggers while a cancel is pending returns to TRIGGERED if the cancel is refused.
    const stop = orderIn('PENDING_CANCEL');
    expect(stop.apply(makeEvent(stop, 'OrderTriggered'))).toBeUndefined();
    expect(stop.status).toBe('PENDING_CANCEL');
    stop.apply(makeEvent(stop, 'OrderCancelRejected'));
    expect(stop.status).toBe('TRIGGERED');
    // An amend that lands while a cancel is pending returns, if the cancel is refused, to the pre-amend status.
    const both = orderIn('PENDING_UPDATE');
    both.apply(makeEvent(both, 'OrderPendingCancel'));
    both.apply(makeEvent(both, 'OrderCancelRejected'));
    expect(both.status).toBe('ACCEPTED');
  });

  it('an update to the filled quantity finishes the order', () => {
    const order = orderIn('PARTIALLY_FILLED');
    order.apply(makeEvent(order, 'OrderPendingUpdate'));
    const update: OrderUpdated = { clientOrderId: order.clientOrderId, instrumentId: 'ACME', strategyId: 'test', ts: T0 + 1, type: 'OrderUpdated', quantity: qty(4) };
    expect(order.apply(update)).toBeUndefined();
    expect([order.status, order.quantity.toString()]).toEqual(['FILLED', '4']);
  });

  it('property: any event sequence keeps the order within the table and never overfills', () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.constantFrom(...EVENT_TYPES), fc.integer({ min: 1, max: 6 })), { maxLength: 40 }), (steps) => {
        const order = new Order({ clientOrderId: 'p', strategyId: 'test', request: limitBuy('99.50'), ts: T0 });
        let terminalAt: OrderStatus | undefined;
        for (const [type, n] of steps) {
          const from = order.status;
          const filledBefore = order.filledQty.raw;
          const err = order.apply(makeEvent(order, type, n));
          if (err) {
            expect(order.status).toBe(from);
            expect(order.filledQty.raw).toBe(filledBefore);
          } else {
            expect(allowed.has(`${from}|${type}`)).toBe(true);
          }
          expect(order.filledQty.raw).toBeLessThanOrEqual(order.quantity.raw);
          if (terminalAt !== undefined) expect(order.status).toBe(terminalAt);
          if (order.isTerminal) terminalAt = order.status;
        }
      }),
      { seed: 20240102, numRuns: 500 },
    );
  });
});

/**
 * Brackets: an entry whose fills send a stop-loss (STOP_MARKET) and a take-profit (LIMIT), both
 * reduce-only, OCO with each other, and sized to the entry's filled quantity. Driven through the
 * real TradingEngine + SimulatedExchange + SimulatedClock.
 *
 * Fees (ACME): maker 0.0002, taker 0.001 of notional, rounded once to the cent.
 */
import { describe, expect, it } from 'vitest';
import { Price } from '../core/price.js';
import type { OrderCanceled } from '../model/order-events.js';
import type { OrderRequest } from '../model/order.js';
import type { BracketRequest } from './execution-engine.js';
import { fixedLatency, participationFillModel } from './models.js';
import { Harness, MIDNIGHT, MINUTE, T0, px, qty, useHarnesses } from './test-fixtures.js';

const harness = useHarnesses();

const OPEN = { bid: '100.00', ask: '100.02' };
function bracket(entry: Partial<OrderRequest> = {}): BracketRequest {
  return {
    entry: { instrumentId: 'ACME', side: 'BUY', type: 'MARKET', quantity: qty(10), clientOrderId: 'B', ...entry },
    stopLoss: px('95.00'),
    takeProfit: px('105.00'),
  };
}
const cancelReason = (h: Harness, id: string) => (h.eventsFor(id).find((e) => e.type === 'OrderCanceled') as OrderCanceled | undefined)?.reason;

describe('bracket exits follow the entry', () => {
  it('exits wait, unsent, until the entry fills', () => {
    const h = harness();
    h.quote(T0, OPEN);
    h.submitBracket(bracket({ type: 'LIMIT', price: px('99.00') }));
    expect(h.status('B')).toBe('ACCEPTED');
    expect([h.status('B-SL'), h.status('B-TP')]).toEqual(['INITIALIZED', 'INITIALIZED']);
    expect(h.eventsFor('B-SL')).toEqual([]);
    expect(h.exchange.queryOrder('B-SL')).toBeUndefined();
    expect(h.exchange.queryOrder('B-TP')).toBeUndefined();
  });

  it('on the entry fill a reduce-only STOP_MARKET and LIMIT are sent for the filled quantity', () => {
    const h = harness();
    h.quote(T0, OPEN);
    const r = h.submitBracket(bracket());
    expect(r.ok && r.order.clientOrderId).toBe('B');
    // 10 @ 100.02 taker: 1000.20 × 0.001 = 1.0002 -> 1.00
    expect(h.fillSummary('B')).toEqual([['10', '100.02', 'TAKER', '1.00']]);
    const sl = h.execution.status('B-SL')!;
    const tp = h.execution.status('B-TP')!;
    expect([sl.type, sl.side, sl.quantity.toString(), sl.triggerPrice!.toString(), sl.price, sl.reduceOnly, sl.timeInForce]).toEqual([
      'STOP_MARKET', 'SELL', '10', '95.00', undefined, true, 'GTC',
    ]);
    expect([tp.type, tp.side, tp.quantity.toString(), tp.price!.toString(), tp.triggerPrice, tp.reduceOnly, tp.timeInForce]).toEqual([
      'LIMIT', 'SELL', '10', '105.00', undefined, true, 'GTC',
    ]);
    expect([sl.contingency, sl.parentId, sl.linkedIds]).toEqual(['OCO', 'B', ['B-TP']]);
    expect([tp.contingency, tp.parentId, tp.linkedIds]).toEqual(['OCO', 'B', ['B-SL']]);
    expect(h.typesFor('B-SL')).toEqual(['OrderSubmitted', 'OrderAccepted']);
    expect(h.typesFor('B-TP')).toEqual(['OrderSubmitted', 'OrderAccepted']);
    expect(h.exchange.workingOrders().map((w) => w.clientOrderId).sort()).toEqual(['B-SL', 'B-TP']);
  });

  it('a take-profit fill cancels the stop-loss (OCO)', () => {
    const h = harness();
    h.quote(T0, OPEN);
    h.submitBracket(bracket());
    h.quote(T0 + MINUTE, { bid: '104.99', ask: '105.01' });
    expect(h.status('B-TP')).toBe('ACCEPTED');
    h.quote(T0 + 2 * MINUTE, { bid: '105.00', ask: '105.02' });
    // 10 @ 105.00 maker: 1050.00 × 0.0002 = 0.21
    expect(h.fillSummary('B-TP')).toEqual([['10', '105.00', 'MAKER', '0.21']]);
    expect(h.typesFor('B-SL')).toEqual(['OrderSubmitted', 'OrderAccepted', 'OrderCanceled']);
    expect(cancelReason(h, 'B-SL')).toBe('OCO sibling B-TP filled');
    expect(h.net()).toBe('0');
    expect(h.exchange.workingOrders()).toEqual([]);
    // The canceled stop cannot fire on a later crash.
    h.quote(T0 + 3 * MINUTE, { bid: '90.00', ask: '90.02' });
    expect(h.fillsFor('B-SL')).toEqual([]);
    expect(h.net()).toBe('0');
  });

  it('a stop-loss fill cancels the take-profit (OCO)', () => {
    const h = harness();
    h.quote(T0, OPEN);
    h.submitBracket(bracket());
    h.quote(T0 + MINUTE, { bid: '94.90', ask: '94.95' });
    expect(h.typesFor('B-SL')).toEqual(['OrderSubmitted', 'OrderAccepted', 'OrderTriggered', 'OrderFilled']);
    // 10 @ 94.90 taker: 949.00 × 0.001 = 0.949 -> 0.95
    expect(h.fillSummary('B-SL')).toEqual([['10', '94.90', 'TAKER', '0.95']]);
    expect(h.typesFor('B-TP')).toEqual(['OrderSubmitted', 'OrderAccepted', 'OrderCanceled']);
    expect(cancelReason(h, 'B-TP')).toBe('OCO sibling B-SL filled');
    expect(h.net()).toBe('0');
    h.quote(T0 + 2 * MINUTE, { bid: '106.00', ask: '106.02' });
    expect(h.fillsFor('B-TP')).toEqual([]);
  });

  it('when one bar reaches both exits the stop wins (the conservative choice)', () => {
    const h = harness();
    h.bar(T0, { open: '99.80', high: '100.20', low: '99.60', close: '100.00' });
    h.submitBracket(bracket());
    h.bar(T0 + MINUTE, { open: '100.00', high: '100.50', low: '99.50', close: '100.20' });
    // Entry at the next open: 10 @ 100.00 taker: 1000.00 × 0.001 = 1.00; exits now rest for the next bar.
    expect(h.fillSummary('B')).toEqual([['10', '100.00', 'TAKER', '1.00']]);
    expect([h.status('B-SL'), h.status('B-TP')]).toEqual(['ACCEPTED', 'ACCEPTED']);
    h.bar(T0 + 2 * MINUTE, { open: '100.00', high: '106.00', low: '94.00', close: '101.00' });
    // 10 @ 95.00 (the trigger, inside the bar) taker: 950.00 × 0.001 = 0.95
    expect(h.fillSummary('B-SL')).toEqual([['10', '95.00', 'TAKER', '0.95']]);
    expect(h.fillsFor('B-TP')).toEqual([]);
    expect(h.status('B-TP')).toBe('CANCELED');
    expect(h.net()).toBe('0');
  });

  it('a short entry gets a BUY stop above and a BUY limit below', () => {
    const h = harness();
    h.quote(T0, OPEN);
    h.submitBracket({ entry: { instrumentId: 'ACME', side: 'SELL', type: 'MARKET', quantity: qty(4), clientOrderId: 'S' }, stopLoss: px('103.00'), takeProfit: px('97.00') });
    expect(h.net()).toBe('-4');
    expect([h.execution.status('S-SL')!.side, h.execution.status('S-TP')!.side]).toEqual(['BUY', 'BUY']);
    h.quote(T0 + MINUTE, { bid: '96.98', ask: '97.00' });
    // 4 @ 97.00 maker: 388.00 × 0.0002 = 0.0776 -> 0.08
    expect(h.fillSummary('S-TP')).toEqual([['4', '97.00', 'MAKER', '0.08']]);
    expect(h.status('S-SL')).toBe('CANCELED');
    expect(h.net()).toBe('0');
  });
});

describe('an exit partly filled on arrival', () => {
  it('cuts its OCO sibling that has not arrived yet, which is told so after its acceptance', () => {
    // The entry fills 10 at once; the stop, triggered on arrival, takes half of the 8 bid.
    const h = harness({ fillModel: participationFillModel(0.5) });
    h.quote(T0, { bid: '100.00', ask: '100.01', bidSize: 8, askSize: 1000 });
    h.submitBracket({ ...bracket(), stopLoss: px('100.00') });
    expect([h.status('B-SL'), h.filled('B-SL')]).toEqual(['PARTIALLY_FILLED', '4']);
    expect(h.net()).toBe('6');
    expect(h.typesFor('B-TP')).toEqual(['OrderSubmitted', 'OrderAccepted', 'OrderUpdated']);
    expect(h.execution.status('B-TP')!.quantity.toString()).toBe('6');
    expect(h.exchange.queryOrderTerms('B-TP')!.quantity.toString()).toBe('6');
    h.cancel('B-SL');
    h.quote(T0 + MINUTE, { bid: '105.00', ask: '105.01', bidSize: 100, askSize: 100 });
    expect(h.fillSummary('B-TP').map(([q, p]) => [q, p])).toEqual([['6', '105.00']]);
    expect(h.net()).toBe('0');
  });
});

describe('an entry that ends without fills takes its exits with it', () => {
  it('entry canceled: both exits are canceled locally and never reach the venue', () => {
    const h = harness();
    h.quote(T0, OPEN);
    h.submitBracket(bracket({ type: 'LIMIT', price: px('99.00') }));
    h.cancel('B');
    expect(h.status('B')).toBe('CANCELED');
    expect(h.typesFor('B-SL')).toEqual(['OrderCanceled']);
    expect(h.typesFor('B-TP')).toEqual(['OrderCanceled']);
    expect(cancelReason(h, 'B-SL')).toBe('parent B canceled');
    expect(h.exchange.queryOrder('B-SL')).toBeUndefined();
    expect(h.exchange.queryOrder('B-TP')).toBeUndefined();
  });

  it('entry denied by the gateway: exits canceled', () => {
    const h = harness();
    h.submitBracket(bracket({ price: px('100.00') })); // a MARKET entry may not carry a price
    expect(h.status('B')).toBe('DENIED');
    expect([h.status('B-SL'), h.status('B-TP')]).toEqual(['CANCELED', 'CANCELED']);
    expect(cancelReason(h, 'B-TP')).toBe('parent B denied');
  });

  it('an exit the gateway would deny denies the entry before it trades', () => {
    const h = harness();
    h.quote(T0, OPEN);
    h.submitBracket({ ...bracket(), stopLoss: Price.of('95.005', 3) });
    expect(h.status('B')).toBe('DENIED');
    const denied = h.eventsFor('B').find((e) => e.type === 'OrderDenied');
    expect(denied?.type === 'OrderDenied' && denied.message).toBe('bracket exit: trigger price 95.005 is not a positive multiple of tick 0.01 for ACME');
    expect([h.status('B-SL'), h.status('B-TP')]).toEqual(['CANCELED', 'CANCELED']);
    expect(h.net()).toBe('0');
  });

  it('exits on the wrong sides deny the entry: a long\'s stop below its limit entry and target, a short\'s above', () => {
    const h = harness();
    h.quote(T0, OPEN);
    h.submitBracket({ ...bracket(), stopLoss: px('105.00'), takeProfit: px('95.00') });
    h.submitBracket({ ...bracket({ clientOrderId: 'L', type: 'LIMIT', price: px('94.00') }) });
    h.submitBracket({ ...bracket({ clientOrderId: 'S', side: 'SELL' }), stopLoss: px('105.00'), takeProfit: px('95.00') });
    const message = (id: string) => h.eventsFor(id).find((e) => e.type === 'OrderDenied')?.message;
    expect(message('B')).toBe('bracket exit: prices must rise from stop-loss to take-profit for a BUY entry: stop-loss 105.00, take-profit 95.00');
    expect(message('L')).toBe('bracket exit: prices must rise from stop-loss to entry to take-profit for a BUY entry: stop-loss 95.00, entry 94.00, take-profit 105.00');
    expect([h.status('B'), h.status('L'), h.status('B-SL'), h.status('L-TP')]).toEqual(['DENIED', 'DENIED', 'CANCELED', 'CANCELED']);
    expect(h.status('S')).not.toBe('DENIED');
    expect(h.net()).toBe('-10');
  });

  it('entry rejected by the venue (buying power): exits canceled', () => {
    const h = harness({ startingCash: '500' });
    h.quote(T0, OPEN);
    h.submitBracket(bracket());
    expect(h.status('B')).toBe('REJECTED');
    expect([h.status('B-SL'), h.status('B-TP')]).toEqual(['CANCELED', 'CANCELED']);
    expect(cancelReason(h, 'B-SL')).toBe('parent B rejected');
  });

  it('DAY entry expired unfilled: exits canceled', () => {
    const h = harness();
    h.quote(T0, OPEN);
    h.submitBracket(bracket({ type: 'LIMIT', price: px('99.00'), timeInForce: 'DAY' }));
    h.advanceTo(MIDNIGHT);
    expect(h.status('B')).toBe('EXPIRED');
    expect([h.status('B-SL'), h.status('B-TP')]).toEqual(['CANCELED', 'CANCELED']);
    expect(cancelReason(h, 'B-SL')).toBe('parent B expired');
  });

  it('canceling an unsent exit directly cancels it locally', () => {
    const h = harness();
    h.quote(T0, OPEN);
    h.submitBracket(bracket({ type: 'LIMIT', price: px('99.00') }));
    expect(h.cancel('B-TP')).toBe(true);
    expect(h.typesFor('B-TP')).toEqual(['OrderCanceled']);
    expect(cancelReason(h, 'B-TP')).toBe('canceled before submission');
    // When the entry fills, only the stop-loss is sent.
    h.quote(T0 + MINUTE, { bid: '98.90', ask: '98.95' });
    expect(h.status('B')).toBe('FILLED');
    expect(h.typesFor('B-SL')).toEqual(['OrderSubmitted', 'OrderAccepted']);
    expect(h.typesFor('B-TP')).toEqual(['OrderCanceled']);
  });

  it('a bracket whose exit ids are taken is refused whole', () => {
    const h = harness();
    h.quote(T0, OPEN);
    h.submit({ instrumentId: 'ACME', side: 'BUY', type: 'LIMIT', quantity: qty(1), price: px('90.00'), clientOrderId: 'B-SL' });
    const r = h.submitBracket(bracket());
    expect(r).toEqual({ ok: false, reason: 'DUPLICATE_CLIENT_ORDER_ID', message: 'client order id B-SL was already used in this run' });
    expect(h.execution.status('B')).toBeUndefined();
    expect(h.execution.status('B-TP')).toBeUndefined();
    expect(h.net()).toBe('0');
  });
});

describe('partial entry fills', () => {
  it('exits are sized to the filled quantity and resized as the entry fills more', () => {
    const h = harness({ fillModel: participationFillModel(0.5) });
    h.quote(T0, { ...OPEN, askSize: 8 });
    h.submitBracket(bracket());
    // floor(8 × 0.5) = 4 filled: exits for 4.
    expect(h.filled('B')).toBe('4');
    expect([h.execution.status('B-SL')!.quantity.toString(), h.execution.status('B-TP')!.quantity.toString()]).toEqual(['4', '4']);
    h.quote(T0 + 1000, { bid: '100.01', ask: '100.03', askSize: 4 });
    // +2 -> 6
    expect(h.filled('B')).toBe('6');
    expect([h.execution.status('B-SL')!.quantity.toString(), h.execution.status('B-TP')!.quantity.toString()]).toEqual(['6', '6']);
    h.quote(T0 + 2000, { bid: '100.02', ask: '100.04', askSize: 100 });
    expect(h.status('B')).toBe('FILLED');
    expect([h.execution.status('B-SL')!.quantity.toString(), h.execution.status('B-TP')!.quantity.toString()]).toEqual(['10', '10']);
    expect(h.typesFor('B-SL')).toEqual(['OrderSubmitted', 'OrderAccepted', 'OrderPendingUpdate', 'OrderUpdated', 'OrderPendingUpdate', 'OrderUpdated']);
    // The whole position is protected: the stop sells all 10.
    h.quote(T0 + 3000, { bid: '94.00', ask: '94.02', bidSize: 100 });
    expect(h.fillsFor('B-SL').map((f) => f.lastQty.toString())).toEqual(['10']);
    expect(h.status('B-TP')).toBe('CANCELED');
    expect(h.net()).toBe('0');
  });

  it('an entry canceled after a partial fill keeps its exits, sized to what filled', () => {
    const h = harness({ fillModel: participationFillModel(0.5) });
    h.quote(T0, { ...OPEN, askSize: 6 });
    h.submitBracket(bracket({ type: 'LIMIT', price: px('100.05') }));
    expect(h.filled('B')).toBe('3');
    h.cancel('B');
    expect(h.status('B')).toBe('CANCELED');
    expect([h.status('B-SL'), h.status('B-TP')]).toEqual(['ACCEPTED', 'ACCEPTED']);
    expect(h.execution.status('B-TP')!.quantity.toString()).toBe('3');
    h.quote(T0 + MINUTE, { bid: '105.00', ask: '105.02', bidSize: 100 });
    expect(h.fillsFor('B-TP').map((f) => f.lastQty.toString())).toEqual(['3']);
    expect(h.net()).toBe('0');
  });

  it('a partial take-profit fill shrinks the stop-loss by the same amount', () => {
    const h = harness({ fillModel: participationFillModel(0.5) });
    h.quote(T0, OPEN);
    h.submitBracket(bracket());
    h.quote(T0 + MINUTE, { bid: '105.00', ask: '105.02', bidSize: 8 });
    expect(h.fillSummary('B-TP')).toEqual([['4', '105.00', 'MAKER', '0.08']]); // 420.00 × 0.0002 = 0.084 -> 0.08
    expect(h.typesFor('B-SL').slice(-1)).toEqual(['OrderUpdated']);
    expect(h.execution.status('B-SL')!.quantity.toString()).toBe('6');
    expect(h.net()).toBe('6');
    h.quote(T0 + 2 * MINUTE, { bid: '94.00', ask: '94.02', bidSize: 100 });
    // The stop sells the 6 left, not 10: never flips the position short.
    expect(h.fillsFor('B-SL').map((f) => f.lastQty.toString())).toEqual(['6']);
    expect(h.status('B-TP')).toBe('CANCELED');
    expect(h.net()).toBe('0');
  });

  it('an entry fill after a partial take-profit resizes each exit to the position the bracket still holds', () => {
    const h = harness({ fillModel: participationFillModel(0.5) });
    h.quote(T0, { ...OPEN, askSize: 8 });
    h.submitBracket(bracket());
    expect(h.filled('B')).toBe('4');
    // The take-profit sells 2 of the 4 (floor(4 × 0.5)); the entry gets nothing (floor(1 × 0.5) = 0).
    h.quote(T0 + MINUTE, { bid: '105.00', ask: '105.02', bidSize: 4, askSize: 1 });
    expect(h.filled('B-TP')).toBe('2');
    expect(h.execution.status('B-SL')!.quantity.toString()).toBe('2');
    h.quote(T0 + 2 * MINUTE, { bid: '100.00', ask: '100.02', askSize: 100 });
    expect(h.status('B')).toBe('FILLED');
    expect(h.net()).toBe('8');
    // 10 bought, 2 sold: the stop covers 8; the take-profit's 10 counts the 2 it filled.
    expect([h.execution.status('B-SL')!.quantity.toString(), h.execution.status('B-TP')!.quantity.toString()]).toEqual(['8', '10']);
    h.quote(T0 + 3 * MINUTE, { bid: '94.00', ask: '94.02', bidSize: 100 });
    expect(h.fillsFor('B-SL').map((f) => f.lastQty.toString())).toEqual(['8']);
    expect(h.status('B-TP')).toBe('CANCELED');
    expect(h.net()).toBe('0');
    expect(h.errors).toEqual([]);
  });

  it('with latency, exits catch up with entry fills that land while a resize is in flight', () => {
    const h = harness({ fillModel: participationFillModel(0.5), latencyModel: fixedLatency(100) });
    h.quote(T0, { ...OPEN, askSize: 8 });
    h.submitBracket(bracket());
    h.advanceTo(T0 + 100); // entry arrives: 4 filled; exits sent for 4, arriving at T0 + 200
    expect(h.filled('B')).toBe('4');
    h.quote(T0 + 150, { bid: '100.01', ask: '100.03', askSize: 4 }); // +2 -> 6: resize to 6 sent
    h.quote(T0 + 160, { bid: '100.02', ask: '100.04', askSize: 100 }); // +4 -> 10 while the resize travels
    expect(h.status('B')).toBe('FILLED');
    h.advanceTo(T0 + 1000);
    expect([h.status('B-SL'), h.status('B-TP')]).toEqual(['ACCEPTED', 'ACCEPTED']);
    expect([h.execution.status('B-SL')!.quantity.toString(), h.execution.status('B-TP')!.quantity.toString()]).toEqual(['10', '10']);
    expect(h.errors).toEqual([]);
    h.quote(T0 + 2000, { bid: '94.00', ask: '94.02', bidSize: 100 });
    h.advanceTo(T0 + 3000);
    expect(h.fillsFor('B-SL').map((f) => f.lastQty.toString())).toEqual(['10']);
    expect(h.net()).toBe('0');
  });
});

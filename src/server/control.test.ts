/**
 * Control endpoints over real HTTP against a real engine: orders go through the risk engine
 * (fills show up in /trades, denials are 422s with the reason code), bodies are validated into
 * domain values (400s naming the field), and kill switch, flatten, flatten-all, cancel and
 * pause/resume act on the engine, each audited. Control routes are rate limited.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { API, auditEventSchema, errorResponseSchema, fillSchema, killSwitchResponseSchema, listResponseSchema, orderSchema, ordersResponseSchema, submitOrderResponseSchema, type AuditEvent } from './protocol.js';
import { BTC, BuyOnQuote, ETH, buildDesk, getJson, send, startServer, type Desk, type Running } from './test-kit.js';

let desk: Desk;
let srv: Running;
const audited: AuditEvent[] = [];

async function setup(overrides: Parameters<typeof startServer>[1] = {}, strategies = [new BuyOnQuote('buyer-1', ['ETH-USD'])]): Promise<void> {
  audited.length = 0;
  desk = buildDesk({ strategies });
  srv = await startServer(desk, { onAudit: (e) => audited.push(e), rateLimit: false, ...overrides });
  desk.quote(BTC, '60000.00', '60001.00');
}

beforeEach(() => setup());
afterEach(async () => {
  await srv.close();
});

const submit = (body: unknown) => send('POST', srv.base + API.submitOrder, body);

describe('POST /api/control/orders', () => {
  it('a market order goes through the risk engine, fills, and shows in /trades and /orders; it is audited', async () => {
    const r = await submit({ instrumentId: 'BTC-USD', side: 'BUY', type: 'MARKET', quantity: '1.5', clientOrderId: 'op-1' });
    expect(r.status).toBe(201);
    const { order } = submitOrderResponseSchema.parse(r.body);
    expect(order).toMatchObject({ clientOrderId: 'op-1', strategyId: 'api', status: 'FILLED', filledQty: '1.500', avgPx: '60001.00', tags: ['api'] });
    const trades = listResponseSchema(fillSchema).parse((await getJson(srv.base + API.trades)).body);
    expect(trades.items.map((t) => [t.clientOrderId, t.lastQty, t.lastPx])).toEqual([['op-1', '1.500', '60001.00']]);
    expect(desk.engine.portfolio.netQtyRaw('BTC-USD')).toBe(1500);
    expect(audited).toEqual([expect.objectContaining({ action: 'order.submit', target: 'op-1', outcome: 'ok', remoteAddress: '127.0.0.1' })]);
    expect(auditEventSchema.parse(audited[0])).toBeTruthy();
    expect(srv.logs.join('')).toMatch(/control order.submit op-1 -> ok/);
  });

  it('a limit order rests and can be canceled; a second cancel is a 409, an unknown order a 404', async () => {
    const r = await submit({ instrumentId: 'BTC-USD', side: 'BUY', type: 'LIMIT', quantity: '1', price: '59000.00', clientOrderId: 'rest-1' });
    expect(r.status).toBe(201);
    expect(submitOrderResponseSchema.parse(r.body).order.status).toBe('ACCEPTED');
    const c = await send('DELETE', `${srv.base}/api/control/orders/rest-1`);
    expect(c.status).toBe(202);
    expect(submitOrderResponseSchema.parse(c.body).order.status).toBe('CANCELED');
    const again = await send('DELETE', `${srv.base}/api/control/orders/rest-1`);
    expect(again.status).toBe(409);
    expect(errorResponseSchema.parse(again.body).message).toMatch(/rest-1 cannot be canceled: it is CANCELED/);
    const unknown = await send('DELETE', `${srv.base}/api/control/orders/nope`);
    expect(unknown.status).toBe(404);
    expect(audited.map((a) => [a.action, a.outcome])).toEqual([
      ['order.submit', 'ok'],
      ['order.cancel', 'ok'],
      ['order.cancel', 'conflict'],
      ['order.cancel', 'not_found'],
    ]);
  });

  it('a denial by the risk engine is a 422 with the reason code', async () => {
    const r = await submit({ instrumentId: 'BTC-USD', side: 'BUY', type: 'MARKET', quantity: '6' });
    expect(r.status).toBe(422);
    const body = errorResponseSchema.parse(r.body);
    expect(body).toMatchObject({ error: 'ORDER_DENIED', reason: 'MAX_ORDER_QTY' });
    expect(body.message).toMatch(/order quantity 6.000 BTC-USD exceeds the limit 5.000/);
    const orders = listResponseSchema(orderSchema).parse((await getJson(srv.base + API.orders)).body);
    expect(orders.items[0]).toMatchObject({ status: 'DENIED', strategyId: 'api' });
    const fat = await submit({ instrumentId: 'BTC-USD', side: 'BUY', type: 'LIMIT', quantity: '1', price: '70000.00' });
    expect(errorResponseSchema.parse(fat.body)).toMatchObject({ error: 'ORDER_DENIED', reason: 'FAT_FINGER' });
    expect(audited.map((a) => a.outcome)).toEqual(['denied', 'denied']);
  });

  it('a duplicate client order id is a 409', async () => {
    await submit({ instrumentId: 'BTC-USD', side: 'BUY', type: 'MARKET', quantity: '1', clientOrderId: 'dup' });
    const r = await submit({ instrumentId: 'BTC-USD', side: 'BUY', type: 'MARKET', quantity: '1', clientOrderId: 'dup' });
    expect(r.status).toBe(409);
    expect(r.body).toMatchObject({ error: 'CONFLICT', reason: 'DUPLICATE_CLIENT_ORDER_ID' });
  });

  it.each([
    [{ instrumentId: 'BTC-USD', side: 'BUY', type: 'LIMIT', quantity: '1', price: '60000.005' }, 'price', /price: price 60000.005 is not a multiple of tick 0.01 for BTC-USD/],
    [{ instrumentId: 'BTC-USD', side: 'BUY', type: 'MARKET', quantity: '0.0005' }, 'quantity', /quantity: quantity 0.0005 is not a multiple of step 0.001 for BTC-USD/],
    [{ instrumentId: 'BTC-USD', side: 'BUY', type: 'MARKET', quantity: '0' }, 'quantity', /below the minimum size 0.001/],
    [{ instrumentId: 'BTC-USD', side: 'BUY', type: 'MARKET', quantity: 'lots' }, 'quantity', /quantity: /],
    [{ instrumentId: 'BTC-USD', side: 'BUY', type: 'MARKET', quantity: '-1' }, 'quantity', /negative/],
    [{ instrumentId: 'BTC-USD', side: 'BUY', type: 'LIMIT', quantity: '1' }, 'price', /a LIMIT order needs a price/],
    [{ instrumentId: 'BTC-USD', side: 'BUY', type: 'MARKET', quantity: '1', price: '60000' }, 'price', /a MARKET order takes no price/],
    [{ instrumentId: 'BTC-USD', side: 'BUY', type: 'STOP_MARKET', quantity: '1' }, 'triggerPrice', /needs a trigger price/],
    [{ instrumentId: 'BTC-USD', side: 'BUY', type: 'LIMIT', quantity: '1', price: '0' }, 'price', /must be positive/],
    [{ instrumentId: 'DOGE-USD', side: 'BUY', type: 'MARKET', quantity: '1' }, 'instrumentId', /instrumentId "DOGE-USD" is not a known instrument/],
    [{ instrumentId: 'BTC-USD', side: 'HOLD', type: 'MARKET', quantity: '1' }, 'side', /side/],
    [{ instrumentId: 'BTC-USD', side: 'BUY', type: 'MARKET' }, 'quantity', /quantity/],
    [{ instrumentId: 'BTC-USD', side: 'BUY', type: 'MARKET', quantity: '1', leverage: 100 }, undefined, /Unrecognized key: "leverage"/],
  ])('%j is a 400 naming %s', async (body, fieldName, message) => {
    const r = await submit(body);
    expect(r.status).toBe(400);
    const err = errorResponseSchema.parse(r.body);
    expect(err.error).toBe('INVALID_FIELD');
    expect(err.field).toBe(fieldName);
    expect(err.message).toMatch(message);
    expect(audited).toEqual([]);
    expect(desk.engine.execution.workingOrders()).toEqual([]);
  });

  it('malformed JSON, an empty JSON body, a wrong content type and a huge body are 4xx with a clear message', async () => {
    const bad = await send('POST', srv.base + API.submitOrder, undefined, undefined, '{"instrumentId": "BTC-USD",');
    expect(bad.status).toBe(400);
    expect(errorResponseSchema.parse(bad.body)).toMatchObject({ error: 'BAD_REQUEST', message: expect.stringMatching(/not valid JSON/) });
    const empty = await send('POST', srv.base + API.submitOrder, undefined, undefined, '');
    expect(empty.status).toBe(400);
    expect(errorResponseSchema.parse(empty.body).message).toMatch(/empty/i);
    const text = await fetch(srv.base + API.submitOrder, { method: 'POST', headers: { authorization: `Bearer ${(await import('./test-kit.js')).TOKEN}`, 'content-type': 'application/xml' }, body: '<buy/>' });
    expect(text.status).toBe(415);
    expect(errorResponseSchema.parse(await text.json()).error).toBe('UNSUPPORTED_MEDIA_TYPE');
    const huge = await send('POST', srv.base + API.submitOrder, { instrumentId: 'x'.repeat(100_000) });
    expect(huge.status).toBe(413);
    expect((await getJson(srv.base + API.healthz, null)).status).toBe(200);
  });
});

describe('kill switch, flatten, pause', () => {
  it('kill switch on halts and cancels working orders (denials say TRADING_HALTED); off resumes', async () => {
    await submit({ instrumentId: 'BTC-USD', side: 'BUY', type: 'LIMIT', quantity: '1', price: '59000.00', clientOrderId: 'w1' });
    const on = await send('POST', srv.base + API.killSwitch, { on: true, reason: 'operator drill' });
    expect(on.status).toBe(200);
    expect(killSwitchResponseSchema.parse(on.body)).toMatchObject({ state: 'HALTED', reason: 'operator drill', orders: [] });
    expect(desk.risk.tradingState).toBe('HALTED');
    expect(desk.engine.execution.status('w1')?.status).toBe('CANCELED');
    const denied = await submit({ instrumentId: 'BTC-USD', side: 'BUY', type: 'MARKET', quantity: '1' });
    expect(denied.status).toBe(422);
    expect(denied.body).toMatchObject({ reason: 'TRADING_HALTED' });
    const summary = (await getJson(srv.base + API.summary)).body as { risk: { state: string; stateReason: string } };
    expect(summary.risk).toMatchObject({ state: 'HALTED', stateReason: 'operator drill' });

    const off = await send('POST', srv.base + API.killSwitch, { on: false });
    expect(killSwitchResponseSchema.parse(off.body).state).toBe('ACTIVE');
    expect((await submit({ instrumentId: 'BTC-USD', side: 'BUY', type: 'MARKET', quantity: '1' })).status).toBe(201);
    expect(audited.map((a) => [a.action, a.outcome])).toEqual([
      ['order.submit', 'ok'],
      ['kill_switch.on', 'ok'],
      ['order.submit', 'denied'],
      ['kill_switch.off', 'ok'],
      ['order.submit', 'ok'],
    ]);
  });

  it('kill switch with flatten closes every position', async () => {
    desk.quote(ETH, '3000.00', '3000.10');
    desk.engine.strategy('buyer-1')!.paused = true;
    await submit({ instrumentId: 'BTC-USD', side: 'BUY', type: 'MARKET', quantity: '1' });
    const on = await send('POST', srv.base + API.killSwitch, { on: true, flatten: true });
    const body = killSwitchResponseSchema.parse(on.body);
    expect(body.orders.map((o) => [o.instrumentId, o.side, o.quantity, o.reduceOnly, o.status])).toEqual([
      ['BTC-USD', 'SELL', '1.000', true, 'FILLED'],
      ['ETH-USD', 'SELL', '0.01', true, 'FILLED'],
    ]);
    expect(desk.engine.portfolio.openPositions()).toEqual([]);
  });

  it('flatten one position; flat and unknown symbols are 409 and 404', async () => {
    await submit({ instrumentId: 'BTC-USD', side: 'SELL', type: 'MARKET', quantity: '2' });
    const r = await send('POST', `${srv.base}/api/control/positions/BTC-USD/flatten`, { reason: 'too big' });
    expect(r.status).toBe(202);
    const { orders } = ordersResponseSchema.parse(r.body);
    expect(orders.map((o) => [o.side, o.quantity, o.status, o.strategyId])).toEqual([['BUY', '2.000', 'FILLED', 'risk']]);
    expect(desk.engine.portfolio.netQtyRaw('BTC-USD')).toBe(0);
    const flat = await send('POST', `${srv.base}/api/control/positions/BTC-USD/flatten`);
    expect(flat.status).toBe(409);
    expect(errorResponseSchema.parse(flat.body).message).toMatch(/no open position in BTC-USD/);
    expect((await send('POST', `${srv.base}/api/control/positions/XRP-USD/flatten`)).status).toBe(404);
    expect(audited.filter((a) => a.action === 'position.flatten').map((a) => [a.target, a.outcome, a.params.reason])).toEqual([
      ['BTC-USD', 'ok', 'too big'],
      ['BTC-USD', 'conflict', 'flatten requested via API'],
      ['XRP-USD', 'not_found', 'flatten requested via API'],
    ]);
  });

  it('flatten-all closes every open position', async () => {
    desk.quote(ETH, '3000.00', '3000.10');
    await submit({ instrumentId: 'BTC-USD', side: 'BUY', type: 'MARKET', quantity: '1' });
    expect(desk.engine.portfolio.openPositions().length).toBe(2);
    const r = await send('POST', srv.base + API.flattenAll, {});
    expect(r.status).toBe(202);
    expect(ordersResponseSchema.parse(r.body).orders).toHaveLength(2);
    expect(desk.engine.portfolio.openPositions()).toEqual([]);
  });

  it('pause stops a strategy from sending orders; resume lets it trade again; unknown ids are 404', async () => {
    const buyer = desk.engine.strategy('buyer-1') as BuyOnQuote;
    desk.quote(ETH, '3000.00', '3000.10');
    expect(buyer.sent).toBe(1);
    const p = await send('POST', `${srv.base}/api/control/strategies/buyer-1/pause`);
    expect(p.status).toBe(200);
    expect(p.body).toEqual({ id: 'buyer-1', paused: true });
    desk.quote(ETH, '3000.00', '3000.10');
    desk.quote(ETH, '3000.00', '3000.10');
    expect(buyer.sent).toBe(1);
    const summary = (await getJson(srv.base + API.summary)).body as { strategies: unknown };
    expect(summary.strategies).toEqual([{ id: 'buyer-1', paused: true }]);
    const r = await send('POST', `${srv.base}/api/control/strategies/buyer-1/resume`, {});
    expect(r.body).toEqual({ id: 'buyer-1', paused: false });
    desk.quote(ETH, '3000.00', '3000.10');
    expect(buyer.sent).toBe(2);
    const unknown = await send('POST', `${srv.base}/api/control/strategies/ghost/pause`);
    expect(unknown.status).toBe(404);
    expect(errorResponseSchema.parse(unknown.body).message).toMatch(/strategy ghost is unknown \(known: buyer-1\)/);
  });
});

describe('rate limiting', () => {
  it('control routes answer 429 with Retry-After past the burst; reads are not limited', async () => {
    await srv.close();
    await setup({ rateLimit: { burst: 3, perSecond: 0.01 } });
    const statuses: number[] = [];
    for (let i = 0; i < 5; i++) statuses.push((await send('POST', `${srv.base}/api/control/strategies/buyer-1/pause`)).status);
    expect(statuses).toEqual([200, 200, 200, 429, 429]);
    const limited = await send('POST', `${srv.base}/api/control/strategies/buyer-1/pause`);
    expect(limited.headers.get('retry-after')).toMatch(/^\d+$/);
    expect(errorResponseSchema.parse(limited.body)).toMatchObject({ error: 'RATE_LIMITED' });
    // Another control route has its own bucket; reads have none.
    expect((await send('POST', `${srv.base}/api/control/strategies/buyer-1/resume`)).status).toBe(200);
    for (let i = 0; i < 10; i++) expect((await getJson(srv.base + API.summary)).status).toBe(200);
    // Rate-limited attempts never reached the engine, so they are not audited.
    expect(audited.filter((a) => a.action === 'strategy.pause')).toHaveLength(3);
  });
});

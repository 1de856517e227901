/**
 * The read API over real HTTP: every GET endpoint answers in its protocol shape, lists page and
 * filter as documented, bad query strings are 400s naming the field, and health, readiness,
 * metrics and docs behave.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { z } from 'zod';
import {
  API,
  alertSchema,
  auditEventSchema,
  closedPositionSchema,
  fillSchema,
  listResponseSchema,
  orderSchema,
  performanceResponseSchema,
  pnlResponseSchema,
  positionSchema,
  readyResponseSchema,
  riskResponseSchema,
  signalSchema,
  summaryResponseSchema,
  wsConnectionsResponseSchema,
} from './protocol.js';
import { BTC, ETH, SignalOnQuote, TestClient, buildDesk, getJson, send, startServer, type Desk, type Running } from './test-kit.js';

let desk: Desk;
let srv: Running;

const conform = <S extends z.ZodType>(schema: S, body: unknown): z.output<S> => schema.parse(body);

beforeEach(async () => {
  desk = buildDesk({ strategies: [new SignalOnQuote('sig-1')] });
  srv = await startServer(desk, { monitor: { snapshot: () => ({ schema: 'test', trades: 3 }) } });
});
afterEach(async () => {
  await srv.close();
});

/** Buys `qty` BTC at market through the API (quotes first so there is a market). */
async function buyBtc(qty = '1') {
  const r = await send('POST', srv.base + API.submitOrder, { instrumentId: 'BTC-USD', side: 'BUY', type: 'MARKET', quantity: qty });
  expect(r.status).toBe(201);
  return r;
}

describe('GET /api/live/*', () => {
  it('summary carries equity, risk state, limits usage, alerts, strategies and health', async () => {
    desk.quote(BTC, '60000.00', '60001.00');
    const { status, body } = await getJson(srv.base + API.summary);
    expect(status).toBe(200);
    const s = conform(summaryResponseSchema, body);
    expect(s.portfolio.equity).toBe('1000000.00');
    expect(s.portfolio.currency).toBe('USD');
    expect(s.risk.state).toBe('ACTIVE');
    expect(s.strategies).toEqual([{ id: 'sig-1', paused: false }]);
    expect(s.health.engineRunning).toBe(true);
    expect(s.health.dataFresh).toBe(true);
  });

  it('summary follows the engine: the same state between bus messages, the new state after one', async () => {
    desk.quote(BTC, '60000.00', '60001.00');
    const first = conform(summaryResponseSchema, (await getJson(srv.base + API.summary)).body);
    const again = conform(summaryResponseSchema, (await getJson(srv.base + API.summary)).body);
    expect(again.portfolio).toEqual(first.portfolio);
    expect(first.portfolio.openPositions).toBe(0);
    await buyBtc('1');
    desk.quote(BTC, '60100.00', '60101.00');
    const after = conform(summaryResponseSchema, (await getJson(srv.base + API.summary)).body);
    expect(after.portfolio.openPositions).toBe(1);
    expect(after.portfolio.unrealized).toBe('99.50');
    // Pausing a strategy publishes nothing on the bus: strategies are written fresh every time.
    expect((await send('POST', `${srv.base}/api/control/strategies/sig-1/pause`, {})).status).toBe(200);
    const paused = conform(summaryResponseSchema, (await getJson(srv.base + API.summary)).body);
    expect(paused.strategies).toEqual([{ id: 'sig-1', paused: true }]);
  });

  it('positions: every instrument now, then closed positions after a round trip', async () => {
    desk.quote(BTC, '60000.00', '60001.00');
    await buyBtc('1');
    desk.quote(BTC, '60100.00', '60101.00');
    const now = conform(listResponseSchema(positionSchema), (await getJson(srv.base + API.positions)).body);
    expect(now.items.map((p) => p.instrumentId)).toEqual(['BTC-USD', 'ETH-USD']);
    const btc = now.items[0]!;
    expect(btc).toMatchObject({ side: 'LONG', quantity: '1.000', avgPx: '60001.00', markPx: '60100.50' });
    expect(btc.unrealized).toBe('99.50');

    const one = conform(listResponseSchema(positionSchema), (await getJson(`${srv.base}${API.positions}?symbol=ETH-USD`)).body);
    expect(one.items.map((p) => p.instrumentId)).toEqual(['ETH-USD']);

    await send('POST', srv.base + '/api/control/positions/BTC-USD/flatten', {});
    const closed = conform(listResponseSchema(closedPositionSchema), (await getJson(`${srv.base}${API.positions}?view=closed`)).body);
    expect(closed.items).toHaveLength(1);
    expect(closed.items[0]).toMatchObject({ instrumentId: 'BTC-USD', side: 'LONG', avgEntryPx: '60001.00', avgExitPx: '60100.00' });
  });

  it('pnl: current figures and the published history', async () => {
    desk.quote(BTC, '60000.00', '60001.00');
    await buyBtc('1');
    const body = conform(pnlResponseSchema, (await getJson(srv.base + API.pnl)).body);
    expect(body.current.openPositions).toBe(1);
    expect(body.items.length).toBeGreaterThanOrEqual(1);
    expect(body.items[0]!.openPositions).toBe(1);
  });

  it('signals: paginated newest first with a stable cursor, filtered by symbol and time', async () => {
    const ts: number[] = [];
    for (let i = 0; i < 7; i++) ts.push(desk.quote(i % 2 === 0 ? BTC : ETH, '100.00', '100.02').ts);
    const page1 = conform(listResponseSchema(signalSchema), (await getJson(`${srv.base}${API.signals}?limit=3`)).body);
    expect(page1.items.map((s) => s.ts)).toEqual([ts[6], ts[5], ts[4]]);
    expect(page1.nextCursor).not.toBeNull();
    // New items arriving between pages do not shift the next page.
    desk.quote(BTC, '100.00', '100.02');
    const page2 = conform(listResponseSchema(signalSchema), (await getJson(`${srv.base}${API.signals}?limit=3&cursor=${page1.nextCursor}`)).body);
    expect(page2.items.map((s) => s.ts)).toEqual([ts[3], ts[2], ts[1]]);
    const page3 = conform(listResponseSchema(signalSchema), (await getJson(`${srv.base}${API.signals}?limit=3&cursor=${page2.nextCursor}`)).body);
    expect(page3.items.map((s) => s.ts)).toEqual([ts[0]]);
    expect(page3.nextCursor).toBeNull();

    const eth = conform(listResponseSchema(signalSchema), (await getJson(`${srv.base}${API.signals}?symbol=ETH-USD`)).body);
    expect(eth.items.map((s) => s.ts)).toEqual([ts[5], ts[3], ts[1]]);
    const window = conform(listResponseSchema(signalSchema), (await getJson(`${srv.base}${API.signals}?from=${ts[2]}&to=${ts[4]}`)).body);
    expect(window.items.map((s) => s.ts)).toEqual([ts[4], ts[3], ts[2]]);
  });

  it('trades: a fill appears with its price, quantity and fee', async () => {
    desk.quote(BTC, '60000.00', '60001.00');
    await buyBtc('0.5');
    const trades = conform(listResponseSchema(fillSchema), (await getJson(srv.base + API.trades)).body);
    expect(trades.items).toHaveLength(1);
    expect(trades.items[0]).toMatchObject({ instrumentId: 'BTC-USD', side: 'BUY', lastQty: '0.500', lastPx: '60001.00', strategyId: 'api', liquidity: 'TAKER' });
    expect(trades.items[0]!.fee).toBe('15.00');
  });

  it('orders: all orders, or working ones only', async () => {
    desk.quote(BTC, '60000.00', '60001.00');
    await buyBtc('1');
    const resting = await send('POST', srv.base + API.submitOrder, { instrumentId: 'BTC-USD', side: 'BUY', type: 'LIMIT', quantity: '1', price: '59000.00' });
    expect(resting.status).toBe(201);
    const all = conform(listResponseSchema(orderSchema), (await getJson(srv.base + API.orders)).body);
    expect(all.items.map((o) => o.status)).toEqual(['ACCEPTED', 'FILLED']);
    const working = conform(listResponseSchema(orderSchema), (await getJson(`${srv.base}${API.orders}?status=working`)).body);
    expect(working.items).toHaveLength(1);
    expect(working.items[0]).toMatchObject({ type: 'LIMIT', price: '59000.00', status: 'ACCEPTED' });
  });

  it('alerts: raised by the risk engine, listed, filterable to active ones', async () => {
    desk.risk.alerts.raise({ key: 'test:BTC', level: 'WARNING', action: 'INCREASE_MONITORING', message: 'watch BTC', symbol: 'BTC-USD' });
    desk.risk.alerts.raise({ key: 'test:ETH', level: 'INFO', action: 'INCREASE_MONITORING', message: 'watch ETH', symbol: 'ETH-USD' });
    desk.risk.alerts.resolve('test:ETH');
    const all = conform(listResponseSchema(alertSchema), (await getJson(srv.base + API.alerts)).body);
    expect(all.items.map((a) => a.key).sort()).toEqual(['test:BTC', 'test:ETH']);
    const active = conform(listResponseSchema(alertSchema), (await getJson(`${srv.base}${API.alerts}?status=active`)).body);
    expect(active.items.map((a) => a.key)).toEqual(['test:BTC']);
    const eth = conform(listResponseSchema(alertSchema), (await getJson(`${srv.base}${API.alerts}?symbol=ETH-USD`)).body);
    expect(eth.items[0]!.resolvedAt).not.toBeNull();
  });

  it('risk: summary and recent state changes', async () => {
    desk.engine.run(() => desk.risk.killSwitch({ reason: 'test halt' }));
    const body = conform(riskResponseSchema, (await getJson(srv.base + API.risk)).body);
    expect(body.summary.state).toBe('HALTED');
    expect(body.recent.some((e) => e.kind === 'state' && e.change.state === 'HALTED' && e.change.reason === 'test halt')).toBe(true);
  });

  it('performance: the monitor snapshot passed through', async () => {
    const body = conform(performanceResponseSchema, (await getJson(srv.base + API.performance)).body);
    expect(body).toEqual({ available: true, snapshot: { schema: 'test', trades: 3 } });
  });

  it('ws-connections: lists connected clients with their channels', async () => {
    const c = await TestClient.connect(`${srv.wsBase}/ws/pnl`);
    await c.waitFor((m) => m.type === 'snapshot');
    const body = conform(wsConnectionsResponseSchema, (await getJson(srv.base + API.wsConnections)).body);
    expect(body.total).toBe(1);
    expect(body.items[0]).toMatchObject({ path: '/ws/pnl', channels: ['pnl'], remoteAddress: '127.0.0.1' });
    c.close();
  });

  it('audit: control actions are listed', async () => {
    await send('POST', srv.base + '/api/control/strategies/sig-1/pause');
    const body = conform(listResponseSchema(auditEventSchema), (await getJson(srv.base + API.audit)).body);
    expect(body.items[0]).toMatchObject({ action: 'strategy.pause', target: 'sig-1', outcome: 'ok' });
  });
});

describe('query validation', () => {
  it.each([
    ['limit=0', 'limit', /limit 0 must be between 1 and 1000/],
    ['limit=1001', 'limit', /limit 1001 must be between 1 and 1000/],
    ['limit=abc', 'limit', /limit "abc" is not a whole number/],
    ['cursor=xyz', 'cursor', /cursor "xyz" is not a cursor/],
    ['from=yesterday', 'from', /from "yesterday" is not a time in epoch milliseconds/],
    ['symbol=DOGE-USD', 'symbol', /symbol "DOGE-USD" is not a known instrument/],
    ['from=200&to=100', 'from', /from 200 is after to 100/],
    ['status=open', 'status', /status/],
  ])('?%s is a 400 naming %s', async (qs, fieldName, message) => {
    const path = qs.startsWith('status') ? API.orders : API.signals;
    const { status, body } = await getJson(`${srv.base}${path}?${qs}`);
    expect(status).toBe(400);
    expect(body).toMatchObject({ error: 'INVALID_FIELD', field: fieldName });
    expect((body as { message: string }).message).toMatch(message);
  });

  it('limit defaults to 100 and caps a page', async () => {
    for (let i = 0; i < 120; i++) desk.quote(BTC, '100.00', '100.02', 10);
    const body = conform(listResponseSchema(signalSchema), (await getJson(srv.base + API.signals)).body);
    expect(body.items).toHaveLength(100);
    const big = conform(listResponseSchema(signalSchema), (await getJson(`${srv.base}${API.signals}?limit=1000`)).body);
    expect(big.items).toHaveLength(120);
    expect(big.nextCursor).toBeNull();
  });
});

describe('health, readiness, metrics, docs', () => {
  it('/healthz is open and up', async () => {
    const { status, body } = await getJson(srv.base + API.healthz, null);
    expect(status).toBe(200);
    expect(body).toMatchObject({ status: 'ok' });
  });

  it('/readyz: 503 before market data, 200 when fresh, 503 when stale or stopped', async () => {
    let r = await getJson(srv.base + API.readyz, null);
    expect(r.status).toBe(503);
    expect(conform(readyResponseSchema, r.body).problems).toEqual(['no market data yet']);
    desk.quote(BTC, '60000.00', '60001.00');
    r = await getJson(srv.base + API.readyz, null);
    expect(r.status).toBe(200);
    desk.clock.advanceTo(desk.clock.now() + 11_000);
    r = await getJson(srv.base + API.readyz, null);
    expect(r.status).toBe(503);
    expect(conform(readyResponseSchema, r.body).problems[0]).toMatch(/last market data is 11000 ms old \(limit 10000 ms\)/);
    desk.quote(BTC, '60000.00', '60001.00');
    desk.engine.stop();
    r = await getJson(srv.base + API.readyz, null);
    expect(r.status).toBe(503);
    expect(conform(readyResponseSchema, r.body).problems).toEqual(['engine is not running']);
  });

  it('/metrics counts bus events, orders, fills, denials and ws clients, with event-loop delay and process metrics', async () => {
    desk.quote(BTC, '60000.00', '60001.00');
    await buyBtc('1');
    await send('POST', srv.base + API.submitOrder, { instrumentId: 'BTC-USD', side: 'BUY', type: 'MARKET', quantity: '9' });
    const c = await TestClient.connect(`${srv.wsBase}/ws`);
    const { status, body, headers } = await getJson(srv.base + API.metrics);
    expect(status).toBe(200);
    expect(headers.get('content-type')).toMatch(/text\/plain/);
    const text = body as string;
    expect(text).toMatch(/bourse_bus_events_total\{topic="data.quote"\} 1\b/);
    expect(text).toMatch(/bourse_orders_total\{strategy="api"\} 2\b/);
    expect(text).toMatch(/bourse_fills_total\{instrument="BTC-USD"\} 1\b/);
    expect(text).toMatch(/bourse_order_denials_total\{reason="MAX_ORDER_QTY"\} 1\b/);
    expect(text).toMatch(/bourse_ws_clients 1\b/);
    expect(text).toMatch(/bourse_event_loop_delay_seconds\{quantile="0.99"\}/);
    expect(text).toMatch(/bourse_tick_to_order_seconds_bucket/);
    expect(text).toMatch(/process_cpu_user_seconds_total/);
    expect(text).toMatch(/bourse_trading_state\{state="ACTIVE"\} 1/);
    c.close();
  });

  it('/metrics needs the token', async () => {
    expect((await getJson(srv.base + API.metrics, null)).status).toBe(401);
  });

  it('/docs serves an HTML index and the OpenAPI document listing every endpoint', async () => {
    const html = await getJson(srv.base + API.docs, null);
    expect(html.status).toBe(200);
    expect(html.body as string).toContain('/api/live/summary');
    const doc = await getJson(srv.base + API.openapi, null);
    expect(doc.status).toBe(200);
    const paths = Object.keys((doc.body as { paths: Record<string, unknown> }).paths);
    for (const p of ['/api/live/positions', '/api/live/pnl', '/api/live/signals', '/api/live/alerts', '/api/live/trades', '/api/live/orders', '/api/live/summary', '/api/live/ws-connections', '/api/live/performance', '/api/live/risk', '/api/control/orders', '/api/control/orders/{id}', '/api/control/positions/{symbol}/flatten', '/api/control/flatten-all', '/api/control/kill-switch', '/api/control/strategies/{id}/pause', '/api/control/strategies/{id}/resume', '/healthz', '/readyz', '/metrics']) {
      expect(paths).toContain(p);
    }
  });

  it('unknown routes are a JSON 404', async () => {
    const { status, body } = await getJson(srv.base + '/api/live/nope');
    expect(status).toBe(404);
    expect(body).toMatchObject({ error: 'NOT_FOUND' });
  });
});

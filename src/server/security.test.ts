/**
 * Security over real HTTP and WebSocket: the token is required on every API, metrics and
 * WebSocket route (missing or wrong → 401; the query-string token only works for WebSockets),
 * cross-origin WebSockets and CORS follow the configured origins, the server survives hostile
 * input, and a canary token never appears in the logs whatever requests carried it.
 */
import { randomBytes } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import { API, errorResponseSchema } from './protocol.js';
import { BTC, TOKEN, TestClient, auth, buildDesk, getJson, send, startServer, type Desk, type Running } from './test-kit.js';

let desk: Desk;
let srv: Running | undefined;

afterEach(async () => {
  await srv?.close();
  srv = undefined;
});

const GETS = [API.positions, API.pnl, API.signals, API.alerts, API.trades, API.orders, API.summary, API.wsConnections, API.performance, API.risk, API.audit, API.metrics];
const CONTROLS: [string, 'POST' | 'DELETE', unknown][] = [
  [API.submitOrder, 'POST', { instrumentId: 'BTC-USD', side: 'BUY', type: 'MARKET', quantity: '1' }],
  ['/api/control/orders/x-1', 'DELETE', undefined],
  ['/api/control/positions/BTC-USD/flatten', 'POST', {}],
  [API.flattenAll, 'POST', {}],
  [API.killSwitch, 'POST', { on: true }],
  ['/api/control/strategies/s/pause', 'POST', {}],
  ['/api/control/strategies/s/resume', 'POST', {}],
];

describe('authentication', () => {
  it('every read endpoint and /metrics: 401 without the token, with a wrong one, or with it only in the query string', async () => {
    desk = buildDesk();
    srv = await startServer(desk);
    for (const path of GETS) {
      for (const [token, suffix] of [[null, ''], ['wrong-token', ''], [null, `?token=${TOKEN}`]] as const) {
        const r = await getJson(srv.base + path + suffix, token);
        expect(r.status, `${path}${suffix} with ${token}`).toBe(401);
        expect(errorResponseSchema.parse(r.body).error).toBe('UNAUTHORIZED');
        expect(r.headers.get('www-authenticate')).toBe('Bearer');
      }
      expect((await getJson(srv.base + path)).status, path).toBe(200);
    }
  });

  it('every control endpoint: 401 without or with a wrong token, and nothing reaches the engine', async () => {
    desk = buildDesk();
    srv = await startServer(desk);
    desk.quote(BTC, '60000.00', '60001.00');
    for (const [path, method, body] of CONTROLS) {
      expect((await send(method, srv.base + path, body, null)).status, path).toBe(401);
      expect((await send(method, srv.base + path, body, TOKEN.slice(0, -1) + 'x')).status, path).toBe(401);
    }
    expect([...desk.engine.execution.allOrders()]).toEqual([]);
    expect(desk.risk.tradingState).toBe('ACTIVE');
    expect(srv.server.audit.log.size).toBe(0);
  });

  it('the bearer scheme is case-insensitive; healthz, readyz and docs are open', async () => {
    desk = buildDesk();
    srv = await startServer(desk);
    expect((await fetch(srv.base + API.summary, { headers: { authorization: `bearer ${TOKEN}` } })).status).toBe(200);
    expect((await fetch(srv.base + API.summary, { headers: { authorization: `Basic ${TOKEN}` } })).status).toBe(401);
    for (const p of [API.healthz, API.readyz, API.docs, API.openapi]) expect([200, 503]).toContain((await fetch(srv.base + p)).status);
  });

  it('WebSocket upgrades: 401 without or with a wrong token; the header or ?token= let in', async () => {
    desk = buildDesk();
    srv = await startServer(desk);
    await expect(TestClient.connect(`${srv.wsBase}/ws`, {})).rejects.toThrow(/HTTP 401/);
    await expect(TestClient.connect(`${srv.wsBase}/ws/pnl`, auth('wrong'))).rejects.toThrow(/HTTP 401/);
    await expect(TestClient.connect(`${srv.wsBase}/ws?token=wrong`, {})).rejects.toThrow(/HTTP 401/);
    const byHeader = await TestClient.connect(`${srv.wsBase}/ws/pnl`);
    const byQuery = await TestClient.connect(`${srv.wsBase}/ws/pnl?token=${encodeURIComponent(TOKEN)}`, {});
    await byHeader.waitFor((m) => m.type === 'snapshot');
    await byQuery.waitFor((m) => m.type === 'snapshot');
    byHeader.close();
    byQuery.close();
  });
});

describe('origins', () => {
  it('CORS is off by default: no CORS headers, no preflight; a cross-origin WebSocket is refused, a same-origin one accepted', async () => {
    desk = buildDesk();
    srv = await startServer(desk);
    const r = await fetch(srv.base + API.summary, { headers: { ...auth(), origin: 'https://evil.example' } });
    expect(r.status).toBe(200);
    expect(r.headers.get('access-control-allow-origin')).toBeNull();
    expect((await fetch(srv.base + API.summary, { method: 'OPTIONS', headers: { origin: 'https://evil.example' } })).status).toBe(404);
    await expect(TestClient.connect(`${srv.wsBase}/ws`, { ...auth(), origin: 'https://evil.example' })).rejects.toThrow(/HTTP 403/);
    const same = await TestClient.connect(`${srv.wsBase}/ws`, { ...auth(), origin: srv.base });
    same.close();
  });

  it('configured origins get CORS headers and preflights, and may open WebSockets; others do not', async () => {
    desk = buildDesk();
    srv = await startServer(desk, { corsOrigins: ['https://desk.example'] });
    const ok = await fetch(srv.base + API.summary, { headers: { ...auth(), origin: 'https://desk.example' } });
    expect(ok.headers.get('access-control-allow-origin')).toBe('https://desk.example');
    const pre = await fetch(srv.base + API.killSwitch, { method: 'OPTIONS', headers: { origin: 'https://desk.example', 'access-control-request-method': 'POST' } });
    expect(pre.status).toBe(204);
    expect(pre.headers.get('access-control-allow-headers')).toMatch(/Authorization/);
    const other = await fetch(srv.base + API.summary, { headers: { ...auth(), origin: 'https://other.example' } });
    expect(other.headers.get('access-control-allow-origin')).toBeNull();
    const c = await TestClient.connect(`${srv.wsBase}/ws`, { ...auth(), origin: 'https://desk.example' });
    c.close();
    await expect(TestClient.connect(`${srv.wsBase}/ws`, { ...auth(), origin: 'https://other.example' })).rejects.toThrow(/HTTP 403/);
  });
});

describe('secrets in logs', () => {
  it('a canary token never appears in the logs, whatever carried it and whatever failed', async () => {
    const canary = `CANARY-${randomBytes(16).toString('hex')}`;
    desk = buildDesk();
    srv = await startServer(desk, {
      token: canary,
      rateLimit: { burst: 2, perSecond: 0.01 },
      monitor: {
        snapshot: () => {
          throw new Error('monitor exploded');
        },
      },
    });
    const base = srv.base;
    await getJson(base + API.summary, canary);
    await getJson(`${base}${API.summary}?token=${canary}`, null);
    await getJson(`${base}${API.signals}?token=${canary}&limit=nope`, canary);
    await getJson(base + API.summary, `${canary}-wrong`);
    await getJson(`${base}/api/live/unknown?token=${canary}`, canary);
    expect((await getJson(`${base}${API.performance}?token=${canary}`, canary)).status).toBe(500);
    await send('POST', `${base}${API.submitOrder}?token=${canary}`, undefined, canary, `{"bad json ${canary}`);
    await send('POST', base + API.killSwitch, { on: 'yes', reason: canary }, canary);
    await send('POST', base + API.killSwitch, { on: false }, canary);
    await send('POST', base + API.killSwitch, { on: false }, canary);
    const c = await TestClient.connect(`${srv.wsBase}/ws/pnl?token=${canary}`, {});
    c.send(`{"op":"subscribe","channels":["${canary}"]}`);
    await c.waitFor((m) => m.type === 'error');
    await expect(TestClient.connect(`${srv.wsBase}/ws?token=${canary}x`, {})).rejects.toThrow(/HTTP 401/);
    c.close();
    await srv.close();

    const logs = srv.logs.join('');
    // The logs saw these requests (so the check below can fail)...
    expect(logs).toMatch(/unauthorized request/);
    expect(logs).toMatch(/request failed/);
    expect(logs).toMatch(/monitor exploded/);
    expect(logs).toMatch(/control kill_switch.off/);
    expect(logs).toMatch(/"path":"\/api\/live\/summary"/);
    // ...and never the token.
    expect(logs).not.toContain(canary);
    expect(logs).not.toContain(canary.slice(7, 27));
  });
});

describe('robustness', () => {
  it('hostile and malformed input never takes the server down', async () => {
    desk = buildDesk();
    srv = await startServer(desk);
    const base = srv.base;
    const attempts = [
      fetch(`${base}/api/live/signals?limit=1&limit=2`, { headers: auth() }),
      fetch(`${base}/api/live/signals?cursor=99999999999999999999`, { headers: auth() }),
      fetch(`${base}/api/live/%E0%A4%A`, { headers: auth() }),
      fetch(`${base}${API.submitOrder}`, { method: 'POST', headers: { ...auth(), 'content-type': 'application/json' }, body: 'null' }),
      fetch(`${base}${API.submitOrder}`, { method: 'POST', headers: { ...auth(), 'content-type': 'application/json' }, body: '[1,2,3]' }),
      fetch(`${base}${API.submitOrder}`, { method: 'POST', headers: { ...auth(), 'content-type': 'application/json' }, body: '{"__proto__":{"admin":true}}' }),
      fetch(`${base}${API.killSwitch}`, { method: 'POST', headers: { ...auth(), 'content-type': 'application/json' }, body: '{"on":true,"flatten":"yes"}' }),
    ];
    const statuses = (await Promise.all(attempts)).map((r) => r.status);
    for (const s of statuses) expect(s).toBeGreaterThanOrEqual(400);
    for (const s of statuses) expect(s).toBeLessThan(500);
    expect(desk.risk.tradingState).toBe('ACTIVE');
    const c = await TestClient.connect(`${srv.wsBase}/ws`);
    c.send('x'.repeat(20_000));
    await c.waitClosed();
    expect(c.closeCode).toBe(1009);
    expect((await fetch(base + API.healthz)).status).toBe(200);
  });
});

describe('dashboard page', () => {
  it('with page on, / and its assets are served without a token; the API still needs one', async () => {
    const { mkdtempSync, mkdirSync, writeFileSync } = await import('node:fs');
    const { tmpdir } = await import('node:os');
    const { join } = await import('node:path');
    const root = mkdtempSync(join(tmpdir(), 'bourse-page-'));
    mkdirSync(join(root, 'assets'));
    writeFileSync(join(root, 'index.html'), '<!doctype html><title>desk</title>');
    writeFileSync(join(root, 'assets', 'app-1.js'), 'console.log(1)');
    desk = buildDesk();
    srv = await startServer(desk, { page: { root } });
    const page = await fetch(srv.base + '/');
    expect(page.status).toBe(200);
    expect(await page.text()).toContain('<title>desk</title>');
    expect(page.headers.get('content-security-policy')).toMatch(/default-src 'self'/);
    expect((await fetch(srv.base + '/assets/app-1.js')).status).toBe(200);
    expect((await fetch(srv.base + '/assets/nope.js')).status).toBe(404);
    expect((await fetch(srv.base + API.summary)).status).toBe(401);
  });

  it('without the page option, / is a 404', async () => {
    desk = buildDesk();
    srv = await startServer(desk);
    expect((await fetch(srv.base + '/')).status).toBe(404);
  });
});

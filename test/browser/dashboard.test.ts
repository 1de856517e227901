/**
 * The dashboard page in a real Chromium against a real engine and server (no fakes): the page
 * loads and connects, shows the numbers the API gives, shows a fill in the blotter and on the
 * price chart within a second, and its controls (cancel, pause/resume, flatten, kill switch)
 * act on the engine through their confirmation dialogs; it recovers by itself from a server
 * restart on the same port and resynchronizes from the snapshots. Screenshots are saved to
 * test-artifacts/browser/.
 *
 * The tests share one page and one desk and run in order: each leaves the desk as the next
 * expects it (noted where it matters).
 */
import { request } from 'node:http';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { API, listResponseSchema, positionSchema, riskResponseSchema, summaryResponseSchema } from '../../src/server/protocol.js';
import { buildPage, collectProblems, launchChromium, removeBuild, runBrowserTests, screenshot } from './browser.js';
import { LiveDesk, TOKEN } from './live-desk.js';

const sel = (testid: string, extra = ''): string => `[data-testid="${testid}"]${extra}`;
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** Groups integer digits as the page does: "1234567.50" → "1,234,567.50". */
const grouped = (d: string): string => d.replace(/^(-?)(\d+)/, (_m, sign: string, int: string) => sign + int.replace(/\B(?=(\d{3})+(?!\d))/g, ','));
const signed = (d: string): string => (!d.startsWith('-') && /[1-9]/.test(d) ? `+${grouped(d)}` : grouped(d));

async function api<T>(desk: LiveDesk, path: string, parse: (json: unknown) => T): Promise<T> {
  const res = await fetch(desk.base() + path, { headers: { authorization: `Bearer ${TOKEN}` } });
  expect(res.status, `GET ${path}`).toBe(200);
  return parse(await res.json());
}

/** GET with the path sent exactly as written (fetch would normalize "..", so it cannot test traversal). */
function rawGet(base: string, path: string): Promise<number> {
  const url = new URL(base);
  return new Promise((resolve, reject) => {
    const req = request({ host: url.hostname, port: url.port, path, method: 'GET' }, (res) => {
      res.resume();
      resolve(res.statusCode ?? 0);
    });
    req.on('error', reject);
    req.end();
  });
}

/** Waits until `check` passes (it throws otherwise), up to `timeoutMs`; rethrows its last error. */
async function eventually(check: () => void | Promise<void>, timeoutMs = 5000, stepMs = 50): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      await check();
      return;
    } catch (err) {
      if (Date.now() > deadline) throw err;
      await sleep(stepMs);
    }
  }
}

describe.skipIf(!runBrowserTests)('dashboard page in Chromium', () => {
  let desk: LiveDesk;
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;
  let problems: string[];
  let webRoot: string | undefined;

  /** Clicks a control, checks the dialog asks first, and confirms (or cancels) it. */
  async function confirmVia(button: string, answer: 'ok' | 'cancel', check?: (title: string) => void): Promise<void> {
    await page.locator(button).click();
    const dialog = page.locator(sel('confirm-dialog'));
    await dialog.waitFor({ state: 'visible', timeout: 2000 });
    check?.((await page.locator(sel('confirm-title')).textContent()) ?? '');
    await page.locator(sel(answer === 'ok' ? 'confirm-ok' : 'confirm-cancel')).click();
    await dialog.waitFor({ state: 'hidden', timeout: 2000 });
  }

  beforeAll(async () => {
    webRoot = await buildPage();
    desk = new LiveDesk(webRoot);
    desk.start();
    await desk.startServer();
    const index = await fetch(`${desk.base()}/`);
    if (index.status !== 200) {
      throw new Error(`GET / answered ${index.status}: the server does not serve the page yet (register src/server/static.ts in app.ts: PAGE_ROUTES public, registerStaticPage(app, { root: opts.webRoot }))`);
    }
    browser = await launchChromium();
    context = await browser.newContext({ viewport: { width: 1680, height: 1050 } });
    page = await context.newPage();
    problems = collectProblems(page);
    // Let the market run a little so the charts have something to draw.
    await sleep(1200);
  }, 60_000);

  afterAll(async () => {
    await context?.close();
    await browser?.close();
    await desk?.stop();
    removeBuild(webRoot);
  });

  it('is served at / with its assets, a strict CSP, and no token', async () => {
    const res = await fetch(`${desk.base()}/`);
    expect(res.headers.get('content-type')).toMatch(/^text\/html/);
    expect(res.headers.get('content-security-policy')).toContain("connect-src 'self'");
    expect(res.headers.get('referrer-policy')).toBe('no-referrer');
    const html = await res.text();
    const script = /src="\.\/(assets\/[^"]+\.js)"/.exec(html)?.[1];
    const style = /href="\.\/(assets\/[^"]+\.css)"/.exec(html)?.[1];
    expect(script, 'index.html references its bundle').toBeDefined();
    expect(style, 'index.html references its stylesheet').toBeDefined();
    const js = await fetch(`${desk.base()}/${script}`);
    expect(js.status).toBe(200);
    expect(js.headers.get('content-type')).toMatch(/^text\/javascript/);
    expect(js.headers.get('cache-control')).toContain('immutable');
    const css = await fetch(`${desk.base()}/${style}`);
    expect(css.headers.get('content-type')).toMatch(/^text\/css/);
    // Only the built files are served: no way out of the page's directory.
    for (const path of ['/assets/../../package.json', '/assets/%2e%2e/%2e%2e/package.json', '/assets/..%2f..%2fpackage.json', '/assets/../index.html', '/assets/', '/assets//etc/passwd']) {
      expect([400, 404], path).toContain(await rawGet(desk.base(), path));
    }
    // The API stays closed without the token.
    expect((await fetch(`${desk.base()}${API.summary}`)).status).toBe(401);
  });

  it('loads, takes the token from its address, and connects', async () => {
    await page.goto(`${desk.base()}/?token=${TOKEN}`);
    await page.locator(sel('connection-status', '[data-status="connected"]')).waitFor({ timeout: 10_000 });
    expect(await page.locator(sel('connection-label')).textContent()).toBe('connected');
    // The token left the address bar and lives in sessionStorage.
    expect(page.url()).not.toContain('token');
    expect(await page.evaluate(() => sessionStorage.getItem('bourse.apiToken'))).toBe(TOKEN);
    // Snapshots arrived: state, figures, a price chart per instrument, the strategy list.
    await page.locator(sel('trading-state', '[data-state="ACTIVE"]')).waitFor({ timeout: 5000 });
    await page.locator(sel('price-chart')).nth(2).waitFor({ timeout: 5000 });
    const instruments = await page.locator(sel('price-chart')).evaluateAll((els) => els.map((e) => e.getAttribute('data-instrument')));
    expect(instruments).toEqual(['BTC-USD', 'ETH-USD', 'SOL-USD']);
    await page.locator(sel('strategy-row', '[data-strategy-id="signals-1"]')).waitFor({ timeout: 5000 });
    await page.locator(sel('signal-row')).first().waitFor({ timeout: 5000 });
    await page.locator(sel('perf-stats', '[data-available="true"]')).waitFor({ timeout: 5000 });
    await eventually(async () => expect(Number(await page.locator(sel('equity-chart')).getAttribute('data-points'))).toBeGreaterThan(0));
    expect(problems).toEqual([]);
  });

  it('refuses a wrong token and says so (offline, with a banner)', async () => {
    const other = await context.newPage();
    try {
      await other.goto(`${desk.base()}/?token=wrong-token`);
      await other.locator(sel('connection-status', '[data-status="offline"]')).waitFor({ timeout: 10_000 });
      await other.locator(sel('banner')).waitFor({ state: 'visible', timeout: 5000 });
      expect(await other.locator(sel('banner')).textContent()).toMatch(/token/);
    } finally {
      await other.close();
    }
  });

  it('shows the numbers the API gives (equity, positions)', async () => {
    desk.marketFill('BTC-USD', 'BUY', '0.5');
    desk.marketFill('ETH-USD', 'BUY', '4');
    await page.locator(sel('position-row', '[data-instrument="ETH-USD"]')).waitFor({ timeout: 2000 });
    // Freeze the marks so the page and the API can be compared exactly.
    desk.pauseFeed();
    try {
      await eventually(async () => {
        const summary = await api(desk, API.summary, (j) => summaryResponseSchema.parse(j));
        const p = summary.portfolio;
        expect(await page.locator(sel('equity')).getAttribute('data-value')).toBe(p.equity);
        expect(await page.locator(sel('equity')).textContent()).toBe(grouped(p.equity));
        expect(await page.locator(sel('unrealized')).textContent()).toBe(signed(p.unrealized));
        expect(await page.locator(sel('cash')).textContent()).toBe(grouped(p.cash));
        expect(await page.locator(sel('open-positions')).textContent()).toBe(String(p.openPositions));
        expect(await page.locator(sel('trading-state')).textContent()).toBe(summary.risk.state);
      }, 5000);
      await eventually(async () => {
        const positions = (await api(desk, API.positions, (j) => listResponseSchema(positionSchema).parse(j))).items.filter((p) => p.side !== 'FLAT');
        expect(positions.map((p) => p.instrumentId).sort()).toEqual(['BTC-USD', 'ETH-USD']);
        expect(await page.locator(sel('position-row')).count()).toBe(positions.length);
        for (const p of positions) {
          const row = page.locator(sel('position-row', `[data-instrument="${p.instrumentId}"]`));
          expect(await row.locator(sel('position-qty')).textContent()).toBe(grouped(p.quantity));
          expect(await row.locator(sel('position-avg')).textContent()).toBe(grouped(p.avgPx!));
          expect(await row.locator(sel('position-mark')).textContent()).toBe(grouped(p.markPx!));
          expect(await row.locator(sel('position-unrealized')).textContent()).toBe(signed(p.unrealized));
        }
      }, 5000);
    } finally {
      desk.resumeFeed();
    }
    await screenshot(page, '01-positions');
  });

  it('shows a fill in the blotter and as a marker on the price chart within one second', async () => {
    const chart = page.locator(sel('price-chart', '[data-instrument="SOL-USD"]'));
    const markersBefore = Number(await chart.getAttribute('data-marker-count'));
    const t0 = Date.now();
    const fill = desk.marketFill('SOL-USD', 'SELL', '25');
    await page.locator(sel('trade-row', `[data-trade-id="${fill.tradeId}"]`)).waitFor({ timeout: 1000 });
    await page.waitForFunction(
      ([tradeId]) => document.querySelector('[data-testid="price-chart"][data-instrument="SOL-USD"]')?.getAttribute('data-last-marker') === tradeId,
      [fill.tradeId],
      { timeout: Math.max(1, 1000 - (Date.now() - t0)) },
    );
    const elapsed = Date.now() - t0;
    expect(elapsed).toBeLessThan(1000);
    expect(Number(await chart.getAttribute('data-marker-count'))).toBe(markersBefore + 1);
    expect(await chart.getAttribute('data-last-marker-side')).toBe('SELL');
    // The blotter's newest row is this fill, with the engine's figures.
    const row = page.locator(sel('trade-row')).first();
    expect(await row.getAttribute('data-trade-id')).toBe(fill.tradeId);
    expect(await row.locator(sel('trade-px')).textContent()).toBe(grouped(fill.lastPx.toString()));
    expect(await row.locator(sel('trade-qty')).textContent()).toBe(grouped(fill.lastQty.toString()));
    await screenshot(page, '02-fill');
  });

  it('cancels a working order from the page, only once confirmed', async () => {
    const order = desk.restingBuy('BTC-USD', '0.1');
    const row = page.locator(sel('order-row', `[data-order-id="${order.clientOrderId}"]`));
    await row.waitFor({ timeout: 2000 });
    const button = sel('order-row', `[data-order-id="${order.clientOrderId}"] [data-testid="cancel-order-button"]`);
    // Declining the dialog does nothing.
    await confirmVia(button, 'cancel', (title) => expect(title).toMatch(/cancel/i));
    await sleep(200);
    expect(desk.engine.execution.status(order.clientOrderId)?.isWorking).toBe(true);
    await confirmVia(button, 'ok');
    await row.waitFor({ state: 'detached', timeout: 2000 });
    expect(desk.engine.execution.status(order.clientOrderId)?.status).toBe('CANCELED');
    await page.locator(sel('toast', '[data-kind="ok"]')).waitFor({ timeout: 2000 });
  });

  it('pauses and resumes a strategy from the page', async () => {
    const strategy = desk.engine.strategy('signals-1')!;
    const button = sel('strategy-row', '[data-strategy-id="signals-1"] [data-testid="pause-button"]');
    await confirmVia(button, 'ok', (title) => expect(title).toMatch(/pause/i));
    await eventually(() => expect(strategy.paused).toBe(true), 2000);
    await page.locator(sel('strategy-row', '[data-strategy-id="signals-1"][data-paused="true"]')).waitFor({ timeout: 2000 });
    await confirmVia(button, 'ok', (title) => expect(title).toMatch(/resume/i));
    await eventually(() => expect(strategy.paused).toBe(false), 2000);
    await page.locator(sel('strategy-row', '[data-strategy-id="signals-1"][data-paused="false"]')).waitFor({ timeout: 2000 });
  });

  it('flattens one position from the page', async () => {
    const button = sel('position-row', '[data-instrument="ETH-USD"] [data-testid="flatten-button"]');
    await confirmVia(button, 'ok', (title) => expect(title).toContain('ETH-USD'));
    await eventually(() => expect(desk.engine.portfolio.netQtyRaw('ETH-USD')).toBe(0), 2000);
    await page.locator(sel('position-row', '[data-instrument="ETH-USD"]')).waitFor({ state: 'detached', timeout: 2000 });
    // The other positions stay.
    expect(desk.engine.portfolio.netQtyRaw('BTC-USD')).not.toBe(0);
    await page.locator(sel('position-row', '[data-instrument="BTC-USD"]')).waitFor({ timeout: 1000 });
  });

  it('colours alerts by level', async () => {
    desk.engine.run(() => {
      desk.risk.alerts.raise({ key: 'test:critical', level: 'CRITICAL', action: 'HALT_TRADING', message: 'test critical alert' });
      desk.risk.alerts.raise({ key: 'test:warning', level: 'WARNING', action: 'REDUCE_POSITION', message: 'test warning alert', symbol: 'BTC-USD' });
      desk.risk.alerts.raise({ key: 'test:info', level: 'INFO', action: 'INCREASE_MONITORING', message: 'test info alert' });
    });
    await page.locator(sel('alert-active', '[data-key="test:info"]')).waitFor({ timeout: 2000 });
    const colours = await page.locator(sel('alert-active')).evaluateAll((els) =>
      Object.fromEntries(els.map((e) => [e.getAttribute('data-level'), getComputedStyle(e).borderLeftColor])),
    );
    expect(colours).toEqual({ CRITICAL: 'rgb(255, 93, 108)', WARNING: 'rgb(245, 166, 35)', INFO: 'rgb(77, 163, 255)' });
    // Most severe first.
    expect(await page.locator(sel('alert-active')).first().getAttribute('data-level')).toBe('CRITICAL');
    await screenshot(page, '03-alerts');
    desk.engine.run(() => {
      for (const k of ['test:critical', 'test:warning', 'test:info']) desk.risk.alerts.resolve(k);
    });
    await page.locator(sel('alerts-empty')).waitFor({ timeout: 2000 });
  });

  it('shows risk gauges against the limits, and the performance statistics', async () => {
    const risk = await api(desk, API.risk, (j) => riskResponseSchema.parse(j));
    for (const name of ['portfolioHeat', 'dailyLoss', 'drawdown']) {
      expect(risk.summary.limits.map((l) => l.name)).toContain(name);
      const gauge = page.locator(sel('gauge', `[data-limit="${name}"]`));
      await gauge.waitFor({ timeout: 2000 });
      const usage = await gauge.getAttribute('data-usage');
      expect(usage, `${name} gauge usage`).not.toBe('');
      expect(Number(usage)).toBeGreaterThanOrEqual(0);
    }
    // Exposure moves with prices: the page follows the server's figure (within one refresh).
    await eventually(async () => {
      const now = await api(desk, API.risk, (j) => riskResponseSchema.parse(j));
      const gross = now.summary.limits.find((l) => l.name === 'grossExposure')!;
      const shown = Number(await page.locator(sel('gauge', '[data-limit="grossExposure"]')).getAttribute('data-usage'));
      expect(Math.abs(shown - gross.usage)).toBeLessThan(0.01);
    }, 3000);
    await eventually(async () => {
      const fills = desk.monitor.snapshot().orders.fills;
      expect(await page.locator(sel('perf-stat', '[data-stat="fills"] .stat-value')).textContent()).toBe(String(fills));
    }, 3000);
  });

  it('engages and releases the kill switch from the page', async () => {
    const resting = desk.restingBuy('ETH-USD', '1');
    await page.locator(sel('order-row', `[data-order-id="${resting.clientOrderId}"]`)).waitFor({ timeout: 2000 });
    await confirmVia(sel('kill-switch'), 'ok', (title) => expect(title).toMatch(/kill switch/i));
    await eventually(() => expect(desk.risk.tradingState).toBe('HALTED'), 2000);
    await page.locator(sel('trading-state', '[data-state="HALTED"]')).waitFor({ timeout: 2000 });
    // Halting cancels every working order: the page's list empties.
    expect(desk.engine.execution.workingOrders()).toEqual([]);
    await page.locator(sel('orders-empty')).waitFor({ timeout: 2000 });
    expect(await page.locator(sel('order-row')).count()).toBe(0);
    expect(await page.locator(sel('kill-switch')).textContent()).toMatch(/release/i);
    // New orders are denied while halted.
    const denied = desk.submit({ instrumentId: 'SOL-USD', side: 'BUY', type: 'MARKET', quantity: desk.instrument('SOL-USD').quantity('1'), timeInForce: 'GTC' });
    expect(denied.status).toBe('DENIED');
    await screenshot(page, '04-kill-switch');

    await confirmVia(sel('kill-switch'), 'ok', (title) => expect(title).toMatch(/release/i));
    await eventually(() => expect(desk.risk.tradingState).toBe('ACTIVE'), 2000);
    await page.locator(sel('trading-state', '[data-state="ACTIVE"]')).waitFor({ timeout: 2000 });
    expect(problems).toEqual([]);
  });

  it('recovers by itself after a server restart on the same port, and resynchronizes', async () => {
    const server = desk.server!;
    const port = server.address()!.port;
    const connectsBefore = await page.evaluate(() => document.querySelector('[data-testid="conn-stats"]')?.textContent ?? '');
    await server.stop();
    await page.locator(sel('connection-status', '[data-status="reconnecting"]')).waitFor({ timeout: 5000 });
    await screenshot(page, '05-reconnecting');

    // The engine trades on while the server is away: the page learns of it from the snapshots.
    const fill = desk.marketFill('SOL-USD', 'BUY', '40');
    await sleep(800);
    await desk.startServer(port);
    expect(desk.server!.address()!.port).toBe(port);

    await page.locator(sel('connection-status', '[data-status="connected"]')).waitFor({ timeout: 15_000 });
    await page.locator(sel('trade-row', `[data-trade-id="${fill.tradeId}"]`)).waitFor({ timeout: 3000 });
    await eventually(async () => {
      const positions = (await api(desk, API.positions, (j) => listResponseSchema(positionSchema).parse(j))).items;
      const sol = positions.find((p) => p.instrumentId === 'SOL-USD')!;
      expect(await page.locator(sel('position-row', '[data-instrument="SOL-USD"]')).getAttribute('data-quantity')).toBe(sol.quantity);
    }, 3000);
    await eventually(async () => {
      const summary = await api(desk, API.summary, (j) => summaryResponseSchema.parse(j));
      expect(await page.locator(sel('open-positions')).textContent()).toBe(String(summary.portfolio.openPositions));
    }, 3000);
    expect(await page.locator(sel('conn-stats')).textContent()).not.toBe(connectsBefore);
    // The chart carries on: its marker for the fill made while the server was away is drawn.
    await page.waitForFunction(
      ([tradeId]) => document.querySelector('[data-testid="price-chart"][data-instrument="SOL-USD"]')?.getAttribute('data-last-marker') === tradeId,
      [fill.tradeId],
      { timeout: 3000 },
    );
    await sleep(600);
    await screenshot(page, '06-reconnected');
    // While the server was down the browser logged refused connections; nothing else went wrong.
    expect(problems.filter((p) => !/ERR_CONNECTION_REFUSED|Failed to load resource|WebSocket connection to/.test(p))).toEqual([]);
  });

  it('detects a lost message by its sequence number, resubscribes, and resynchronizes', async () => {
    // A page whose WebSocket passes through a relay (to the real server) that loses one trades update.
    const gapPage = await context.newPage();
    const gapProblems = collectProblems(gapPage);
    const fromPage: unknown[] = [];
    let lose = false;
    let lost: { channel: string; seq: number } | undefined;
    try {
      await gapPage.routeWebSocket(/\/ws\?/, (ws) => {
        const server = ws.connectToServer();
        ws.onMessage((m) => {
          fromPage.push(JSON.parse(String(m)));
          server.send(m);
        });
        server.onMessage((m) => {
          const parsed = JSON.parse(String(m)) as { type: string; channel?: string; seq?: number } | { type: string; channel?: string; seq?: number }[];
          const list = Array.isArray(parsed) ? parsed : [parsed];
          const kept = list.filter((x) => {
            if (!lose || x.type !== 'update' || x.channel !== 'trades') return true;
            lose = false;
            lost = { channel: x.channel, seq: x.seq ?? 0 };
            return false;
          });
          if (kept.length > 0) ws.send(JSON.stringify(kept.length === 1 ? kept[0] : kept));
        });
      });
      await gapPage.goto(`${desk.base()}/?token=${TOKEN}`);
      await gapPage.locator(sel('connection-status', '[data-status="connected"]')).waitFor({ timeout: 10_000 });
      await gapPage.locator(sel('trade-row')).first().waitFor({ timeout: 5000 });

      lose = true;
      const missed = desk.marketFill('BTC-USD', 'SELL', '0.1');
      await eventually(() => expect(lost).toBeDefined(), 2000);
      await sleep(300);
      expect(await gapPage.locator(sel('trade-row', `[data-trade-id="${missed.tradeId}"]`)).count(), 'the lost fill is not shown yet').toBe(0);

      // The next trades update skips a seq: the page resubscribes and the fresh snapshot has both fills.
      const next = desk.marketFill('BTC-USD', 'SELL', '0.1');
      await gapPage.locator(sel('trade-row', `[data-trade-id="${missed.tradeId}"]`)).waitFor({ timeout: 2000 });
      await gapPage.locator(sel('trade-row', `[data-trade-id="${next.tradeId}"]`)).waitFor({ timeout: 2000 });
      expect(await gapPage.locator(sel('conn-stats')).getAttribute('data-gaps')).toBe('1');
      expect(fromPage).toContainEqual({ op: 'subscribe', channels: ['trades'] });
      // The page's trades match the server's again, newest first.
      const shown = await gapPage.locator(sel('trade-row')).evaluateAll((els) => els.slice(0, 2).map((e) => e.getAttribute('data-trade-id')));
      expect(shown).toEqual([next.tradeId, missed.tradeId]);
      expect(gapProblems).toEqual([]);
    } finally {
      await gapPage.close();
    }
  });

  it('flattens every position from the page', async () => {
    expect(desk.engine.portfolio.openPositions().length).toBeGreaterThan(0);
    await confirmVia(sel('flatten-all'), 'ok', (title) => expect(title).toMatch(/flatten every position/i));
    await eventually(() => expect(desk.engine.portfolio.openPositions()).toEqual([]), 2000);
    await page.locator(sel('positions-empty')).waitFor({ timeout: 3000 });
    await eventually(async () => expect(await page.locator(sel('open-positions')).textContent()).toBe('0'), 3000);
    await screenshot(page, '07-flat');
  });
});

/** HubFeed: an exception while building a dashboard update is logged and that update skipped; the engine carries on. */
import { describe, expect, it } from 'vitest';
import { API } from './protocol.js';
import { BTC, buildDesk, send, startServer, TestClient } from './test-kit.js';

describe('HubFeed', () => {
  it('a failing risk summary or order view is logged and skipped; dispatch and the other updates go on', async () => {
    const desk = buildDesk();
    const srv = await startServer(desk, { ws: { summaryIntervalMs: 60_000 } });
    try {
      const c = await TestClient.connect(srv.wsBase + '/ws');
      c.send({ op: 'subscribe', channels: ['risk', 'orders', 'trades'] });
      await c.waitFor((m) => m.type === 'snapshot' && m.channel === 'trades');
      desk.risk.summary = () => {
        throw new Error('summary broke');
      };
      desk.engine.execution.status = () => {
        throw new Error('status broke');
      };
      desk.quote(BTC, '60000.00', '60001.00');
      const r = await send('POST', srv.base + API.submitOrder, { instrumentId: 'BTC-USD', side: 'BUY', type: 'MARKET', quantity: '0.5' });
      expect(r.status).toBe(201);
      await c.waitFor((m) => m.type === 'update' && m.channel === 'trades');
      desk.risk.killSwitch({ reason: 'drill' });
      await c.waitFor((m) => m.type === 'update' && m.channel === 'risk' && (m.data as { kind: string }).kind === 'state');
      c.send({ op: 'ping' });
      await c.waitFor((m) => m.type === 'pong');
      expect(c.of('orders').filter((m) => m.type === 'update')).toEqual([]);
      expect(c.of('risk').some((m) => (m.data as { kind?: string }).kind === 'summary')).toBe(false);
      const logs = srv.logs.join('');
      expect(logs).toMatch(/status broke/);
      expect(logs).toMatch(/summary broke/);
      c.close();
    } finally {
      await srv.close();
    }
  });
});

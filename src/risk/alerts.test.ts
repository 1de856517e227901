/**
 * Risk alerts: the AlertManager's de-duplication (one active alert per condition, refreshed
 * silently while it persists, UPDATED on a level change, RESOLVED when it clears) and the alerts
 * the RiskEngine raises through it: the daily-loss levels at 50 / 80 / 100 % of the limit, exact
 * to the cent, and a stale-data warning per symbol.
 */
import { describe, expect, it } from 'vitest';
import { MessageBus } from '../core/bus.js';
import { SimulatedClock } from '../core/clock.js';
import { type AlertEvent, AlertManager } from './alerts.js';
import { BETA, MINUTE, RiskHarness, SECOND, T0 } from './test-fixtures.js';

function manager(historyKept?: number) {
  const clock = new SimulatedClock(T0);
  const bus = new MessageBus();
  const events: AlertEvent[] = [];
  bus.subscribe('risk.alert', (e) => events.push(e));
  const alerts = historyKept === undefined ? new AlertManager(bus, clock) : new AlertManager(bus, clock, historyKept);
  return { clock, events, alerts };
}

const loss = { key: 'daily_loss', level: 'WARNING', action: 'REDUCE_POSITION', message: 'daily loss 1600.00 USD of limit 2000.00 USD' } as const;

describe('AlertManager', () => {
  it('raises a new condition once, published as RAISED with its level, action, symbol and times', () => {
    const { alerts, events } = manager();
    const a = alerts.raise({ key: 'stale_data:ACME', level: 'WARNING', action: 'INCREASE_MONITORING', message: 'no market data for ACME for 6000 ms', symbol: 'ACME' });
    expect(a).toEqual({
      id: 'ALERT-1',
      key: 'stale_data:ACME',
      level: 'WARNING',
      action: 'INCREASE_MONITORING',
      message: 'no market data for ACME for 6000 ms',
      symbol: 'ACME',
      raisedAt: T0,
      lastSeenAt: T0,
      resolvedAt: undefined,
    });
    expect(events).toEqual([{ status: 'RAISED', alert: a, ts: T0 }]);
    expect(alerts.activeAlerts()).toEqual([a]);
  });

  it('refreshes a condition that persists at the same level without publishing: same id, new lastSeenAt and message', () => {
    const { alerts, events, clock } = manager();
    alerts.raise(loss);
    clock.advanceTo(T0 + 5 * SECOND);
    const again = alerts.raise({ ...loss, message: 'daily loss 1700.00 USD of limit 2000.00 USD' });
    expect(again).toMatchObject({ id: 'ALERT-1', raisedAt: T0, lastSeenAt: T0 + 5 * SECOND, message: 'daily loss 1700.00 USD of limit 2000.00 USD' });
    expect(events).toHaveLength(1);
    expect(alerts.activeAlerts()).toEqual([again]);
  });

  it('publishes UPDATED, keeping the id and raisedAt, when the level changes either way', () => {
    const { alerts, events, clock } = manager();
    alerts.raise({ ...loss, level: 'INFO', action: 'INCREASE_MONITORING' });
    clock.advanceTo(T0 + SECOND);
    alerts.raise(loss);
    clock.advanceTo(T0 + 2 * SECOND);
    alerts.raise({ ...loss, level: 'CRITICAL', action: 'HALT_TRADING' });
    clock.advanceTo(T0 + 3 * SECOND);
    alerts.raise({ ...loss, level: 'INFO', action: 'INCREASE_MONITORING' });
    expect(events.map((e) => [e.status, e.alert.level, e.alert.action, e.alert.id, e.alert.raisedAt, e.ts])).toEqual([
      ['RAISED', 'INFO', 'INCREASE_MONITORING', 'ALERT-1', T0, T0],
      ['UPDATED', 'WARNING', 'REDUCE_POSITION', 'ALERT-1', T0, T0 + SECOND],
      ['UPDATED', 'CRITICAL', 'HALT_TRADING', 'ALERT-1', T0, T0 + 2 * SECOND],
      ['UPDATED', 'INFO', 'INCREASE_MONITORING', 'ALERT-1', T0, T0 + 3 * SECOND],
    ]);
    expect(alerts.activeAlerts()).toHaveLength(1);
  });

  it('resolves an active alert once, publishing RESOLVED and keeping it in history; resolving nothing does nothing', () => {
    const { alerts, events, clock } = manager();
    alerts.raise(loss);
    clock.advanceTo(T0 + MINUTE);
    alerts.resolve('daily_loss');
    alerts.resolve('daily_loss');
    alerts.resolve('never_raised');
    expect(events.map((e) => e.status)).toEqual(['RAISED', 'RESOLVED']);
    expect(events[1]!.alert).toMatchObject({ id: 'ALERT-1', raisedAt: T0, lastSeenAt: T0 + MINUTE, resolvedAt: T0 + MINUTE });
    expect(alerts.activeAlerts()).toEqual([]);
    expect(alerts.resolvedAlerts()).toEqual([events[1]!.alert]);
  });

  it('raises a condition that comes back after resolving as a new alert', () => {
    const { alerts, events } = manager();
    alerts.raise(loss);
    alerts.resolve(loss.key);
    alerts.raise(loss);
    expect(events.map((e) => [e.status, e.alert.id])).toEqual([
      ['RAISED', 'ALERT-1'],
      ['RESOLVED', 'ALERT-1'],
      ['RAISED', 'ALERT-2'],
    ]);
  });

  it('set() raises while the condition holds and resolves when it clears', () => {
    const { alerts, events } = manager();
    const c = { key: 'stale_data:BETA', level: 'WARNING', action: 'INCREASE_MONITORING', message: 'stale', symbol: 'BETA' } as const;
    alerts.set(false, c);
    alerts.set(true, c);
    alerts.set(true, c);
    alerts.set(false, c);
    expect(events.map((e) => e.status)).toEqual(['RAISED', 'RESOLVED']);
  });

  it('lists active alerts most severe first, then oldest first', () => {
    const { alerts, clock } = manager();
    alerts.raise({ key: 'a', level: 'INFO', action: 'INCREASE_MONITORING', message: 'a' });
    clock.advanceTo(T0 + 1);
    alerts.raise({ key: 'b', level: 'WARNING', action: 'REDUCE_POSITION', message: 'b' });
    clock.advanceTo(T0 + 2);
    alerts.raise({ key: 'c', level: 'CRITICAL', action: 'HALT_TRADING', message: 'c' });
    clock.advanceTo(T0 + 3);
    alerts.raise({ key: 'd', level: 'WARNING', action: 'REDUCE_POSITION', message: 'd' });
    expect(alerts.activeAlerts().map((a) => a.key)).toEqual(['c', 'b', 'd', 'a']);
  });

  it('keeps the last historyKept resolved alerts', () => {
    const { alerts } = manager(3);
    for (let i = 0; i < 5; i++) {
      alerts.raise({ key: `k${i}`, level: 'INFO', action: 'INCREASE_MONITORING', message: String(i) });
      alerts.resolve(`k${i}`);
    }
    expect(alerts.resolvedAlerts().map((a) => a.key)).toEqual(['k2', 'k3', 'k4']);
  });
});

describe('risk engine alerts', () => {
  /** 100,000 of equity and one ACME share bought at 5000.00: each cent the price falls is a cent of loss. */
  function oneShare(): RiskHarness {
    const h = new RiskHarness({ limits: { dailyLossLimit: 0.02 } }); // 2000.00
    h.quote(T0, '5000.00');
    expect(h.buy(1).status).toBe('FILLED');
    return h;
  }

  it('raises INFO at 50%, WARNING at 80% and CRITICAL at 100% of the daily loss limit, exactly at the cent, then resolves', () => {
    const h = oneShare();
    const steps: Array<[string, string]> = [
      ['4000.01', 'none'], // 999.99 = 49.9995%
      ['4000.00', 'INFO'], // 1000.00
      ['3400.01', 'INFO'], // 1599.99
      ['3400.00', 'WARNING'], // 1600.00
      ['3000.01', 'WARNING'], // 1999.99
      ['3000.00', 'CRITICAL'], // 2000.00
      ['3500.00', 'INFO'], // back to 1500.00: while halted, the alert still follows the loss
      ['4000.01', 'none'],
    ];
    steps.forEach(([close, level], i) => {
      h.bar(T0 + (i + 1) * MINUTE, close);
      const active = h.risk.alerts.activeAlerts().filter((a) => a.key === 'daily_loss');
      expect(active.map((a) => a.level), `at ${close}`).toEqual(level === 'none' ? [] : [level]);
    });
    const events = h.alerts.filter((e) => e.alert.key === 'daily_loss');
    expect(events.map((e) => [e.status, e.alert.level, e.alert.action, e.alert.message, e.alert.id])).toEqual([
      ['RAISED', 'INFO', 'INCREASE_MONITORING', 'daily loss 1000.00 USD of limit 2000.00 USD', 'ALERT-1'],
      ['UPDATED', 'WARNING', 'REDUCE_POSITION', 'daily loss 1600.00 USD of limit 2000.00 USD', 'ALERT-1'],
      ['UPDATED', 'CRITICAL', 'HALT_TRADING', 'daily loss 2000.00 USD of limit 2000.00 USD', 'ALERT-1'],
      ['UPDATED', 'INFO', 'INCREASE_MONITORING', 'daily loss 1500.00 USD of limit 2000.00 USD', 'ALERT-1'],
      ['RESOLVED', 'INFO', 'INCREASE_MONITORING', 'daily loss 1500.00 USD of limit 2000.00 USD', 'ALERT-1'],
    ]);
    expect(h.state).toBe('HALTED');
  });

  it('raises the same levels at the same cents when equity is beyond 2^53 raw (the exact bigint path)', () => {
    // 100 trillion of equity (10^16 cents) and 10^9 ACME at 5000.00: each cent is 10^7 of loss.
    const h = new RiskHarness({ limits: { dailyLossLimit: 0.02 }, startingCash: '100000000000000' });
    h.quote(T0, '5000.00');
    expect(h.buy(1_000_000_000).status).toBe('FILLED');
    const steps: Array<[string, string]> = [
      ['4000.01', 'none'],
      ['4000.00', 'INFO'],
      ['3400.01', 'INFO'],
      ['3400.00', 'WARNING'],
      ['3000.01', 'WARNING'],
      ['3000.00', 'CRITICAL'],
      ['4000.01', 'none'],
    ];
    steps.forEach(([close, level], i) => {
      h.bar(T0 + (i + 1) * MINUTE, close);
      const active = h.risk.alerts.activeAlerts().filter((a) => a.key === 'daily_loss');
      expect(active.map((a) => a.level), `at ${close}`).toEqual(level === 'none' ? [] : [level]);
    });
    const messages = h.alerts.filter((e) => e.alert.key === 'daily_loss' && e.status !== 'RESOLVED').map((e) => e.alert.message);
    expect(messages).toEqual([
      'daily loss 1000000000000.00 USD of limit 2000000000000.00 USD',
      'daily loss 1600000000000.00 USD of limit 2000000000000.00 USD',
      'daily loss 2000000000000.00 USD of limit 2000000000000.00 USD',
    ]);
    expect(h.state).toBe('HALTED');
    expect(h.states[0]?.reason).toBe('daily loss 2000000000000.00 USD reached the limit 2000000000000.00 USD (2.00% of 100000000000000.00 USD)');
  });

  it('keeps one active alert while the condition persists, refreshing lastSeenAt at each evaluation', () => {
    const h = oneShare();
    h.bar(T0 + MINUTE, '3900.00'); // 1100.00: INFO
    h.advanceTo(T0 + MINUTE + 10 * SECOND); // ten evaluations on the clock
    h.bar(T0 + 2 * MINUTE, '3800.00'); // 1200.00: still INFO
    h.advanceTo(T0 + 2 * MINUTE + 5 * SECOND);
    const raised = h.alerts.filter((e) => e.alert.key === 'daily_loss');
    expect(raised.map((e) => e.status)).toEqual(['RAISED']);
    const [active] = h.risk.alerts.activeAlerts();
    expect(active).toMatchObject({ key: 'daily_loss', level: 'INFO', raisedAt: T0 + MINUTE, lastSeenAt: T0 + 2 * MINUTE + 5 * SECOND, message: 'daily loss 1200.00 USD of limit 2000.00 USD' });
    expect(h.risk.summary().activeAlerts).toEqual([active]);
  });

  it('warns of stale market data once per symbol and resolves the warning when data returns', () => {
    const h = new RiskHarness({ limits: { staleQuoteMs: 5000 } });
    h.quote(T0, '100.00');
    h.quote(T0, '50.00', '50.00', BETA);
    h.quote(T0 + 3 * SECOND, '50.00', '50.00', BETA);
    h.advanceTo(T0 + 6 * SECOND); // ACME 6 s old, BETA 3 s
    h.advanceTo(T0 + 7 * SECOND);
    const stale = () => h.risk.alerts.activeAlerts().map((a) => [a.key, a.level, a.action, a.symbol, a.message]);
    expect(stale()).toEqual([['stale_data:ACME', 'WARNING', 'INCREASE_MONITORING', 'ACME', 'no market data for ACME for 7000 ms']]);
    h.advanceTo(T0 + 9 * SECOND); // BETA 6 s old too
    expect(stale().map(([key]) => key)).toEqual(['stale_data:ACME', 'stale_data:BETA']);
    h.quote(T0 + 9 * SECOND + 500, '100.00');
    h.advanceTo(T0 + 10 * SECOND);
    expect(stale().map(([key]) => key)).toEqual(['stale_data:BETA']);
    expect(h.alerts.map((e) => [e.status, e.alert.key])).toEqual([
      ['RAISED', 'stale_data:ACME'],
      ['RAISED', 'stale_data:BETA'],
      ['RESOLVED', 'stale_data:ACME'],
    ]);
    expect(h.risk.alerts.activeAlerts()[0]!.symbol).toBe(BETA.id);
  });
});

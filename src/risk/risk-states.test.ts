/**
 * Trading states of the RiskEngine through the real engine: equity-limit breaches (daily loss
 * since the start of the trading day in the configured time zone, drawdown from the equity peak)
 * move ACTIVE → HALTED or REDUCING with an event naming the loss and the limit; working orders
 * are canceled and positions optionally flattened; REDUCING lets only reducing orders through;
 * HALTED lets nothing through but the engine's own flatten orders; the kill switch leaves no
 * working order anywhere; resume returns to ACTIVE, re-basing an equity limit breached at that
 * moment so the next evaluation does not halt again at once.
 */
import { describe, expect, it } from 'vitest';
import { fixedLatency } from '../execution/models.js';
import type { RiskLimits } from './limits.js';
import { FLATTEN_TAG, type RiskBaselines } from './risk-engine.js';
import { ACME, BETA, HOUR, MINUTE, RiskHarness, SECOND, T0, type Outcome, type RiskHarnessOptions } from './test-fixtures.js';

const DAY = 24 * HOUR;

/** 100,000 of equity, long 500 ACME bought at 100.00 (50,000): each 1.00 the price falls loses 500.00. */
function longAt100(limits: RiskLimits, opts: Partial<RiskHarnessOptions> = {}): RiskHarness {
  const h = new RiskHarness({ limits, ...opts });
  h.quote(T0, '100.00');
  expect(h.buy(500).status).toBe('FILLED');
  return h;
}

const passed = (o: Outcome) => expect(o.status, `${o.reason}: ${o.message}`).not.toBe('DENIED');

function denied(o: Outcome, reason: string, message?: string | RegExp): void {
  expect(o.status).toBe('DENIED');
  expect(o.reason).toBe(reason);
  if (typeof message === 'string') expect(o.message).toBe(message);
  else if (message) expect(o.message).toMatch(message);
}

const DAILY_LOSS_REASON = 'daily loss 2000.00 USD reached the limit 2000.00 USD (2.00% of 100000.00 USD)';

describe('daily loss limit', () => {
  it('halts when a position marked down bar by bar reaches the limit, naming the loss and the limit, and cancels working orders', () => {
    const h = longAt100({ dailyLossLimit: 0.02 });
    const resting = h.buy(50, { price: '90.00' });
    expect(h.working().venue).toEqual([resting.id]);
    const path = ['99.00', '98.00', '97.00', '96.80', '96.01'];
    path.forEach((close, i) => {
      h.bar(T0 + (i + 1) * MINUTE, close);
      expect(h.state, `at ${close}`).toBe('ACTIVE');
    });
    h.bar(T0 + 6 * MINUTE, '96.00');
    expect(h.state).toBe('HALTED');
    expect(h.states).toEqual([{ state: 'HALTED', previous: 'ACTIVE', reason: DAILY_LOSS_REASON, ts: T0 + 6 * MINUTE }]);
    expect(h.actions.map((a) => [a.action, a.reason, a.detail])).toEqual([
      ['HALT_TRADING', DAILY_LOSS_REASON, undefined],
      ['CANCEL_ALL_ORDERS', DAILY_LOSS_REASON, '1 working orders'],
    ]);
    expect(h.outcome(resting.id).status).toBe('CANCELED');
    expect(h.working()).toEqual({ engine: [], venue: [] });
    expect(h.net()).toBe('500'); // flattenOnHalt is off by default
    denied(h.buy(1), 'TRADING_HALTED', `trading is halted (${DAILY_LOSS_REASON})`);
  });

  it('leaves working orders alone when cancelOrdersOnHalt is off', () => {
    const h = longAt100({ dailyLossLimit: 0.02, autoActions: { cancelOrdersOnHalt: false } });
    const resting = h.buy(50, { price: '90.00' });
    h.bar(T0 + MINUTE, '96.00');
    expect(h.state).toBe('HALTED');
    expect(h.working().venue).toEqual([resting.id]);
    expect(h.actions.map((a) => a.action)).toEqual(['HALT_TRADING']);
  });

  it('flattens every position with the engine’s own orders when flattenOnHalt is on', () => {
    const h = longAt100({ dailyLossLimit: 0.02, autoActions: { flattenOnHalt: true } });
    h.quote(T0, '50.00', '50.00', BETA);
    passed(h.sell(100, { inst: BETA }));
    h.bar(T0 + MINUTE, '96.00');
    expect(h.state).toBe('HALTED');
    // BETA is quoted, so its flatten filled at once; ACME trades on bars and fills at the next one.
    const flatten = [...h.engine.execution.allOrders()].filter((o) => o.strategyId === 'risk');
    expect(flatten.map((o) => [o.strategyId, o.instrumentId, o.side, o.quantity.toString(), o.reduceOnly, o.tags])).toEqual([
      ['risk', 'ACME', 'SELL', '500', true, [FLATTEN_TAG]],
      ['risk', 'BETA', 'BUY', '100', true, [FLATTEN_TAG]],
    ]);
    h.bar(T0 + 2 * MINUTE, '95.50'); // the ACME flatten fills at this bar's open
    h.quote(T0 + 2 * MINUTE, '50.00', '50.00', BETA);
    expect([h.net(), h.net(BETA)]).toEqual(['0', '0']);
    expect(h.denials).toEqual([]);
    expect(h.actions.filter((a) => a.action === 'CLOSE_POSITION').map((a) => a.symbol)).toEqual(['ACME', 'BETA']);
    expect(h.working()).toEqual({ engine: [], venue: [] });
  });

  // The trading day starts at midnight in the configured zone. In New York (EST, UTC−5) that is
  // 05:00 UTC, so UTC midnight must not lift the halt; in Tokyo (UTC+9) it is 15:00 UTC, before
  // UTC midnight.
  const zones = [
    { zone: undefined, haltAt: Date.UTC(2024, 0, 2, 20), halted: [Date.UTC(2024, 0, 2, 23, 59)], clearsAt: Date.UTC(2024, 0, 3, 0, 0) },
    { zone: 'America/New_York', haltAt: Date.UTC(2024, 0, 2, 20), halted: [Date.UTC(2024, 0, 3, 0, 0), Date.UTC(2024, 0, 3, 4, 59)], clearsAt: Date.UTC(2024, 0, 3, 5, 0) },
    { zone: 'Asia/Tokyo', haltAt: Date.UTC(2024, 0, 2, 12), halted: [Date.UTC(2024, 0, 2, 14, 59)], clearsAt: Date.UTC(2024, 0, 2, 15, 0) },
  ];
  for (const { zone, haltAt, halted, clearsAt } of zones) {
    it(`lifts a daily-loss halt when the next trading day begins in ${zone ?? 'UTC (the default)'}`, () => {
      const h = longAt100({ dailyLossLimit: 0.02, timeZone: zone }, { evaluateEveryMs: MINUTE });
      h.bar(haltAt, '96.00');
      expect(h.state).toBe('HALTED');
      for (const t of halted) {
        h.advanceTo(t);
        expect(h.state, new Date(t).toISOString()).toBe('HALTED');
      }
      h.advanceTo(clearsAt);
      expect(h.state).toBe('ACTIVE');
      expect(h.states.at(-1)).toEqual({ state: 'ACTIVE', previous: 'HALTED', reason: 'new trading day 2024-01-03', ts: clearsAt });
      // The new day starts from today's equity: yesterday's loss no longer counts.
      expect(h.risk.summary().dayStartEquity).toBe('98000.00 USD');
      h.quote(clearsAt + SECOND, '96.00');
      passed(h.buy(1));
      h.bar(clearsAt + MINUTE, '95.00');
      expect(h.state).toBe('ACTIVE');
    });
  }

  it('moves to REDUCING instead of HALTED when haltOnDailyLoss is off', () => {
    const h = longAt100({ dailyLossLimit: 0.02, autoActions: { haltOnDailyLoss: false } });
    h.bar(T0 + MINUTE, '96.00');
    expect(h.state).toBe('REDUCING');
    expect(h.states).toEqual([{ state: 'REDUCING', previous: 'ACTIVE', reason: DAILY_LOSS_REASON, ts: T0 + MINUTE }]);
    expect(h.actions.map((a) => a.action)).toEqual(['REDUCE_ONLY', 'CANCEL_ALL_ORDERS']);
  });
});

describe('max drawdown', () => {
  it('halts at the drawdown limit from the equity peak and does not lift the halt on a new day', () => {
    const h = longAt100({ maxDrawdown: 0.05 }, { evaluateEveryMs: MINUTE });
    h.bar(T0 + MINUTE, '110.00'); // equity 105,000: the peak
    h.bar(T0 + 2 * MINUTE, '99.51'); // 99,755: 5,245 down
    expect(h.state).toBe('ACTIVE');
    h.bar(T0 + 3 * MINUTE, '99.50'); // 99,750: 5,250 = 5% of 105,000
    expect(h.state).toBe('HALTED');
    expect(h.states).toEqual([{ state: 'HALTED', previous: 'ACTIVE', reason: 'drawdown 5250.00 USD reached the limit 5250.00 USD (5.00% of peak 105000.00 USD)', ts: T0 + 3 * MINUTE }]);
    h.advanceTo(T0 + 2 * DAY);
    expect(h.state).toBe('HALTED');
    expect(h.states).toHaveLength(1);
  });

  it('keeps trading halted on the new day when a daily-loss halt has also reached the drawdown limit', () => {
    const h = longAt100({ dailyLossLimit: 0.02, maxDrawdown: 0.03 }, { evaluateEveryMs: MINUTE });
    h.bar(T0 + MINUTE, '96.00'); // daily loss 2,000: halted
    h.bar(T0 + 2 * MINUTE, '93.00'); // drawdown 3,500 ≥ 3,000 while already halted
    h.advanceTo(T0 + DAY);
    expect(h.state).toBe('HALTED');
    expect(h.states.at(-1)!.reason).toMatch(/^drawdown 3500\.00 USD reached the limit 3000\.00 USD/);
    denied(h.buy(1), 'TRADING_HALTED', /^trading is halted \(drawdown/);
  });
});

describe('equity bases across a restart', () => {
  it('hands its bases to a listener as they move, and an engine given them counts the day and the drawdown from them', () => {
    const before = longAt100({ dailyLossLimit: 0.02, maxDrawdown: 0.05 }, { evaluateEveryMs: MINUTE });
    const moves: RiskBaselines[] = [];
    before.risk.onBaselines((b) => moves.push(b));
    before.bar(T0 + MINUTE, '104.00'); // 102,000: a new peak
    before.bar(T0 + 2 * MINUTE, '101.00'); // 100,500: no move
    expect(moves).toEqual([{ day: '2024-01-02', dayStartEquityRaw: '10000000', peakEquityRaw: '10200000' }]);
    expect(before.risk.baselines()).toEqual(moves[0]);

    // The restarted engine's own first evaluation would count from its 99,500 of equity.
    const after = new RiskHarness({ limits: { dailyLossLimit: 0.02, maxDrawdown: 0.05 }, startingCash: '99500', evaluateEveryMs: MINUTE });
    after.risk.restoreBaselines(moves[0]!);
    after.quote(T0 + 3 * MINUTE, '100.00');
    expect(after.buy(500).status).toBe('FILLED');
    expect(after.risk.summary()).toMatchObject({ dayStartEquity: '100000.00 USD', peakEquity: '102000.00 USD' });
    after.bar(T0 + 4 * MINUTE, '97.01'); // 98,005: 1,995 lost today
    expect(after.state).toBe('ACTIVE');
    after.bar(T0 + 5 * MINUTE, '97.00'); // 98,000: 2,000 lost since the day's real start
    expect(after.state).toBe('HALTED');
    expect(after.states.at(-1)!.reason).toBe(DAILY_LOSS_REASON);
  });

  it('starts the daily loss afresh when a new trading day began since the bases were kept, and keeps the higher peak', () => {
    const h = longAt100({ dailyLossLimit: 0.02, maxDrawdown: 0.6 }, { evaluateEveryMs: MINUTE });
    h.risk.restoreBaselines({ day: '2024-01-01', dayStartEquityRaw: '20000000', peakEquityRaw: '20000000' });
    h.bar(T0 + MINUTE, '99.00');
    expect(h.risk.summary()).toMatchObject({ dayStartEquity: '100000.00 USD', peakEquity: '200000.00 USD' });
    expect(h.state).toBe('ACTIVE');
    h.risk.restoreBaselines({ day: '2024-01-02', dayStartEquityRaw: '9000000', peakEquityRaw: '9000000' });
    expect(h.risk.summary()).toMatchObject({ dayStartEquity: '90000.00 USD', peakEquity: '200000.00 USD' });
  });

  it('refuses malformed amounts, naming the field and the value', () => {
    const h = longAt100({ dailyLossLimit: 0.02 });
    expect(() => h.risk.restoreBaselines({ day: '2024-01-02', dayStartEquityRaw: '1e7', peakEquityRaw: '10000000' })).toThrow(
      'risk baselines: dayStartEquityRaw "1e7" is not an integer amount of minor units',
    );
    expect(h.risk.summary().dayStartEquity).toBe('100000.00 USD');
  });
});

describe('resume after an equity-limit halt', () => {
  it('re-bases a breached drawdown at the equity of the resume, so only a new drawdown of the limit halts again', () => {
    const h = longAt100({ maxDrawdown: 0.05 }, { evaluateEveryMs: MINUTE });
    h.bar(T0 + MINUTE, '110.00'); // peak 105,000
    h.bar(T0 + 2 * MINUTE, '99.50'); // 5,250 down: halted
    expect(h.state).toBe('HALTED');
    h.engine.run(() => h.risk.resume());
    expect(h.state).toBe('ACTIVE');
    expect(h.actions.at(-1)).toMatchObject({ action: 'RESUME_TRADING', detail: 're-based at equity 99750.00 USD: drawdown' });
    expect(h.risk.summary().peakEquity).toBe('99750.00 USD');
    expect(h.risk.summary().activeAlerts.filter((a) => a.key === 'drawdown')).toEqual([]);
    h.bar(T0 + 3 * MINUTE, '99.00'); // 250 more: before the fix, any evaluation halted again here
    h.advanceTo(T0 + 5 * MINUTE);
    h.bar(T0 + 6 * MINUTE, '89.53'); // 94,765: 4,985 below 99,750, under 5 % (4,987.50)
    expect(h.state).toBe('ACTIVE');
    h.bar(T0 + 7 * MINUTE, '89.52'); // 94,760: 4,990
    expect(h.state).toBe('HALTED');
    expect(h.states.at(-1)!.reason).toBe('drawdown 4990.00 USD reached the limit 4987.50 USD (5.00% of peak 99750.00 USD)');
  });

  it('re-bases a breached daily loss at the equity of the resume, for the rest of the day', () => {
    const h = longAt100({ dailyLossLimit: 0.02 });
    h.bar(T0 + MINUTE, '96.00'); // 2,000 lost: halted
    h.engine.run(() => h.risk.resume());
    expect(h.actions.at(-1)).toMatchObject({ action: 'RESUME_TRADING', detail: 're-based at equity 98000.00 USD: daily loss' });
    expect(h.risk.summary().dayStartEquity).toBe('98000.00 USD');
    h.bar(T0 + 2 * MINUTE, '95.00'); // 500 lost since the resume
    expect(h.state).toBe('ACTIVE');
    h.bar(T0 + 3 * MINUTE, '92.08'); // 1,960: 2 % of 98,000
    expect(h.state).toBe('HALTED');
    expect(h.states.at(-1)!.reason).toBe('daily loss 1960.00 USD reached the limit 1960.00 USD (2.00% of 98000.00 USD)');
  });

  it('re-bases nothing when no equity limit is breached (a kill switch)', () => {
    const h = longAt100({ dailyLossLimit: 0.02, maxDrawdown: 0.05 });
    h.bar(T0 + MINUTE, '99.00'); // 500 down, inside both limits
    h.engine.run(() => h.risk.killSwitch());
    h.engine.run(() => h.risk.resume());
    expect(h.actions.at(-1)).toEqual(expect.objectContaining({ action: 'RESUME_TRADING' }));
    expect(h.actions.at(-1)!.detail).toBeUndefined();
    expect(h.risk.summary()).toMatchObject({ dayStartEquity: '100000.00 USD', peakEquity: '100000.00 USD' });
  });
});

describe('REDUCING', () => {
  function reducing(limits: RiskLimits = {}): RiskHarness {
    const h = longAt100({ dailyLossLimit: 0.02, autoActions: { haltOnDailyLoss: false }, ...limits });
    h.bar(T0 + MINUTE, '96.00');
    expect(h.state).toBe('REDUCING');
    h.quote(T0 + MINUTE, '96.00'); // back to quotes: market orders fill at once
    return h;
  }

  it('lets only orders that reduce the position through', () => {
    const h = reducing();
    denied(h.buy(1), 'TRADING_REDUCING', `trading is reduce-only (${DAILY_LOSS_REASON}): BUY 1 ACME would not reduce the position`);
    denied(h.buy(1, { inst: BETA, price: '10.00' }), 'TRADING_REDUCING', /BUY 1 BETA would not reduce the position$/);
    passed(h.sell(200));
    expect(h.net()).toBe('300');
    denied(h.sell(400), 'TRADING_REDUCING', /SELL 400 ACME would not reduce the position$/); // would flip to short 100
    passed(h.sell(300));
    expect(h.net()).toBe('0');
    denied(h.sell(1), 'TRADING_REDUCING', /SELL 1 ACME would not reduce the position$/);
  });

  it('keeps a working reducing order through later evaluations and publishes the state change once', () => {
    const h = reducing();
    const exit = h.sell(100, { price: '97.00' });
    passed(exit);
    h.bar(T0 + 2 * MINUTE, '95.90'); // the loss grows to 2,050
    h.advanceTo(T0 + 3 * MINUTE); // and is evaluated every second
    expect(h.outcome(exit.id).status).toBe('ACCEPTED');
    expect(h.working().venue).toEqual([exit.id]);
    expect(h.states.map((s) => s.state)).toEqual(['REDUCING']);
    expect(h.actions.map((a) => a.action)).toEqual(['REDUCE_ONLY', 'CANCEL_ALL_ORDERS']);
  });

  it('escalates from REDUCING to HALTED when the drawdown limit is reached', () => {
    const h = longAt100({ dailyLossLimit: 0.02, maxDrawdown: 0.03, autoActions: { haltOnDailyLoss: false } });
    h.bar(T0 + MINUTE, '96.00');
    expect(h.state).toBe('REDUCING');
    h.bar(T0 + 2 * MINUTE, '94.00');
    expect(h.state).toBe('HALTED');
    expect(h.states.map((s) => [s.previous, s.state])).toEqual([
      ['ACTIVE', 'REDUCING'],
      ['REDUCING', 'HALTED'],
    ]);
    expect(h.states[1]!.reason).toBe('drawdown 3000.00 USD reached the limit 3000.00 USD (3.00% of peak 100000.00 USD)');
  });
});

describe('HALTED', () => {
  function halted(): RiskHarness {
    const h = longAt100({ dailyLossLimit: 0.02 });
    h.bar(T0 + MINUTE, '96.00');
    expect(h.state).toBe('HALTED');
    h.quote(T0 + MINUTE, '96.00');
    return h;
  }

  it('denies every order, reducing and reduce-only ones included', () => {
    const h = halted();
    const reason = `trading is halted (${DAILY_LOSS_REASON})`;
    denied(h.sell(100), 'TRADING_HALTED', reason);
    denied(h.sell(500, { reduceOnly: true }), 'TRADING_HALTED', reason);
    denied(h.buy(1, { inst: BETA, price: '10.00' }), 'TRADING_HALTED', reason);
    expect(h.net()).toBe('500');
  });

  it('denies a strategy order that carries the flatten tag: only the engine’s own flatten passes', () => {
    const h = halted();
    denied(h.sell(500, { reduceOnly: true, tags: [FLATTEN_TAG] }), 'TRADING_HALTED');
    h.engine.run(() => h.risk.flatten('ACME', 'operator flatten'));
    expect(h.net()).toBe('0');
    expect(h.denials).toHaveLength(1);
    expect(h.actions.at(-1)).toMatchObject({ action: 'CLOSE_POSITION', reason: 'operator flatten', symbol: 'ACME' });
  });
});

describe('kill switch', () => {
  /** Positions in ACME (long 110) and BETA (short 200) and six working orders of every kind. */
  function busyBook(opts: Partial<RiskHarnessOptions> = {}): RiskHarness {
    const h = new RiskHarness({ limits: {}, startingCash: '1000000', ...opts });
    const settle = (dt: number) => h.advanceTo(h.clock.now() + dt);
    h.quote(T0, '100.00', '100.02');
    h.quote(T0, '50.00', '50.02', BETA);
    passed(h.buy(100));
    passed(h.sell(200, { inst: BETA }));
    settle(100);
    passed(h.buy(10, { price: '90.00' }));
    passed(h.sell(10, { inst: BETA, price: '60.00' }));
    passed(h.sell(50, { trigger: '95.00', reduceOnly: true }));
    const filled = h.submitBracket({ entry: h.request(ACME, 'BUY', 10, { price: '100.02' }), stopLoss: ACME.price('95.00'), takeProfit: ACME.price('110.00') });
    settle(100);
    const resting = h.submitBracket({ entry: h.request(ACME, 'BUY', 10, { price: '80.00' }), stopLoss: ACME.price('75.00'), takeProfit: ACME.price('90.00') });
    settle(100);
    expect(filled.ok && resting.ok).toBe(true);
    expect([h.net(), h.net(BETA)]).toEqual(['110', '-200']);
    expect(h.working().engine).toHaveLength(6);
    expect(h.working().venue).toHaveLength(6);
    return h;
  }

  it('halts, cancels every working order at the engine and the venue, and flattens every position', () => {
    const h = busyBook();
    h.engine.run(() => h.risk.killSwitch({ flatten: true, reason: 'operator kill' }));
    expect(h.working()).toEqual({ engine: [], venue: [] });
    expect([h.net(), h.net(BETA)]).toEqual(['0', '0']);
    expect(h.state).toBe('HALTED');
    expect(h.states.at(-1)).toMatchObject({ state: 'HALTED', previous: 'ACTIVE', reason: 'operator kill' });
    expect(h.actions.map((a) => [a.action, a.symbol ?? a.detail])).toEqual([
      ['HALT_TRADING', undefined],
      ['CANCEL_ALL_ORDERS', '6 working orders'],
      ['CLOSE_POSITION', 'ACME'],
      ['CLOSE_POSITION', 'BETA'],
    ]);
    // Prices sweeping through every old stop, limit and bracket level wake nothing up.
    for (const [bid, ask] of [['74.00', '74.02'], ['111.00', '111.02'], ['100.00', '100.02']] as const) {
      h.quote(h.clock.now() + SECOND, bid, ask);
      h.quote(h.clock.now(), String(Number(bid) / 2 + 20), String(Number(bid) / 2 + 20), BETA);
    }
    expect(h.working()).toEqual({ engine: [], venue: [] });
    expect([h.net(), h.net(BETA)]).toEqual(['0', '0']);
    const statuses = [...h.engine.execution.allOrders()].filter((o) => o.strategyId !== 'risk').map((o) => o.status);
    expect(statuses.every((s) => s === 'FILLED' || s === 'CANCELED')).toBe(true);
    denied(h.buy(1), 'TRADING_HALTED', 'trading is halted (operator kill)');
  });

  it('leaves positions open but no working order without flatten', () => {
    const h = busyBook();
    h.engine.run(() => h.risk.killSwitch());
    expect(h.working()).toEqual({ engine: [], venue: [] });
    expect([h.net(), h.net(BETA)]).toEqual(['110', '-200']);
    expect(h.risk.summary().stateReason).toBe('kill switch');
  });

  it('leaves no working order once the cancels have crossed a 25 ms venue latency', () => {
    const h = busyBook({ latencyModel: fixedLatency(25) });
    h.engine.run(() => h.risk.killSwitch({ flatten: true }));
    expect(h.working().venue).toHaveLength(6); // the cancels are on their way
    h.advanceTo(h.clock.now() + 25);
    expect(h.working()).toEqual({ engine: [], venue: [] });
    expect([h.net(), h.net(BETA)]).toEqual(['0', '0']);
  });

  it('also closes a position opened by an order that was still in flight to the venue', () => {
    const h = new RiskHarness({ limits: {}, latencyModel: fixedLatency(25) });
    h.quote(T0, '100.00');
    const late = h.buy(10); // reaches the venue at T0 + 25
    h.advanceTo(T0 + 10);
    h.engine.run(() => h.risk.killSwitch({ flatten: true }));
    h.advanceTo(T0 + 100);
    expect(h.outcome(late.id).status).toBe('FILLED'); // it arrived before its cancel
    expect(h.net()).toBe('0');
    expect(h.working()).toEqual({ engine: [], venue: [] });
    expect(h.actions.filter((a) => a.action === 'CLOSE_POSITION').map((a) => a.symbol)).toEqual(['ACME']);
  });

  it('returns to ACTIVE on resume, with an event and an action, and orders pass again', () => {
    const h = busyBook();
    h.engine.run(() => h.risk.killSwitch({ flatten: true }));
    h.engine.run(() => h.risk.resume());
    expect(h.state).toBe('ACTIVE');
    expect(h.states.at(-1)).toMatchObject({ state: 'ACTIVE', previous: 'HALTED', reason: 'resumed by operator' });
    expect(h.actions.at(-1)).toMatchObject({ action: 'RESUME_TRADING', reason: 'resumed by operator' });
    passed(h.buy(1));
    expect(h.net()).toBe('1');
  });
});

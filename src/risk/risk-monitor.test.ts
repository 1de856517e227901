/**
 * RiskMonitor on a real TradingEngine + SimulatedExchange + SimulatedClock fed with seeded quotes:
 * its figures equal the measures library's on the sampled return series, the VaR and
 * concentration alerts are raised and resolved, its correlation feeds the risk engine's check,
 * and no work is done per tick.
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import { Random } from '../core/random.js';
import { ACME, Harness, T0, XBT, qty } from '../execution/test-fixtures.js';
import type { Instrument } from '../model/instrument.js';
import { AlertManager, type AlertEvent } from './alerts.js';
import { attachRiskEngine } from './attach.js';
import { concentration } from './measures/concentration.js';
import { riskContributions } from './measures/contribution.js';
import { estimateCorrelation, estimateModel } from './measures/covariance.js';
import type { ReturnSeries } from './measures/inputs.js';
import { BUILT_IN_SCENARIOS, stressTest } from './measures/stress.js';
import { historicalVaR, monteCarloVaR, parametricVaR, varBreakdown } from './measures/var.js';
import { CONCENTRATION_ALERT_KEY, RiskMonitor, type RiskMeasures, type RiskMonitorOptions, VAR_ALERT_KEY } from './risk-monitor.js';

const INTERVAL = 10_000;

let harnesses: Harness[] = [];
afterEach(() => {
  for (const h of harnesses) h.checkInvariants();
  harnesses = [];
});

/**
 * A harness, a monitor, and a seeded market: in each interval k (ending at T0 + k × 10 s) a
 * decoy quote 6 s before the end and the sampled quote 2 s before it, for ACME (cent ticks) and
 * XBT (0.5 ticks) with correlation `rho` between their returns. `sampled` holds the mid prices the
 * monitor must have sampled at each interval end, as floats.
 */
function setUp(opts: Partial<RiskMonitorOptions> = {}, rho = 0.3, seed = 11) {
  const h = new Harness({ instruments: [ACME, XBT], startingCash: '10000000' });
  harnesses.push(h);
  const alerts = new AlertManager(h.engine.bus, h.clock);
  const alertEvents: AlertEvent[] = [];
  h.engine.bus.subscribe('risk.alert', (a) => alertEvents.push(a));
  const published: RiskMeasures[] = [];
  h.engine.bus.subscribe('risk.measures', (m) => published.push(m));
  const monitor = new RiskMonitor({ engine: h.engine, alerts, intervalMs: INTERVAL, window: 20, minObservations: 10, monteCarlo: { paths: 2000, seed: 7 }, ...opts });
  const rng = new Random(seed);
  let acme = 100;
  let xbt = 30_000;
  let k = 0;
  const sampled: Array<Record<string, number>> = [];
  const quote = (inst: Instrument, ts: number, value: number) => {
    const mid = inst.nearestPrice(value);
    const tick = inst.tickSize.raw;
    const at = (raw: number) => (raw / 10 ** inst.pricePrecision).toFixed(inst.pricePrecision);
    h.quote(ts, { inst, bid: at(mid.raw - tick), ask: at(mid.raw + tick) });
    return mid.raw / 10 ** inst.pricePrecision;
  };
  /** Runs the market up to the end of interval k + n (sampling at each end). */
  const run = (n: number, beforeEnd?: () => void) => {
    for (let i = 0; i < n; i++) {
      k++;
      const end = T0 + k * INTERVAL;
      quote(ACME, end - 6000, acme * 1.05);
      quote(XBT, end - 6000, xbt * 0.95);
      const z1 = rng.normal();
      const z2 = rho * z1 + Math.sqrt(1 - rho * rho) * rng.normal();
      acme *= Math.exp(0.01 * z1);
      xbt *= Math.exp(0.02 * z2);
      const a = quote(ACME, end - 2000, acme);
      const x = quote(XBT, end - 2000, xbt);
      sampled.push({ ACME: a, XBT: x });
      if (i === n - 1) beforeEnd?.();
      h.advanceTo(end);
    }
  };
  /** The last `window` returns of the sampled prices, computed here independently. */
  const expectedSeries = (window = 20): ReturnSeries => {
    const out: Record<string, number[]> = { ACME: [], XBT: [] };
    for (let t = 1; t < sampled.length; t++) for (const s of ['ACME', 'XBT']) out[s]!.push(sampled[t]![s]! / sampled[t - 1]![s]! - 1);
    return { ACME: out.ACME!.slice(-window), XBT: out.XBT!.slice(-window) };
  };
  return { h, monitor, alerts, alertEvents, published, run, expectedSeries, sampled };
}

/** |actual − expected| within 1e-9 of |expected| (the rolling and two-pass covariances differ in the last bits). */
function near(actual: number | undefined, expected: number): void {
  expect(actual).toBeDefined();
  expect(Math.abs(actual! - expected)).toBeLessThanOrEqual(1e-9 * Math.max(1, Math.abs(expected)));
}

describe('RiskMonitor measures', () => {
  it('equal the measures library on the sampled series, for the portfolio and each position', () => {
    const t = setUp();
    t.run(1);
    t.h.submit({ instrumentId: 'ACME', side: 'BUY', type: 'MARKET', quantity: qty(1000) });
    t.h.submit({ instrumentId: 'XBT', side: 'SELL', type: 'MARKET', quantity: qty('2.000', XBT) });
    t.run(9);
    // 10 samples give 9 returns: still one short of minObservations.
    expect(t.monitor.latest()).toBeUndefined();
    expect(t.monitor.correlationProvider()()).toBeUndefined();
    t.run(15); // 24 returns, the window keeps 20
    const m = t.monitor.latest()!;
    expect(t.published.at(-1)).toBe(m);
    expect(t.published).toHaveLength(15);
    expect(m.ts).toBe(T0 + 25 * INTERVAL);
    expect(m.observations).toBe(20);
    expect(m.errors).toEqual([]);

    const series = t.expectedSeries();
    expect(t.monitor.returnSeries()).toEqual(series);
    const marks = t.sampled.at(-1)!;
    const book = [
      { symbol: 'ACME', value: 1000 * marks.ACME! },
      { symbol: 'XBT', value: -2 * marks.XBT! },
    ];
    expect(m.exposures.map((e) => e.symbol)).toEqual(['ACME', 'XBT']);
    m.exposures.forEach((e, i) => near(e.value, book[i]!.value));
    const model = estimateModel(series, ['ACME', 'XBT']);

    expect(m.var.map((v) => v.confidence)).toEqual([0.95, 0.99]);
    for (const v of m.var) {
      const opts = { confidence: v.confidence };
      const hist = historicalVaR(book, series, opts);
      const param = parametricVaR(book, model, opts);
      const mc = monteCarloVaR(book, model, { ...opts, paths: 2000, seed: 7 });
      near(v.portfolio.historical?.valueAtRisk, hist.valueAtRisk);
      near(v.portfolio.historical?.expectedShortfall, hist.expectedShortfall);
      near(v.portfolio.parametric?.valueAtRisk, param.valueAtRisk);
      near(v.portfolio.parametric?.expectedShortfall, param.expectedShortfall);
      near(v.portfolio.monteCarlo?.valueAtRisk, mc.valueAtRisk);
      near(v.portfolio.monteCarlo?.expectedShortfall, mc.expectedShortfall);
      const breakdown = varBreakdown(book, model, opts);
      v.positions.forEach((p, i) => {
        const alone = [book[i]!];
        expect(p.symbol).toBe(book[i]!.symbol);
        near(p.historical?.valueAtRisk, historicalVaR(alone, series, opts).valueAtRisk);
        near(p.parametric?.valueAtRisk, parametricVaR(alone, model, opts).valueAtRisk);
        near(p.monteCarlo?.expectedShortfall, monteCarloVaR(alone, model, { ...opts, paths: 2000, seed: 7 }).expectedShortfall);
        near(p.componentVaR, breakdown.positions[i]!.component);
        near(p.marginalVaR, breakdown.positions[i]!.marginal);
      });
      // Component VaRs add up to the parametric portfolio VaR.
      near(v.positions.reduce((s, p) => s + p.componentVaR!, 0), v.portfolio.parametric!.valueAtRisk);
    }

    const corr = estimateCorrelation(series, ['ACME', 'XBT']);
    near(m.correlation.matrix[0]![1], corr.matrix[0]![1]!);
    expect(t.monitor.correlationProvider()()).toBe(m.correlation);
    const conc = concentration(book, corr, 0.7);
    expect(m.concentration?.groups.length).toBe(conc.groups.length);
    near(m.concentration?.totalGross, conc.totalGross);
    const contrib = riskContributions(book, model);
    near(m.contributions?.volatility, contrib.volatility);
    m.contributions!.positions.forEach((p, i) => {
      near(p.volatility, contrib.positions[i]!.volatility);
      near(p.sharpe, contrib.positions[i]!.sharpe);
    });
    expect(m.stress.map((s) => s.scenario)).toEqual(Object.keys(BUILT_IN_SCENARIOS));
    const down10 = m.stress[0]!;
    const expected = stressTest(book, BUILT_IN_SCENARIOS['all-down-10']);
    if (down10.kind !== 'pnl' || expected.kind !== 'pnl') throw new Error('expected P&L results');
    near(down10.total, expected.total);
    const vol = m.stress[3]!;
    if (vol.kind !== 'volatility') throw new Error('expected a volatility result');
    near(vol.stressed.valueAtRisk, 2 * vol.baseline.valueAtRisk);
  });

  it('scales to the horizon: historical and parametric as the library does, Monte Carlo by √h from one period', () => {
    const t = setUp({ horizon: 4, confidences: [0.99] });
    t.run(1);
    t.h.submit({ instrumentId: 'ACME', side: 'BUY', type: 'MARKET', quantity: qty(500) });
    t.run(12);
    const m = t.monitor.latest()!;
    expect([m.horizon, m.horizonMs]).toEqual([4, 40_000]);
    const series = t.expectedSeries();
    const book = [{ symbol: 'ACME', value: 500 * t.sampled.at(-1)!.ACME! }];
    const model = estimateModel(series, ['ACME', 'XBT']);
    const v = m.var[0]!;
    near(v.portfolio.historical?.valueAtRisk, historicalVaR(book, series, { confidence: 0.99, horizon: 4 }).valueAtRisk);
    near(v.portfolio.parametric?.valueAtRisk, parametricVaR(book, model, { confidence: 0.99, horizon: 4 }).valueAtRisk);
    near(v.portfolio.monteCarlo?.valueAtRisk, 2 * monteCarloVaR(book, model, { confidence: 0.99, paths: 2000, seed: 7 }).valueAtRisk);
  });

  it('does no work per tick: nothing between intervals however many quotes arrive, one sample and one recomputation per interval', () => {
    const t = setUp();
    const position = vi.spyOn(t.h.engine.portfolio, 'position');
    t.run(12);
    expect(t.monitor.stats()).toEqual({ samples: 11, computations: 2 });
    const before = position.mock.calls.length;
    for (let i = 1; i <= 500; i++) t.h.quote(T0 + 12 * INTERVAL + i * 10, { inst: ACME, bid: '99.99', ask: '100.01' });
    expect(position.mock.calls.length).toBe(before);
    expect(t.monitor.stats()).toEqual({ samples: 11, computations: 2 });
    t.h.advanceTo(T0 + 13 * INTERVAL);
    // One price read per instrument, and nothing else on the portfolio's positions.
    expect(position.mock.calls.length).toBe(before + 2);
    expect(t.monitor.stats()).toEqual({ samples: 12, computations: 3 });
    // On demand: computes without sampling.
    t.monitor.recompute();
    expect(t.monitor.stats()).toEqual({ samples: 12, computations: 4 });
  });

  it('computes nothing while any instrument lacks a price', () => {
    const h = new Harness({ instruments: [ACME, XBT] });
    harnesses.push(h);
    const monitor = new RiskMonitor({ engine: h.engine, intervalMs: INTERVAL, window: 5, minObservations: 2 });
    for (let k = 1; k <= 5; k++) {
      h.quote(T0 + k * INTERVAL - 1000, { bid: '99.99', ask: '100.01' });
      h.advanceTo(T0 + k * INTERVAL);
    }
    expect(monitor.stats()).toEqual({ samples: 0, computations: 0 });
    expect(monitor.latest()).toBeUndefined();
  });

  it('rejects options out of range', () => {
    const h = new Harness({ instruments: [ACME] });
    harnesses.push(h);
    expect(() => new RiskMonitor({ engine: h.engine, window: 1 })).toThrow('window 1 must be an integer ≥ 2');
    expect(() => new RiskMonitor({ engine: h.engine, window: 10, minObservations: 11 })).toThrow('minObservations 11 must not exceed the window 10');
    expect(() => new RiskMonitor({ engine: h.engine, confidences: [0.95, 1] })).toThrow('confidence 1 must be in (0, 1)');
    expect(() => new RiskMonitor({ engine: h.engine, instrumentIds: ['NOPE'] })).toThrow('risk monitor: instrument NOPE is unknown');
  });
});

describe('RiskMonitor alerts', () => {
  it('raises a VaR alert above the fraction of equity and resolves it when the risk is gone', () => {
    const t = setUp({ maxVarFraction: 0.001 });
    t.run(1);
    t.h.submit({ instrumentId: 'ACME', side: 'BUY', type: 'MARKET', quantity: qty(10_000) });
    t.run(10);
    const m = t.monitor.latest()!;
    const worst = Math.max(...(['historical', 'parametric', 'monteCarlo'] as const).map((k) => m.var[1]!.portfolio[k]!.valueAtRisk));
    expect(worst).toBeGreaterThan(0.001 * m.equity);
    const alert = t.alerts.activeAlerts().find((a) => a.key === VAR_ALERT_KEY)!;
    expect([alert.level, alert.action]).toEqual(['WARNING', 'INCREASE_MONITORING']);
    expect(alert.message).toContain(`99% VaR over 10000 ms is ${worst.toFixed(2)} USD`);
    expect(alert.message).toContain('above the limit 0.10%');

    t.h.submit({ instrumentId: 'ACME', side: 'SELL', type: 'MARKET', quantity: qty(10_000) });
    t.run(1);
    expect(t.alerts.activeAlerts()).toEqual([]);
    expect(t.alertEvents.map((e) => `${e.status} ${e.alert.key}`)).toEqual([`RAISED ${VAR_ALERT_KEY}`, `RESOLVED ${VAR_ALERT_KEY}`]);
  });

  it('raises a concentration alert when a correlated group passes its share of gross exposure, resolved when it is broken up', () => {
    const t = setUp({ maxCorrelatedShare: 0.6 }, 0.98);
    t.run(1);
    t.h.submit({ instrumentId: 'ACME', side: 'BUY', type: 'MARKET', quantity: qty(1000) });
    t.h.submit({ instrumentId: 'XBT', side: 'BUY', type: 'MARKET', quantity: qty('3.000', XBT) });
    t.run(12);
    const m = t.monitor.latest()!;
    expect(m.correlation.matrix[0]![1]).toBeGreaterThan(0.7);
    expect(m.concentration?.groups[0]?.symbols).toEqual(['ACME', 'XBT']);
    const alert = t.alerts.activeAlerts().find((a) => a.key === CONCENTRATION_ALERT_KEY)!;
    expect([alert.level, alert.action]).toEqual(['WARNING', 'REDUCE_POSITION']);
    expect(alert.message).toMatch(/^correlated group ACME, XBT holds 100\.00% of gross exposure \(\d+\.\d\d USD\), above the limit 60\.00%$/);
    // One member alone forms no group.
    t.h.submit({ instrumentId: 'XBT', side: 'SELL', type: 'MARKET', quantity: qty('3.000', XBT) });
    t.run(1);
    expect(t.alerts.activeAlerts().map((a) => a.key)).toEqual([]);
    expect(t.alertEvents.map((e) => e.status)).toEqual(['RAISED', 'RESOLVED']);
  });

  it("feeds the risk engine's concentration check through correlationProvider()", () => {
    const t = setUp({}, 0.98);
    const risk = attachRiskEngine(t.h.engine, { maxCorrelatedShare: 0.6 }, { correlation: t.monitor.correlationProvider() });
    t.monitor.setAlerts(risk.alerts);
    t.run(1);
    // Before any correlation is known the check cannot apply.
    t.h.submit({ instrumentId: 'ACME', side: 'BUY', type: 'MARKET', quantity: qty(1000) });
    t.h.submit({ instrumentId: 'XBT', side: 'BUY', type: 'MARKET', quantity: qty('3.000', XBT) });
    t.run(12);
    expect(t.monitor.latest()).toBeDefined();
    const id = t.h.id(t.h.submit({ instrumentId: 'ACME', side: 'BUY', type: 'MARKET', quantity: qty(100) }));
    const denial = t.h.eventsFor(id).find((e) => e.type === 'OrderDenied');
    expect(denial?.type === 'OrderDenied' ? denial.reason : undefined).toBe('CORRELATION_CONCENTRATION');
  });
});

/**
 * RiskMonitor: the portfolio risk measures, recomputed on a clock interval (default 10 s of clock
 * time) or on demand, never on the hot path: it subscribes to no market data at all.
 *
 * Each interval it samples the latest price (the portfolio's mark) of every monitored instrument,
 * all at the same clock time, and pushes the vector of simple returns since the previous sample
 * into a rolling window (RollingCorrelation for the mean, covariance and correlation, and a ring
 * of the same returns for historical simulation). Sampling starts once every instrument has a
 * price. One period of the measures is one interval.
 *
 * Once the window holds `minObservations` returns, it values the open positions at their marks
 * (account currency) and computes with the measures library, at each confidence and over
 * `horizon` periods: historical, parametric and Monte Carlo VaR and ES for the portfolio and for
 * each position alone, each position's marginal and component parametric VaR, the correlation
 * matrix, the concentration of gross exposure in correlated groups, each position's contribution
 * to portfolio volatility and Sharpe ratio, and the stress scenarios (the built-in ones unless
 * given). Monte Carlo simulates one period and scales by √horizon, which under its zero-drift
 * normal model has exactly the distribution of the sum over the horizon, at 1/horizon the cost.
 *
 * The result is published on 'risk.measures' and kept for `latest()`; `correlationProvider()`
 * feeds the risk engine's pre-trade concentration check from it. Alerts go through the risk
 * engine's AlertManager: VaR above a fraction of equity (WARNING, INCREASE_MONITORING) and a
 * correlated group above its share of gross exposure (WARNING, REDUCE_POSITION); each resolves
 * when its condition clears.
 */
import { repeatEvery } from '../core/clock.js';
import { InputError, ValueError } from '../core/errors.js';
import type { TradingEngine } from '../engine/trading-engine.js';
import type { Instrument } from '../model/instrument.js';
import type { AlertManager } from './alerts.js';
import { concentration, type ConcentrationReport } from './measures/concentration.js';
import { riskContributions, type ContributionReport } from './measures/contribution.js';
import { RollingCorrelation, type Correlation } from './measures/covariance.js';
import type { Position as Exposure, ReturnModel, ReturnSeries } from './measures/inputs.js';
import { BUILT_IN_SCENARIOS, stressTest, type StressResult, type StressScenario } from './measures/stress.js';
import { historicalVaR, monteCarloVaR, parametricVaR, varBreakdown, type MonteCarloEstimate, type ParametricEstimate, type RiskEstimate } from './measures/var.js';
import type { RiskEngineOptions } from './risk-engine.js';

export type { Exposure };

export interface RiskMonitorOptions {
  engine: TradingEngine;
  /** Where alerts go (the risk engine's `alerts`); may also be set later with `setAlerts`. */
  alerts?: AlertManager | undefined;
  /** Clock interval of sampling and recomputation (default 10,000 ms). */
  intervalMs?: number | undefined;
  /** Returns kept in the rolling window (default 120). */
  window?: number | undefined;
  /** Returns needed before the measures are computed (default 20, at least 2, at most the window). */
  minObservations?: number | undefined;
  /** VaR and ES confidence levels (default 0.95 and 0.99). */
  confidences?: readonly number[] | undefined;
  /** Horizon in sampling periods (default 1). */
  horizon?: number | undefined;
  /**
   * Monte Carlo paths (default 10,000), seed (default 1), and whether each position also gets its
   * own stand-alone simulation (default true). Cost: one simulation of paths × n² per confidence
   * for the portfolio, plus paths per position and confidence (about 80 ms in all for 10
   * positions, 2 confidences and 10,000 paths on a laptop core).
   */
  monteCarlo?: { readonly paths?: number | undefined; readonly seed?: number | undefined; readonly perPosition?: boolean | undefined } | undefined;
  /** Risk-free return per period for the Sharpe contributions (default 0). */
  riskFreeRate?: number | undefined;
  /** |correlation| at or above which instruments form a group (default 0.7). */
  correlationThreshold?: number | undefined;
  /** Alert when a correlated group holds more than this share of gross exposure (off when absent). */
  maxCorrelatedShare?: number | undefined;
  /** Alert when the VaR exceeds this fraction of equity (off when absent). */
  maxVarFraction?: number | undefined;
  /** Stress scenarios (default the built-in ones). */
  scenarios?: readonly StressScenario[] | undefined;
  /** Instruments to monitor (default all of the engine's); positions in others are left out. */
  instrumentIds?: readonly string[] | undefined;
}

/**
 * VaR and ES by the three methods; a method that could not be computed is undefined (see
 * `errors`), as is a position's Monte Carlo figure when per-position simulation is off.
 */
export interface MethodEstimates {
  readonly historical: RiskEstimate | undefined;
  readonly parametric: ParametricEstimate | undefined;
  readonly monteCarlo: MonteCarloEstimate | undefined;
}

export interface PositionRisk extends MethodEstimates {
  readonly symbol: string;
  /** Signed market value in account currency. */
  readonly value: number;
  /** ∂(parametric portfolio VaR)/∂value. */
  readonly marginalVaR: number | undefined;
  /** value × marginalVaR; the components sum to the parametric portfolio VaR. */
  readonly componentVaR: number | undefined;
}

export interface ConfidenceRisk {
  readonly confidence: number;
  readonly portfolio: MethodEstimates;
  /** One entry per open position, as stand-alone figures plus its share of the portfolio's. */
  readonly positions: readonly PositionRisk[];
}

/** Everything the monitor computes at one time; money figures are in account currency. */
export interface RiskMeasures {
  readonly ts: number;
  readonly currency: string;
  readonly equity: number;
  /** Length of one period of the measures (the sampling interval). */
  readonly intervalMs: number;
  /** Horizon in periods, and in clock ms. */
  readonly horizon: number;
  readonly horizonMs: number;
  /** Returns in the window. */
  readonly observations: number;
  readonly exposures: readonly Exposure[];
  readonly var: readonly ConfidenceRisk[];
  readonly correlation: Correlation;
  readonly concentration: ConcentrationReport | undefined;
  readonly contributions: ContributionReport | undefined;
  readonly stress: readonly StressResult[];
  /** Measures that could not be computed, and why. */
  readonly errors: readonly string[];
}

/** What the risk engine's concentration check asks for. */
export type CorrelationProvider = NonNullable<RiskEngineOptions['correlation']>;

export const VAR_ALERT_KEY = 'var_limit';
export const CONCENTRATION_ALERT_KEY = 'correlated_concentration';

export class RiskMonitor {
  readonly symbols: readonly string[];
  private readonly engine: TradingEngine;
  private alerts: AlertManager | undefined;
  private readonly instruments: readonly Instrument[];
  private readonly intervalMs: number;
  private readonly window: number;
  private readonly minObservations: number;
  private readonly confidences: readonly number[];
  private readonly horizon: number;
  private readonly paths: number;
  private readonly seed: number;
  private readonly monteCarloPerPosition: boolean;
  private readonly riskFreeRate: number;
  private readonly threshold: number;
  private readonly maxCorrelatedShare: number | undefined;
  private readonly maxVarFraction: number | undefined;
  private readonly scenarios: readonly StressScenario[];
  private readonly rolling: RollingCorrelation;
  /** The returns in the window, ring-ordered like RollingCorrelation's. */
  private readonly ring: Float64Array[];
  private head = 0;
  private size = 0;
  private readonly previous: Float64Array;
  private readonly current: Float64Array;
  private hasPrevious = false;
  private measures: RiskMeasures | undefined;
  private timer: { cancel(): void } | undefined;
  private readonly unsubscribe: Array<() => void> = [];
  private samples = 0;
  private computations = 0;

  /** Throws InputError for an option out of range or an unknown instrument. */
  constructor(opts: RiskMonitorOptions) {
    this.engine = opts.engine;
    this.alerts = opts.alerts;
    this.symbols = [...(opts.instrumentIds ?? this.engine.instruments.keys())];
    this.instruments = this.symbols.map((id) => {
      const inst = this.engine.instruments.get(id);
      if (!inst) throw new InputError(`risk monitor: instrument ${id} is unknown`);
      return inst;
    });
    this.intervalMs = positive(opts.intervalMs ?? 10_000, 'intervalMs');
    this.window = integer(opts.window ?? 120, 'window', 2);
    this.minObservations = integer(opts.minObservations ?? Math.min(20, this.window), 'minObservations', 2);
    if (this.minObservations > this.window) throw new InputError(`minObservations ${this.minObservations} must not exceed the window ${this.window}`);
    this.confidences = [...(opts.confidences ?? [0.95, 0.99])];
    for (const c of this.confidences) if (!(c > 0 && c < 1)) throw new InputError(`confidence ${c} must be in (0, 1)`);
    if (this.confidences.length === 0) throw new InputError('at least one confidence level is needed');
    this.horizon = integer(opts.horizon ?? 1, 'horizon', 1);
    this.paths = integer(opts.monteCarlo?.paths ?? 10_000, 'monteCarlo.paths', 1);
    this.seed = opts.monteCarlo?.seed ?? 1;
    this.monteCarloPerPosition = opts.monteCarlo?.perPosition ?? true;
    if (!Number.isInteger(this.seed)) throw new InputError(`monteCarlo.seed ${this.seed} must be an integer`);
    this.riskFreeRate = opts.riskFreeRate ?? 0;
    if (!Number.isFinite(this.riskFreeRate)) throw new InputError(`riskFreeRate ${this.riskFreeRate} must be finite`);
    this.threshold = fraction(opts.correlationThreshold ?? 0.7, 'correlationThreshold');
    this.maxCorrelatedShare = opts.maxCorrelatedShare === undefined ? undefined : fraction(opts.maxCorrelatedShare, 'maxCorrelatedShare');
    this.maxVarFraction = opts.maxVarFraction === undefined ? undefined : fraction(opts.maxVarFraction, 'maxVarFraction');
    this.scenarios = opts.scenarios ?? Object.values(BUILT_IN_SCENARIOS);
    const n = this.symbols.length;
    this.rolling = new RollingCorrelation(this.symbols, this.window);
    this.ring = Array.from({ length: this.window }, () => new Float64Array(n));
    this.previous = new Float64Array(n);
    this.current = new Float64Array(n);
    this.unsubscribe.push(
      this.engine.bus.subscribe('engine.status', (s) => {
        if (s.state === 'RUNNING') this.start();
        else if (s.state === 'STOPPED') this.stop();
      }),
    );
    if (this.engine.isRunning) this.start();
  }

  /** Starts sampling and recomputing on the engine clock (called when the engine runs). */
  start(): void {
    if (this.timer) return;
    this.timer = repeatEvery(this.engine.clock, this.intervalMs, () => {
      this.sample();
      this.recompute();
    });
  }

  stop(): void {
    this.timer?.cancel();
    this.timer = undefined;
  }

  dispose(): void {
    this.stop();
    for (const u of this.unsubscribe.splice(0)) u();
  }

  /** Sets where alerts go (the risk engine's `alerts`, when it is built after the monitor). */
  setAlerts(alerts: AlertManager): void {
    this.alerts = alerts;
  }

  /** The last computed measures, or undefined before the window has enough returns. */
  latest(): RiskMeasures | undefined {
    return this.measures;
  }

  /**
   * The latest correlation matrix for the risk engine's concentration check: O(1), never
   * recomputed by the call (it runs per order).
   */
  correlationProvider(): CorrelationProvider {
    return () => this.measures?.correlation;
  }

  /** The returns in the window by symbol, oldest first. */
  returnSeries(): ReturnSeries {
    const out: Record<string, number[]> = {};
    this.symbols.forEach((s, i) => {
      const series: number[] = [];
      for (let k = 0; k < this.size; k++) series.push(this.ring[(this.head - this.size + k + this.window) % this.window]![i]!);
      out[s] = series;
    });
    return out;
  }

  /** How many samples were taken and how many recomputations ran (for tests and metrics). */
  stats(): { readonly samples: number; readonly computations: number } {
    return { samples: this.samples, computations: this.computations };
  }

  /**
   * Samples every instrument's latest price and adds the returns since the previous sample to the
   * window. Returns false (and adds nothing) until every instrument has a price; the first full
   * sample only sets the base prices.
   */
  sample(): boolean {
    const portfolio = this.engine.portfolio;
    for (let i = 0; i < this.instruments.length; i++) {
      const inst = this.instruments[i]!;
      const mark = portfolio.position(inst.id)?.markRaw;
      if (mark === undefined || mark <= 0) return false;
      this.current[i] = mark / 10 ** inst.pricePrecision;
    }
    if (!this.hasPrevious) {
      this.previous.set(this.current);
      this.hasPrevious = true;
      return false;
    }
    const slot = this.ring[this.head]!;
    for (let i = 0; i < slot.length; i++) slot[i] = this.current[i]! / this.previous[i]! - 1;
    this.rolling.push(Array.from(slot));
    this.head = (this.head + 1) % this.window;
    this.size = Math.min(this.size + 1, this.window);
    this.previous.set(this.current);
    this.samples++;
    return true;
  }

  /**
   * Computes the measures from the window and the current positions, publishes them on
   * 'risk.measures' and updates the alerts. Returns undefined (and changes nothing) while the
   * window has fewer than `minObservations` returns.
   */
  recompute(): RiskMeasures | undefined {
    if (this.size < this.minObservations) return undefined;
    this.computations++;
    const errors: string[] = [];
    const attempt = <T>(what: string, fn: () => T): T | undefined => {
      try {
        return fn();
      } catch (err) {
        if (!(err instanceof ValueError)) throw err;
        errors.push(`${what}: ${err.message}`);
        return undefined;
      }
    };
    const portfolio = this.engine.portfolio;
    const ccy = portfolio.currency;
    const scale = 10 ** ccy.precision;
    const monitored = new Set(this.symbols);
    const exposures: Exposure[] = [];
    for (const p of portfolio.openPositions()) {
      if (monitored.has(p.instrument.id)) exposures.push({ symbol: p.instrument.id, value: Number(p.marketValueRaw()) / scale });
    }
    const equity = Number(portfolio.equityRaw()) / scale;
    const series = this.returnSeries();
    const model: ReturnModel = this.rolling.model();
    const correlation = this.rolling.correlation();
    const h = this.horizon;
    const root = Math.sqrt(h);
    const monteCarlo = (book: readonly Exposure[], confidence: number): MonteCarloEstimate => {
      const one = monteCarloVaR(book, model, { confidence, paths: this.paths, seed: this.seed });
      return { valueAtRisk: one.valueAtRisk * root, expectedShortfall: one.expectedShortfall * root, standardError: one.standardError * root };
    };
    const methods = (label: string, book: readonly Exposure[], confidence: number, simulate: boolean): MethodEstimates => ({
      historical: attempt(`historical VaR ${label} at ${confidence}`, () => historicalVaR(book, series, { confidence, horizon: h })),
      parametric: attempt(`parametric VaR ${label} at ${confidence}`, () => parametricVaR(book, model, { confidence, horizon: h })),
      monteCarlo: simulate ? attempt(`Monte Carlo VaR ${label} at ${confidence}`, () => monteCarlo(book, confidence)) : undefined,
    });
    const varByConfidence: ConfidenceRisk[] = this.confidences.map((confidence) => {
      const breakdown = attempt(`VaR breakdown at ${confidence}`, () => varBreakdown(exposures, model, { confidence, horizon: h }));
      return {
        confidence,
        portfolio: methods('of the portfolio', exposures, confidence, true),
        positions: exposures.map((e) => {
          const row = breakdown?.positions.find((r) => r.symbol === e.symbol);
          return { symbol: e.symbol, value: e.value, ...methods(`of ${e.symbol}`, [e], confidence, this.monteCarloPerPosition), marginalVaR: row?.marginal, componentVaR: row?.component };
        }),
      };
    });
    const stressOptions = { confidence: Math.max(...this.confidences), horizon: h };
    const stress: StressResult[] = [];
    for (const scenario of this.scenarios) {
      const r = attempt(`stress scenario ${scenario.name}`, () => stressTest(exposures, scenario, { model, options: stressOptions }));
      if (r) stress.push(r);
    }
    const measures: RiskMeasures = {
      ts: this.engine.clock.now(),
      currency: ccy.code,
      equity,
      intervalMs: this.intervalMs,
      horizon: h,
      horizonMs: h * this.intervalMs,
      observations: this.size,
      exposures,
      var: varByConfidence,
      correlation,
      concentration: attempt('concentration', () => concentration(exposures, correlation, this.threshold)),
      contributions: attempt('risk contributions', () => riskContributions(exposures, model, { riskFreeRate: this.riskFreeRate })),
      stress,
      errors,
    };
    this.measures = measures;
    this.engine.bus.publish('risk.measures', measures);
    this.raiseAlerts(measures);
    return measures;
  }

  private raiseAlerts(m: RiskMeasures): void {
    const alerts = this.alerts;
    if (!alerts) return;
    const fmt = (x: number) => `${x.toFixed(2)} ${m.currency}`;
    if (this.maxVarFraction !== undefined) {
      // The highest confidence, the most pessimistic of the methods.
      const top = m.var.reduce((a, b) => (b.confidence > a.confidence ? b : a));
      let worst = 0;
      let method = 'none';
      for (const name of ['historical', 'parametric', 'monteCarlo'] as const) {
        const v = top.portfolio[name]?.valueAtRisk;
        if (v !== undefined && v > worst) [worst, method] = [v, name];
      }
      const limit = this.maxVarFraction * m.equity;
      const share = m.equity > 0 ? `${((worst / m.equity) * 100).toFixed(2)}%` : 'n/a';
      alerts.set(worst > 0 && worst > limit, {
        key: VAR_ALERT_KEY,
        level: 'WARNING',
        action: 'INCREASE_MONITORING',
        message: `${top.confidence * 100}% VaR over ${m.horizonMs} ms is ${fmt(worst)} (${method}), ${share} of equity ${fmt(m.equity)}, above the limit ${(this.maxVarFraction * 100).toFixed(2)}%`,
      });
    }
    if (this.maxCorrelatedShare !== undefined && m.concentration) {
      const group = m.concentration.groups[0];
      alerts.set(group !== undefined && group.share > this.maxCorrelatedShare, {
        key: CONCENTRATION_ALERT_KEY,
        level: 'WARNING',
        action: 'REDUCE_POSITION',
        message: group
          ? `correlated group ${group.symbols.join(', ')} holds ${(group.share * 100).toFixed(2)}% of gross exposure (${fmt(group.gross)}), above the limit ${(this.maxCorrelatedShare * 100).toFixed(2)}%`
          : 'no correlated group',
      });
    }
  }
}

function positive(x: number, name: string): number {
  if (!(Number.isFinite(x) && x > 0)) throw new InputError(`${name} ${x} must be a positive number`);
  return x;
}

function integer(x: number, name: string, min: number): number {
  if (!(Number.isInteger(x) && x >= min)) throw new InputError(`${name} ${x} must be an integer ≥ ${min}`);
  return x;
}

function fraction(x: number, name: string): number {
  if (!(x > 0 && x <= 1)) throw new InputError(`${name} ${x} must be in (0, 1]`);
  return x;
}

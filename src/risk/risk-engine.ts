/**
 * RiskEngine: the pre-trade gate every order passes, and the owner of the trading state.
 *
 * Pre-trade checks (each only when its limit is configured), in order: trading state, order
 * rate, market data presence and freshness, fat-finger band (a bracket's exit prices with its
 * entry), order size and notional, position size and notional after the fill (counting the
 * working orders of the same side), number of open positions, gross and net exposure, portfolio
 * heat, correlated concentration, buying power. Orders that only reduce a position skip the
 * checks that guard against new risk. Denials carry a typed reason and a message naming the
 * limit and the value.
 *
 * Equity-based limits (daily loss since the trading day began in the configured time zone, and
 * drawdown from the equity peak) are evaluated after each fill, on each bar and on a clock
 * interval — never per tick. A breach moves the engine to HALTED (or REDUCING, per config),
 * cancels working orders and optionally flattens, each step published as an event.
 */
import { TradingDayCalendar } from '../analytics/trading-day.js';
import type { MessageBus } from '../core/bus.js';
import { type Clock, repeatEvery } from '../core/clock.js';
import { formatDecimal, parseDecimal } from '../core/decimal.js';
import { type Exact, addExact, exact, mulDivTruncNum, mulExact, subExact, toBigInt } from '../core/exact.js';
import { InputError } from '../core/errors.js';
import { Money } from '../core/money.js';
import type { MarketCache, MarketState } from '../engine/market-cache.js';
import type { ExecutionEngine } from '../execution/execution-engine.js';
import { sideSign } from '../model/enums.js';
import type { Instrument } from '../model/instrument.js';
import type { Order } from '../model/order.js';
import type { DenialReason } from '../model/reasons.js';
import type { Portfolio } from '../portfolio/portfolio.js';
import type { Position } from '../portfolio/position.js';
import { AlertManager } from './alerts.js';
import type { Denial, PreTradeGate } from './gate.js';
import { DEFAULT_AUTO_ACTIONS, type AutoActions, type RiskLimits } from './limits.js';
import { RateWindow } from './rate-window.js';
import type { RiskAction, TradingState } from './trading-state.js';
import { DAY_MS, FRACTION_SCALE, FRACTION_UNITS, abs, fractionRaw } from './fraction.js';
import { HeatTerm } from './heat-term.js';
import { VolatilityEstimator } from './volatility.js';

export interface RiskEngineOptions {
  bus: MessageBus;
  clock: Clock;
  portfolio: Portfolio;
  execution: ExecutionEngine;
  /** The kernel's latest market state per instrument (TradingEngine.market). */
  market: MarketCache;
  instruments: readonly Instrument[];
  limits: RiskLimits;
  /** Clock interval of equity-limit evaluation and volatility sampling (default 1000 ms). */
  evaluateEveryMs?: number;
  /** Stop distance assumed for heat where no stop order and no volatility estimate exist (default 0.02). */
  fallbackStopFraction?: number;
  /** Correlation matrix provider for the concentration check (set by the risk monitor). */
  correlation?: () => { symbols: readonly string[]; matrix: readonly (readonly number[])[] } | undefined;
}

/** Tag that lets the engine's own flattening orders through any trading state. */
export const FLATTEN_TAG = 'risk:flatten';
/** Strategy id under which the engine submits its flattening orders. */
export const FLATTEN_STRATEGY = 'risk';
/** Tag of the protective stops the StopManager places (stops.ts re-exports it as STOP_TAG). */
export const PROTECTIVE_STOP_TAG = 'risk:stop';

/** An instrument as the checks see it: its limits, market state, and heat term (position and working orders). */
interface InstrumentSlot {
  readonly inst: Instrument;
  readonly lim: InstrumentLimitsRaw;
  readonly market: Readonly<MarketState>;
  readonly vol: VolatilityEstimator;
  readonly heat: HeatTerm;
}

interface InstrumentLimitsRaw {
  maxOrderQtyRaw: number | undefined;
  maxPositionQtyRaw: number | undefined;
  /** The notional limits as Exact values, so a safe-integer notional compares without a number/bigint comparison. */
  maxOrderNotional: Exact | undefined;
  maxPositionNotional: Exact | undefined;
}

export interface LimitUsage {
  readonly name: string;
  readonly limit: string;
  readonly current: string;
  /** current / limit, for gauges (0 when unknown). */
  readonly usage: number;
}

/**
 * The equity bases of the daily-loss and drawdown limits: the trading day with the equity it
 * started at, and the highest equity seen (raw minor units as decimal strings). A journal keeps
 * them so that a restart neither forgets the day's losses nor lowers the drawdown's peak.
 */
export interface RiskBaselines {
  readonly day: string;
  readonly dayStartEquityRaw: string;
  readonly peakEquityRaw: string;
}

export interface RiskSummary {
  readonly state: TradingState;
  readonly stateReason: string;
  readonly ts: number;
  readonly equity: string;
  readonly dayStartEquity: string;
  readonly peakEquity: string;
  readonly limits: LimitUsage[];
  readonly activeAlerts: ReturnType<AlertManager['activeAlerts']>;
  readonly denials: Record<string, number>;
}


/** The most extreme position an order and the working orders on its side could leave, and their highest price. */
interface WorkingSide {
  extreme: number;
  maxPxRaw: number | undefined;
}

/** What a fast path returns when it cannot decide exactly and the bigint path must. */
const NEEDS_BIGINT = Symbol('needs bigint');

/** The action each alert level of an equity limit recommends. */
const BAND_ACTIONS = { CRITICAL: 'HALT_TRADING', WARNING: 'REDUCE_POSITION', INFO: 'INCREASE_MONITORING' } as const;


/**
 * A limit that is a fraction of a base amount (day-start equity, peak equity), and ten times its
 * 50%, 80% and 100% marks for exact alert levels. Evaluated after every fill and every second,
 * it is recomputed only when the base or the fraction changes.
 */
class AlertBand {
  /** Whether this band's alert is active (it is raised and resolved only through alertLevels). */
  alerted = false;
  raw: Exact = 0;
  x5: Exact = 0;
  x8: Exact = 0;
  x10: Exact = 0;
  /** The largest amount that raises no alert and breaches nothing (below 50% of a positive limit; 0 otherwise). */
  quiet: Exact = 0;
  private fraction = -1n;
  private base: Exact = -1;

  /** `key` of the band's alert, and `label` of the amount in its message ("daily loss"). */
  constructor(
    readonly key: string,
    readonly label: string,
  ) {}

  of(fraction: bigint, base: Exact): this {
    if (fraction !== this.fraction || base !== this.base) {
      this.fraction = fraction;
      this.base = base;
      const raw = (fraction * toBigInt(base)) / FRACTION_SCALE;
      this.raw = exact(raw);
      this.x5 = exact(raw * 5n);
      this.x8 = exact(raw * 8n);
      this.x10 = exact(raw * 10n);
      // amount × 10 < x5 for integers: amount ≤ floor((x5 − 1) / 10).
      this.quiet = raw > 0n ? exact((raw * 5n - 1n) / 10n) : 0;
    }
    return this;
  }
}

/** An instrument's raw notional as an Exact: the number path while safe, the bigint one beyond. */
function notionalExact(inst: Instrument, priceRaw: number, qtyRaw: number): Exact {
  return inst.notionalNum(priceRaw, qtyRaw) ?? exact(inst.notionalRaw(priceRaw, qtyRaw));
}


export class RiskEngine implements PreTradeGate {
  readonly alerts: AlertManager;
  private readonly bus: MessageBus;
  private readonly clock: Clock;
  private readonly portfolio: Portfolio;
  private readonly execution: ExecutionEngine;
  private readonly market: MarketCache;
  /** Instruments with an active stale-data alert. */
  private readonly staleAlerts = new Set<string>();
  /** Sum of the heat terms' `current` values; the terms in dirtyHeat are re-valued before it is read. */
  private heatTotal: Exact = 0;
  /** The dirty terms are dirtyHeat[0..dirtyCount) (a term is listed once, so the array never outgrows the instruments). */
  private readonly dirtyHeat: HeatTerm[] = [];
  private dirtyCount = 0;
  /** What a check needs of each instrument, found with one lookup. */
  private readonly slots = new Map<string, InstrumentSlot>();
  /** The same slots in an array, for the once-a-second sweeps (volatility, staleness). */
  private readonly slotList: InstrumentSlot[] = [];
  private lastSlot: InstrumentSlot | undefined;
  private readonly limits: RiskLimits;
  /** maxPortfolioHeat, dailyLossLimit and maxDrawdown as exact fractions (FRACTION_PRECISION decimals); 0 when unset. */
  private readonly heatFraction: bigint;
  /** heatFraction as a number, for the floating-point pre-check. */
  private readonly heatLimit: number;
  /** The gross and net exposure limits as Exact values (numbers while safe, so the number path compares numbers). */
  private readonly exposureCaps: { gross: Exact | undefined; net: Exact | undefined };
  private readonly dailyLossFraction: bigint;
  private readonly drawdownFraction: bigint;
  /** Leverage in thousandths, as buying power applies it. */
  private readonly leverageMilli: number;
  private readonly actions: AutoActions;
  private readonly ccy: Money['currency'];
  private readonly overallRate: RateWindow | undefined;
  private readonly strategyRates = new Map<string, RateWindow>();
  private readonly fallbackStopFraction: number;
  private readonly correlation: RiskEngineOptions['correlation'];
  private readonly evaluateEveryMs: number;
  private readonly calendar: TradingDayCalendar;
  private state: TradingState = 'ACTIVE';
  private stateReason = 'start';
  private dayKey = '';
  // Equity figures as Exact (numbers while safe): they are updated after every fill.
  private dayStartEquity: Exact = 0;
  private peakEquity: Exact = 0;
  private lastEquity: Exact = 0;
  /**
   * Equity at or above which (with no new peak, on the same trading day) an evaluation would
   * change nothing: no alert to raise, update or resolve, no limit to breach. +Infinity while an
   * equity alert is active.
   */
  private quietFloor: Exact = Infinity;
  /** workingSide's result, reused (read before the next check). */
  private readonly side: WorkingSide = { extreme: 0, maxPxRaw: undefined };
  private readonly denials: Record<string, number> = {};
  /** The daily-loss and drawdown limits in money with their alert thresholds, recomputed when their base moves. */
  private readonly dailyLossBand = new AlertBand('daily_loss', 'daily loss');
  private readonly drawdownBand = new AlertBand('drawdown', 'drawdown');
  private dayCacheQuarter = NaN;
  private dayCacheKey = '';
  private timer: { cancel(): void } | undefined;
  /** Set while HALTED by a halt that flattens: positions opened by late fills are closed too. */
  private flattenFills = false;
  private baselinesListener: ((b: RiskBaselines) => void) | undefined;

  /** Throws InputError when a limit cannot be expressed in an instrument's precision. */
  constructor(opts: RiskEngineOptions) {
    this.bus = opts.bus;
    this.clock = opts.clock;
    this.portfolio = opts.portfolio;
    this.execution = opts.execution;
    this.market = opts.market;
    this.limits = opts.limits;
    const fraction = (f: number | undefined) => (f === undefined ? 0n : fractionRaw(f));
    this.heatFraction = fraction(opts.limits.maxPortfolioHeat);
    this.heatLimit = Number(this.heatFraction) / FRACTION_UNITS;
    this.dailyLossFraction = fraction(opts.limits.dailyLossLimit);
    this.drawdownFraction = fraction(opts.limits.maxDrawdown);
    this.leverageMilli = Math.round((opts.limits.leverage ?? 1) * 1000);
    this.actions = { ...DEFAULT_AUTO_ACTIONS, ...opts.limits.autoActions };
    this.ccy = opts.portfolio.currency;
    this.fallbackStopFraction = opts.fallbackStopFraction ?? 0.02;
    // A distance above the whole market value (or none at all) would make the heat estimate meaningless.
    if (!(this.fallbackStopFraction > 0 && this.fallbackStopFraction <= 1)) throw new InputError(`fallbackStopFraction ${this.fallbackStopFraction} must be a fraction in (0, 1]`);
    this.correlation = opts.correlation;
    this.evaluateEveryMs = opts.evaluateEveryMs ?? 1000;
    this.alerts = new AlertManager(opts.bus, opts.clock);
    this.calendar = new TradingDayCalendar(opts.limits.timeZone ?? 'UTC');
    const moneyExact = (v: string | undefined, name: string) => (v === undefined ? undefined : exact(this.parseMoney(v, name)));
    this.exposureCaps = { gross: moneyExact(opts.limits.maxGrossExposure, 'maxGrossExposure'), net: moneyExact(opts.limits.maxNetExposure, 'maxNetExposure') };
    for (const inst of opts.instruments) {
      const vol = new VolatilityEstimator();
      const heat = new HeatTerm(inst, vol, this.portfolio.position(inst.id), this.execution.workingOrdersOf(inst.id));
      this.onHeatInputChanged(heat);
      const o = { ...opts.limits, ...opts.limits.perInstrument?.[inst.id] };
      const qtyRaw = (v: string | undefined, name: string) => (v === undefined ? undefined : this.parseQty(inst, v, name));
      const lim: InstrumentLimitsRaw = {
        maxOrderQtyRaw: qtyRaw(o.maxOrderQty, 'maxOrderQty'),
        maxPositionQtyRaw: qtyRaw(o.maxPositionQty, 'maxPositionQty'),
        maxOrderNotional: moneyExact(o.maxOrderNotional, 'maxOrderNotional'),
        maxPositionNotional: moneyExact(o.maxPositionNotional, 'maxPositionNotional'),
      };
      const slot = { inst, lim, market: this.market.get(inst.id) ?? NO_MARKET, vol, heat };
      this.slots.set(inst.id, slot);
      this.slotList.push(slot);
    }
    const rate = opts.limits.maxOrdersPerSecond;
    this.overallRate = rate === undefined ? undefined : new RateWindow(rate, 1000);
    this.subscribe();
    this.portfolio.onValueChange((p) => {
      const slot = this.slotOf(p.instrument.id);
      if (slot !== undefined) this.onHeatInputChanged(slot.heat);
    });
    this.lastEquity = this.portfolio.equityExact();
    this.peakEquity = this.lastEquity;
  }

  get tradingState(): TradingState {
    return this.state;
  }

  /**
   * Starts periodic evaluation of equity limits on the clock. `run` wraps each evaluation so
   * that orders it cancels or submits reach the venue at once (the kernel passes engine.run).
   */
  start(run: (action: () => void) => void = (action) => action()): void {
    this.evaluate();
    this.timer?.cancel();
    this.timer = repeatEvery(this.clock, this.evaluateEveryMs, () =>
      run(() => {
        this.sampleVolatility();
        this.evaluate();
      }),
    );
  }

  stop(): void {
    this.timer?.cancel();
    this.timer = undefined;
  }

  // --- the gate -------------------------------------------------------------------------

  check(order: Readonly<Order>): Denial | undefined {
    const denial = this.firstProblem(order);
    if (denial) this.denials[denial.reason] = (this.denials[denial.reason] ?? 0) + 1;
    return denial;
  }

  private firstProblem(order: Readonly<Order>): Denial | undefined {
    const slot = this.slotOf(order.instrumentId);
    if (!slot) return deny('UNKNOWN_INSTRUMENT', `instrument ${order.instrumentId} is unknown`);
    const inst = slot.inst;
    const s = sideSign(order.side);
    const net = slot.heat.position?.qtyRaw ?? 0;
    const after = net + s * order.quantity.raw;
    // Fix: only the filled position was counted, so orders resting at the venue stacked past the
    // position limits (two resting buys of 8 under maxPositionQty 10 both passed, then filled to
    // 16), and any number of resting sells each "reducing" a long of 10 could fill to a short
    // beyond the limit. The position checks and the reducing test now use the most extreme
    // position the working orders on this side and the order could leave.
    const w = this.workingSide(slot.heat.working, order, net);
    const reducing = net !== 0 && Math.sign(w.extreme) !== -Math.sign(net) && Math.abs(after) < Math.abs(net);
    // Fix: the tag alone let any strategy's reduce-only order through HALTED (and past every
    // check); only the engine's own flatten orders, submitted under FLATTEN_STRATEGY, may pass.
    // Protective stops the engine places (risk:stop) reduce risk too: they pass like flattening orders.
    const isFlatten = order.reduceOnly && order.strategyId === FLATTEN_STRATEGY && (order.tags.includes(FLATTEN_TAG) || order.tags.includes(PROTECTIVE_STOP_TAG));

    if (this.state === 'HALTED' && !isFlatten) return deny('TRADING_HALTED', `trading is halted (${this.stateReason})`);
    if (this.state === 'REDUCING' && !reducing && !isFlatten) {
      return deny('TRADING_REDUCING', `trading is reduce-only (${this.stateReason}): ${order.side} ${order.quantity} ${inst.id} would not reduce the position`);
    }
    if (isFlatten) return undefined;
    // Fix: a bracket's exits go through this gate when its entry fills, and were denied there by
    // the order-rate throttle (the entry had just used the strategy's budget) or by the fat-finger
    // band (a stop loss 10% away), leaving the filled position without its stop. The exits are
    // part of the bracket admitted with its entry: their prices are checked with the entry (below),
    // and they are neither throttled nor price-checked again when sent.
    const isBracketExit = order.parentId !== undefined && order.reduceOnly;

    const now = this.clock.now();
    if (!isBracketExit && this.overallRate && !this.overallRate.tryAcquire(now)) {
      return deny('ORDER_RATE', `order rate limit ${this.limits.maxOrdersPerSecond}/s reached`);
    }
    const perStrategy = this.limits.maxOrdersPerSecondPerStrategy;
    if (perStrategy !== undefined && !isBracketExit) {
      let w = this.strategyRates.get(order.strategyId);
      if (!w) this.strategyRates.set(order.strategyId, (w = new RateWindow(perStrategy, 1000)));
      if (!w.tryAcquire(now)) return deny('ORDER_RATE', `order rate limit ${perStrategy}/s for strategy ${order.strategyId} reached`);
    }

    const m = slot.market;
    const stale = this.limits.staleQuoteMs;
    if (Number.isNaN(m.lastRaw)) {
      if (order.type === 'MARKET' || stale !== undefined) return deny('NO_MARKET_DATA', `no market data for ${inst.id} yet`);
    } else if (stale !== undefined && now - m.lastTs > stale) {
      return deny('STALE_MARKET_DATA', `last market data for ${inst.id} is ${now - m.lastTs} ms old (limit ${stale} ms)`);
    }
    const fat = this.limits.fatFingerBps;
    if (fat !== undefined && !Number.isNaN(m.lastRaw) && !isBracketExit) {
      const problem = fatFinger(inst, m.lastRaw, fat, order.price) ?? fatFinger(inst, m.lastRaw, fat, order.triggerPrice);
      if (problem) return problem;
      // A bracket entry answers for its exits' prices too.
      if (order.contingency === 'OTO') {
        for (const id of order.linkedIds) {
          const exit = this.execution.status(id);
          const exitProblem = exit && (fatFinger(inst, m.lastRaw, fat, exit.price) ?? fatFinger(inst, m.lastRaw, fat, exit.triggerPrice));
          if (exitProblem) return exitProblem;
        }
      }
    }
    if (reducing) return undefined;

    const lim = slot.lim;
    const pxRaw = this.priceFor(order, m);
    if (lim.maxOrderQtyRaw !== undefined && order.quantity.raw > lim.maxOrderQtyRaw) {
      return deny('MAX_ORDER_QTY', `order quantity ${order.quantity} ${inst.id} exceeds the limit ${fmtQty(inst, lim.maxOrderQtyRaw)}`);
    }
    // Notionals and limits as Exact (numbers while safe): compared exactly either way.
    const orderNotional = pxRaw === undefined ? undefined : notionalExact(inst, pxRaw, order.quantity.raw);
    if (lim.maxOrderNotional !== undefined && orderNotional !== undefined && orderNotional > lim.maxOrderNotional) {
      return deny('MAX_ORDER_NOTIONAL', `order notional ${this.m(toBigInt(orderNotional))} exceeds the limit ${this.m(toBigInt(lim.maxOrderNotional))}`);
    }
    const counting = w.extreme === after ? '' : ' counting working orders';
    if (lim.maxPositionQtyRaw !== undefined && Math.abs(w.extreme) > lim.maxPositionQtyRaw) {
      return deny('MAX_POSITION_QTY', `position in ${inst.id} would be ${fmtQty(inst, Math.abs(w.extreme))}${counting}, above the limit ${fmtQty(inst, lim.maxPositionQtyRaw)}`);
    }
    // Valued at the highest price the same-side orders may fill at (a resting sell above the order fills later, at its own higher price).
    const extremePx = pxRaw === undefined ? undefined : Math.max(pxRaw, w.maxPxRaw ?? pxRaw);
    const afterNotional = extremePx === undefined ? undefined : notionalExact(inst, extremePx, Math.abs(w.extreme));
    if (lim.maxPositionNotional !== undefined && afterNotional !== undefined && afterNotional > lim.maxPositionNotional) {
      return deny('MAX_POSITION_NOTIONAL', `position notional in ${inst.id} would be ${this.m(toBigInt(afterNotional))}${counting}, above the limit ${this.m(toBigInt(lim.maxPositionNotional))}`);
    }
    const maxOpen = this.limits.maxOpenPositions;
    if (maxOpen !== undefined && net === 0) {
      const open = this.portfolio.openCount();
      if (open >= maxOpen) return deny('MAX_OPEN_POSITIONS', `${open} positions are open, the limit is ${maxOpen}`);
    }
    if (pxRaw === undefined) return undefined;
    const fast = this.portfolioProblemNum(slot, order, after, pxRaw);
    return fast === NEEDS_BIGINT ? this.portfolioProblem(slot, order, after, pxRaw) : fast;
  }

  /**
   * The portfolio-wide checks (gross and net exposure, heat, correlation, buying power) in safe
   * integers — exact, and without a bigint per order — or NEEDS_BIGINT when an amount is not a
   * safe integer, a check fails (the bigint path words the denial), or the heat is too close to
   * its limit to decide in floating point.
   */
  private portfolioProblemNum(slot: InstrumentSlot, order: Readonly<Order>, after: number, pxRaw: number): undefined | typeof NEEDS_BIGINT {
    const inst = slot.inst;
    const exposure = this.portfolio.exposureNum();
    const cash = this.portfolio.cashExact;
    const currentMv = slot.heat.position?.marketValueNum() ?? 0;
    const afterMv = inst.notionalNum(pxRaw, after);
    if (exposure === undefined || typeof cash !== 'number' || currentMv === undefined || afterMv === undefined) return NEEDS_BIGINT;
    const gross = exposure.gross - Math.abs(currentMv) + Math.abs(afterMv);
    const net = exposure.net - currentMv + afterMv;
    const equity = cash + exposure.net;
    if (!Number.isSafeInteger(gross) || !Number.isSafeInteger(net) || !Number.isSafeInteger(equity)) return NEEDS_BIGINT;
    // The limits are Exact: numbers while safe, so these compare numbers.
    if (this.exposureCaps.gross !== undefined && gross > this.exposureCaps.gross) return NEEDS_BIGINT;
    if (this.exposureCaps.net !== undefined && Math.abs(net) > this.exposureCaps.net) return NEEDS_BIGINT;
    if (this.limits.maxPortfolioHeat !== undefined) {
      if (equity <= 0) return NEEDS_BIGINT;
      // With no stop in play every term is an estimate of at most its position's market value, so
      // the heat is at most the gross exposure: clearly below the limit, no term needs re-valuing.
      if (!(gross / equity / this.heatLimit < 1 - 1e-9 && this.noStopInPlay(order))) {
        const heat = this.heatAfter(slot, order, after, pxRaw);
        if (typeof heat !== 'number') return NEEDS_BIGINT;
        // heat / equity against the limit, decided in floating point only where it is clearly below.
        const ratio = heat / equity / this.heatLimit;
        if (!(ratio < 1 - 1e-9)) return NEEDS_BIGINT;
      }
    }
    if (this.limits.maxCorrelatedShare !== undefined) return NEEDS_BIGINT;
    const buyingPower = mulDivTruncNum(equity, this.leverageMilli, 1000);
    return buyingPower === undefined || gross > buyingPower ? NEEDS_BIGINT : undefined;
  }

  /** The portfolio-wide checks in bigints (any magnitude), and the messages of their denials. */
  private portfolioProblem(slot: InstrumentSlot, order: Readonly<Order>, after: number, pxRaw: number): Denial | undefined {
    const inst = slot.inst;
    // Exposure after the fill: this instrument at the order price, others at their marks.
    const currentMv = slot.heat.position?.marketValueRaw() ?? 0n;
    const afterMv = inst.notionalRaw(pxRaw, after);
    const exposure = this.portfolio.exposureRaw();
    const gross = exposure.grossRaw - abs(currentMv) + abs(afterMv);
    const caps = this.exposureCaps;
    if (caps.gross !== undefined && gross > caps.gross) {
      return deny('MAX_GROSS_EXPOSURE', `gross exposure would be ${this.m(gross)}, above the limit ${this.m(toBigInt(caps.gross))}`);
    }
    if (caps.net !== undefined) {
      const netExp = abs(exposure.netRaw - currentMv + afterMv);
      if (netExp > caps.net) return deny('MAX_NET_EXPOSURE', `net exposure would be ${this.m(netExp)}, above the limit ${this.m(toBigInt(caps.net))}`);
    }
    const equity = this.portfolio.cashRaw + exposure.netRaw;
    const heatLimit = this.limits.maxPortfolioHeat;
    if (heatLimit !== undefined) {
      const heat = toBigInt(this.heatAfter(slot, order, after, pxRaw));
      if (equity <= 0n || heat * FRACTION_SCALE > this.heatFraction * equity) {
        return deny('PORTFOLIO_HEAT', `portfolio heat would be ${this.m(heat)} (${pct(heat, equity)} of equity ${this.m(equity)}), above the limit ${(heatLimit * 100).toFixed(2)}%`);
      }
    }
    const share = this.limits.maxCorrelatedShare;
    if (share !== undefined) {
      const problem = this.concentrationProblem(inst.id, afterMv, share);
      if (problem) return deny('CORRELATION_CONCENTRATION', problem);
    }
    const leverage = this.limits.leverage ?? 1;
    const buyingPower = (equity * BigInt(this.leverageMilli)) / 1000n;
    if (gross > buyingPower) {
      return deny('BUYING_POWER', `gross exposure would be ${this.m(gross)}, above buying power ${this.m(buyingPower)} (equity ${this.m(equity)} × leverage ${leverage})`);
    }
    return undefined;
  }

  // --- trading state, kill switch, automated actions -------------------------------------

  setState(state: TradingState, reason: string): void {
    if (state === this.state && reason === this.stateReason) return;
    if (state !== 'HALTED') this.flattenFills = false;
    const previous = this.state;
    this.state = state;
    this.stateReason = reason;
    this.bus.publish('risk.state', { state, previous, reason, ts: this.clock.now() });
  }

  /** Halts trading, cancels every working order and, if asked, flattens every position. */
  killSwitch(opts: { flatten?: boolean; reason?: string } = {}): void {
    const reason = opts.reason ?? 'kill switch';
    this.setState('HALTED', reason);
    this.action({ action: 'HALT_TRADING', reason });
    this.cancelAll(reason);
    if (opts.flatten) {
      this.flattenFills = true;
      this.flattenAll(reason);
    }
  }

  /**
   * Returns to ACTIVE after a kill switch or a halt. An equity limit breached at this moment is
   * re-based at the current equity (the day's starting equity for the daily loss, the peak for the
   * drawdown), so the operator's decision holds until a new loss of the limit's size; without it,
   * the next evaluation (the next fill, bar or second) would halt again at once.
   */
  resume(reason = 'resumed by operator'): void {
    const rebased = this.rebaseBreachedLimits();
    this.setState('ACTIVE', reason);
    this.action({ action: 'RESUME_TRADING', reason, ...(rebased.length > 0 ? { detail: `re-based at equity ${this.m(toBigInt(this.lastEquity))}: ${rebased.join(', ')}` } : {}) });
    this.quietFloor = Infinity; // the next evaluation re-reads the bands (alerts of a re-based limit resolve)
    this.evaluateEquity(this.clock.now());
  }

  /** Re-bases the equity limits breached at the current equity; returns the names of those re-based. */
  private rebaseBreachedLimits(): string[] {
    const equity = this.portfolio.equityExact();
    this.lastEquity = equity;
    const breached = (band: AlertBand, fraction: bigint, base: Exact) => {
      const loss = subExact(base, equity);
      return base > 0 && loss > 0 && loss >= band.of(fraction, base).raw;
    };
    const rebased: string[] = [];
    if (this.limits.dailyLossLimit !== undefined && breached(this.dailyLossBand, this.dailyLossFraction, this.dayStartEquity)) {
      this.dayStartEquity = equity;
      rebased.push('daily loss');
    }
    if (this.limits.maxDrawdown !== undefined && breached(this.drawdownBand, this.drawdownFraction, this.peakEquity)) {
      this.peakEquity = equity;
      rebased.push('drawdown');
    }
    if (rebased.length > 0 && this.dayKey !== '') this.baselinesListener?.(this.baselines()!);
    return rebased;
  }

  /** The bases of the equity limits; undefined before the first evaluation. */
  baselines(): RiskBaselines | undefined {
    if (this.dayKey === '') return undefined;
    return { day: this.dayKey, dayStartEquityRaw: toBigInt(this.dayStartEquity).toString(), peakEquityRaw: toBigInt(this.peakEquity).toString() };
  }

  /** Calls `listener` whenever the bases move: a new trading day, a new peak, a re-base at resume. */
  onBaselines(listener: (b: RiskBaselines) => void): void {
    this.baselinesListener = listener;
  }

  /**
   * Takes the bases of an earlier session (kept by the journal) before trading resumes: the daily
   * loss counts from the start of that trading day, unless a new one has begun since, and the
   * drawdown from that peak, unless equity has been above it since. Throws InputError for
   * malformed amounts.
   */
  restoreBaselines(b: RiskBaselines): void {
    const raw = (text: string, what: string): Exact => {
      if (!/^-?\d+$/.test(text)) throw new InputError(`risk baselines: ${what} ${JSON.stringify(text)} is not an integer amount of minor units`);
      return exact(BigInt(text));
    };
    const dayStart = raw(b.dayStartEquityRaw, 'dayStartEquityRaw');
    const peak = raw(b.peakEquityRaw, 'peakEquityRaw');
    this.dayKey = b.day;
    this.dayStartEquity = dayStart;
    if (peak > this.peakEquity) this.peakEquity = peak;
    this.quietFloor = Infinity; // the next evaluation (a fill, or the clock interval) reads the restored bases
  }

  cancelAll(reason: string): void {
    const n = this.execution.cancelAll();
    this.action({ action: 'CANCEL_ALL_ORDERS', reason, detail: `${n} working orders` });
  }

  /** Submits reduce-only market orders closing every open position. */
  flattenAll(reason: string): void {
    for (const p of this.portfolio.openPositions()) this.flatten(p.instrument.id, reason);
  }

  /** Closes one position with a reduce-only market order (passes any trading state). */
  flatten(instrumentId: string, reason: string): void {
    const p = this.portfolio.position(instrumentId);
    if (!p || p.qtyRaw === 0) return;
    const inst = p.instrument;
    this.execution.submit(FLATTEN_STRATEGY, {
      instrumentId,
      side: p.qtyRaw > 0 ? 'SELL' : 'BUY',
      type: 'MARKET',
      quantity: inst.quantity(fmtQty(inst, Math.abs(p.qtyRaw))),
      reduceOnly: true,
      tags: [FLATTEN_TAG],
    });
    this.action({ action: 'CLOSE_POSITION', reason, symbol: instrumentId });
  }

  /**
   * Evaluates the equity limits (daily loss, drawdown) and market-data staleness now (also called
   * on bars and the clock interval; fills evaluate the equity limits only).
   */
  evaluate(): void {
    const now = this.clock.now();
    this.evaluateEquity(now);
    this.evaluateStaleness(now);
  }

  /**
   * The daily-loss and drawdown limits and their alert levels: after every fill, so in Exact
   * arithmetic (numbers while the amounts are safe integers, no bigint made).
   */
  private evaluateEquity(now: number): void {
    const equity = this.portfolio.equityExact();
    this.lastEquity = equity;
    const day = this.tradingDay(now);
    if (day === this.dayKey && equity <= this.peakEquity && equity >= this.quietFloor) return;
    const newDay = day !== this.dayKey;
    if (newDay) {
      this.dayKey = day;
      this.dayStartEquity = equity;
      if (this.state !== 'ACTIVE' && this.stateReason.startsWith('daily loss')) this.setState('ACTIVE', `new trading day ${day}`);
    }
    const newPeak = equity > this.peakEquity;
    if (newPeak) this.peakEquity = equity;
    if ((newDay || newPeak) && this.baselinesListener) this.baselinesListener(this.baselines()!);

    const dailyLimit = this.limits.dailyLossLimit;
    const dayStart = this.dayStartEquity;
    if (dailyLimit !== undefined && dayStart > 0) {
      const loss = subExact(dayStart, equity);
      const limit = this.dailyLossBand.of(this.dailyLossFraction, dayStart);
      const limitRaw = limit.raw;
      this.alertLevels(limit, loss);
      if (loss > 0 && loss >= limitRaw && this.state !== 'HALTED') {
        this.breach(this.actions.haltOnDailyLoss, `daily loss ${this.m(toBigInt(loss))} reached the limit ${this.m(toBigInt(limitRaw))} (${(dailyLimit * 100).toFixed(2)}% of ${this.m(toBigInt(dayStart))})`);
      }
    }
    const ddLimit = this.limits.maxDrawdown;
    const peak = this.peakEquity;
    if (ddLimit !== undefined && peak > 0) {
      const dd = subExact(peak, equity);
      const limit = this.drawdownBand.of(this.drawdownFraction, peak);
      const limitRaw = limit.raw;
      this.alertLevels(limit, dd);
      if (dd > 0 && dd >= limitRaw && this.state !== 'HALTED') {
        this.breach(this.actions.haltOnMaxDrawdown, `drawdown ${this.m(toBigInt(dd))} reached the limit ${this.m(toBigInt(limitRaw))} (${(ddLimit * 100).toFixed(2)}% of peak ${this.m(toBigInt(peak))})`);
      }
    }
    this.quietFloor = this.nextQuietFloor();
  }

  /** The quietFloor after an evaluation: the higher of the equities where either amount would leave its band's quiet range. */
  private nextQuietFloor(): Exact {
    const daily = this.limits.dailyLossLimit !== undefined && this.dayStartEquity > 0;
    const drawdown = this.limits.maxDrawdown !== undefined && this.peakEquity > 0;
    if ((daily && this.dailyLossBand.alerted) || (drawdown && this.drawdownBand.alerted)) return Infinity;
    const dailyFloor = daily ? subExact(this.dayStartEquity, this.dailyLossBand.quiet) : -Infinity;
    const drawdownFloor = drawdown ? subExact(this.peakEquity, this.drawdownBand.quiet) : -Infinity;
    return dailyFloor > drawdownFloor ? dailyFloor : drawdownFloor;
  }

  /** Market-data staleness alerts: a condition of the clock, evaluated on the timer (and bars), not per fill. */
  private evaluateStaleness(now: number): void {
    const stale = this.limits.staleQuoteMs;
    if (stale !== undefined) {
      const slots = this.slotList;
      for (const slot of slots) {
        const m = slot.market;
        if (Number.isNaN(m.lastRaw)) continue;
        const id = slot.inst.id;
        const age = now - m.lastTs;
        if (age > stale) {
          this.alerts.raise({ key: `stale_data:${id}`, level: 'WARNING', action: 'INCREASE_MONITORING', message: `no market data for ${id} for ${age} ms`, symbol: id });
          this.staleAlerts.add(id);
        } else if (this.staleAlerts.delete(id)) this.alerts.resolve(`stale_data:${id}`);
      }
    }
  }

  summary(): RiskSummary {
    const usage: LimitUsage[] = [];
    const add = (name: string, limit: bigint | undefined, current: bigint) => {
      if (limit === undefined) return;
      usage.push({ name, limit: this.m(limit), current: this.m(current), usage: limit > 0n ? Number((current * 10_000n) / limit) / 10_000 : 0 });
    };
    const equity = toBigInt(this.lastEquity);
    const dayStartEquity = toBigInt(this.dayStartEquity);
    const peakEquity = toBigInt(this.peakEquity);
    const exposure = this.portfolio.exposureRaw();
    const caps = this.exposureCaps;
    if (caps.gross !== undefined) add('grossExposure', toBigInt(caps.gross), exposure.grossRaw);
    if (caps.net !== undefined) add('netExposure', toBigInt(caps.net), abs(exposure.netRaw));
    if (this.limits.dailyLossLimit !== undefined) {
      const loss = dayStartEquity - equity;
      add('dailyLoss', (this.dailyLossFraction * dayStartEquity) / FRACTION_SCALE, loss > 0n ? loss : 0n);
    }
    if (this.limits.maxDrawdown !== undefined) {
      add('drawdown', (this.drawdownFraction * peakEquity) / FRACTION_SCALE, peakEquity - equity);
    }
    if (this.limits.maxPortfolioHeat !== undefined) {
      add('portfolioHeat', (this.heatFraction * (equity > 0n ? equity : 0n)) / FRACTION_SCALE, this.heatRaw());
    }
    if (this.limits.maxOpenPositions !== undefined) {
      const open = this.portfolio.openPositions().length;
      usage.push({ name: 'openPositions', limit: String(this.limits.maxOpenPositions), current: String(open), usage: open / this.limits.maxOpenPositions });
    }
    return {
      state: this.state,
      stateReason: this.stateReason,
      ts: this.clock.now(),
      equity: this.m(equity),
      dayStartEquity: this.m(dayStartEquity),
      peakEquity: this.m(peakEquity),
      limits: usage,
      activeAlerts: this.alerts.activeAlerts(),
      denials: { ...this.denials },
    };
  }

  /** Volatility estimate of an instrument's returns over `horizonMs` (undefined until known). */
  volatility(instrumentId: string, horizonMs = DAY_MS): number | undefined {
    return this.slots.get(instrumentId)?.vol.sigma(horizonMs);
  }

  /**
   * Money at risk to each position's stop: |qty| × |mark − stop| for a working reduce-only stop,
   * else a volatility-based estimate (2σ over a day) or the fallback fraction of market value. A
   * position without a mark (restored without one) counts 0 until it has one.
   */
  heatRaw(): bigint {
    return toBigInt(this.currentHeat());
  }

  /**
   * The sum of the current heat terms, after re-valuing the terms marked dirty except `skip`
   * (whose term the caller subtracts: total − its current value is right whether or not that
   * value is stale, so it stays dirty for later).
   */
  private currentHeat(skip?: HeatTerm): Exact {
    // Pending position changes reach onHeatInputChanged through the portfolio's listener.
    this.portfolio.flushValueChanges();
    const dirty = this.dirtyHeat;
    let kept = 0;
    for (let i = 0; i < this.dirtyCount; i++) {
      const h = dirty[i]!;
      if (h === skip) {
        dirty[kept++] = h;
        continue;
      }
      h.dirty = false;
      const qty = h.position?.qtyRaw ?? 0;
      const mark = h.position?.markRaw;
      const stop = qty === 0 ? undefined : this.stopOf(h, qty, undefined);
      h.stopUsed = stop !== undefined;
      const term = qty === 0 || mark === undefined ? 0 : h.termFor(qty, mark, stop, this.fallbackStopFraction);
      this.heatTotal = addExact(subExact(this.heatTotal, h.current), term);
      h.current = term;
    }
    this.dirtyCount = kept;
    return this.heatTotal;
  }

  /** The heat if `order` filled at `pxRaw`, leaving `afterRaw` in its instrument (an Exact). */
  private heatAfter(slot: InstrumentSlot, order: Readonly<Order>, afterRaw: number, pxRaw: number): Exact {
    const h = slot.heat;
    const others = subExact(this.currentHeat(h), h.current);
    if (afterRaw === 0) return others;
    return addExact(others, h.termFor(afterRaw, pxRaw, this.stopOf(h, afterRaw, order), this.fallbackStopFraction));
  }

  /** Whether no heat term can use a stop: no order works at the venue and `order` brings no bracket stop (see stopOf). */
  private noStopInPlay(order: Readonly<Order>): boolean {
    if (order.contingency === 'OTO') return false;
    const slots = this.slotList;
    for (let i = 0; i < slots.length; i++) if (slots[i]!.heat.working.length > 0) return false;
    return true;
  }

  /** The stop protecting a position of size `qty` in the term's instrument (stopIn, without a search where nothing works). */
  private stopOf(h: HeatTerm, qty: number, order: Readonly<Order> | undefined): number | undefined {
    return h.working.length === 0 && order?.contingency !== 'OTO' ? undefined : this.stopIn(h.working, qty, order);
  }

  /** Marks a heat term for re-valuation: its position, working orders or volatility changed. */
  private onHeatInputChanged(h: HeatTerm): void {
    if (h.dirty) return;
    h.dirty = true;
    this.dirtyHeat[this.dirtyCount++] = h;
  }

  // --- internals ------------------------------------------------------------------------

  private subscribe(): void {
    const bus = this.bus;
    // Prices come from the kernel's market cache; bars also feed volatility and the equity limits.
    bus.subscribe('data.bar', (b) => {
      const slot = this.slotOf(b.instrumentId);
      if (!slot) return;
      this.updateVolatility(slot, b.ts, b.close.raw);
      this.evaluate();
    });
    // Fix: a flattening halt closed the positions held at that moment only. An order already on its
    // way to the venue (any real venue has latency; cancels arrive after it) could still fill and
    // leave a position open after "kill switch + flatten". While such a halt lasts, a fill of
    // anything but the engine's own flatten orders is flattened in turn.
    bus.subscribe('order.event', (e) => {
      // Working orders changed: a stop may have appeared, moved or gone (only where an order works or a stop counted).
      const heat = this.slotOf(e.instrumentId)?.heat;
      if (heat !== undefined && (heat.working.length > 0 || heat.stopUsed)) this.onHeatInputChanged(heat);
      if (e.type !== 'OrderFilled') return;
      // Equity limits are evaluated after every fill (the portfolio is already updated).
      this.evaluateEquity(e.ts);
      if (this.flattenFills && this.state === 'HALTED' && e.strategyId !== FLATTEN_STRATEGY) this.flatten(e.instrumentId, this.stateReason);
    });
  }

  /** Feeds each instrument's latest quote (not a bar's close: bars feed themselves) to its volatility estimate. */
  private sampleVolatility(): void {
    const slots = this.slotList;
    for (let i = 0; i < slots.length; i++) {
      const slot = slots[i]!;
      const m = slot.market;
      if (!Number.isNaN(m.lastRaw) && m.bidRaw !== undefined) this.updateVolatility(slot, m.lastTs, m.lastRaw);
    }
  }

  /** Feeds one price to an instrument's volatility estimate; a new estimate re-values its heat term. */
  private updateVolatility(slot: InstrumentSlot, ts: number, priceRaw: number): void {
    const vol = slot.vol;
    const version = vol.version;
    vol.update(ts, priceRaw);
    if (vol.version !== version) this.onHeatInputChanged(slot.heat);
  }

  /** An instrument's slot; the last one found is tried first (a check and its order's events name the same instrument). */
  private slotOf(instrumentId: string): InstrumentSlot | undefined {
    const last = this.lastSlot;
    if (last !== undefined && last.inst.id === instrumentId) return last;
    const slot = this.slots.get(instrumentId);
    if (slot !== undefined) this.lastSlot = slot;
    return slot;
  }

  private breach(halt: boolean, reason: string): void {
    // Fix: callers only skipped HALTED, so a breach that had moved the engine to REDUCING fired
    // again on every evaluation (each bar, fill and second): a new state event whenever the loss
    // changed, and cancel-all (and flatten) each time, canceling the very reducing orders REDUCING
    // exists to let through. Act only when the breach escalates the state.
    if (this.state === 'HALTED' || (!halt && this.state === 'REDUCING')) return;
    this.setState(halt ? 'HALTED' : 'REDUCING', reason);
    this.action({ action: halt ? 'HALT_TRADING' : 'REDUCE_ONLY', reason });
    if (this.actions.cancelOrdersOnHalt) this.cancelAll(reason);
    if (this.actions.flattenOnHalt) {
      this.flattenFills = halt;
      this.flattenAll(reason);
    }
  }

  /** INFO at 50%, WARNING at 80%, CRITICAL at 100% of a limit; resolved below 50%. */
  private alertLevels(band: AlertBand, current: Exact): void {
    if (band.raw <= 0) return;
    // Compare exactly at 50/80/100% (Exact values compare across number and bigint); the message
    // is only formatted when an alert is raised.
    const x = typeof current === 'number' ? mulExact(current, 10) : current * 10n;
    let level: 'CRITICAL' | 'WARNING' | 'INFO' | undefined;
    if (x >= band.x10) level = 'CRITICAL';
    else if (x >= band.x8) level = 'WARNING';
    else if (x >= band.x5) level = 'INFO';
    if (level === undefined) {
      if (band.alerted) this.alerts.resolve(band.key);
      band.alerted = false;
      return;
    }
    band.alerted = true;
    const amount = current > 0 ? toBigInt(current) : 0n;
    this.alerts.raise({ key: band.key, level, action: BAND_ACTIONS[level], message: `${band.label} ${this.m(amount)} of limit ${this.m(toBigInt(band.raw))}` });
  }

  private priceFor(order: Readonly<Order>, m: Readonly<MarketState>): number | undefined {
    if (order.price) return order.price.raw;
    if (order.triggerPrice) return order.triggerPrice.raw;
    const touch = order.side === 'BUY' ? m.askRaw : m.bidRaw;
    return touch ?? (Number.isNaN(m.lastRaw) ? undefined : Math.round(m.lastRaw));
  }

  /**
   * The most extreme signed position the order could leave on its side if it and every working
   * order of the same side filled with nothing else happening: net + the plain orders'
   * remaining quantity; reduce-only orders (capped at the venue to what is held) can only bring
   * an opposite position to flat. Also the highest limit/trigger price among the plain orders.
   */
  private workingSide(working: readonly Order[], order: Readonly<Order>, net: number): Readonly<WorkingSide> {
    const s = sideSign(order.side);
    let plain = order.reduceOnly ? 0 : order.quantity.raw;
    let reduceOnly = order.reduceOnly ? order.quantity.raw : 0;
    let maxPxRaw: number | undefined;
    for (const o of working) {
      if (o.side !== order.side || o === order) continue;
      const leaves = o.quantity.raw - o.filledQty.raw;
      if (leaves <= 0) continue;
      if (o.reduceOnly) {
        reduceOnly += leaves;
        continue;
      }
      plain += leaves;
      const px = o.price?.raw ?? o.triggerPrice?.raw;
      if (px !== undefined && (maxPxRaw === undefined || px > maxPxRaw)) maxPxRaw = px;
    }
    const toward = s * net; // the position measured in the order's direction
    const start = toward >= 0 ? toward : toward + Math.min(-toward, reduceOnly);
    const side = this.side;
    side.extreme = s * (start + plain);
    side.maxPxRaw = maxPxRaw;
    return side;
  }

  /**
   * The trading day (YYYY-MM-DD in the configured zone). Every zone's offset is a multiple of
   * 15 minutes, so the date is formatted once per quarter hour, not on every evaluation.
   */
  private tradingDay(now: number): string {
    const quarter = Math.floor(now / 900_000);
    if (quarter !== this.dayCacheQuarter) {
      this.dayCacheQuarter = quarter;
      this.dayCacheKey = this.calendar.dayOf(now);
    }
    return this.dayCacheKey;
  }

  /** The protective stop price for a position of signed size `qty`: among the instrument's working orders a reduce-only stop, or a bracket's stop. */
  private stopIn(working: readonly Order[], qty: number, order: Readonly<Order> | undefined): number | undefined {
    if (order?.contingency === 'OTO') {
      for (const id of order.linkedIds) {
        const child = this.execution.status(id);
        if (child?.triggerPrice) return child.triggerPrice.raw;
      }
    }
    const exitSide = qty > 0 ? 'SELL' : 'BUY';
    let best: number | undefined;
    for (const o of working) {
      if (o.side !== exitSide || !o.triggerPrice || !o.reduceOnly) continue;
      const t = o.triggerPrice.raw;
      if (best === undefined || (qty > 0 ? t < best : t > best)) best = t;
    }
    return best;
  }

  private concentrationProblem(instrumentId: string, afterMv: bigint, limit: number): string | undefined {
    const corr = this.correlation?.();
    if (!corr) return undefined;
    const threshold = this.limits.correlationThreshold ?? 0.7;
    const idx = corr.symbols.indexOf(instrumentId);
    if (idx < 0) return undefined;
    let group = 0n;
    let total = 0n;
    let partners = 0;
    for (const p of this.portfolio.allPositions()) {
      const mv = p.instrument.id === instrumentId ? abs(afterMv) : abs(p.qtyRaw === 0 ? 0n : p.marketValueRaw());
      total += mv;
      const j = corr.symbols.indexOf(p.instrument.id);
      if (j >= 0 && Math.abs(corr.matrix[idx]![j]!) >= threshold) {
        group += mv;
        if (j !== idx && mv > 0n) partners++;
      }
    }
    // Fix: the instrument always correlates with itself, so from a flat book (or with only
    // uncorrelated holdings) the first order was "100% concentrated" and denied whenever the limit
    // was below 1. A lone name is no correlated group (as in measures/concentration.ts): its size
    // is the position limits' business.
    if (partners === 0) return undefined;
    if (total === 0n || group * FRACTION_SCALE <= fractionRaw(limit) * total) return undefined;
    return `exposure correlated with ${instrumentId} would be ${pct(group, total)} of gross exposure, above the limit ${(limit * 100).toFixed(2)}%`;
  }

  private action(a: Omit<RiskAction, 'ts'>): void {
    this.bus.publish('risk.action', { ...a, ts: this.clock.now() });
  }

  private m(raw: bigint): string {
    return Money.fromRaw(raw, this.ccy).toString();
  }

  private parseMoney(value: string, name: string): bigint {
    try {
      return Money.of(value, this.ccy).raw;
    } catch (err) {
      throw new InputError(`risk limit ${name}: ${(err as Error).message}`);
    }
  }

  private parseQty(inst: Instrument, value: string, name: string): number {
    try {
      return inst.quantity(value).raw;
    } catch (err) {
      throw new InputError(`risk limit ${name} for ${inst.id}: ${(err as Error).message}`);
    }
  }
}


/** Market state of an instrument the cache does not know: no data. */
const NO_MARKET: Readonly<MarketState> = { bidRaw: undefined, askRaw: undefined, lastRaw: NaN, lastTs: -Infinity, records: 0 };

function deny(reason: DenialReason, message: string): Denial {
  return { reason, message };
}

/** FAT_FINGER when `px` is more than `fatBps` basis points from the last price `lastRaw`. */
function fatFinger(inst: Instrument, lastRaw: number, fatBps: number, px: Order['price']): Denial | undefined {
  // Fix: compared (|Δ| / last) × 10,000 > fat in floating point, so a price exactly at the band
  // could be denied (61 bps of 100.00 computed as 61.00000000000001). Cross-multiplied, the
  // integers (or half-integers) compare exactly.
  if (!px || Math.abs(px.raw - lastRaw) * 10_000 <= fatBps * lastRaw) return undefined;
  const distanceBps = (Math.abs(px.raw - lastRaw) / lastRaw) * 10_000;
  return deny('FAT_FINGER', `price ${px} is ${distanceBps.toFixed(1)} bps from the last price ${fmtPx(inst, lastRaw)} of ${inst.id} (limit ${fatBps} bps)`);
}

/**
 * A raw price for messages. Fix: the message used inst.price(), which throws for a quote mid that
 * falls between ticks (bid 100.00 / ask 100.01 → 100.005), so check() threw instead of denying.
 * A mid is a whole or half raw unit: shown with one more decimal when it is a half.
 */
function fmtPx(inst: Instrument, raw: number): string {
  return Number.isInteger(raw) ? formatDecimal(raw, inst.pricePrecision) : formatDecimal(Math.round(raw * 10), inst.pricePrecision + 1);
}

function fmtQty(inst: Instrument, raw: number): string {
  return (raw / 10 ** inst.sizePrecision).toFixed(inst.sizePrecision);
}

function pct(part: bigint, whole: bigint): string {
  if (whole <= 0n) return 'n/a';
  return `${(Number((part * 1_000_000n) / whole) / 10_000).toFixed(2)}%`;
}

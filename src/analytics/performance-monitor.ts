/**
 * PerformanceMonitor: listens on a TradingEngine's bus and keeps every performance figure current
 * as fills and prices arrive: P&L (total, today, per instrument, per strategy), the sampled
 * equity curve with its drawdowns, returns statistics, round-trip statistics, signal
 * effectiveness, hourly and daily buckets and system health. `snapshot()` returns them all as one
 * PerformanceSnapshot, which is also published on 'analytics.snapshot' every
 * `publishIntervalMs` of clock time. The same code runs in backtest, paper and live: every time
 * comes from the engine Clock, so backtests measure market time and live sessions wall time.
 *
 * Sampling and returns convention:
 * - Equity is sampled on a grid of `equitySampleMs` of clock time by a clock timer (so a sample at
 *   grid time T sees every record stamped before T), after fills, at start and at stop. A fill
 *   arms a sample for the end of its instant (clock.afterInstant: when the clock moves past the
 *   fill's time; one for however many fills share the instant), recorded at the fill's time: the
 *   equity once every event of that instant has been handled, as the grid sample sees it, rather
 *   than once per fill midway through the instant (a replay of 10 instruments on one tick grid
 *   fills 10 orders an instant). A snapshot or a grid sample taken while it is pending takes it
 *   at once. The monitor does not listen to position.changed or portfolio.pnl, so the engine need
 *   not build those snapshots for it; it reads equity from the portfolio, which keeps its market
 *   value sums up to date as positions change (exact: safe integers, else BigInt). The grid timer
 *   re-arms at the first grid time after the clock's horizon (a simulated clock's advance target:
 *   the record that moved it), and a grid time with no record or event since the last sample
 *   records nothing, so gaps in the data (nights, weekends) cost one sample, not one per interval.
 * - Returns statistics use only the grid samples (plus the final sample at stop): r = E_t/E_{t-1} − 1.
 *   They are annualized with periodsPerYear = 365·24·3600·1000 / equitySampleMs (a 24/7 market),
 *   unless `periodsPerYear` is given (e.g. 252 for daily bars of an exchange-traded market). The
 *   risk-free rate (annual, simple) and the Sortino target come from the options. Drawdowns use
 *   every sample, fill samples included.
 *
 * Market data: the monitor does not follow data records on the bus. The kernel's market cache
 * counts each instrument's records and keeps its last data time; the monitor reads them there at
 * grid samples, at event-rate slot boundaries (a clock timer each slot) and in snapshots, so a
 * record costs the monitor nothing. Staleness and tick-to-order latency are measured from the
 * last record's timestamp, as the risk engine's staleness check is.
 *
 * Orders: order-to-fill latency is read from the execution engine's own order at its first fill;
 * only orders created under a signal are tracked here (for the signal's outcome).
 *
 * Cost: an order, a fill or a closed trade updates O(1) accumulators without
 * allocating money objects (per-strategy money sums are integer minor units in doubles); the
 * exact median holding time keeps a ring of the last `medianWindow` trades, sorted when read. An
 * instant with fills, and a grid sample, read equity once, re-valuing the positions whose marks
 * moved without settling them (the portfolio's value-change listeners hear of them at their own
 * next read).
 * Signal statistics are kept under interned keys, so recording needs no lookup. Nothing iterates
 * over history. Memory is bounded by the configured windows.
 */
import { monitorEventLoopDelay, type IntervalHistogram } from 'node:perf_hooks';
import { ChurnMap } from '../core/churn-map.js';
import type { MessageBus } from '../core/bus.js';
import { clockHorizon, type Clock, type TimerHandle } from '../core/clock.js';
import { formatDecimal } from '../core/decimal.js';
import { ValueError } from '../core/errors.js';
import type { MarketState } from '../engine/market-cache.js';
import type { Instrument } from '../model/instrument.js';
import type { OrderEvent, OrderFilled } from '../model/order-events.js';
import type { Order } from '../model/order.js';
import type { Signal } from '../model/signal.js';
import type { Portfolio } from '../portfolio/portfolio.js';
import type { Position } from '../portfolio/position.js';
import type { ClosedPosition } from '../portfolio/snapshots.js';
import type { CommandRejected, EngineStatus, OrderCreated } from '../core/topics.js';
import { DrawdownTracker, type DrawdownEpisode } from './stats/drawdown.js';
import { LatencyHistogram } from './stats/latency.js';
import { ReturnStats, calmar } from './stats/returns.js';
import { SignalEffectiveness, type SignalKey } from './stats/signals.js';
import { TimeBuckets, type BucketTotals } from './stats/buckets.js';
import { TradeStats, type ClosedTrade } from './stats/trades.js';
import { EventRate } from './event-rate.js';
import { DecimatedSeries, type SeriesPoint } from './decimated-series.js';
import { TradingDayCalendar } from './trading-day.js';
import {
  SNAPSHOT_SCHEMA,
  type Decimal,
  type DrawdownEpisodeView,
  type InstrumentPnl,
  type LatencySummary,
  type PerformanceSnapshot,
  type StrategyPnl,
} from './snapshot.js';

/** Fills and round trips are booked into the time buckets each UTC quarter hour of clock time. */
const QUARTER_HOUR_MS = 900_000;

/** A year of round-the-clock trading in milliseconds (365 days). */
export const MS_PER_YEAR = 365 * 24 * 3600 * 1000;

export interface PerformanceMonitorOptions {
  /** Clock interval of equity samples for the curve and returns (default 60,000 = 1 min). */
  equitySampleMs?: number;
  /** Periods per year for annualization (default MS_PER_YEAR / equitySampleMs). */
  periodsPerYear?: number;
  /** Annual risk-free rate for the Sharpe ratio (default 0). */
  riskFreeRate?: number;
  /** Per-period minimum acceptable return for the Sortino ratio (default 0). */
  sortinoTarget?: number;
  /** IANA time zone of trading days and buckets (default 'UTC'). */
  timeZone?: string;
  /**
   * Equity and drawdown points kept for the curves (default 10,000 each, at least 4): the whole
   * run, thinned as it grows (see DecimatedSeries), with the first, last, lowest and highest points.
   */
  maxEquityPoints?: number;
  /** Sampled prices kept per instrument for the report's price charts, likewise (default 2,000). */
  maxPricePoints?: number;
  /** Local days kept in the daily buckets (default 90). */
  maxDays?: number;
  /**
   * Round trips kept for the exact median holding time (default 1,000). A closed trade costs O(1)
   * whatever the window; the window is sorted when a snapshot reads the median after new trades,
   * so a larger window makes snapshots dearer, not trades.
   */
  medianWindow?: number;
  /** Recent fills kept for reports (default 10,000; 0 keeps none). */
  maxRecentFills?: number;
  /** Open orders created under a signal, tracked for attribution (default 100,000; the oldest is dropped beyond). */
  maxTrackedOrders?: number;
  /** Sliding window of the events-per-second rate (default 10,000 ms). */
  eventRateWindowMs?: number;
  /**
   * The window moves in slots of this much clock time (default 1,000 ms; the window holds at
   * least two): one clock timer per slot, and the rate is taken over the completed slots.
   */
  eventRateSlotMs?: number;
  /** Clock interval of snapshot publication on 'analytics.snapshot' (default 1,000; 0 = off). */
  publishIntervalMs?: number;
  /** Measure event-loop delay with node:perf_hooks (paper/live; default false, off in backtests). */
  eventLoopDelay?: boolean;
  /** Highest latency the histograms resolve, in µs (default 60 s). */
  maxLatencyUs?: number;
}

/** Where the monitor reads each instrument's market data state (the kernel's MarketCache). */
export interface MarketStateReader {
  get(instrumentId: string): MarketState | undefined;
}

/**
 * Where the monitor finds an order by id as its fill arrives (the kernel's ExecutionEngine, which
 * keeps every working order and retires a finished one only after publishing its last event).
 */
export interface OrderLookup {
  status(clientOrderId: string): Order | undefined;
}

export interface PerformanceMonitorDeps {
  bus: MessageBus;
  clock: Clock;
  portfolio: Portfolio;
  market: MarketStateReader;
  orders: OrderLookup;
  options?: PerformanceMonitorOptions;
  /** Start measuring at once (the engine is already running); otherwise at engine.status STARTING. */
  startNow?: boolean;
}

/** What attach() needs of a TradingEngine. */
export interface MonitoredEngine {
  readonly bus: MessageBus;
  readonly clock: Clock;
  readonly portfolio: Portfolio;
  readonly market: MarketStateReader;
  readonly execution: OrderLookup;
  readonly isRunning: boolean;
}

interface InstrumentState {
  readonly id: string;
  readonly instrument: Instrument | undefined;
  readonly position: Position | undefined;
  /** The kernel's market state; undefined for an instrument the engine does not trade. */
  readonly market: MarketState | undefined;
  /** The market state's record count when the monitor first saw the instrument, and at detach. */
  readonly recordBase: number;
  recordsAtDetach: number | undefined;
  /** Allocated at the first price sample. */
  prices: DecimatedSeries | undefined;
  /** 1 / 10^pricePrecision, and the contract multiplier, for notional as a number. */
  readonly priceScale: number;
  readonly sizeScale: number;
  readonly multiplier: number;
  fills: number;
  /** Traded notional in the account currency (a statistic: a float). */
  volume: number;
  trades: number;
  /** Signed quantity, realized P&L and fees (minor units) as of the last fill this monitor handled. */
  lastQtyRaw: number;
  lastRealizedMinor: number;
  lastFeesMinor: number;
  /** The strategy whose fill opened the current position life, and that fill's signal. */
  owner: StrategyState | undefined;
  openingSignal: SignalState | undefined;
  /**
   * Each strategy's most recent signal on this instrument: the first strategy to signal here in
   * two fields (an instrument is usually traded by one strategy), any other in a map.
   */
  signalStrategy: StrategyState | undefined;
  signal: SignalState | undefined;
  otherSignals: Map<StrategyState, SignalState> | undefined;
}

/**
 * Per-strategy sums of money are kept in integer minor units in doubles, not bigint: exact below
 * 2^53 minor units (90 trillion in a 2-decimal currency) and free of an allocation per fill.
 */
interface StrategyState {
  readonly id: string;
  realizedMinor: number;
  feesMinor: number;
  closedNetMinor: number;
  fills: number;
  volume: number;
  trades: number;
  wins: number;
  signals: number;
  orders: number;
  ordersWithoutSignal: number;
  denied: number;
  /** One key object per signal type, reused. */
  readonly keys: Map<string, SignalKey>;
  /** The key of the last signal (a strategy usually sends one or two types), tried first. */
  lastKey: SignalKey | undefined;
}

interface SignalState {
  readonly key: SignalKey;
  readonly confidence: number;
}

/** An open order created under a signal, kept until it finishes for its signal's outcome. */
interface SignalOrder {
  readonly order: Order;
  readonly signal: SignalState;
}

const NOTES = [
  'total P&L = realized + unrealized − fees = equity − initial capital; realized is before fees',
  'per-strategy realized P&L is booked to the strategy whose fill realized it; unrealized to the strategy whose fill opened the position',
  'returns: E_t / E_{t-1} − 1 between equity samples on the equitySampleMs grid of clock time, plus the final sample at stop',
  'volatility = per-period sample std × √periodsPerYear; Sharpe = (mean − rf/periodsPerYear) / std × √periodsPerYear; Sortino uses downside deviation over all periods',
  'Calmar = annualized return / maximum drawdown fraction',
  'drawdowns use every equity sample: grid, after fills (one per millisecond of clock time that holds fills, once its events are handled), start and stop',
  'a trade is a round trip from opening a position to flat (or a flip); trade return = net P&L / entry notional',
  'orders are attributed to the most recent signal of their strategy on their instrument; trade outcomes to the signal of the opening order',
  'hourly and daily buckets: P&L, trades and wins of round trips by close time; fills and volume (notional) by fill time; local time in timeZone',
  'latencies in microseconds of clock time: tick-to-order from the instrument’s last data record, order-to-fill from order creation to the first fill',
];

export class PerformanceMonitor {
  private readonly bus: MessageBus;
  private readonly clock: Clock;
  private readonly portfolio: Portfolio;
  private readonly market: MarketStateReader;
  private readonly ccyPrecision: number;
  private readonly ccyScale: number;

  // Options.
  readonly equitySampleMs: number;
  readonly periodsPerYear: number;
  private readonly periodsPerYearSource: 'derived' | 'option';
  readonly publishIntervalMs: number;
  private readonly maxRecentFills: number;
  private readonly maxTrackedOrders: number;
  private readonly maxEquityPoints: number;
  private readonly maxPricePoints: number;
  private readonly medianWindow: number;

  // Accumulators.
  private readonly calendar: TradingDayCalendar;
  private readonly returns: ReturnStats;
  private readonly drawdown = new DrawdownTracker();
  private readonly tradeStats: TradeStats;
  private readonly signalStats = new SignalEffectiveness();
  private readonly tradeBuckets: TimeBuckets;
  private readonly fillBuckets: TimeBuckets;
  private readonly tickToOrder: LatencyHistogram;
  private readonly orderToFill: LatencyHistogram;
  private readonly rate: EventRate;
  private readonly eventLoop: IntervalHistogram | undefined;
  private readonly equityCurve: DecimatedSeries;
  private readonly drawdownCurve: DecimatedSeries;
  private readonly fillsRing: OrderFilled[] = [];
  private fillsNext = 0;

  private readonly instruments = new Map<string, InstrumentState>();
  private readonly strategies = new Map<string, StrategyState>();
  private lastInstrument: InstrumentState | undefined;
  private lastStrategy: StrategyState | undefined;
  /**
   * The last order created (the order of most fills: see orderOf), its instrument's state (found
   * when it was created, so its fills need no lookup), and the signal it was created under until
   * the monitor handles its final event. A market order fills before the next order is created,
   * so most orders are tracked here, without a map entry.
   */
  private lastOrder: Order | undefined;
  private lastOrderInstrument: InstrumentState | undefined;
  private lastOrderSignal: SignalState | undefined;
  private readonly orders: OrderLookup;
  /** Older orders still tracked under a signal (moved here when a new order is created); orders without one need no tracking. */
  private readonly signalOrders = new ChurnMap<string, SignalOrder>();

  // Counters. Data records are counted by the market cache.
  private signalEvents = 0;
  private ordersCreated = 0;
  private orderEvents = 0;
  private fillCount = 0;
  private canceled = 0;
  private expired = 0;
  private denied = 0;
  private readonly deniedByReason = new Map<string, number>();
  private rejected = 0;
  private readonly rejectedByReason = new Map<string, number>();
  private orderErrors = 0;
  private commandsRejected = 0;
  private readonly commandsRejectedByReason = new Map<string, number>();
  private invalidSignals = 0;
  private tradeNetMinor = 0;

  // Session state.
  private startedAt: number | undefined;
  private stopped = false;
  /** Set by detach(): the monitor no longer sets clock timers (a snapshot may still roll the day). */
  private detached = false;
  /** totalEvents() at the last grid sample. */
  private eventsAtSample = -1;
  private sampleTimer: TimerHandle | undefined;
  /**
   * A sample after fills is pending, and the time of the latest fill it stands for; it is taken
   * at the end of the fills' instant (clock.afterInstant), or sooner by settleFillSample.
   */
  private fillSamplePending = false;
  private fillSampleTs = 0;
  /** An afterInstant callback is set and has not run yet (at most one at a time). */
  private instantEndArmed = false;
  private rateTimer: TimerHandle | undefined;
  private dayTimer: TimerHandle | undefined;
  private bookTimer: TimerHandle | undefined;
  private publishTimer: TimerHandle | undefined;
  private day = '';
  private dayStartedAt = 0;
  private dayStartEquityRaw = 0n;
  private nextDayStart = Infinity;
  private returnBase: number | undefined;
  private returnBaseTs = -Infinity;
  private lastEquity: number | undefined;
  private lastEquityTs = -Infinity;
  private readonly unsubscribers: Array<() => void> = [];
  private readonly scratchTrade: ClosedTrade = { pnl: 0, returnPct: undefined, entryTs: 0, exitTs: 0 };
  /**
   * Fills (count as trades, notional as volume) and round trips (count, wins, net P&L) not yet
   * booked into the hourly and daily buckets, and the time of the latest of each: they are booked
   * at each quarter hour of clock time and before a snapshot, all under that time (a UTC quarter
   * hour lies within one local hour and day in every zone), rather than one by one. P&L is summed
   * in currency units from the first round trip on: a P&L field that turned fractional only at the
   * first booking changed the representation of every object of this shape (the buckets' totals
   * too), and V8 deoptimized the fill handler, compiled by then, for it.
   */
  private readonly unbookedFills: BucketTotals = { pnl: 0, trades: 0, wins: 0, volume: 0 };
  private unbookedFillTs = 0;
  private readonly unbookedTrades: BucketTotals = { pnl: 0, trades: 0, wins: 0, volume: 0 };
  private unbookedTradeTs = 0;

  /** Throws ValueError for invalid options (non-positive intervals or windows, unknown time zone). */
  constructor(deps: PerformanceMonitorDeps) {
    const o = deps.options ?? {};
    this.bus = deps.bus;
    this.clock = deps.clock;
    this.portfolio = deps.portfolio;
    this.market = deps.market;
    this.orders = deps.orders;
    this.ccyPrecision = this.portfolio.currency.precision;
    this.ccyScale = 10 ** this.ccyPrecision;

    this.equitySampleMs = o.equitySampleMs ?? 60_000;
    if (!(this.equitySampleMs > 0) || !Number.isFinite(this.equitySampleMs)) throw new ValueError(`equitySampleMs ${this.equitySampleMs} is not a positive number`);
    this.periodsPerYear = o.periodsPerYear ?? MS_PER_YEAR / this.equitySampleMs;
    this.periodsPerYearSource = o.periodsPerYear === undefined ? 'derived' : 'option';
    this.publishIntervalMs = o.publishIntervalMs ?? 1_000;
    if (!(this.publishIntervalMs >= 0) || !Number.isFinite(this.publishIntervalMs)) throw new ValueError(`publishIntervalMs ${this.publishIntervalMs} is not a non-negative number`);
    this.maxRecentFills = intAtLeast(0, o.maxRecentFills ?? 10_000, 'maxRecentFills');
    this.maxTrackedOrders = intAtLeast(1, o.maxTrackedOrders ?? 100_000, 'maxTrackedOrders');
    this.maxEquityPoints = intAtLeast(4, o.maxEquityPoints ?? 10_000, 'maxEquityPoints');
    // Checked here though price series are made at their first sample (DecimatedSeries needs 4).
    this.maxPricePoints = intAtLeast(4, o.maxPricePoints ?? 2_000, 'maxPricePoints');

    this.calendar = new TradingDayCalendar(o.timeZone ?? 'UTC');
    this.returns = new ReturnStats({ periodsPerYear: this.periodsPerYear, riskFreeRate: o.riskFreeRate ?? 0, target: o.sortinoTarget ?? 0 });
    this.medianWindow = intAtLeast(1, o.medianWindow ?? 1_000, 'medianWindow');
    this.tradeStats = new TradeStats({ medianWindow: this.medianWindow });
    const buckets = { timeZone: this.calendar.timeZone, maxDays: o.maxDays ?? 90 };
    this.tradeBuckets = new TimeBuckets(buckets);
    this.fillBuckets = new TimeBuckets(buckets);
    const latency = { lowest: 1, highest: o.maxLatencyUs ?? 60_000_000 };
    this.tickToOrder = new LatencyHistogram(latency);
    this.orderToFill = new LatencyHistogram(latency);
    this.rate = new EventRate(o.eventRateWindowMs ?? 10_000, o.eventRateSlotMs ?? 1_000);
    this.equityCurve = new DecimatedSeries(this.maxEquityPoints);
    this.drawdownCurve = new DecimatedSeries(this.maxEquityPoints);
    this.eventLoop = o.eventLoopDelay ? monitorEventLoopDelay({ resolution: 10 }) : undefined;

    for (const p of this.portfolio.allPositions()) this.addInstrument(p.instrument.id);
    this.subscribe();
    if (deps.startNow) this.begin();
  }

  /** Attaches a monitor to an engine: before start it begins at engine.status STARTING, on a running engine at once. */
  static attach(engine: MonitoredEngine, options: PerformanceMonitorOptions = {}): PerformanceMonitor {
    return new PerformanceMonitor({ bus: engine.bus, clock: engine.clock, portfolio: engine.portfolio, market: engine.market, orders: engine.execution, options, startNow: engine.isRunning });
  }

  /** Stops listening and cancels the monitor's timers; the figures stay readable. */
  detach(): void {
    this.detached = true;
    for (const off of this.unsubscribers.splice(0)) off();
    for (const s of this.instruments.values()) s.recordsAtDetach ??= s.market?.records;
    this.settleFillSample();
    this.cancelTimers();
    this.eventLoop?.disable();
  }

  // --- bus handlers ---------------------------------------------------------------------

  private subscribe(): void {
    const bus = this.bus;
    this.unsubscribers.push(
      bus.subscribe('engine.status', (s) => this.onStatus(s)),
      bus.subscribe('signal', this.onSignal),
      bus.subscribe('order.created', this.onOrderCreated),
      bus.subscribe('order.event', this.onOrderEvent),
      bus.subscribe('order.error', () => {
        this.orderErrors++;
      }),
      bus.subscribe('command.rejected', (c) => this.onCommandRejected(c)),
      bus.subscribe('position.closed', this.onPositionClosed),
    );
  }

  /** Data records of the monitored instruments since the monitor first saw each. */
  private dataRecords(): number {
    let n = 0;
    for (const s of this.instruments.values()) n += recordsOf(s);
    return n;
  }

  /** Every monitored event: data records, signals, orders created and order events. */
  private totalEvents(): number {
    return this.dataRecords() + this.busEvents();
  }

  /** The monitored bus events: signals, orders created and order events. */
  private busEvents(): number {
    return this.signalEvents + this.ordersCreated + this.orderEvents;
  }

  private onStatus(s: EngineStatus): void {
    if (s.state === 'STARTING') {
      if (this.startedAt === undefined) this.begin();
    } else if (s.state === 'STOPPED') {
      this.settleFillSample();
      if (this.startedAt !== undefined && !this.stopped) this.recordPoint(s.ts, Number(this.portfolio.equityRaw()) / this.ccyScale, false);
      this.finish();
    }
  }

  private readonly onSignal = (s: Signal): void => {
    this.signalEvents++;
    if (!(s.confidence >= 0 && s.confidence <= 1)) {
      this.invalidSignals++;
      return;
    }
    const strategy = this.strategyOf(s.strategyId);
    strategy.signals++;
    const last = strategy.lastKey;
    const key = last !== undefined && last.signalType === s.signalType ? last : this.signalKeyOf(strategy, s.signalType);
    this.signalStats.recordSignal(key, s.confidence);
    const inst = this.instrumentOf(s.instrumentId);
    const state: SignalState = { key, confidence: s.confidence };
    if (inst.signalStrategy === undefined || inst.signalStrategy === strategy) {
      inst.signalStrategy = strategy;
      inst.signal = state;
    } else (inst.otherSignals ??= new Map()).set(strategy, state);
  };

  /** The interned statistics key of a strategy's signal type, made at first sight; it becomes the strategy's last key. */
  private signalKeyOf(strategy: StrategyState, signalType: string): SignalKey {
    let key = strategy.keys.get(signalType);
    if (key === undefined) strategy.keys.set(signalType, (key = this.signalStats.key(strategy.id, signalType)));
    return (strategy.lastKey = key);
  }

  private readonly onOrderCreated = (c: OrderCreated): void => {
    const order = c.order;
    this.ordersCreated++;
    // An order follows its signal on the same instrument: the instrument found last.
    const inst = this.findInstrument(order.instrumentId);
    const market = inst?.market;
    if (market !== undefined && market.records > 0) this.tickToOrder.record(Math.max(0, c.ts - market.lastTs) * 1000);
    const strategy = this.strategyOf(order.strategyId);
    strategy.orders++;
    const signal = inst === undefined ? undefined : inst.signalStrategy === strategy ? inst.signal : inst.otherSignals?.get(strategy);
    this.parkLastOrder(signal !== undefined);
    this.lastOrder = order;
    this.lastOrderInstrument = inst;
    this.lastOrderSignal = signal;
    if (signal === undefined) {
      strategy.ordersWithoutSignal++;
      return;
    }
    this.signalStats.recordOrder(signal.key);
  };

  /**
   * Moves the last order to the map while it is tracked, before a new order takes its place. It is
   * tracked until the monitor handles its final event, which can come after the new order: a
   * handler that ran before the monitor's may have created it on that very fill (a stop placed
   * when an entry fills). The oldest entry is dropped beyond maxTrackedOrders, counting the new
   * order when it is tracked too.
   */
  private parkLastOrder(newOrderTracked: boolean): void {
    const order = this.lastOrder;
    const signal = this.lastOrderSignal;
    if (order === undefined || signal === undefined) return;
    const tracked = this.signalOrders;
    const room = newOrderTracked ? this.maxTrackedOrders - 1 : this.maxTrackedOrders;
    if (room === 0) return;
    if (tracked.size >= room) tracked.delete(tracked.keys().next().value!);
    tracked.set(order.clientOrderId, { order, signal });
  }

  private readonly onOrderEvent = (e: OrderEvent): void => {
    this.orderEvents++;
    // The two events every order goes through first need nothing but the count. The handler stays
    // small (V8 compiles a function this small at its first profiler tick, where a larger one
    // called three times an order for a comparison or two waited thousands of calls).
    const type = e.type;
    if (type === 'OrderFilled') this.onFillEvent(e);
    else if (type !== 'OrderSubmitted' && type !== 'OrderAccepted') this.onOtherOrderEvent(e);
  };

  private onFillEvent(e: OrderFilled): void {
    this.onFill(e, this.orderOf(e.clientOrderId), this.signalOf(e.clientOrderId));
    this.settleTracking(e.clientOrderId);
  }

  /** Denials and the events that can end an order (an amend can: quantity cut to what is filled). */
  private onOtherOrderEvent(e: OrderEvent): void {
    switch (e.type) {
      case 'OrderDenied': {
        this.denied++;
        bump(this.deniedByReason, e.reason);
        this.strategyOf(e.strategyId).denied++;
        const signal = this.signalOf(e.clientOrderId);
        if (signal !== undefined) this.signalStats.recordDenied(signal.key, e.reason);
        break;
      }
      case 'OrderRejected':
        this.rejected++;
        bump(this.rejectedByReason, e.reason);
        break;
      case 'OrderCanceled':
        this.canceled++;
        break;
      case 'OrderExpired':
        this.expired++;
        break;
      case 'OrderUpdated':
        break;
      default:
        return;
    }
    this.settleTracking(e.clientOrderId);
  }

  /** Stops tracking an order once it has finished. */
  private settleTracking(clientOrderId: string): void {
    const last = this.lastOrder;
    if (last !== undefined && last.clientOrderId === clientOrderId) {
      if (last.isTerminal) this.lastOrderSignal = undefined;
    } else if (this.signalOrders.size > 0) {
      const tracked = this.signalOrders.get(clientOrderId);
      if (tracked !== undefined && tracked.order.isTerminal) this.signalOrders.delete(clientOrderId);
    }
  }

  /** The execution engine's order by id, the last order created tried first. */
  private orderOf(clientOrderId: string): Order | undefined {
    const last = this.lastOrder;
    return last !== undefined && last.clientOrderId === clientOrderId ? last : this.orders.status(clientOrderId);
  }

  /** The signal an open order was created under, if any. */
  private signalOf(clientOrderId: string): SignalState | undefined {
    const last = this.lastOrder;
    if (last !== undefined && last.clientOrderId === clientOrderId) return this.lastOrderSignal;
    return this.signalOrders.size === 0 ? undefined : this.signalOrders.get(clientOrderId)?.signal;
  }

  /** A fill of `order` (the execution engine's, if it still has it), created under `signal` if any. */
  private onFill(e: OrderFilled, order: Order | undefined, signal: SignalState | undefined): void {
    this.fillCount++;
    // The order has applied this fill: its filled quantity equals the fill's on the first one.
    if (order !== undefined && order.filledQty.raw === e.lastQty.raw) this.orderToFill.record(Math.max(0, e.ts - order.createdAt) * 1000);
    const inst = (order === this.lastOrder ? this.lastOrderInstrument : undefined) ?? this.instrumentOf(e.instrumentId);
    const strategy = this.strategyOf(e.strategyId);
    const notional = Math.abs(e.lastPx.raw * inst.priceScale * e.lastQty.raw * inst.sizeScale * inst.multiplier);
    inst.fills++;
    inst.volume += notional;
    strategy.fills++;
    strategy.volume += notional;
    const pos = inst.position;
    if (pos === undefined) strategy.feesMinor += Number(e.fee.raw);
    else {
      // The portfolio applied this fill before any other subscriber saw it: its realized P&L and
      // fees moved by this fill's (read as numbers, where the fill's fee is a bigint).
      const realized = Number(pos.realizedExact);
      const fees = Number(pos.feesExact);
      strategy.realizedMinor += realized - inst.lastRealizedMinor;
      strategy.feesMinor += fees - inst.lastFeesMinor;
      inst.lastRealizedMinor = realized;
      inst.lastFeesMinor = fees;
      const qty = pos.qtyRaw;
      if (qty === 0) {
        inst.owner = undefined;
        inst.openingSignal = undefined;
      } else if (inst.lastQtyRaw === 0 || Math.sign(qty) !== Math.sign(inst.lastQtyRaw)) {
        inst.owner = strategy;
        inst.openingSignal = signal;
      }
      inst.lastQtyRaw = qty;
    }
    if (this.startedAt !== undefined && !this.stopped) {
      this.fillSampleTs = e.ts;
      this.fillSamplePending = true;
      if (!this.instantEndArmed) {
        this.instantEndArmed = true;
        this.clock.afterInstant(this.onInstantEnd);
      }
    }
    const unbooked = this.unbookedFills;
    if (unbooked.trades > 0) this.bookIfNewQuarter(this.fillBuckets, unbooked, this.unbookedFillTs, e.ts);
    unbooked.trades++;
    unbooked.volume += notional;
    this.unbookedFillTs = e.ts;
    if (this.maxRecentFills > 0) this.keepRecentFill(e);
  }

  private keepRecentFill(e: OrderFilled): void {
    if (this.fillsRing.length < this.maxRecentFills) this.fillsRing.push(e);
    else {
      this.fillsRing[this.fillsNext] = e;
      this.fillsNext = (this.fillsNext + 1) % this.maxRecentFills;
    }
  }

  private readonly onPositionClosed = (c: ClosedPosition): void => {
    const netMinor = Number(c.netPnl.raw);
    const pnl = netMinor / this.ccyScale;
    const inst = this.instrumentOf(c.instrumentId);
    const returnPct = c.entryNotional > 0 ? pnl / c.entryNotional : undefined;
    const trade = this.scratchTrade;
    trade.pnl = pnl;
    trade.returnPct = returnPct;
    trade.entryTs = c.openedAt;
    trade.exitTs = Math.max(c.closedAt, c.openedAt); // a wall clock may step back between two fills
    this.tradeStats.add(trade);
    const unbooked = this.unbookedTrades;
    if (unbooked.trades > 0) this.bookIfNewQuarter(this.tradeBuckets, unbooked, this.unbookedTradeTs, c.closedAt);
    unbooked.trades++;
    unbooked.pnl += pnl;
    if (netMinor > 0) unbooked.wins++;
    this.unbookedTradeTs = c.closedAt;
    this.tradeNetMinor += netMinor;
    inst.trades++;
    const strategy = this.strategyOf(c.strategyId);
    strategy.trades++;
    if (netMinor > 0) strategy.wins++;
    strategy.closedNetMinor += netMinor;
    const signal = inst.openingSignal;
    if (signal !== undefined) this.signalStats.recordOutcome(signal.key, signal.confidence, returnPct ?? Math.sign(pnl));
  };

  private onCommandRejected(c: CommandRejected): void {
    this.commandsRejected++;
    bump(this.commandsRejectedByReason, c.reason);
  }

  /**
   * Portfolio equity in minor units as a number (the portfolio sums it in safe integers, without
   * bigints). A peek: the risk engine hears of the positions re-valued for it at its own next read.
   */
  fastEquityMinor(): number {
    return Number(this.portfolio.peekEquityExact());
  }


  // --- sampling -------------------------------------------------------------------------

  private begin(): void {
    const now = this.clock.now();
    this.startedAt = now;
    this.stopped = false;
    const equityRaw = this.portfolio.equityRaw();
    this.recordPoint(now, Number(equityRaw) / this.ccyScale, true);
    this.startDay(now, now, equityRaw);
    this.eventsAtSample = -1;
    this.armSampler();
    this.armBooking();
    this.rate.roll(now, this.totalEvents());
    this.armRate();
    if (this.publishIntervalMs > 0) this.armPublisher(now);
    this.eventLoop?.enable();
  }

  private finish(): void {
    if (this.stopped) return;
    // The final sample closes the last (possibly partial) return period.
    const last = this.lastEquity;
    if (last !== undefined && this.returnBase !== undefined && (this.lastEquityTs > this.returnBaseTs || last !== this.returnBase)) {
      this.addReturn(last, this.lastEquityTs);
    }
    this.stopped = true;
    this.cancelTimers();
    this.eventLoop?.disable();
    if (this.publishIntervalMs > 0) this.publish();
  }

  /** Arms the next grid sample: the first grid time after the clock's horizon. */
  private armSampler(): void {
    const after = Math.max(this.clock.now(), clockHorizon(this.clock));
    const at = (Math.floor(after / this.equitySampleMs) + 1) * this.equitySampleMs;
    this.sampleTimer = this.clock.setTimer(at, this.onSampleTimer);
  }

  /** A grid sample, when anything happened since the last one. */
  private readonly onSampleTimer = (): void => {
    this.sampleTimer = undefined;
    if (this.stopped) return;
    this.settleFillSample();
    const events = this.totalEvents();
    if (events !== this.eventsAtSample) {
      this.eventsAtSample = events;
      this.sample(this.clock.now());
    }
    this.armSampler();
  };

  private readonly onInstantEnd = (): void => {
    this.instantEndArmed = false;
    this.settleFillSample();
  };

  /** Takes the pending sample after fills into the drawdown and the curves. */
  private takeFillSample(): void {
    this.fillSamplePending = false;
    if (this.stopped) return;
    const equity = this.fastEquityMinor() / this.ccyScale;
    this.addPoint(this.takeLastPoint(this.fillSampleTs, equity), equity);
  }

  /** Takes a pending sample after fills now (before a grid sample, a snapshot or the stop). */
  private settleFillSample(): void {
    if (this.fillSamplePending) this.takeFillSample();
  }

  private sample(now: number): void {
    if (now >= this.nextDayStart) this.rollDay(now);
    this.recordPoint(now, this.fastEquityMinor() / this.ccyScale, true);
    for (const s of this.instruments.values()) {
      const pos = s.position;
      if (pos === undefined || pos.markRaw === undefined || !hasData(s)) continue;
      s.prices ??= new DecimatedSeries(this.maxPricePoints);
      s.prices.push(now, pos.markRaw / 10 ** pos.instrument.pricePrecision);
    }
  }

  /** Arms the next booking into the buckets: the first UTC quarter hour after the clock's horizon. */
  private armBooking(): void {
    const at = (Math.floor(clockHorizon(this.clock) / QUARTER_HOUR_MS) + 1) * QUARTER_HOUR_MS;
    this.bookTimer = this.clock.setTimer(at, this.onBookTimer);
  }

  private readonly onBookTimer = (): void => {
    this.bookTimer = undefined;
    if (this.stopped) return;
    this.bookBuckets();
    this.armBooking();
  };

  /** Books the fills and round trips since the last booking into the hourly and daily buckets. */
  private bookBuckets(): void {
    this.book(this.fillBuckets, this.unbookedFills, this.unbookedFillTs);
    this.book(this.tradeBuckets, this.unbookedTrades, this.unbookedTradeTs);
  }

  /**
   * Books the unbooked totals, stamped `unbookedTs`, before one stamped `ts` joins them when the two
   * are in different UTC quarter hours: a clock timer set earlier for the same instant (a strategy's
   * "at 01:00") runs before the booking timer, and a late wall-clock timer after the boundary.
   */
  private bookIfNewQuarter(buckets: TimeBuckets, unbooked: BucketTotals, unbookedTs: number, ts: number): void {
    if (Math.floor(ts / QUARTER_HOUR_MS) !== Math.floor(unbookedTs / QUARTER_HOUR_MS)) this.book(buckets, unbooked, unbookedTs);
  }

  /** Books unbooked totals under `ts`, and empties them. */
  private book(buckets: TimeBuckets, unbooked: BucketTotals, ts: number): void {
    if (unbooked.trades === 0) return;
    buckets.addTotals(ts, unbooked);
    unbooked.pnl = unbooked.trades = unbooked.wins = unbooked.volume = 0;
  }

  /**
   * Arms the event rate's next slot boundary; after a jump of the clock, the start of the
   * horizon's slot first, so the skipped slots start at the count from before the jump.
   */
  private armRate(): void {
    const slotMs = this.rate.slotMs;
    const at = Math.max(this.rate.nextRollAt, Math.floor(clockHorizon(this.clock) / slotMs) * slotMs);
    this.rateTimer = this.clock.setTimer(at, this.onRateTimer);
  }

  private readonly onRateTimer = (): void => {
    this.rateTimer = undefined;
    if (this.stopped) return;
    this.rate.roll(this.clock.now(), this.totalEvents());
    this.armRate();
  };

  /** Records a start, grid or stop point (its callers take a pending sample after fills first). */
  private recordPoint(time: number, equity: number, periodic: boolean): void {
    const ts = this.takeLastPoint(time, equity);
    this.addPoint(ts, equity);
    if (periodic) this.addReturn(equity, ts);
  }

  /**
   * Makes (time, equity) the last point and returns its time, which is never before the previous
   * point's: a wall clock may step back (NTP), and the curve stays in time order rather than
   * throw on the bus.
   */
  private takeLastPoint(time: number, equity: number): number {
    const ts = time < this.lastEquityTs ? this.lastEquityTs : time;
    this.lastEquity = equity;
    this.lastEquityTs = ts;
    return ts;
  }

  private addPoint(ts: number, equity: number): void {
    this.drawdown.update(ts, equity);
    this.equityCurve.push(ts, equity);
    this.drawdownCurve.push(ts, this.drawdown.drawdownFraction ?? 0);
  }

  private addReturn(equity: number, ts: number): void {
    const base = this.returnBase;
    if (base !== undefined && base > 0) this.returns.add(equity / base - 1);
    this.returnBase = equity;
    this.returnBaseTs = ts;
  }

  // --- trading day ----------------------------------------------------------------------

  /** Starts the local day that began at `startedAt` and contains `now`. */
  private startDay(startedAt: number, now: number, equityRaw: bigint): void {
    this.day = this.calendar.dayOf(now);
    this.dayStartedAt = startedAt;
    this.dayStartEquityRaw = equityRaw;
    this.nextDayStart = this.calendar.nextDayStart(now);
    if (this.dayTimer !== undefined) this.clock.cancelTimer(this.dayTimer);
    this.dayTimer = this.detached ? undefined : this.clock.setTimer(this.nextDayStart, this.onDayTimer);
  }

  private readonly onDayTimer = (): void => {
    this.dayTimer = undefined;
    if (!this.stopped) this.rollDay(this.clock.now());
  };

  /**
   * A new local day: its starting equity is the equity at the boundary (marks from before it).
   * Rolled late (a snapshot after quiet days), the day still began at its own boundary, and no
   * price can have moved since the boundary because no event arrived.
   */
  private rollDay(now: number): void {
    if (now < this.nextDayStart) return;
    let start = this.nextDayStart;
    for (let next = this.calendar.nextDayStart(start); next <= now; next = this.calendar.nextDayStart(start)) start = next;
    this.startDay(start, now, this.portfolio.equityRaw());
  }

  // --- publishing -----------------------------------------------------------------------

  private armPublisher(now: number): void {
    this.publishTimer = this.clock.setTimer(now + this.publishIntervalMs, this.onPublishTimer);
  }

  private readonly onPublishTimer = (): void => {
    this.publishTimer = undefined;
    if (this.stopped) return;
    this.publish();
    this.armPublisher(this.clock.now());
  };

  /** Publishes the current snapshot on 'analytics.snapshot'. */
  publish(): void {
    this.bus.publish('analytics.snapshot', this.snapshot());
  }

  private cancelTimers(): void {
    for (const t of [this.sampleTimer, this.bookTimer, this.rateTimer, this.dayTimer, this.publishTimer]) if (t !== undefined) this.clock.cancelTimer(t);
    this.sampleTimer = this.bookTimer = this.rateTimer = this.dayTimer = this.publishTimer = undefined;
  }

  // --- state helpers --------------------------------------------------------------------

  private addInstrument(id: string): InstrumentState {
    const position = this.portfolio.position(id);
    const inst = position?.instrument;
    const market = this.market.get(id);
    const s: InstrumentState = {
      id,
      instrument: inst,
      position,
      market,
      recordBase: market?.records ?? 0,
      recordsAtDetach: undefined,
      prices: undefined,
      // Without an instrument (not in the portfolio) notional is unknown and counted as 0.
      priceScale: inst === undefined ? 0 : 10 ** -inst.pricePrecision,
      sizeScale: inst === undefined ? 0 : 10 ** -inst.sizePrecision,
      multiplier: inst === undefined ? 0 : inst.multiplier,
      fills: 0,
      volume: 0,
      trades: 0,
      lastQtyRaw: position?.qtyRaw ?? 0,
      lastRealizedMinor: Number(position?.realizedRaw ?? 0n),
      lastFeesMinor: Number(position?.feesRaw ?? 0n),
      // A position open when the monitor attaches (a paper session resumed) keeps its opener.
      owner: position?.openedBy === undefined ? undefined : this.strategyOf(position.openedBy),
      openingSignal: undefined,
      signalStrategy: undefined,
      signal: undefined,
      otherSignals: undefined,
    };
    this.instruments.set(id, s);
    return s;
  }

  /**
   * The state of an instrument, created at first sight. An order, its fill and the position it
   * closes name the same instrument one after another, so the last one found is tried first.
   */
  private instrumentOf(id: string): InstrumentState {
    return this.findInstrument(id) ?? (this.lastInstrument = this.addInstrument(id));
  }

  private findInstrument(id: string): InstrumentState | undefined {
    const last = this.lastInstrument;
    if (last !== undefined && last.id === id) return last;
    const s = this.instruments.get(id);
    if (s !== undefined) this.lastInstrument = s;
    return s;
  }

  /** The state of a strategy, created at first sight (the last one found is tried first). */
  private strategyOf(id: string): StrategyState {
    const last = this.lastStrategy;
    if (last !== undefined && last.id === id) return last;
    return (this.lastStrategy = this.strategies.get(id) ?? this.addStrategy(id));
  }

  private addStrategy(id: string): StrategyState {
    const s: StrategyState = {
      id,
      realizedMinor: 0,
      feesMinor: 0,
      closedNetMinor: 0,
      fills: 0,
      volume: 0,
      trades: 0,
      wins: 0,
      signals: 0,
      orders: 0,
      ordersWithoutSignal: 0,
      denied: 0,
      keys: new Map(),
      lastKey: undefined,
    };
    this.strategies.set(id, s);
    return s;
  }

  // --- reading --------------------------------------------------------------------------

  /** The retained equity curve (account currency, as numbers), oldest first. */
  equityPoints(): SeriesPoint[] {
    this.settleFillSample();
    return this.equityCurve.toArray();
  }

  /** Drawdown below the high-water mark at each equity point, as a fraction of the mark (0 while the mark is ≤ 0). */
  drawdownPoints(): SeriesPoint[] {
    this.settleFillSample();
    return this.drawdownCurve.toArray();
  }

  /** Mark prices of each instrument sampled on the equity grid, oldest first. */
  pricePoints(): Record<string, SeriesPoint[]> {
    const out: Record<string, SeriesPoint[]> = {};
    for (const s of this.instruments.values()) out[s.id] = s.prices?.toArray() ?? [];
    return out;
  }

  /** The most recent fills (at most maxRecentFills), oldest first. */
  recentFills(): OrderFilled[] {
    const n = this.fillsRing.length;
    if (n < this.maxRecentFills || this.fillsNext === 0) return this.fillsRing.slice();
    return [...this.fillsRing.slice(this.fillsNext), ...this.fillsRing.slice(0, this.fillsNext)];
  }

  /** Every figure, as one JSON-serializable object. Allocates; not meant for every tick. */
  snapshot(): PerformanceSnapshot {
    this.settleFillSample();
    this.bookBuckets();
    const now = this.clock.now();
    if (this.startedAt !== undefined && !this.stopped && now >= this.nextDayStart) this.rollDay(now);
    const p = this.portfolio.snapshot(now);
    const m = (raw: bigint): Decimal => formatDecimal(raw, this.ccyPrecision);
    const n = (x: number | null): Decimal | null => (x === null ? null : this.money(x));
    const totalRaw = p.equity.raw - p.initialCapital.raw;
    const dd = this.drawdown;
    const maxDd = dd.maxDrawdown;
    const annual = this.returns.annualizedReturn();
    const ts = this.tradeStats;
    const lastPoint = this.equityCurve.last();
    const hwm = dd.highWaterMark;
    const dataEvents = this.dataRecords();
    const totalEvents = dataEvents + this.busEvents();

    return {
      schema: SNAPSHOT_SCHEMA,
      ts: now,
      startedAt: this.startedAt ?? null,
      conventions: {
        equitySampleMs: this.equitySampleMs,
        periodsPerYear: this.periodsPerYear,
        periodsPerYearSource: this.periodsPerYearSource,
        riskFreeRate: this.returns.riskFreeRate,
        sortinoTarget: this.returns.target,
        timeZone: this.calendar.timeZone,
        currency: this.portfolio.currency.code,
        medianHoldingWindow: this.medianWindow,
        notes: NOTES,
      },
      pnl: {
        currency: this.portfolio.currency.code,
        initialCapital: p.initialCapital.toDecimal(),
        cash: p.cash.toDecimal(),
        equity: p.equity.toDecimal(),
        grossExposure: p.grossExposure.toDecimal(),
        netExposure: p.netExposure.toDecimal(),
        openPositions: p.openPositions,
        realized: p.realized.toDecimal(),
        unrealized: p.unrealized.toDecimal(),
        fees: p.fees.toDecimal(),
        total: m(totalRaw),
        totalReturn: p.initialCapital.raw === 0n ? null : Number(totalRaw) / Number(p.initialCapital.raw),
        today:
          this.startedAt === undefined
            ? null
            : {
                day: this.day,
                startedAt: this.dayStartedAt,
                startEquity: m(this.dayStartEquityRaw),
                pnl: m(p.equity.raw - this.dayStartEquityRaw),
                return: this.dayStartEquityRaw > 0n ? Number(p.equity.raw - this.dayStartEquityRaw) / Number(this.dayStartEquityRaw) : null,
              },
        byInstrument: this.instrumentPnl(m),
        byStrategy: this.strategyPnl(m),
      },
      equity: {
        points: this.equityCurve.total,
        pointsRetained: this.equityCurve.count,
        maxPoints: this.maxEquityPoints,
        firstTs: this.startedAt ?? null,
        lastTs: lastPoint?.ts ?? null,
        lastEquity: lastPoint === undefined ? null : this.money(lastPoint.value),
        highWaterMark: hwm === null ? null : this.money(hwm),
        drawdown: this.money(dd.drawdown),
        drawdownFraction: dd.drawdownFraction,
        drawdownDurationMs: dd.drawdownDuration,
        longestDrawdownDurationMs: dd.longestDrawdownDuration,
        maxDrawdown: this.episode(maxDd),
        maxDrawdownAmount: this.episode(dd.maxDrawdownAmount),
      },
      returns: {
        periods: this.returns.count,
        mean: this.returns.mean(),
        std: this.returns.std(),
        volatility: this.returns.volatility(),
        downsideDeviation: this.returns.downsideDeviation(),
        sharpe: this.returns.sharpe(),
        sortino: this.returns.sortino(),
        calmar: annual === null || maxDd === null || maxDd.fraction === null || !Number.isFinite(annual) ? null : calmar(annual, maxDd.fraction),
        best: this.returns.best(),
        worst: this.returns.worst(),
        totalReturn: this.returns.totalReturn(),
        annualizedReturn: annual === null || !Number.isFinite(annual) ? null : annual,
      },
      trades: {
        count: ts.count,
        wins: ts.wins,
        losses: ts.losses,
        breakeven: ts.breakeven,
        winRate: ts.winRate(),
        netPnl: m(BigInt(this.tradeNetMinor)),
        averageWin: n(ts.averageWin()),
        averageLoss: n(ts.averageLoss()),
        largestWin: n(ts.largestWin()),
        largestLoss: n(ts.largestLoss()),
        profitFactor: ts.profitFactor(),
        expectancy: n(ts.expectancy()),
        averageReturn: ts.averageReturn(),
        maxConsecutiveWins: ts.maxConsecutiveWins,
        maxConsecutiveLosses: ts.maxConsecutiveLosses,
        currentStreak: ts.currentStreak,
        averageHoldingMs: ts.averageHoldingTime(),
        medianHoldingMs: ts.medianHoldingTime(),
        tradesPerHour: ts.tradesPerHour(),
        tradesPerDay: ts.tradesPerDay(),
      },
      orders: {
        created: this.ordersCreated,
        fills: this.fillCount,
        denied: this.denied,
        deniedByReason: Object.fromEntries(this.deniedByReason),
        rejected: this.rejected,
        rejectedByReason: Object.fromEntries(this.rejectedByReason),
        canceled: this.canceled,
        expired: this.expired,
        tracked: this.signalOrders.size + (this.lastOrderSignal === undefined ? 0 : 1),
      },
      signals: this.signalStats.reports(),
      buckets: this.buckets(),
      health: {
        marketData: [...this.instruments.values()].map((s) => ({
          instrumentId: s.id,
          records: recordsOf(s),
          lastDataAt: hasData(s) ? s.market!.lastTs : null,
          stalenessMs: hasData(s) ? Math.max(0, now - s.market!.lastTs) : null,
        })),
        tickToOrderUs: summarize(this.tickToOrder),
        orderToFillUs: summarize(this.orderToFill),
        eventLoopDelayUs: this.eventLoop === undefined ? null : summarizeEventLoop(this.eventLoop),
        eventsPerSecond: this.rate.perSecond(now, totalEvents),
        eventRateWindowMs: this.rate.windowMs,
        eventRateSlotMs: this.rate.slotMs,
        events: {
          marketData: dataEvents,
          signals: this.signalEvents,
          ordersCreated: this.ordersCreated,
          orderEvents: this.orderEvents,
          total: totalEvents,
        },
        errors: {
          orderErrors: this.orderErrors,
          commandsRejected: this.commandsRejected,
          commandsRejectedByReason: Object.fromEntries(this.commandsRejectedByReason),
          ordersRejected: this.rejected,
          invalidSignals: this.invalidSignals,
          total: this.orderErrors + this.commandsRejected + this.rejected + this.invalidSignals,
        },
      },
    };
  }

  private instrumentPnl(m: (raw: bigint) => Decimal): InstrumentPnl[] {
    const out: InstrumentPnl[] = [];
    for (const s of this.instruments.values()) {
      const pos = s.position;
      const realized = pos?.realizedRaw ?? 0n;
      const unrealized = pos?.unrealizedRaw() ?? 0n;
      const fees = pos?.feesRaw ?? 0n;
      const snap = pos?.snapshot(this.clock.now());
      out.push({
        instrumentId: s.id,
        quantity: snap?.quantity ?? '0',
        markPx: snap?.markPx ?? null,
        lastDataAt: hasData(s) ? s.market!.lastTs : null,
        realized: m(realized),
        unrealized: m(unrealized),
        fees: m(fees),
        total: m(realized + unrealized - fees),
        fills: s.fills,
        volume: this.money(s.volume),
        trades: s.trades,
      });
    }
    return out;
  }

  private strategyPnl(m: (raw: bigint) => Decimal): StrategyPnl[] {
    const unrealized = new Map<StrategyState, bigint>();
    for (const s of this.instruments.values()) {
      if (s.owner !== undefined && s.position !== undefined && s.position.qtyRaw !== 0) {
        unrealized.set(s.owner, (unrealized.get(s.owner) ?? 0n) + s.position.unrealizedRaw());
      }
    }
    const out: StrategyPnl[] = [];
    for (const s of this.strategies.values()) {
      const u = unrealized.get(s) ?? 0n;
      const realized = BigInt(s.realizedMinor);
      const fees = BigInt(s.feesMinor);
      out.push({
        strategyId: s.id,
        realized: m(realized),
        unrealized: m(u),
        fees: m(fees),
        total: m(realized + u - fees),
        closedNetPnl: m(BigInt(s.closedNetMinor)),
        fills: s.fills,
        volume: this.money(s.volume),
        trades: s.trades,
        wins: s.wins,
        signals: s.signals,
        ordersCreated: s.orders,
        ordersWithoutSignal: s.ordersWithoutSignal,
        ordersDenied: s.denied,
      });
    }
    return out;
  }

  private buckets(): PerformanceSnapshot['buckets'] {
    const fillHours = this.fillBuckets.byHour();
    const fillDays = new Map(this.fillBuckets.byDay().map((d) => [d.day, d]));
    const tradeDays = new Map(this.tradeBuckets.byDay().map((d) => [d.day, d]));
    const days = [...new Set([...fillDays.keys(), ...tradeDays.keys()])].sort();
    const figures = (t: { pnl: number; trades: number; wins: number } | undefined, f: { trades: number; volume: number } | undefined) => ({
      pnl: this.money(t?.pnl ?? 0),
      trades: t?.trades ?? 0,
      wins: t?.wins ?? 0,
      winRate: t === undefined || t.trades === 0 ? null : t.wins / t.trades,
      fills: f?.trades ?? 0,
      volume: this.money(f?.volume ?? 0),
    });
    const maxDays = this.tradeBuckets.maxDays;
    return {
      timeZone: this.calendar.timeZone,
      byHour: this.tradeBuckets.byHour().map((t, i) => ({ hour: t.hour, ...figures(t, fillHours[i]) })),
      byDay: days.slice(Math.max(0, days.length - maxDays)).map((day) => ({ day, ...figures(tradeDays.get(day), fillDays.get(day)) })),
    };
  }

  private episode(e: DrawdownEpisode | null): DrawdownEpisodeView | null {
    if (e === null) return null;
    return {
      amount: this.money(e.amount),
      fraction: e.fraction,
      peakTs: e.peakTs,
      troughTs: e.troughTs,
      recoveryTs: e.recoveryTs,
      timeToRecoveryMs: e.timeToRecovery,
    };
  }

  /** A float amount rounded to the currency's minor unit, as a decimal string. */
  private money(x: number): Decimal {
    const s = x.toFixed(this.ccyPrecision);
    return /^-0(\.0*)?$/.test(s) ? s.slice(1) : s;
  }
}

function summarize(h: LatencyHistogram): LatencySummary {
  return { count: h.count, min: h.min(), mean: h.mean(), p50: h.percentile(50), p90: h.percentile(90), p99: h.percentile(99), max: h.max() };
}

function summarizeEventLoop(h: IntervalHistogram): LatencySummary {
  const count = h.count;
  if (count === 0) return { count: 0, min: null, mean: null, p50: null, p90: null, p99: null, max: null };
  const us = (ns: number): number => ns / 1000;
  return { count, min: us(h.min), mean: us(h.mean), p50: us(h.percentile(50)), p90: us(h.percentile(90)), p99: us(h.percentile(99)), max: us(h.max) };
}

/** Data records of an instrument from when the monitor first saw it until now or detach. */
function recordsOf(s: InstrumentState): number {
  return s.market === undefined ? 0 : (s.recordsAtDetach ?? s.market.records) - s.recordBase;
}

/** Whether the instrument has had any market data (its last data time is known). */
function hasData(s: InstrumentState): boolean {
  return s.market !== undefined && s.market.records > 0;
}

function bump(map: Map<string, number>, key: string): void {
  map.set(key, (map.get(key) ?? 0) + 1);
}


/** An integer option of at least `min`; throws ValueError naming the option and the value. */
function intAtLeast(min: number, x: number, what: string): number {
  const rule = min === 0 ? 'a non-negative integer' : min === 1 ? 'a positive integer' : `an integer of at least ${min}`;
  if (!Number.isInteger(x) || x < min) throw new ValueError(`${what} ${x} is not ${rule}`);
  return x;
}

/**
 * PerformanceSnapshot: every figure the performance monitor keeps, as one plain, JSON-serializable
 * object (published on the bus topic 'analytics.snapshot', served to the dashboard, written to
 * report.json). Units:
 * - money amounts in the account currency are decimal strings (`Decimal`): exact totals come from
 *   Money.toDecimal(); statistics over money (averages, largest trade, bucket sums) are rounded to
 *   the currency's minor unit;
 * - returns, rates and drawdown depths are fractions (0.01 = 1%); ratios are plain numbers;
 * - times are epoch milliseconds of the engine Clock (market time in backtests), durations are
 *   milliseconds, latencies are microseconds;
 * - a figure that cannot be computed (no data, division by zero) is null, never NaN or ±∞.
 */
import type { SignalReport } from './stats/signals.js';

/** A decimal amount in the account currency, e.g. "-12.50". */
export type Decimal = string;

export const SNAPSHOT_SCHEMA = 'bourse.performance/1';

export interface SnapshotConventions {
  /** Clock interval between equity samples used for returns statistics. */
  readonly equitySampleMs: number;
  /** Periods per year used to annualize returns statistics. */
  readonly periodsPerYear: number;
  /** 'derived' = 365·24·3600·1000 / equitySampleMs (24/7 markets); 'option' = set in the options (e.g. 252). */
  readonly periodsPerYearSource: 'derived' | 'option';
  /** Annual risk-free rate used by the Sharpe ratio (0.04 = 4%). */
  readonly riskFreeRate: number;
  /** Per-period minimum acceptable return used by the Sortino ratio. */
  readonly sortinoTarget: number;
  /** IANA time zone of trading days, "today" and the hourly/daily buckets. */
  readonly timeZone: string;
  readonly currency: string;
  /** The median holding time is exact over this many most recent round trips. */
  readonly medianHoldingWindow: number;
  /** How the figures are defined, in words. */
  readonly notes: readonly string[];
}

export interface PnlFigures {
  /** Realized P&L before fees. */
  readonly realized: Decimal;
  readonly unrealized: Decimal;
  readonly fees: Decimal;
  /** realized + unrealized − fees. */
  readonly total: Decimal;
}

export interface TodayPnl {
  /** Local trading day, YYYY-MM-DD. */
  readonly day: string;
  /** Clock time the day began (or the monitor started, on the first day). */
  readonly startedAt: number;
  readonly startEquity: Decimal;
  /** Equity now minus the day's starting equity. */
  readonly pnl: Decimal;
  /** pnl / startEquity; null when the starting equity is ≤ 0. */
  readonly return: number | null;
}

export interface InstrumentPnl extends PnlFigures {
  readonly instrumentId: string;
  /** Signed position quantity as a decimal string. */
  readonly quantity: string;
  readonly markPx: string | null;
  readonly lastDataAt: number | null;
  readonly fills: number;
  /** Traded notional in the account currency. */
  readonly volume: Decimal;
  /** Round trips closed. */
  readonly trades: number;
}

export interface StrategyPnl extends PnlFigures {
  readonly strategyId: string;
  /** Net P&L of the round trips this strategy opened and that have closed. */
  readonly closedNetPnl: Decimal;
  readonly fills: number;
  readonly volume: Decimal;
  readonly trades: number;
  readonly wins: number;
  readonly signals: number;
  readonly ordersCreated: number;
  /** Orders created before the strategy ever signalled on that instrument. */
  readonly ordersWithoutSignal: number;
  readonly ordersDenied: number;
}

export interface PnlSection extends PnlFigures {
  readonly currency: string;
  readonly initialCapital: Decimal;
  readonly cash: Decimal;
  readonly equity: Decimal;
  readonly grossExposure: Decimal;
  readonly netExposure: Decimal;
  readonly openPositions: number;
  /** total / initial capital; null when the initial capital is 0. */
  readonly totalReturn: number | null;
  readonly today: TodayPnl | null;
  readonly byInstrument: readonly InstrumentPnl[];
  readonly byStrategy: readonly StrategyPnl[];
}

export interface DrawdownEpisodeView {
  readonly amount: Decimal;
  readonly fraction: number | null;
  readonly peakTs: number;
  readonly troughTs: number;
  readonly recoveryTs: number | null;
  readonly timeToRecoveryMs: number | null;
}

export interface EquitySection {
  /** Points ever recorded (interval samples, samples after fills, start and stop). */
  readonly points: number;
  /**
   * Points kept for the curve: the whole run, thinned once it outgrew maxPoints (first, last,
   * lowest and highest always kept; at most maxPoints + 3, see DecimatedSeries).
   */
  readonly pointsRetained: number;
  readonly maxPoints: number;
  readonly firstTs: number | null;
  readonly lastTs: number | null;
  readonly lastEquity: Decimal | null;
  readonly highWaterMark: Decimal | null;
  /** Current drawdown below the high-water mark. */
  readonly drawdown: Decimal;
  readonly drawdownFraction: number | null;
  /** Time since the high-water mark while in a drawdown; 0 at the mark. */
  readonly drawdownDurationMs: number;
  readonly longestDrawdownDurationMs: number;
  /** Deepest drawdown by fraction of its peak. */
  readonly maxDrawdown: DrawdownEpisodeView | null;
  /** Deepest drawdown by amount. */
  readonly maxDrawdownAmount: DrawdownEpisodeView | null;
}

export interface ReturnsSection {
  /** Number of periodic returns. */
  readonly periods: number;
  readonly mean: number | null;
  /** Per-period sample standard deviation. */
  readonly std: number | null;
  /** Annualized: std × √periodsPerYear. */
  readonly volatility: number | null;
  readonly downsideDeviation: number | null;
  readonly sharpe: number | null;
  readonly sortino: number | null;
  /** annualizedReturn / maxDrawdown.fraction. */
  readonly calmar: number | null;
  readonly best: number | null;
  readonly worst: number | null;
  /** Π(1 + r) − 1 over the periodic returns. */
  readonly totalReturn: number | null;
  readonly annualizedReturn: number | null;
}

export interface TradesSection {
  readonly count: number;
  readonly wins: number;
  readonly losses: number;
  readonly breakeven: number;
  readonly winRate: number | null;
  /** Exact sum of the round trips' net P&L. */
  readonly netPnl: Decimal;
  readonly averageWin: Decimal | null;
  readonly averageLoss: Decimal | null;
  readonly largestWin: Decimal | null;
  readonly largestLoss: Decimal | null;
  readonly profitFactor: number | null;
  readonly expectancy: Decimal | null;
  /** Mean return on the entry notional. */
  readonly averageReturn: number | null;
  readonly maxConsecutiveWins: number;
  readonly maxConsecutiveLosses: number;
  readonly currentStreak: number;
  readonly averageHoldingMs: number | null;
  readonly medianHoldingMs: number | null;
  readonly tradesPerHour: number | null;
  readonly tradesPerDay: number | null;
}

export interface OrdersSection {
  readonly created: number;
  readonly fills: number;
  readonly denied: number;
  readonly deniedByReason: Readonly<Record<string, number>>;
  readonly rejected: number;
  readonly rejectedByReason: Readonly<Record<string, number>>;
  readonly canceled: number;
  readonly expired: number;
  /** Open orders created under a signal, still tracked for its outcome (bounded by maxTrackedOrders). */
  readonly tracked: number;
}

export interface BucketFigures {
  /** Net P&L of the round trips closed in the bucket. */
  readonly pnl: Decimal;
  readonly trades: number;
  readonly wins: number;
  readonly winRate: number | null;
  readonly fills: number;
  /** Traded notional of the fills in the bucket. */
  readonly volume: Decimal;
}

export interface HourFigures extends BucketFigures {
  /** Local hour of day, 0-23. */
  readonly hour: number;
}

export interface DayFigures extends BucketFigures {
  /** Local day, YYYY-MM-DD. */
  readonly day: string;
}

export interface BucketsSection {
  readonly timeZone: string;
  readonly byHour: readonly HourFigures[];
  /** The most recent days (at most maxDays), oldest first. */
  readonly byDay: readonly DayFigures[];
}

export interface LatencySummary {
  readonly count: number;
  readonly min: number | null;
  readonly mean: number | null;
  readonly p50: number | null;
  readonly p90: number | null;
  readonly p99: number | null;
  readonly max: number | null;
}

export interface InstrumentHealth {
  readonly instrumentId: string;
  readonly records: number;
  readonly lastDataAt: number | null;
  /** Clock time since the instrument's last market data record. */
  readonly stalenessMs: number | null;
}

export interface HealthSection {
  readonly marketData: readonly InstrumentHealth[];
  /** Last market data record of an instrument → order created on it (clock time). */
  readonly tickToOrderUs: LatencySummary;
  /** Order created → its first fill (clock time). */
  readonly orderToFillUs: LatencySummary;
  /** Event-loop delay (node:perf_hooks); null when not enabled (backtests). */
  readonly eventLoopDelayUs: LatencySummary | null;
  /** Monitored events (data records and bus events) per second of clock time over the completed slots of the sliding window. */
  readonly eventsPerSecond: number | null;
  readonly eventRateWindowMs: number;
  readonly eventRateSlotMs: number;
  readonly events: {
    readonly marketData: number;
    readonly signals: number;
    readonly ordersCreated: number;
    readonly orderEvents: number;
    readonly total: number;
  };
  readonly errors: {
    /** order.error: illegal order transitions. */
    readonly orderErrors: number;
    /** command.rejected, by reason. */
    readonly commandsRejected: number;
    readonly commandsRejectedByReason: Readonly<Record<string, number>>;
    /** OrderRejected events from the venue. */
    readonly ordersRejected: number;
    /** Signals ignored because their confidence was outside [0, 1]. */
    readonly invalidSignals: number;
    readonly total: number;
  };
}

export interface PerformanceSnapshot {
  readonly schema: typeof SNAPSHOT_SCHEMA;
  /** Clock time of the snapshot. */
  readonly ts: number;
  /** Clock time the monitor started; null before the engine started. */
  readonly startedAt: number | null;
  readonly conventions: SnapshotConventions;
  readonly pnl: PnlSection;
  readonly equity: EquitySection;
  readonly returns: ReturnsSection;
  readonly trades: TradesSection;
  readonly orders: OrdersSection;
  /** Per (strategy, signal type): signals, orders, denials by reason, outcomes, hit rate by confidence. */
  readonly signals: readonly SignalReport[];
  readonly buckets: BucketsSection;
  readonly health: HealthSection;
}

/**
 * Synthetic market: several instruments whose mid prices follow correlated geometric Brownian
 * motion, quoted on their tick grid around the mid with a fixed spread, with occasional trades at
 * the touch. One seeded engine drives both the historical source (as fast as possible) and the
 * live feed (paced by a Clock), so the same seed gives the same prices in both.
 *
 * Model, per step of dt = intervalMs / MS_PER_YEAR years and per instrument i:
 *   mid_i ← mid_i · exp((μ_i − σ_i²/2)·dt + σ_i·√dt·(L·z)_i),  z ~ N(0, I),  L·Lᵀ = correlation.
 * The first step quotes the initial prices; every later step applies one shock. Trades draw from
 * a second generator seeded from the same seed, so the price path does not depend on them.
 */
import type { Clock, TimerHandle } from '../core/clock.js';
import { InvariantError, ValueError } from '../core/errors.js';
import { type Matrix, cholesky, lowerTimesVector } from '../core/linalg.js';
import { Price } from '../core/price.js';
import { Quantity } from '../core/quantity.js';
import { Random } from '../core/random.js';
import type { MarketData } from '../model/data.js';
import type { Instrument } from '../model/instrument.js';
import type { HistoricalDataSource, LiveDataClient } from './ports.js';
import { decimalDigits } from '../core/digits.js';

/** A year of round-the-clock trading (365 days): drift and volatility are annualized by it. */
export const MS_PER_YEAR = 365 * 24 * 60 * 60 * 1000;

export interface SyntheticInstrumentConfig {
  instrument: Instrument;
  initialPrice: number;
  /** Annualized drift μ (expected growth rate of the price). */
  drift: number;
  /** Annualized volatility σ of log returns. */
  volatility: number;
  /** Quoted spread in basis points of the mid; widened to at least one tick. */
  spreadBps: number;
  /** Displayed size at bid and ask (default 10); trade sizes run from the minimum size up to it. */
  size?: number;
}

export interface SyntheticConfig {
  instruments: SyntheticInstrumentConfig[];
  /** Correlation of the shocks, one row per instrument (default: identity). */
  correlation?: number[][];
  intervalMs: number;
  /** Time of the first step (records of step k are stamped startTs + k·intervalMs). */
  startTs: number;
  seed: number;
  /** Probability of a trade per instrument and step (default 0.1). */
  tradeProbability?: number;
}

const DEFAULT_SIZE = 10;
const DEFAULT_TRADE_PROBABILITY = 0.1;
/** Mixed into the seed for the trade generator. */
const TRADE_SEED_SALT = 0x5851f42d;

interface Lane {
  readonly id: string;
  readonly pricePrecision: number;
  readonly sizePrecision: number;
  readonly tickRaw: number;
  /** Ticks per unit of price: price × ticksPerUnit is the price in ticks. */
  readonly ticksPerUnit: number;
  readonly halfSpread: number;
  readonly logDrift: number;
  readonly logVol: number;
  readonly displayed: Quantity;
  readonly stepRaw: number;
  readonly minSteps: number;
  readonly maxSteps: number;
  mid: number;
}

function check(ok: boolean, message: string): void {
  if (!ok) throw new ValueError(message);
}

/**
 * Checks a config (all but startTs) and returns the Cholesky factor of its correlation matrix.
 * Throws ValueError naming the field for any invalid value.
 */
function checkConfig(config: Omit<SyntheticConfig, 'startTs'>): Matrix {
  const n = config.instruments.length;
  check(n > 0, 'synthetic market needs at least one instrument');
  check(Number.isSafeInteger(config.intervalMs) && config.intervalMs > 0, `intervalMs ${config.intervalMs} must be a positive integer`);
  const p = config.tradeProbability ?? DEFAULT_TRADE_PROBABILITY;
  check(p >= 0 && p <= 1, `tradeProbability ${p} must be in [0, 1]`);
  for (const c of config.instruments) {
    const s = c.instrument.symbol;
    check(Number.isFinite(c.initialPrice) && c.initialPrice > 0, `initialPrice ${c.initialPrice} of ${s} must be positive`);
    check(Number.isFinite(c.drift), `drift ${c.drift} of ${s} must be finite`);
    check(Number.isFinite(c.volatility) && c.volatility >= 0, `volatility ${c.volatility} of ${s} must be finite and >= 0`);
    check(Number.isFinite(c.spreadBps) && c.spreadBps >= 0, `spreadBps ${c.spreadBps} of ${s} must be finite and >= 0`);
  }
  const corr = config.correlation ?? Array.from({ length: n }, (_, i) => Array.from({ length: n }, (_, j) => (i === j ? 1 : 0)));
  check(corr.length === n, `correlation has ${corr.length} rows, expected ${n} (one per instrument)`);
  corr.forEach((row, i) => {
    check(row.length === n, `correlation row ${i} has ${row.length} entries, expected ${n}`);
    check(row[i] === 1, `correlation[${i}][${i}] is ${row[i]}, must be 1`);
    row.forEach((r, j) => check(Math.abs(r) <= 1, `correlation[${i}][${j}] ${r} must be in [-1, 1]`));
  });
  return cholesky(corr);
}

/** The seeded state machine shared by SyntheticMarket and SyntheticFeed. */
class SyntheticEngine {
  /** Records of the last step; valid until the next call of step(). */
  readonly out: MarketData[] = [];
  private readonly lanes: Lane[];
  private readonly z: Float64Array;
  private readonly shocks: Float64Array;
  private readonly prices: Random;
  private readonly trades: Random;
  private readonly tradeProbability: number;
  private tradeCount = 0;
  private started = false;

  constructor(
    config: Omit<SyntheticConfig, 'startTs'>,
    private readonly chol: Matrix,
  ) {
    const dt = config.intervalMs / MS_PER_YEAR;
    this.lanes = config.instruments.map((c) => {
      const inst = c.instrument;
      const displayed = inst.quantity(c.size ?? DEFAULT_SIZE);
      const stepRaw = inst.sizeStep.raw;
      const minSteps = Math.max(1, Math.ceil(inst.minSize.raw / stepRaw));
      return {
        id: inst.id,
        pricePrecision: inst.pricePrecision,
        sizePrecision: inst.sizePrecision,
        tickRaw: inst.tickSize.raw,
        ticksPerUnit: 10 ** inst.pricePrecision / inst.tickSize.raw,
        halfSpread: c.spreadBps / 20_000,
        logDrift: (c.drift - (c.volatility * c.volatility) / 2) * dt,
        logVol: c.volatility * Math.sqrt(dt),
        displayed,
        stepRaw,
        minSteps,
        maxSteps: Math.max(minSteps, Math.floor(displayed.raw / stepRaw)),
        mid: c.initialPrice,
      };
    });
    this.z = new Float64Array(this.lanes.length);
    this.shocks = new Float64Array(this.lanes.length);
    this.prices = new Random(config.seed);
    this.trades = new Random((config.seed ^ TRADE_SEED_SALT) >>> 0);
    this.tradeProbability = config.tradeProbability ?? DEFAULT_TRADE_PROBABILITY;
  }

  /** Advances one interval and fills `out` with the step's records stamped `ts`; returns their count. */
  step(ts: number): number {
    const lanes = this.lanes;
    if (this.started) {
      for (let i = 0; i < lanes.length; i++) this.z[i] = this.prices.normal();
      lowerTimesVector(this.chol, this.z, this.shocks);
      for (let i = 0; i < lanes.length; i++) {
        const lane = lanes[i]!;
        lane.mid *= Math.exp(lane.logDrift + lane.logVol * this.shocks[i]!);
      }
    }
    this.started = true;
    const out = this.out;
    out.length = 0;
    for (const lane of lanes) {
      // Bid rounds down and ask up onto the grid; the clamps keep bid >= one tick and bid < ask.
      const bidTicks = Math.max(1, Math.floor(lane.mid * (1 - lane.halfSpread) * lane.ticksPerUnit));
      const askTicks = Math.max(bidTicks + 1, Math.ceil(lane.mid * (1 + lane.halfSpread) * lane.ticksPerUnit));
      const bid = Price.fromRaw(bidTicks * lane.tickRaw, lane.pricePrecision);
      const ask = Price.fromRaw(askTicks * lane.tickRaw, lane.pricePrecision);
      out.push({ kind: 'quote', instrumentId: lane.id, bid, ask, bidSize: lane.displayed, askSize: lane.displayed, ts });
      // The trade stream has its own generator: skipping its draws when trades are off changes no price.
      if (this.tradeProbability > 0 && this.trades.next() < this.tradeProbability) {
        const buy = this.trades.next() < 0.5;
        const size = Quantity.fromRaw(this.trades.int(lane.minSteps, lane.maxSteps) * lane.stepRaw, lane.sizePrecision);
        const tradeId = `SYN-${decimalDigits(++this.tradeCount)}`;
        out.push({ kind: 'trade', instrumentId: lane.id, price: buy ? ask : bid, size, aggressor: buy ? 'BUY' : 'SELL', tradeId, ts });
      }
    }
    return out.length;
  }
}

/** A finite synthetic history of `count` steps, generated lazily; each records() call restarts it. */
export class SyntheticMarket implements HistoricalDataSource {
  readonly instruments: readonly Instrument[];
  private readonly chol: Matrix;

  /** Throws ValueError for an invalid config or count. */
  constructor(
    private readonly config: SyntheticConfig,
    private readonly count: number,
  ) {
    this.chol = checkConfig(config);
    check(Number.isSafeInteger(config.startTs), `startTs ${config.startTs} must be an integer`);
    check(Number.isSafeInteger(count) && count >= 0, `step count ${count} must be a non-negative integer`);
    this.instruments = config.instruments.map((c) => c.instrument);
  }

  *records(): Generator<MarketData, void, undefined> {
    const engine = new SyntheticEngine(this.config, this.chol);
    const { startTs, intervalMs } = this.config;
    for (let k = 0; k < this.count; k++) {
      const n = engine.step(startTs + k * intervalMs);
      for (let j = 0; j < n; j++) yield engine.out[j]!;
    }
  }
}

/**
 * The synthetic market as a live feed: one step every intervalMs on the given clock, the first
 * one interval after start(), records stamped with clock.now(). stop() then start() resumes the
 * same price path.
 */
export class SyntheticFeed implements LiveDataClient {
  readonly instruments: readonly Instrument[];
  private readonly engine: SyntheticEngine;
  private readonly intervalMs: number;
  private sink: ((record: MarketData) => void) | undefined;
  private timer: TimerHandle | undefined;

  /** Throws ValueError for an invalid config (startTs is not used: the clock gives the time). */
  constructor(
    config: Omit<SyntheticConfig, 'startTs'>,
    private readonly clock: Clock,
  ) {
    this.engine = new SyntheticEngine(config, checkConfig(config));
    this.intervalMs = config.intervalMs;
    this.instruments = config.instruments.map((c) => c.instrument);
  }

  /** Throws InvariantError when already started. */
  start(sink: (record: MarketData) => void): void {
    if (this.sink) throw new InvariantError('synthetic feed is already started');
    this.sink = sink;
    this.schedule();
  }

  stop(): void {
    if (this.timer) this.clock.cancelTimer(this.timer);
    this.timer = undefined;
    this.sink = undefined;
  }

  private schedule(): void {
    this.timer = this.clock.setTimer(this.clock.now() + this.intervalMs, this.tick);
  }

  private readonly tick = (): void => {
    this.timer = undefined;
    const sink = this.sink;
    if (!sink) return;
    const n = this.engine.step(this.clock.now());
    for (let j = 0; j < n; j++) {
      if (this.sink !== sink) return; // stopped by the sink
      sink(this.engine.out[j]!);
    }
    if (this.sink === sink) this.schedule();
  };
}

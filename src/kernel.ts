/**
 * The composition root: builds a runnable environment from a preset. Backtests are built by
 * engine/backtest.ts (simulated clock, historical data); a paper session wires the wall clock,
 * the synthetic market feed, the simulated exchange, the strategies and the kernel. Nothing else
 * constructs these parts, so there are no hidden singletons.
 *
 * openPaperSession builds the same paper session around a journal: it recovers the engine's state
 * from the journal (snapshot + tail), the simulated venue's own state from the journal's key-value
 * area, reconciles the two, and from then on every command is journaled before it reaches the
 * venue (WriteAheadExecutionClient) and every state change is journaled as it happens.
 */
import { LiveClock } from './core/clock.js';
import { Money, currency } from './core/money.js';
import { SyntheticFeed, type SyntheticConfig } from './data/index.js';
import type { BourseConfig } from './infra/config.js';
import type { AssetClass } from './model/enums.js';
import { Instrument } from './model/instrument.js';
import { attachRiskStack, type RiskStack } from './risk/attach.js';
import type { RiskSettings } from './risk/limits.js';
import type { LiveDataClient } from './data/ports.js';
import { TradingEngine } from './engine/trading-engine.js';
import { fixedLatency } from './execution/models.js';
import { SimulatedExchange } from './execution/simulated-exchange.js';
import { createStrategy } from './strategy/registry.js';
import type { Strategy } from './strategy/strategy.js';
import type { ExecutionClient } from './execution/ports.js';
import { RecordKind, type Journal, type JournalStore } from './persistence/journal.js';
import { openJournaledEngine, type RecoveryReport } from './persistence/journaled-engine.js';
import type { JournalRecorder } from './persistence/recorder.js';
import type { WriteAheadExecutionClient } from './persistence/write-ahead-client.js';
import type { ErrorClass } from './infra/retry.js';
import type { Component } from './infra/lifecycle.js';

export interface StrategyPreset {
  readonly name: string;
  readonly params?: Record<string, string | number | boolean>;
  readonly instruments?: string[];
}

export interface PaperPreset {
  readonly market: Omit<SyntheticConfig, 'startTs'>;
  readonly strategies: readonly StrategyPreset[];
  readonly capital: Money;
  readonly latencyMs?: number;
  readonly leverage?: number;
  /** Clock interval of P&L snapshots on the bus. */
  readonly pnlIntervalMs?: number;
  readonly risk: RiskSettings;
}

export interface PaperSession {
  readonly engine: TradingEngine;
  readonly clock: LiveClock;
  readonly feed: LiveDataClient;
  readonly venue: SimulatedExchange;
  readonly risk: RiskStack;
  start(): void;
  stop(): void;
}

export function createPaperSession(preset: PaperPreset): PaperSession {
  const clock = new LiveClock();
  const feed = new SyntheticFeed(preset.market, clock);
  const instruments = feed.instruments;
  const venue = new SimulatedExchange({
    clock,
    instruments,
    startingCash: preset.capital,
    latencyModel: fixedLatency(preset.latencyMs ?? 0),
    leverage: preset.leverage ?? 1,
  });
  const strategies = preset.strategies.map((s, i) => createStrategy(s.name, `${s.name}-${i + 1}`, s.params ?? {}, s.instruments));
  const engine = new TradingEngine({ clock, instruments, initialCapital: preset.capital, venue, strategies, pnlIntervalMs: preset.pnlIntervalMs ?? 1000 });
  const risk = attachRiskStack(engine, { leverage: preset.leverage, ...preset.risk });
  return {
    engine,
    clock,
    feed,
    venue,
    risk,
    start() {
      engine.start();
      feed.start((record) => engine.dispatch(record));
    },
    stop() {
      feed.stop();
      engine.stop();
      clock.cancelAll();
    },
  };
}

/** The instruments of the configured synthetic market. Throws ValueError naming a bad field. */
export function instrumentsFromConfig(market: BourseConfig['market']): Instrument[] {
  return market.instruments.map(
    (i) =>
      new Instrument({
        symbol: i.symbol,
        assetClass: i.assetClass.toUpperCase() as AssetClass,
        quoteCurrency: i.quoteCurrency,
        tickSize: i.tickSize,
        sizeStep: i.sizeStep,
        minSize: i.minSize,
        multiplier: i.multiplier,
        makerFee: i.makerFee,
        takerFee: i.takerFee,
      }),
  );
}

/** A paper-trading preset from the effective configuration. */
export function paperPresetFromConfig(cfg: BourseConfig): PaperPreset {
  const instruments = instrumentsFromConfig(cfg.market);
  const market: Omit<SyntheticConfig, 'startTs'> = {
    instruments: cfg.market.instruments.map((i, k) => ({
      instrument: instruments[k]!,
      initialPrice: Number(i.initialPrice),
      drift: i.drift,
      volatility: i.volatility,
      spreadBps: cfg.market.spreadBps,
    })),
    ...(cfg.market.correlation ? { correlation: cfg.market.correlation } : {}),
    intervalMs: cfg.market.quoteIntervalMs,
    seed: cfg.engine.seed,
  };
  return {
    market,
    strategies: cfg.strategies.map((s) => ({ name: s.name, params: s.params, ...(s.instruments ? { instruments: s.instruments } : {}) })),
    capital: Money.of(cfg.engine.initialCapital, currency(cfg.engine.baseCurrency)),
    latencyMs: cfg.engine.latencyMs,
    risk: cfg.risk,
  };
}

export interface JournalingOptions {
  /** The journal store (opened here if it is not yet). */
  readonly store: JournalStore;
  /** Records between engine snapshots (persistence.snapshotEvery). Default 1000. */
  readonly snapshotEvery?: number;
  /** When the venue disagrees with the journal at start-up: adopt its view (journaled) or refuse to start. Default 'halt'. */
  readonly onMismatch?: 'adopt' | 'halt';
  /** Keep the simulated venue's state in the journal so the session resumes where it stopped. Default true. */
  readonly persistVenue?: boolean;
  /** Strategy instances to run instead of the preset's (tests, benchmarks). */
  readonly strategies?: readonly Strategy[];
  /** Wraps the simulated exchange before the journal sees it (tests: a venue that times out). */
  readonly wrapVenue?: (exchange: SimulatedExchange) => ExecutionClient;
  /** How often ambiguous commands are retried (clock ms). Default 1000. */
  readonly ambiguousRetryMs?: number;
  /** Attach the risk stack (default true). */
  readonly risk?: boolean;
  /** Finished orders the simulated venue keeps queryable (default 10,000). */
  readonly venueOrdersKept?: number;
  readonly onJournalError?: (error: unknown, errorClass: ErrorClass) => void;
}

export interface JournaledPaperSession extends Omit<PaperSession, 'risk'> {
  readonly risk: RiskStack | undefined;
  readonly journal: Journal;
  readonly wal: WriteAheadExecutionClient;
  readonly recorder: JournalRecorder;
  readonly recovery: RecoveryReport;
  /**
   * Stops taking orders (the feed stops, then the strategies), cancels working orders if asked,
   * and waits until every command, venue answer and event is durable; records the stop.
   */
  shutdown(opts?: { cancelOrders?: boolean }): Promise<void>;
  /** Flushes and closes the journal (after shutdown). */
  close(): Promise<void>;
}

/**
 * Builds a paper session on a journal, recovering and reconciling first (see the module comment
 * and persistence/journaled-engine.ts). Throws ReconciliationError when the venue disagrees and
 * `onMismatch` is 'halt', and the store's errors when it cannot be opened or read.
 */
export async function openPaperSession(preset: PaperPreset, opts: JournalingOptions): Promise<JournaledPaperSession> {
  const clock = new LiveClock();
  const feed = new SyntheticFeed(preset.market, clock);
  let risk: RiskStack | undefined;
  const strategies = opts.strategies ?? preset.strategies.map((s, i) => createStrategy(s.name, `${s.name}-${i + 1}`, s.params ?? {}, s.instruments));
  const j = await openJournaledEngine({
    clock,
    instruments: feed.instruments,
    capital: preset.capital,
    store: opts.store,
    strategies,
    snapshotEvery: opts.snapshotEvery,
    onMismatch: opts.onMismatch,
    persistVenue: opts.persistVenue,
    exchange: { latencyModel: fixedLatency(preset.latencyMs ?? 0), leverage: preset.leverage ?? 1, ...(opts.venueOrdersKept ? { finishedOrdersKept: opts.venueOrdersKept } : {}) },
    wrapVenue: opts.wrapVenue,
    pnlIntervalMs: preset.pnlIntervalMs ?? 1000,
    attach: (engine) => {
      if (opts.risk !== false) risk = attachRiskStack(engine, { leverage: preset.leverage, ...preset.risk });
    },
    onJournalError: opts.onJournalError,
  });
  const { engine, journal, wal } = j;
  const saved = j.replay.risk;
  if (risk && saved && saved.state !== 'ACTIVE') risk.risk.setState(saved.state, `restored from the journal: ${saved.reason}`);
  if (risk) {
    // The daily loss and the drawdown go on counting from the bases of before the restart; bases
    // that moved while reconciling, before the journal listened, are journaled at once.
    const engineRisk = risk.risk;
    if (j.replay.riskBaselines) engineRisk.restoreBaselines(j.replay.riskBaselines);
    engineRisk.onBaselines((b) => j.recorder.recordRiskBaselines(b));
    const bases = engineRisk.baselines();
    if (bases) j.recorder.recordRiskBaselines(bases);
  }

  const retryMs = opts.ambiguousRetryMs ?? 1000;
  let retryTimer: { id: number } | undefined;
  let running = false;
  const scheduleRetry = (): void => {
    retryTimer = clock.setTimer(clock.now() + retryMs, () => {
      if (!running) return;
      if (engine.execution.ambiguousCommands().size > 0) engine.run(() => engine.execution.resolveAmbiguous());
      scheduleRetry();
    });
  };
  const stop = (): void => {
    if (!running) return;
    running = false;
    feed.stop();
    engine.stop();
    if (retryTimer) clock.cancelTimer(retryTimer);
  };
  return {
    engine,
    clock,
    feed,
    venue: j.exchange,
    risk,
    journal,
    wal,
    recorder: j.recorder,
    recovery: j.recovery,
    start() {
      running = true;
      engine.start();
      scheduleRetry();
      feed.start((record) => engine.dispatch(record));
    },
    stop() {
      stop();
      clock.cancelAll();
    },
    async shutdown(shutdownOpts = {}) {
      feed.stop();
      if (shutdownOpts.cancelOrders && running) engine.run(() => engine.execution.cancelAll());
      await wal.drain();
      stop();
      await wal.drain();
      journal.append(RecordKind.sessionStop, clock.now(), engine.portfolio.snapshot(clock.now()));
      await journal.flush();
      clock.cancelAll();
    },
    async close() {
      await journal.close();
    },
  };
}

/**
 * A journaled paper session as lifecycle components, for installShutdownHandlers: the journal
 * (stopped last: flushed and closed) and the session (stopped first: stops taking orders, cancels
 * working orders when `cancelOrdersOnShutdown`, waits until everything is durable).
 */
export function paperSessionComponents(session: JournaledPaperSession, opts: { cancelOrdersOnShutdown: boolean }): Component[] {
  const journal: Component = {
    name: 'journal',
    state: 'INITIALIZED',
    start: async () => undefined,
    stop: () => session.close(),
    health: () => ({ lag: session.journal.lag, durableSeq: session.journal.durableSeq, faulted: session.journal.isFaulted }),
  };
  const paper: Component = {
    name: 'paper-session',
    state: 'INITIALIZED',
    start: async () => session.start(),
    stop: () => session.shutdown({ cancelOrders: opts.cancelOrdersOnShutdown }),
    health: () => ({ working: session.engine.execution.workingOrders().length, ambiguous: session.engine.execution.ambiguousCommands().size }),
  };
  return [journal, paper];
}

/**
 * Assembles a TradingEngine on a journal over a simulated exchange, recovering first: replay the
 * journal (snapshot + tail), restore the exchange's own state from the journal's key-value area,
 * build the engine behind the write-ahead client, restore the replayed state into it, record the
 * session start, reconcile with the exchange, and record what recovery did (`recovery.done`).
 * From then on every command is journaled before it reaches the venue and every state change as it
 * happens. The kernel's paper session (live clock, synthetic feed) and the recovery tests
 * (simulated clock) are both built with it.
 */
import type { Clock } from '../core/clock.js';
import type { Money } from '../core/money.js';
import { TradingEngine } from '../engine/trading-engine.js';
import type { ExecutionClient } from '../execution/ports.js';
import { SimulatedExchange, type SimulatedExchangeOptions } from '../execution/simulated-exchange.js';
import type { ErrorClass } from '../infra/retry.js';
import type { Instrument } from '../model/instrument.js';
import type { Strategy } from '../strategy/strategy.js';
import { Journal, RecordKind, type JournalStore } from './journal.js';
import { JournalRecorder } from './recorder.js';
import { reconcileWithVenue, replayJournal, restoreEngine, type JournalReplay, type ReconcileReport, type ReplayCounts } from './recovery.js';
import { loadVenueState, persistVenueState } from './venue-state.js';
import { WriteAheadExecutionClient } from './write-ahead-client.js';

export interface JournaledEngineOptions {
  readonly clock: Clock;
  readonly instruments: readonly Instrument[];
  readonly capital: Money;
  /** The journal store (opened here). */
  readonly store: JournalStore;
  readonly strategies?: readonly Strategy[];
  /** Records between engine snapshots (persistence.snapshotEvery). Default 1000. */
  readonly snapshotEvery?: number;
  /** When the venue disagrees with the journal at start-up: adopt its view (journaled) or refuse to start. Default 'halt'. */
  readonly onMismatch?: 'adopt' | 'halt';
  /** Keep the simulated exchange's state in the journal so a session resumes where it stopped. Default true. */
  readonly persistVenue?: boolean;
  /** Simulated exchange settings (latency, leverage, models). */
  readonly exchange?: Omit<SimulatedExchangeOptions, 'clock' | 'instruments' | 'startingCash'>;
  /** Wraps the exchange before the journal sees it (tests: a venue that times out). */
  readonly wrapVenue?: (exchange: SimulatedExchange) => ExecutionClient;
  readonly pnlIntervalMs?: number;
  /** Attaches components (risk) to the engine before reconciliation, so they see its events. */
  readonly attach?: (engine: TradingEngine) => void;
  readonly onJournalError?: (error: unknown, errorClass: ErrorClass) => void;
}

/** What start-up recovery found and did. */
export interface RecoveryReport {
  readonly snapshotSeq: number | undefined;
  readonly lastSeq: number;
  readonly replayed: ReplayCounts;
  readonly ordersRestored: number;
  readonly venueStateRestored: boolean;
  readonly reconcile: ReconcileReport;
  readonly durationMs: number;
}

export interface JournaledEngine {
  readonly engine: TradingEngine;
  readonly exchange: SimulatedExchange;
  readonly wal: WriteAheadExecutionClient;
  readonly journal: Journal;
  readonly recorder: JournalRecorder;
  readonly replay: JournalReplay;
  readonly recovery: RecoveryReport;
}

/**
 * Builds, recovers and reconciles (see the module comment). Throws ReconciliationError when the
 * venue disagrees and `onMismatch` is 'halt', JournalFormatError for a corrupt journal, and the
 * store's errors when it cannot be opened or read.
 */
export async function openJournaledEngine(opts: JournaledEngineOptions): Promise<JournaledEngine> {
  const started = performance.now();
  const { clock, instruments, store } = opts;
  await store.open();
  const replay = await replayJournal(store, { instruments });
  const journal = new Journal({ store, clock, lastSeq: replay.lastSeq, snapshotEvery: opts.snapshotEvery ?? 1000, onError: opts.onJournalError });
  const exchange = new SimulatedExchange({ ...opts.exchange, clock, instruments, startingCash: opts.capital });
  let venueStateRestored = false;
  if (opts.persistVenue ?? true) {
    const saved = await loadVenueState(store, exchange.venue);
    if (saved) {
      exchange.importState(saved);
      venueStateRestored = true;
    }
    persistVenueState(exchange, journal);
  }
  const wal = new WriteAheadExecutionClient(opts.wrapVenue ? opts.wrapVenue(exchange) : exchange, journal, clock);
  const engine = new TradingEngine({ clock, instruments, initialCapital: opts.capital, venue: wal, strategies: opts.strategies ?? [], pnlIntervalMs: opts.pnlIntervalMs ?? 0 });
  opts.attach?.(engine);
  const recorder = new JournalRecorder(engine, journal, wal, replay);
  // A command the venue threw on is ambiguous: the gateway resolves it by a query before any resend.
  wal.onCommandError = (cmd, error) => {
    const id = cmd.kind === 'submit' ? cmd.order.clientOrderId : cmd.clientOrderId;
    engine.execution.markAmbiguous(id, cmd.kind, error, cmd.kind === 'modify' ? cmd.changes : undefined);
  };
  restoreEngine(engine, replay);
  recorder.recordSessionStart(wal.venue);
  const reconcile = await reconcileWithVenue(engine, wal, journal, replay, { onMismatch: opts.onMismatch ?? 'halt', marks: exchange.marks() });
  const recovery: RecoveryReport = {
    snapshotSeq: replay.snapshotSeq,
    lastSeq: replay.lastSeq,
    replayed: replay.counts,
    ordersRestored: replay.orders.size,
    venueStateRestored,
    reconcile,
    durationMs: Math.round(performance.now() - started),
  };
  journal.append(RecordKind.recovered, clock.now(), { ...recovery, marks: reconcile.marks });
  await journal.flush();
  return { engine, exchange, wal, journal, recorder, replay, recovery };
}

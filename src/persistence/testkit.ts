/**
 * Test support for the journal and recovery tests (test-only; nothing in src imports it): a
 * journaled engine over the simulated exchange on a simulated clock, driven by a seeded synthetic
 * market and the churn load generator, and the checks every recovery test makes — comparable
 * state summaries, and "every journaled submit is at the venue exactly once".
 */
import { SimulatedClock } from '../core/clock.js';
import { Money, USD } from '../core/money.js';
import { BTC_USD, ETH_USD, SOL_USD, defaultSyntheticConfig } from '../data/builtin-instruments.js';
import { SyntheticMarket } from '../data/synthetic.js';
import type { MatchingVenue } from '../engine/trading-engine.js';
import type { ExecutionClient, OrderModification, VenueAccount, VenueEvent, VenueOrderStatus, VenueOrderTerms } from '../execution/ports.js';
import type { OrderFilled } from '../model/order-events.js';
import type { SimulatedExchange } from '../execution/simulated-exchange.js';
import type { MarketData } from '../model/data.js';
import type { Order } from '../model/order.js';
import type { Portfolio } from '../portfolio/portfolio.js';
import { ChurnStrategy } from '../../test/recovery/churn-strategy.js';
import pg from 'pg';
import type { JournalStore } from './journal.js';
import { openJournaledEngine, type JournaledEngine } from './journaled-engine.js';
import { replayJournal, type JournalReplay } from './recovery.js';

export const INSTRUMENTS = [BTC_USD, ETH_USD, SOL_USD];
export const CAPITAL = Money.of('100000', USD);
export const T0 = Date.UTC(2024, 0, 2, 10, 0, 0);

/** A seeded synthetic market: `steps` quote steps a second apart for the three crypto pairs. */
export function marketRecords(seed: number, steps: number, startTs = T0): MarketData[] {
  const cfg = { ...defaultSyntheticConfig(startTs, seed), intervalMs: 1000, tradeProbability: 0 };
  return [...new SyntheticMarket(cfg, steps).records()];
}

export interface RigOptions {
  readonly seed: number;
  readonly snapshotEvery?: number;
  readonly ordersPerQuote?: number;
  readonly startTs?: number;
  readonly wrapVenue?: (exchange: SimulatedExchange) => ExecutionClient;
  readonly onMismatch?: 'adopt' | 'halt';
  readonly latencyMs?: number;
}

export interface Rig extends JournaledEngine {
  readonly clock: SimulatedClock;
  readonly strategy: ChurnStrategy;
  /** Dispatches records until the journal faults (a simulated crash); returns how many were dispatched. */
  drive(records: readonly MarketData[]): number;
}

/** A journaled engine on `store`, recovered from it, started. */
export async function openRig(store: JournalStore, opts: RigOptions): Promise<Rig> {
  const clock = new SimulatedClock(opts.startTs ?? T0);
  const strategy = new ChurnStrategy('churn', { seed: opts.seed, ordersPerQuote: opts.ordersPerQuote ?? 1 });
  const j = await openJournaledEngine({
    clock,
    instruments: INSTRUMENTS,
    capital: CAPITAL,
    store,
    strategies: [strategy],
    snapshotEvery: opts.snapshotEvery ?? 50,
    onMismatch: opts.onMismatch ?? 'halt',
    // Keep every order queryable at the venue, so tests can see all of them.
    exchange: { finishedOrdersKept: 1_000_000, ...(opts.latencyMs ? { latencyModel: { latencyMs: () => opts.latencyMs! } } : {}) },
    ...(opts.wrapVenue ? { wrapVenue: opts.wrapVenue } : {}),
  });
  j.engine.start();
  return {
    ...j,
    clock,
    strategy,
    drive(records) {
      let n = 0;
      for (const r of records) {
        if (j.journal.isFaulted) break;
        clock.advanceTo(r.ts);
        j.engine.dispatch(r);
        n++;
      }
      return n;
    },
  };
}

/** A comparable view of an accounting state: cash, positions, P&L and unfinished orders. */
export function stateSummary(portfolio: Portfolio, orders: Iterable<Order>, marks: ReadonlyMap<string, number>): unknown {
  for (const [id, raw] of marks) portfolio.markRaw(id, raw);
  const state = portfolio.exportState();
  const snap = portfolio.snapshot(0);
  const open = [...orders].filter((o) => !o.isTerminal).map((o) => o.toState());
  open.sort((a, b) => (a.clientOrderId < b.clientOrderId ? -1 : 1));
  return {
    cash: state.cashRaw,
    closedCount: state.closedCount,
    positions: [...state.positions].sort((a, b) => (a.instrumentId < b.instrumentId ? -1 : 1)),
    pnl: { equity: snap.equity.toDecimal(), realized: snap.realized.toDecimal(), unrealized: snap.unrealized.toDecimal(), fees: snap.fees.toDecimal() },
    orders: open,
  };
}

/** The venue's marks as a map (for stateSummary). */
export function marksOf(exchange: SimulatedExchange): Map<string, number> {
  return exchange.marks();
}

export interface VenueAudit {
  /** Client order ids journaled as submitted. */
  readonly journaled: number;
  /** Journaled submits the venue does not have. */
  readonly missing: string[];
  /** Orders at the venue the journal never submitted. */
  readonly unjournaled: string[];
  /** Submits the venue received more than once for one client order id (from its order counter). */
  readonly duplicates: number;
}

/**
 * Checks the write-ahead promise against the venue: every journaled submit is at the venue, the
 * venue has nothing the journal lacks, and it received each client order id once (its order
 * counter equals the number of orders it holds — it must keep every order, see openRig).
 */
export async function auditVenue(store: JournalStore, exchange: SimulatedExchange): Promise<VenueAudit & { replay: JournalReplay }> {
  const replay = await replayJournal(store, { instruments: INSTRUMENTS, ignoreSnapshots: true, collectSubmits: true });
  const submitted = replay.submitted!;
  const state = exchange.exportState();
  const atVenue = new Set(state.orders.map((o) => o.clientOrderId));
  return {
    replay,
    journaled: submitted.size,
    missing: [...submitted].filter((id) => !atVenue.has(id)),
    unjournaled: [...atVenue].filter((id) => !submitted.has(id)),
    duplicates: state.meta.nextOrderNo - 1 - state.orders.length,
  };
}

/**
 * A transparent wrapper around the simulated exchange (a MatchingVenue); tests override what they
 * need: `deliver` sees every venue event on its way to the engine.
 */
export class VenueWrapper implements MatchingVenue {
  constructor(readonly exchange: SimulatedExchange) {}

  get venue(): string {
    return this.exchange.venue;
  }

  connect(report: (e: VenueEvent) => void): void {
    this.exchange.connect((e) => this.deliver(e, report));
  }

  protected deliver(e: VenueEvent, report: (e: VenueEvent) => void): void {
    report(e);
  }

  submit(order: Readonly<Order>): void {
    this.exchange.submit(order);
  }

  cancel(id: string): void {
    this.exchange.cancel(id);
  }

  modify(id: string, changes: OrderModification): void {
    this.exchange.modify(id, changes);
  }

  queryOrder(id: string): VenueOrderStatus | undefined {
    return this.exchange.queryOrder(id);
  }

  queryFills(id: string): readonly OrderFilled[] | undefined {
    return this.exchange.queryFills(id);
  }

  queryOrderTerms(id: string): VenueOrderTerms | undefined {
    return this.exchange.queryOrderTerms(id);
  }

  queryAccount(): VenueAccount {
    return this.exchange.queryAccount();
  }

  onMarketData(record: MarketData): void {
    this.exchange.onMarketData(record);
  }

  flush(): void {
    this.exchange.flush();
  }
}

export const TEST_POSTGRES_URL = process.env.BOURSE_TEST_POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432/test';

/**
 * Whether the PostgreSQL tests run: always when CI=true (they then fail if the server is down);
 * otherwise only when the server answers, with a message saying they were skipped.
 */
export async function postgresTestsEnabled(suite: string): Promise<boolean> {
  if (process.env.CI === 'true') return true;
  const client = new pg.Client({ connectionString: TEST_POSTGRES_URL, connectionTimeoutMillis: 3000 });
  try {
    await client.connect();
    await client.query('SELECT 1');
    return true;
  } catch {
    console.warn(`${suite}: PostgreSQL at ${TEST_POSTGRES_URL} is unreachable; skipped (it runs, and fails, when CI=true)`);
    return false;
  } finally {
    await client.end().catch(() => undefined);
  }
}

/**
 * Recovery: rebuilding the engine's state from the journal, then reconciling it with the venue.
 *
 * 1. Replay (JournalReplay): start from the latest snapshot (or from nothing), then apply every
 *    later record in order. Orders are rebuilt through Order.apply, so no state is ever written
 *    over; fills go to a Portfolio, each trade id once (a fill recorded twice, or again out of
 *    order, counts once). Replaying the whole journal gives exactly the state a snapshot plus its
 *    tail gives (recovery.test.ts proves it).
 * 2. Restore (restoreEngine): the portfolio state, the unfinished orders, the id counter and the
 *    known trade ids go into a fresh engine without publishing anything.
 * 3. Reconcile (reconcileWithVenue): every unfinished order is put to the venue by client order id
 *    (ExecutionEngine.reconcileOrder): commands the venue never saw are sent again — an ambiguous
 *    submit is resolved by this query before any resend, so no order is duplicated — and events
 *    the journal missed (acks, amends, fills by trade id, ends) are applied and journaled. Then
 *    cash and positions are compared with the venue's account: a difference is either adopted
 *    (journaled as a `portfolio.adjust` record, which replay applies too) or stops the start-up
 *    with a ReconciliationError naming every difference, per `onMismatch`.
 */
import { divRound, formatDecimal } from '../core/decimal.js';
import { Money, currencyOf } from '../core/money.js';
import type { TradingEngine } from '../engine/trading-engine.js';
import type { ReconcileResult } from '../execution/execution-engine.js';
import type { VenueAccount } from '../execution/ports.js';
import { Instrument } from '../model/instrument.js';
import type { OrderFilled } from '../model/order-events.js';
import { Order } from '../model/order.js';
import { Portfolio, type PortfolioState } from '../portfolio/portfolio.js';
import type { PositionState } from '../portfolio/position.js';
import type { RiskBaselines } from '../risk/risk-engine.js';
import { JournalFormatError, eventFromJson, modificationOf, orderFromRecord, quantityOf, type ModifyRecord, type OrderRecord } from './codec.js';
import { RecordKind, type Journal, type JournalRecord, type JournalSnapshot, type JournalStore } from './journal.js';
import type { EngineState, RiskStateRecord, SessionStartRecord } from './recorder.js';
import type { WriteAheadExecutionClient } from './write-ahead-client.js';

/** Start-up stopped: the venue's state differs from the journal's and the policy is to halt. */
export class ReconciliationError extends Error {
  override readonly name = 'ReconciliationError';
  constructor(readonly differences: readonly string[]) {
    super(`the venue disagrees with the journal; not starting:\n${differences.map((d) => `  - ${d}`).join('\n')}`);
  }
}

/** What a `portfolio.adjust` record holds: the new cash and the new state of each adjusted position. */
export interface PortfolioAdjustRecord {
  readonly reason: string;
  readonly cashRaw: string;
  readonly positions: readonly PositionState[];
  readonly differences: readonly string[];
}

export interface ReplayCounts {
  records: number;
  orderEvents: number;
  fills: number;
  /** Fills skipped because their trade id was already applied. */
  duplicateFills: number;
  /** Events the order refused (should be 0: the journal holds applied events only). */
  invalidEvents: number;
  /** Events for an order not in the replay (should be 0). */
  orphanEvents: number;
  submits: number;
  adjustments: number;
}

export interface ReplayOptions {
  /** Instruments to replay with (default: those in the snapshot or the session.start record). */
  instruments?: readonly Instrument[];
  /** Replay every record from the start instead of from the latest snapshot. */
  ignoreSnapshots?: boolean;
  /** Stop after this seq (inclusive). */
  untilSeq?: number;
  /** Collect the client order id of every `cmd.submit` (verification). */
  collectSubmits?: boolean;
}

/** The replayed state: the portfolio, unfinished orders and the bookkeeping to continue from. */
export class JournalReplay {
  portfolio: Portfolio | undefined;
  readonly instruments = new Map<string, Instrument>();
  /** Unfinished orders (finished ones are dropped as they finish). */
  readonly orders = new Map<string, Order>();
  readonly tradeIds = new Map<string, string[]>();
  readonly pendingModify = new Map<string, ModifyRecord>();
  /** Client order ids of every submit journaled (with collectSubmits). */
  readonly submitted: Set<string> | undefined;
  nextId = 1;
  risk: RiskStateRecord | undefined;
  riskBaselines: RiskBaselines | undefined;
  lastSeq = 0;
  snapshotSeq: number | undefined;
  /** The marks recorded by the last recovery (applied to the portfolio). */
  lastRecoveryMarks: Record<string, number> | undefined;
  readonly counts: ReplayCounts = { records: 0, orderEvents: 0, fills: 0, duplicateFills: 0, invalidEvents: 0, orphanEvents: 0, submits: 0, adjustments: 0 };

  constructor(instruments: readonly Instrument[] = [], collectSubmits = false) {
    for (const i of instruments) this.instruments.set(i.id, i);
    this.submitted = collectSubmits ? new Set() : undefined;
  }

  /** Starts from a snapshot. Throws JournalFormatError for a malformed one. */
  loadSnapshot(snapshot: JournalSnapshot): void {
    const state = JSON.parse(snapshot.state) as EngineState;
    if (state.version !== 1) throw new JournalFormatError(`snapshot ${snapshot.seq} has unknown version ${String(state.version)}`);
    if (this.instruments.size === 0) for (const spec of state.instruments) this.addInstrument(new Instrument(spec));
    const p = state.portfolio;
    this.portfolio = new Portfolio(Money.of(p.initialCapital, currencyOf(p.currency)), this.instruments.values());
    const tradeIds = Object.values(state.tradeIds).flat();
    this.portfolio.importState(p, tradeIds);
    this.orders.clear();
    for (const s of state.orders) this.orders.set(s.clientOrderId, Order.fromState(s));
    this.tradeIds.clear();
    for (const [id, ids] of Object.entries(state.tradeIds)) this.tradeIds.set(id, [...ids]);
    this.pendingModify.clear();
    for (const [id, m] of Object.entries(state.pendingModify)) this.pendingModify.set(id, m);
    this.nextId = state.nextId;
    this.risk = state.risk;
    this.riskBaselines = state.riskBaselines === undefined ? undefined : riskBaselinesOf(state.riskBaselines, `snapshot ${snapshot.seq}`);
    this.lastSeq = snapshot.seq;
    this.snapshotSeq = snapshot.seq;
  }

  /** Applies one record. Throws JournalFormatError for a malformed record. */
  apply(r: JournalRecord): void {
    this.counts.records++;
    this.lastSeq = r.seq;
    switch (r.kind) {
      case RecordKind.orderEvent:
        this.applyEvent(r);
        break;
      case RecordKind.orderCreated: {
        const rec = JSON.parse(r.data) as OrderRecord;
        this.orders.set(rec.clientOrderId, orderFromRecord(rec));
        if (rec.n !== undefined && rec.n > this.nextId) this.nextId = rec.n;
        break;
      }
      case RecordKind.submit: {
        const rec = JSON.parse(r.data) as OrderRecord;
        this.counts.submits++;
        this.submitted?.add(rec.clientOrderId);
        // A bracket exit is sized to its entry's fill when sent: the submit carries that size.
        const order = this.orders.get(rec.clientOrderId);
        if (order && !order.isTerminal && rec.quantity !== order.quantity.toString()) order.quantity = quantityOf(rec.quantity);
        break;
      }
      case RecordKind.modify: {
        const rec = JSON.parse(r.data) as ModifyRecord;
        if (this.orders.has(rec.clientOrderId)) this.pendingModify.set(rec.clientOrderId, rec);
        break;
      }
      case RecordKind.riskState: {
        const rec = JSON.parse(r.data) as RiskStateRecord;
        this.risk = { state: rec.state, reason: rec.reason };
        break;
      }
      case RecordKind.riskBaselines:
        this.riskBaselines = riskBaselinesOf(JSON.parse(r.data), `record ${r.seq}`);
        break;
      case RecordKind.sessionStart: {
        const rec = JSON.parse(r.data) as SessionStartRecord;
        if (this.instruments.size === 0) for (const spec of rec.instruments) this.addInstrument(new Instrument(spec));
        this.portfolio ??= new Portfolio(Money.of(rec.initialCapital, currencyOf(rec.currency)), this.instruments.values());
        break;
      }
      case RecordKind.portfolioAdjust: {
        this.counts.adjustments++;
        adjustPortfolio(this.requirePortfolio(r.seq), JSON.parse(r.data) as PortfolioAdjustRecord);
        break;
      }
      case RecordKind.recovered: {
        const rec = JSON.parse(r.data) as { marks?: Record<string, number> };
        if (rec.marks) {
          this.lastRecoveryMarks = rec.marks;
          for (const [id, raw] of Object.entries(rec.marks)) this.portfolio?.markRaw(id, raw);
        }
        break;
      }
      default:
    }
  }

  /** Every trade id of the unfinished orders' fills. */
  allTradeIds(): string[] {
    return [...this.tradeIds.values()].flat();
  }

  private applyEvent(r: JournalRecord): void {
    this.counts.orderEvents++;
    const event = eventFromJson(JSON.parse(r.data) as Record<string, unknown>, this.instruments, r.seq);
    const order = this.orders.get(event.clientOrderId);
    if (!order) {
      this.counts.orphanEvents++;
      return;
    }
    if (event.type === 'OrderFilled') {
      const ids = this.tradeIds.get(order.clientOrderId);
      if (ids?.includes(event.tradeId)) {
        this.counts.duplicateFills++;
        return;
      }
    }
    if (order.apply(event)) {
      this.counts.invalidEvents++;
      return;
    }
    const id = order.clientOrderId;
    if (event.type === 'OrderFilled') {
      this.counts.fills++;
      const outcome = this.requirePortfolio(r.seq).applyFill(event as OrderFilled);
      if (!outcome) this.counts.duplicateFills++;
      const ids = this.tradeIds.get(id);
      if (ids) ids.push(event.tradeId);
      else this.tradeIds.set(id, [event.tradeId]);
    } else if (event.type === 'OrderUpdated' || event.type === 'OrderModifyRejected') {
      this.pendingModify.delete(id);
    }
    if (order.isTerminal) {
      this.orders.delete(id);
      this.tradeIds.delete(id);
      this.pendingModify.delete(id);
    }
  }

  private addInstrument(i: Instrument): void {
    this.instruments.set(i.id, i);
  }

  private requirePortfolio(seq: number): Portfolio {
    if (!this.portfolio) throw new JournalFormatError(`record ${seq} needs the account, but no session.start record or snapshot precedes it`);
    return this.portfolio;
  }
}

/** Risk baselines read from the journal; throws JournalFormatError naming `where` when malformed. */
function riskBaselinesOf(value: unknown, where: string): RiskBaselines {
  const b = value as Partial<RiskBaselines> | null;
  const amount = (x: unknown) => typeof x === 'string' && /^-?\d+$/.test(x);
  if (b === null || typeof b !== 'object' || typeof b.day !== 'string' || !amount(b.dayStartEquityRaw) || !amount(b.peakEquityRaw)) {
    throw new JournalFormatError(`${where}: malformed risk baselines ${JSON.stringify(value)}`);
  }
  return { day: b.day, dayStartEquityRaw: b.dayStartEquityRaw!, peakEquityRaw: b.peakEquityRaw! };
}

/**
 * Replays a store: the latest snapshot (unless told not to) and every record after it.
 * Throws JournalFormatError for a malformed record.
 */
export async function replayJournal(store: JournalStore, opts: ReplayOptions = {}): Promise<JournalReplay> {
  const replay = new JournalReplay(opts.instruments ?? [], opts.collectSubmits ?? false);
  const snapshot = opts.ignoreSnapshots ? undefined : await store.latestSnapshot();
  const until = opts.untilSeq ?? Infinity;
  if (snapshot && snapshot.seq <= until) replay.loadSnapshot(snapshot);
  const reader = store as JournalStore & { readSync?: (after: number, limit: number) => JournalRecord[] };
  let after = replay.lastSeq;
  const pageSize = 20_000;
  for (;;) {
    const page = reader.readSync ? reader.readSync(after, pageSize) : await store.read(after, pageSize);
    for (const r of page) {
      if (r.seq > until) return replay;
      replay.apply(r);
    }
    if (page.length < pageSize) return replay;
    after = page[page.length - 1]!.seq;
  }
}

/** Puts a replayed state into a fresh engine (before it starts): nothing is published. */
export function restoreEngine(engine: TradingEngine, replay: JournalReplay): void {
  const tradeIds = replay.allTradeIds();
  if (replay.portfolio) engine.portfolio.importState(replay.portfolio.exportState(), tradeIds);
  engine.execution.restore(replay.orders.values(), { nextId: replay.nextId, tradeIds });
}

export interface ReconcileOptions {
  /** Adopt the venue's cash and positions when they differ (journaled), or refuse to start. */
  onMismatch: 'adopt' | 'halt';
  /** Mark prices to apply after reconciliation (e.g. a simulated venue's book), raw by instrument. */
  marks?: ReadonlyMap<string, number> | undefined;
}

export interface ReconcileReport {
  readonly orders: number;
  readonly outcomes: Readonly<Record<ReconcileResult['outcome'], number>>;
  readonly resent: { submit: number; cancel: number; modify: number };
  /** Fills the journal lacked, applied from the venue. */
  readonly fillsApplied: number;
  /** Events (acks, amends, triggers, ends) the journal lacked, applied from the venue. */
  readonly eventsApplied: number;
  /** Order, cash and position differences found. */
  readonly differences: readonly string[];
  readonly adopted: boolean;
  readonly accountChecked: boolean;
  readonly marks: Record<string, number>;
}

/**
 * Reconciles a restored engine with its venue (see the module comment), through the write-ahead
 * client so that every resend is journaled first. Resolves once every resend is durable and the
 * venue has answered what it could. Throws ReconciliationError when the policy is 'halt' and the
 * venue disagrees.
 */
export async function reconcileWithVenue(engine: TradingEngine, wal: WriteAheadExecutionClient, journal: Journal, replay: JournalReplay, opts: ReconcileOptions): Promise<ReconcileReport> {
  const outcomes: Record<ReconcileResult['outcome'], number> = { 'in-sync': 0, updated: 0, resent: 0, 'query-failed': 0, 'unknown-at-venue': 0, unreconcilable: 0, 'not-working': 0 };
  const resent = { submit: 0, cancel: 0, modify: 0 };
  const differences: string[] = [];
  let fillsApplied = 0;
  let eventsApplied = 0;
  // Orders sent by this reconciliation (a bracket's exits, once its entry's missing fill is
  // applied) are not reconciled again: the venue cannot know them yet, and they are not lost.
  const ids = [...replay.orders.values()].filter((o) => o.status !== 'INITIALIZED').map((o) => o.clientOrderId);
  const execution = engine.execution;
  engine.run(() => {
    for (const id of ids) {
      const pending = replay.pendingModify.get(id);
      const result = execution.reconcileOrder(id, { pendingModify: pending && modificationOf(pending), cancelIfUnknown: opts.onMismatch === 'adopt' });
      outcomes[result.outcome]++;
      if (result.resent) resent[result.resent]++;
      for (const t of result.applied) t === 'OrderFilled' ? fillsApplied++ : eventsApplied++;
      if (result.outcome === 'query-failed') {
        // The venue could not be asked: leave it to the ambiguous-command resolution.
        const order = execution.status(id);
        const command = order?.status === 'PENDING_CANCEL' ? 'cancel' : order?.status === 'PENDING_UPDATE' ? 'modify' : 'submit';
        execution.markAmbiguous(id, command, new Error(result.message ?? 'query failed'), pending && modificationOf(pending));
      } else if (result.outcome === 'unknown-at-venue' || result.outcome === 'unreconcilable') {
        differences.push(result.message ?? `order ${id}: ${result.outcome}`);
      }
    }
  });
  await wal.drain();
  if (differences.length > 0 && opts.onMismatch === 'halt') throw new ReconciliationError(differences);

  let accountChecked = false;
  let adopted = false;
  const inner = wal.inner;
  if (inner.queryAccount && outcomes['query-failed'] === 0) {
    accountChecked = true;
    const account = inner.queryAccount();
    const accountDiffs = compareAccount(engine, account);
    if (accountDiffs.length > 0) {
      differences.push(...accountDiffs);
      if (opts.onMismatch === 'halt') throw new ReconciliationError(differences);
      const record = adoptAccount(engine, account, accountDiffs);
      journal.append(RecordKind.portfolioAdjust, engine.clock.now(), record);
      adjustPortfolio(engine.portfolio, record);
      adopted = true;
    }
  }
  const marks: Record<string, number> = {};
  for (const [id, raw] of opts.marks ?? []) {
    if (!engine.instruments.has(id)) continue;
    engine.portfolio.markRaw(id, raw);
    marks[id] = raw;
  }
  return { orders: ids.length, outcomes, resent, fillsApplied, eventsApplied, differences, adopted, accountChecked, marks };
}

/** Differences between the portfolio and the venue account, one line each (exact: any raw difference counts). */
export function compareAccount(engine: TradingEngine, account: VenueAccount): string[] {
  const out: string[] = [];
  const p = engine.portfolio;
  if (account.cash.currency.code !== p.currency.code) return [`venue cash is in ${account.cash.currency.code}, the portfolio in ${p.currency.code}`];
  if (account.cash.raw !== p.cashRaw) out.push(`cash: journal ${Money.fromRaw(p.cashRaw, p.currency)}, venue ${account.cash}`);
  const ids = new Set<string>([...account.netQtyRaw.keys()]);
  for (const pos of p.allPositions()) if (pos.qtyRaw !== 0) ids.add(pos.instrument.id);
  for (const id of ids) {
    const venue = account.netQtyRaw.get(id) ?? 0;
    const pos = p.position(id);
    if (!pos) {
      out.push(`position in ${id}: unknown instrument, venue holds raw ${venue}`);
      continue;
    }
    if (pos.qtyRaw !== venue) {
      const precision = pos.instrument.sizePrecision;
      out.push(`position in ${id}: journal ${formatDecimal(pos.qtyRaw, precision)}, venue ${formatDecimal(venue, precision)}`);
    }
  }
  return out;
}

/**
 * The adjustment that makes the portfolio hold the venue's cash and positions. A position keeps
 * its average cost when it only shrinks or grows on the same side; a new or flipped one is costed
 * at its mark (or opens at zero cost without one).
 */
function adoptAccount(engine: TradingEngine, account: VenueAccount, differences: readonly string[]): PortfolioAdjustRecord {
  const p = engine.portfolio;
  const positions: PositionState[] = [];
  for (const pos of p.allPositions()) {
    const venue = account.netQtyRaw.get(pos.instrument.id) ?? 0;
    if (venue === pos.qtyRaw) continue;
    const s = pos.exportState();
    // Cost basis (minor units) and open value (price × size raw, for the average price) alike.
    let costRaw: bigint;
    let openValueRaw: bigint;
    if (venue === 0) costRaw = openValueRaw = 0n;
    else if (pos.qtyRaw !== 0 && Math.sign(venue) === Math.sign(pos.qtyRaw)) {
      const held = BigInt(Math.abs(pos.qtyRaw));
      costRaw = divRound(pos.costRaw * BigInt(Math.abs(venue)), held);
      openValueRaw = divRound(pos.openValueRaw * BigInt(Math.abs(venue)), held);
    } else {
      costRaw = pos.markRaw === undefined ? 0n : pos.instrument.notionalRaw(pos.markRaw, venue);
      openValueRaw = BigInt(pos.markRaw ?? 0) * BigInt(Math.abs(venue));
    }
    const sameSideLife = s.life && venue !== 0 && Math.sign(venue) === Math.sign(pos.qtyRaw);
    const life: PositionState['life'] =
      venue === 0
        ? undefined
        : sameSideLife
          ? s.life
          : {
              side: venue > 0 ? 'LONG' : 'SHORT',
              strategyId: 'reconciliation',
              openedAt: engine.clock.now(),
              maxQtyRaw: Math.abs(venue),
              entryValueRaw: openValueRaw.toString(),
              entryQtyRaw: Math.abs(venue),
              exitValueRaw: '0',
              exitQtyRaw: 0,
              realizedRaw: '0',
              feesRaw: '0',
            };
    positions.push({ ...s, qtyRaw: venue, costRaw: costRaw.toString(), openValueRaw: openValueRaw.toString(), ...(life ? { life } : { life: undefined }) });
  }
  return { reason: 'venue account adopted at reconciliation', cashRaw: account.cash.raw.toString(), positions, differences };
}

/** Applies a `portfolio.adjust` record (at reconciliation, and again when replaying it). */
export function adjustPortfolio(portfolio: Portfolio, record: PortfolioAdjustRecord): void {
  const state = portfolio.exportState();
  const byId = new Map(state.positions.map((s) => [s.instrumentId, s]));
  for (const s of record.positions) byId.set(s.instrumentId, s);
  const next: PortfolioState = { ...state, cashRaw: record.cashRaw, positions: [...byId.values()] };
  portfolio.importState(next);
}

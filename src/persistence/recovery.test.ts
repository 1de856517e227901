/**
 * Recovery: a snapshot plus its tail replays to exactly the live state; a crash at any point (the
 * venue ahead of or behind the journal) recovers with nothing lost or duplicated and the portfolio
 * equal to the venue and to a full replay; ambiguous submits (a venue that times out) never
 * duplicate an order; fills delivered twice or out of order count once.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { SimulatedClock } from '../core/clock.js';
import { Random } from '../core/random.js';
import { TradingEngine } from '../engine/trading-engine.js';
import { SimulatedExchange } from '../execution/simulated-exchange.js';
import type { VenueEvent } from '../execution/ports.js';
import type { Order } from '../model/order.js';
import { MemoryJournalStore } from './memory-journal.js';
import { RecordKind, type JournalRecord } from './journal.js';
import { JournalReplay, replayJournal } from './recovery.js';
import { CAPITAL, INSTRUMENTS, T0, VenueWrapper, auditVenue, marketRecords, openRig, stateSummary, type Rig } from './testkit.js';

/** Checks the promises after a recovery: nothing lost or duplicated, portfolio = venue = full replay. */
async function checkRecovered(store: MemoryJournalStore, rig: Rig): Promise<void> {
  const audit = await auditVenue(store, rig.exchange);
  expect(audit.missing).toEqual([]);
  expect(audit.unjournaled).toEqual([]);
  expect(audit.duplicates).toBe(0);
  const account = rig.exchange.queryAccount();
  expect(rig.engine.portfolio.cashRaw).toBe(account.cash.raw);
  for (const inst of INSTRUMENTS) expect(rig.engine.portfolio.netQtyRaw(inst.id)).toBe(account.netQtyRaw.get(inst.id) ?? 0);
  const marks = rig.exchange.marks();
  const full = audit.replay;
  expect(full.counts.invalidEvents).toBe(0);
  expect(full.counts.orphanEvents).toBe(0);
  expect(stateSummary(full.portfolio!, full.orders.values(), marks)).toEqual(stateSummary(rig.engine.portfolio, rig.engine.execution.allOrders(), marks));
}

describe('replay', () => {
  it('a snapshot plus its tail, the whole journal, and the journal pruned before the snapshot replay to exactly the live state', async () => {
    await fc.assert(
      fc.asyncProperty(fc.integer({ min: 1, max: 1_000_000 }), fc.integer({ min: 7, max: 120 }), async (seed, snapshotEvery) => {
        const store = new MemoryJournalStore();
        const rig = await openRig(store, { seed, snapshotEvery });
        rig.drive(marketRecords(seed, 150));
        await rig.journal.flush();
        const fromSnapshot = await replayJournal(store, { instruments: INSTRUMENTS });
        const full = await replayJournal(store, { instruments: INSTRUMENTS, ignoreSnapshots: true });
        expect(fromSnapshot.snapshotSeq).toBeGreaterThan(0);
        expect(fromSnapshot.counts.records).toBeLessThan(full.counts.records);
        const marks = rig.exchange.marks();
        const live = stateSummary(rig.engine.portfolio, rig.engine.execution.allOrders(), marks);
        expect(stateSummary(fromSnapshot.portfolio!, fromSnapshot.orders.values(), marks)).toEqual(live);
        expect(stateSummary(full.portfolio!, full.orders.values(), marks)).toEqual(live);
        expect(fromSnapshot.nextId).toBe(rig.engine.execution.idCounter);
        expect(full.nextId).toBe(rig.engine.execution.idCounter);
        // The run did trade: positions, closed round trips, working orders.
        expect(rig.engine.portfolio.closedCount).toBeGreaterThan(0);
        // Pruning drops what recovery no longer reads, and nothing else.
        expect((await store.prune(Number.MAX_SAFE_INTEGER)).records).toBe(fromSnapshot.snapshotSeq! - 1);
        const pruned = await replayJournal(store, { instruments: INSTRUMENTS });
        expect(stateSummary(pruned.portfolio!, pruned.orders.values(), marks)).toEqual(live);
        expect(pruned.nextId).toBe(rig.engine.execution.idCounter);
        expect(pruned.counts.records).toBe(fromSnapshot.counts.records);
      }),
      { numRuns: 6, seed: 20240102 },
    );
  });

  it('keeps the latest risk baselines, and refuses malformed ones naming the record', () => {
    const replay = new JournalReplay(INSTRUMENTS);
    const bases = { day: '2024-01-02', dayStartEquityRaw: '10000000', peakEquityRaw: '10250000' };
    replay.apply({ seq: 1, ts: T0, kind: RecordKind.riskBaselines, data: JSON.stringify({ ...bases, peakEquityRaw: '10000000' }) });
    replay.apply({ seq: 2, ts: T0, kind: RecordKind.riskBaselines, data: JSON.stringify(bases) });
    expect(replay.riskBaselines).toEqual(bases);
    expect(() => replay.apply({ seq: 3, ts: T0, kind: RecordKind.riskBaselines, data: JSON.stringify({ ...bases, peakEquityRaw: 102500 }) })).toThrow(
      'record 3: malformed risk baselines {"day":"2024-01-02","dayStartEquityRaw":"10000000","peakEquityRaw":102500}',
    );
  });

  it('counts a fill recorded twice, or again out of order, once', () => {
    const inst = INSTRUMENTS[0]!;
    const records: JournalRecord[] = [];
    const add = (kind: string, data: unknown) => records.push({ seq: records.length + 1, ts: T0 + records.length, kind, data: JSON.stringify(data) });
    add(RecordKind.sessionStart, { instruments: INSTRUMENTS.map((i) => i.spec), initialCapital: '100000', currency: 'USD', venue: 'SIM' });
    const base = { clientOrderId: 'o-1', instrumentId: inst.id, strategyId: 's' };
    add(RecordKind.orderCreated, { ...base, side: 'BUY', type: 'MARKET', quantity: '0.0010', timeInForce: 'GTC', reduceOnly: false, tags: [], createdAt: T0, contingency: 'NONE', linkedIds: [], n: 2 });
    add(RecordKind.orderEvent, { ...base, type: 'OrderSubmitted', ts: T0 });
    add(RecordKind.orderEvent, { ...base, type: 'OrderAccepted', venueOrderId: 'SIM-1', ts: T0 });
    const fill = (tradeId: string, qty: string, px: string) => ({ ...base, type: 'OrderFilled', venueOrderId: 'SIM-1', tradeId, side: 'BUY', lastQty: qty, lastPx: px, fee: '0.03', liquidity: 'TAKER', ts: T0 });
    add(RecordKind.orderEvent, fill('T2', '0.0004', '60000.00'));
    add(RecordKind.orderEvent, fill('T2', '0.0004', '60000.00')); // twice
    add(RecordKind.orderEvent, fill('T1', '0.0005', '60001.00')); // an earlier trade id, later
    add(RecordKind.orderEvent, fill('T2', '0.0004', '60000.00')); // again, out of order
    add(RecordKind.orderEvent, fill('T3', '0.0001', '60002.00'));
    const replay = new JournalReplay(INSTRUMENTS);
    for (const r of records) replay.apply(r);
    expect(replay.counts.fills).toBe(3);
    expect(replay.counts.duplicateFills).toBe(2);
    expect(replay.counts.invalidEvents).toBe(0);
    const p = replay.portfolio!;
    expect(p.netQtyRaw(inst.id)).toBe(10); // 0.0010
    // Cash: −(24.00 + 30.00050→30.00 + 6.00 + 3 × 0.03 fees); each trade once.
    const spent = 2400n + 3000n + 600n + 9n; // cents: 24.00 + 30.00 + 6.00 + 0.09
    expect(p.cashRaw).toBe(CAPITAL.raw - spent);
    expect(replay.orders.size).toBe(0); // filled: finished
  });
});

describe('crash recovery (in process, the store cut at a commit)', () => {
  for (const mode of ['before-write', 'after-kv'] as const) {
    it(`nothing lost or duplicated and the portfolio equals the venue and a full replay (crash ${mode})`, async () => {
      const store = new MemoryJournalStore();
      const rng = new Random(mode === 'before-write' ? 11 : 12);
      let ts = T0;
      let resent = 0;
      let fillsFromVenue = 0;
      for (let cycle = 0; cycle < 8; cycle++) {
        const rig = await openRig(store, { seed: 100 + cycle, startTs: ts, snapshotEvery: 40 });
        resent += rig.recovery.reconcile.resent.submit;
        fillsFromVenue += rig.recovery.reconcile.fillsApplied;
        await checkRecovered(store, rig);
        const records = marketRecords(1000 + cycle, 120, ts + 1000);
        rig.drive(records.slice(0, rng.int(10, 100)));
        store.crash(mode);
        rig.drive(records.slice(100)); // runs until the journal faults: the process "dies"
        ts = records[records.length - 1]!.ts;
      }
      const last = await openRig(store, { seed: 999, startTs: ts });
      await checkRecovered(store, last);
      // The crashes did leave work for reconciliation (this test can fail).
      if (mode === 'before-write') expect(resent).toBeGreaterThan(0);
      else expect(fillsFromVenue).toBeGreaterThan(0);
    });
  }

  it('with command latency (commands in flight at the venue survive the crash)', async () => {
    const store = new MemoryJournalStore();
    let ts = T0;
    for (let cycle = 0; cycle < 5; cycle++) {
      const rig = await openRig(store, { seed: 300 + cycle, startTs: ts, latencyMs: 1500 });
      await checkRecovered(store, rig);
      const records = marketRecords(3000 + cycle, 60, ts + 1000);
      rig.drive(records.slice(0, 25 + cycle * 5));
      store.crash(cycle % 2 === 0 ? 'after-kv' : 'before-write');
      rig.drive(records.slice(50));
      ts = records[records.length - 1]!.ts;
    }
    await checkRecovered(store, await openRig(store, { seed: 399, startTs: ts, latencyMs: 1500 }));
  });

  it('halts start-up with a clear reason when the venue account differs, or adopts it (journaled) when told to', async () => {
    const { store, meta: changed, saveMeta } = await sessionWithVenueMeta<{ cashRaw: string }>();
    // The venue's account moves without the journal knowing (e.g. a transfer).
    changed.cashRaw = (BigInt(changed.cashRaw) - 12345n).toString();
    saveMeta(changed);
    await expect(openRig(store, { seed: 6, startTs: T0 + 100_000 })).rejects.toThrow(/cash: journal .* USD, venue .* USD/);
    const adopted = await openRig(store, { seed: 6, startTs: T0 + 100_000, onMismatch: 'adopt' });
    expect(adopted.recovery.reconcile.adopted).toBe(true);
    expect(adopted.engine.portfolio.cashRaw).toBe(BigInt(changed.cashRaw));
    // The adjustment is journaled: a full replay reaches the same state.
    await checkRecovered(store, adopted);
  });

  it('adopting a smaller position at the venue keeps its average entry price (the open value shrinks with the basis)', async () => {
    const { store, rig, meta, saveMeta } = await sessionWithVenueMeta<{ books: Array<{ instrumentId: string; netRaw: number }> }>();
    const book = meta.books.find((b) => Math.abs(b.netRaw) > 2 * INSTRUMENTS.find((i) => i.id === b.instrumentId)!.sizeStep.raw)!;
    const before = rig.engine.portfolio.position(book.instrumentId)!;
    const step = before.instrument.sizeStep.raw;
    // The venue holds one size step less than the journal says.
    book.netRaw -= Math.sign(book.netRaw) * step;
    saveMeta(meta);
    const adopted = await openRig(store, { seed: 6, startTs: T0 + 100_000, onMismatch: 'adopt' });
    const after = adopted.engine.portfolio.position(book.instrumentId)!;
    expect(after.qtyRaw).toBe(book.netRaw);
    expect(after.avgPx()).toBe(before.avgPx());
    const held = BigInt(Math.abs(before.qtyRaw));
    const kept = BigInt(Math.abs(book.netRaw));
    // openValue × kept / held, rounded half away from zero (the basis is scaled the same way).
    expect((after.openValueRaw * held * 2n - before.openValueRaw * kept * 2n) ** 2n <= held * held).toBe(true);
    await checkRecovered(store, adopted);
  });
});

/** A journaled session (seed 5, 60 steps), the venue's saved meta state, and a way to save it changed behind the journal's back. */
async function sessionWithVenueMeta<M>(): Promise<{ store: MemoryJournalStore; rig: Rig; meta: M; saveMeta: (meta: M) => void }> {
  const store = new MemoryJournalStore();
  const rig = await openRig(store, { seed: 5 });
  rig.drive(marketRecords(5, 60));
  await rig.journal.flush();
  const key = 'venue/SIM/meta';
  const meta = JSON.parse((await store.readKv(key)).get(key)!) as M;
  return { store, rig, meta, saveMeta: (m) => void store.write({ records: [], kv: [[key, JSON.stringify(m)]] }) };
}

/**
 * A venue whose submits time out for 10% of orders (seeded): half of them after the venue took
 * the order (its events are lost too, until the order is asked about), half before it got there.
 * Every submit that reaches the exchange is counted per client order id.
 */
class TimingOutVenue extends VenueWrapper {
  readonly silenced = new Set<string>();
  timeouts = 0;

  constructor(
    exchange: SimulatedExchange,
    private readonly rng: Random,
    private readonly received: Map<string, number>,
  ) {
    super(exchange);
  }

  protected override deliver(e: VenueEvent, report: (e: VenueEvent) => void): void {
    if (!this.silenced.has(e.clientOrderId)) report(e);
  }

  override submit(order: Readonly<Order>): void {
    const r = this.rng.next();
    if (r < 0.05) {
      this.timeouts++;
      throw Object.assign(new Error(`submit ${order.clientOrderId} timed out before reaching the venue`), { name: 'TimeoutError' });
    }
    const id = order.clientOrderId;
    this.received.set(id, (this.received.get(id) ?? 0) + 1);
    if (r < 0.1) {
      this.timeouts++;
      this.silenced.add(id);
      this.exchange.submit(order);
      throw Object.assign(new Error(`submit ${id} timed out waiting for the acknowledgement`), { name: 'TimeoutError' });
    }
    this.exchange.submit(order);
  }

  override queryOrder(id: string) {
    // Asking about an order restores its event stream (the connection is back).
    this.silenced.delete(id);
    return this.exchange.queryOrder(id);
  }
}

describe('ambiguous submits', () => {
  it('the gateway resolves a submit that threw by asking the venue first: found, never resent; unknown, resent once', () => {
    const clock = new SimulatedClock(T0);
    const exchange = new SimulatedExchange({ clock, instruments: INSTRUMENTS, startingCash: CAPITAL });
    const received = new Map<string, number>();
    let n = 0;
    class Flaky extends VenueWrapper {
      readonly silenced = new Set<string>();
      protected override deliver(e: VenueEvent, report: (e: VenueEvent) => void): void {
        if (!this.silenced.has(e.clientOrderId)) report(e);
      }
      override submit(order: Readonly<Order>): void {
        const id = order.clientOrderId;
        n++;
        if (n === 2) throw new Error(`submit ${id} timed out before reaching the venue`);
        received.set(id, (received.get(id) ?? 0) + 1);
        if (n === 1) {
          this.silenced.add(id); // the venue took it; its answers are lost
          this.exchange.submit(order);
          throw new Error(`submit ${id} timed out waiting for the acknowledgement`);
        }
        this.exchange.submit(order);
      }
      override queryOrder(id: string) {
        this.silenced.delete(id);
        return this.exchange.queryOrder(id);
      }
    }
    const venue = new Flaky(exchange);
    const engine = new TradingEngine({ clock, instruments: INSTRUMENTS, initialCapital: CAPITAL, venue });
    engine.start();
    const [quote] = marketRecords(1, 1);
    engine.dispatch(quote!);
    const buy = (id: string) => engine.run(() => engine.execution.submit('s', { instrumentId: INSTRUMENTS[0]!.id, side: 'BUY', type: 'MARKET', quantity: INSTRUMENTS[0]!.quantity('0.001'), clientOrderId: id }));
    buy('taken');
    buy('lost');
    expect(engine.execution.status('taken')!.status).toBe('SUBMITTED');
    expect(engine.execution.status('lost')!.status).toBe('SUBMITTED');
    expect([...engine.execution.ambiguousCommands().keys()]).toEqual(['taken', 'lost']);
    const results = engine.run(() => engine.execution.resolveAmbiguous());
    expect(results.map((r) => [r.clientOrderId, r.outcome, r.resent, r.applied])).toEqual([
      ['taken', 'updated', undefined, ['OrderAccepted', 'OrderFilled']],
      ['lost', 'resent', 'submit', []],
    ]);
    expect(engine.execution.status('taken')!.status).toBe('FILLED');
    expect(engine.execution.status('lost')!.status).toBe('FILLED');
    expect(Object.fromEntries(received)).toEqual({ taken: 1, lost: 1 });
    expect(engine.execution.ambiguousCommands().size).toBe(0);
    expect(engine.portfolio.cashRaw).toBe(exchange.queryAccount().cash.raw);
  });

  it('a venue that times out on 10% of submits ends with zero duplicates, resolved live and across crashes', async () => {
    const store = new MemoryJournalStore();
    const received = new Map<string, number>();
    const rng = new Random(77);
    let ts = T0;
    let timeouts = 0;
    let foundAtVenue = 0;
    let resent = 0;
    for (let cycle = 0; cycle < 4; cycle++) {
      let venue: TimingOutVenue | undefined;
      const rig = await openRig(store, {
        seed: 700 + cycle,
        startTs: ts,
        wrapVenue: (exchange) => (venue = new TimingOutVenue(exchange, rng, received)),
      });
      await checkRecovered(store, rig);
      const records = marketRecords(7000 + cycle, 120, ts + 1000);
      for (let i = 0; i < 100; i += 10) {
        rig.drive(records.slice(i, i + 10));
        // The gateway's periodic resolution: a query first, a resend only for what the venue never saw.
        const results = rig.engine.run(() => rig.engine.execution.resolveAmbiguous());
        for (const r of results) {
          if (r.resent === 'submit') resent++;
          else if (r.outcome !== 'query-failed') foundAtVenue++;
        }
      }
      timeouts += venue!.timeouts;
      // Crash with some submits still unresolved.
      store.crash('after-kv');
      rig.drive(records.slice(100));
      ts = records[records.length - 1]!.ts;
    }
    const last = await openRig(store, { seed: 799, startTs: ts });
    await checkRecovered(store, last);
    expect(timeouts).toBeGreaterThan(20);
    expect(foundAtVenue).toBeGreaterThan(5);
    expect(resent).toBeGreaterThan(5);
    const duplicates = [...received].filter(([, n]) => n > 1);
    expect(duplicates).toEqual([]);
  });
});

describe('fills delivered twice or out of order, live and after recovery', () => {
  it('count once in the portfolio, the journal and a replay', async () => {
    const store = new MemoryJournalStore();
    // Each fill is reported twice: at once, and again after the next event (out of order).
    const late: VenueEvent[] = [];
    let duplicatesSent = 0;
    class RepeatingVenue extends VenueWrapper {
      protected override deliver(e: VenueEvent, report: (e: VenueEvent) => void): void {
        const pending = late.splice(0);
        report(e);
        for (const old of pending) {
          duplicatesSent++;
          report(old);
        }
        if (e.type === 'OrderFilled') {
          duplicatesSent++;
          report(e);
          late.push(e);
        }
      }
    }
    const rig = await openRig(store, { seed: 9, wrapVenue: (exchange) => new RepeatingVenue(exchange) });
    rig.drive(marketRecords(9, 150));
    await rig.journal.flush();
    expect(duplicatesSent).toBeGreaterThan(100);
    const account = rig.exchange.queryAccount();
    expect(rig.engine.portfolio.cashRaw).toBe(account.cash.raw);
    for (const inst of INSTRUMENTS) expect(rig.engine.portfolio.netQtyRaw(inst.id)).toBe(account.netQtyRaw.get(inst.id) ?? 0);
    const stats = await store.stats();
    const replay = await replayJournal(store, { instruments: INSTRUMENTS, ignoreSnapshots: true });
    // The journal holds each trade once.
    const venueFills = rig.exchange.exportState().orders.reduce((n, o) => n + o.fills.length, 0);
    expect(replay.counts.fills).toBe(venueFills);
    expect(replay.counts.duplicateFills).toBe(0);
    expect(stats.byKind[RecordKind.orderEvent]).toBeGreaterThan(venueFills);
    // And a recovery whose venue repeats fills the journal has applies none of them again.
    const again = await openRig(store, { seed: 10, startTs: T0 + 200_000 });
    expect(again.recovery.reconcile.fillsApplied).toBe(0);
    await checkRecovered(store, again);
  });
});

/**
 * The Journal writer and the write-ahead client: nothing reaches the venue before the journal has
 * it durably, group commit with one batch in flight, automatic commit at the end of a task,
 * retries of retryable write failures with backoff on the injected clock, and a fault that stops
 * every forward for good.
 */
import { describe, expect, it } from 'vitest';
import { SimulatedClock } from '../core/clock.js';
import type { ExecutionClient, VenueEvent } from '../execution/ports.js';
import { Order } from '../model/order.js';
import { BTC_USD } from '../data/builtin-instruments.js';
import { Journal, type JournalBatch } from './journal.js';
import { MemoryJournalStore } from './memory-journal.js';
import { WriteAheadExecutionClient } from './write-ahead-client.js';

/** An asynchronous store whose writes complete when the test says so. */
class ManualStore extends MemoryJournalStore {
  override readonly synchronous = false;
  readonly pending: { batch: JournalBatch; done: () => void; fail: (e: Error) => void }[] = [];

  override write(batch: JournalBatch): Promise<void> {
    return new Promise<void>((done, fail) => {
      this.pending.push({
        batch,
        done: () => {
          super.write(batch);
          done();
        },
        fail,
      });
    });
  }
}

const tick = () => new Promise<void>((r) => setTimeout(r, 0));

/** A venue that only records what reaches it. */
class CountingVenue implements ExecutionClient {
  readonly venue = 'TEST';
  readonly received: string[] = [];
  connect(_report: (e: VenueEvent) => void): void {}
  submit(order: Readonly<Order>): void {
    this.received.push(`submit ${order.clientOrderId}`);
  }
  cancel(id: string): void {
    this.received.push(`cancel ${id}`);
  }
  modify(id: string): void {
    this.received.push(`modify ${id}`);
  }
  queryOrder() {
    return undefined;
  }
}

const order = (id: string) => new Order({ clientOrderId: id, strategyId: 's', request: { instrumentId: BTC_USD.id, side: 'BUY', type: 'MARKET', quantity: BTC_USD.quantity('0.001') }, ts: 0 });

describe('Journal writer', () => {
  it('commits what was appended in a task at its end, without being asked', async () => {
    const store = new MemoryJournalStore();
    const journal = new Journal({ store, clock: new SimulatedClock(0), lastSeq: 0 });
    journal.append('a', 1, { x: 1 });
    journal.append('b', 2, { x: 2 });
    expect(await store.lastSeq()).toBe(0);
    await Promise.resolve();
    expect(await store.lastSeq()).toBe(2);
    expect(journal.lag).toBe(0);
  });

  it('keeps one batch in flight: what arrives meanwhile goes in the next one', async () => {
    const store = new ManualStore();
    const journal = new Journal({ store, clock: new SimulatedClock(0), lastSeq: 0 });
    const done: string[] = [];
    journal.append('a', 1, {});
    journal.commit(() => done.push('first'));
    journal.append('b', 2, {});
    journal.commit(() => done.push('second'));
    journal.append('c', 3, {});
    journal.commit(() => done.push('third'));
    expect(store.pending).toHaveLength(1);
    expect(store.pending[0]!.batch.records.map((r) => r.kind)).toEqual(['a']);
    store.pending.shift()!.done();
    await tick();
    expect(done).toEqual(['first']);
    expect(store.pending).toHaveLength(1);
    expect(store.pending[0]!.batch.records.map((r) => r.kind)).toEqual(['b', 'c']);
    store.pending.shift()!.done();
    await tick();
    expect(done).toEqual(['first', 'second', 'third']);
    expect(journal.durableSeq).toBe(3);
  });

  it('retries a retryable failure with backoff on its clock, then runs the waiting callbacks', async () => {
    const store = new MemoryJournalStore();
    const clock = new SimulatedClock(0);
    const errors: string[] = [];
    const journal = new Journal({ store, clock, lastSeq: 0, retryBaseMs: 100, onError: (_e, c) => errors.push(c) });
    store.failNext(Object.assign(new Error('database is locked'), { code: 'SQLITE_BUSY' }));
    store.failNext(Object.assign(new Error('database is locked'), { code: 'SQLITE_BUSY' }));
    let durable = false;
    journal.append('cmd.submit', 0, { id: 1 });
    journal.commit(() => (durable = true));
    expect(durable).toBe(false);
    expect(errors).toEqual(['retryable']);
    clock.advanceTo(99);
    expect(durable).toBe(false);
    clock.advanceTo(100); // first retry fails again; the next waits 200 ms
    expect(errors).toEqual(['retryable', 'retryable']);
    clock.advanceTo(299);
    expect(durable).toBe(false);
    clock.advanceTo(300);
    expect(durable).toBe(true);
    expect((await store.read(0, 10)).map((r) => r.seq)).toEqual([1]);
  });

  it('faults on a failure retrying cannot fix: nothing waiting is ever forwarded, flush rejects, later records are dropped', async () => {
    const store = new MemoryJournalStore();
    const clock = new SimulatedClock(0);
    const errors: string[] = [];
    const journal = new Journal({ store, clock, lastSeq: 0, onError: (_e, c) => errors.push(c) });
    const venue = new CountingVenue();
    const wal = new WriteAheadExecutionClient(venue, journal, clock);
    store.failNext(Object.assign(new Error('database or disk is full'), { code: 'SQLITE_FULL' }));
    wal.submit(order('o-1'));
    wal.flush();
    expect(venue.received).toEqual([]);
    expect(errors).toEqual(['fatal']);
    expect(journal.isFaulted).toBe(true);
    await expect(journal.flush()).rejects.toThrow(/database or disk is full/);
    wal.submit(order('o-2'));
    wal.flush();
    clock.advanceTo(60_000);
    await tick();
    expect(venue.received).toEqual([]);
    expect(journal.stats.dropped).toBe(1);
    expect(await store.lastSeq()).toBe(0);
    await expect(journal.flush()).rejects.toThrow(/database or disk is full/);
  });
});

describe('WriteAheadExecutionClient', () => {
  it('forwards commands only once the batch holding them is durable, in order', async () => {
    const store = new ManualStore();
    const clock = new SimulatedClock(0);
    const journal = new Journal({ store, clock, lastSeq: 0 });
    const venue = new CountingVenue();
    const wal = new WriteAheadExecutionClient(venue, journal, clock);
    wal.submit(order('o-1'));
    wal.cancel('o-0');
    wal.flush();
    wal.modify('o-1', { price: BTC_USD.price('100') });
    wal.flush();
    expect(venue.received).toEqual([]);
    expect(store.pending[0]!.batch.records.map((r) => r.kind)).toEqual(['cmd.submit', 'cmd.cancel']);
    store.pending.shift()!.done();
    await tick();
    expect(venue.received).toEqual(['submit o-1', 'cancel o-0']);
    expect(store.pending[0]!.batch.records.map((r) => r.kind)).toEqual(['cmd.modify']);
    store.pending.shift()!.done();
    await tick();
    expect(venue.received).toEqual(['submit o-1', 'cancel o-0', 'modify o-1']);
    const recorded = await store.read(0, 10);
    expect(JSON.parse(recorded[0]!.data)).toMatchObject({ clientOrderId: 'o-1', instrumentId: 'BTC-USD', side: 'BUY', type: 'MARKET', quantity: '0.0010' });
    expect(JSON.parse(recorded[2]!.data)).toEqual({ clientOrderId: 'o-1', price: '100.00' });
  });

  it('with a synchronous store forwards within the same step', () => {
    const store = new MemoryJournalStore();
    const clock = new SimulatedClock(0);
    const journal = new Journal({ store, clock, lastSeq: 0 });
    const venue = new CountingVenue();
    const wal = new WriteAheadExecutionClient(venue, journal, clock);
    wal.submit(order('o-1'));
    expect(venue.received).toEqual([]);
    wal.flush();
    expect(venue.received).toEqual(['submit o-1']);
  });

  it('reports a command the venue threw on as ambiguous, and goes on with the others', () => {
    const store = new MemoryJournalStore();
    const clock = new SimulatedClock(0);
    const journal = new Journal({ store, clock, lastSeq: 0 });
    const venue = new CountingVenue();
    venue.submit = (o) => {
      if (o.clientOrderId === 'o-1') throw new Error('timeout');
      venue.received.push(`submit ${o.clientOrderId}`);
    };
    const wal = new WriteAheadExecutionClient(venue, journal, clock);
    const ambiguous: string[] = [];
    wal.onCommandError = (cmd, e) => ambiguous.push(`${cmd.kind} ${(e as Error).message}`);
    wal.submit(order('o-1'));
    wal.submit(order('o-2'));
    wal.flush();
    expect(ambiguous).toEqual(['submit timeout']);
    expect(venue.received).toEqual(['submit o-2']);
  });
});

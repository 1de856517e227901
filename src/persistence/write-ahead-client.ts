/**
 * WriteAheadExecutionClient: the write-ahead rule at the venue seam. It decorates the real
 * ExecutionClient: submit, cancel and modify are journaled first and held; they are forwarded to
 * the venue only once the journal batch holding them is durable — synchronously right after the
 * commit with a synchronous store, from the commit's promise with an asynchronous one. Nothing
 * reaches the venue that the journal does not have.
 *
 * It is a MatchingVenue to the kernel: the kernel's flush at the end of every step commits the
 * held commands, forwards them, and lets a simulated venue act on them, as often as the venue's
 * answers make strategies send more (with a synchronous store this is the same zero-latency
 * behaviour as without a journal). Queries pass straight through. A forwarded command the venue
 * throws on (a timeout) is reported to `onCommandError` (the kernel hands it to the
 * ExecutionEngine as an ambiguous command, resolved by a query before any resend).
 */
import type { Clock } from '../core/clock.js';
import type { MatchingVenue } from '../engine/trading-engine.js';
import type { ExecutionClient, OrderModification, VenueAccount, VenueEvent, VenueOrderStatus, VenueOrderTerms } from '../execution/ports.js';
import type { MarketData } from '../model/data.js';
import type { OrderFilled } from '../model/order-events.js';
import type { Order } from '../model/order.js';
import { modifyRecord, orderRecord } from './codec.js';
import { RecordKind, type Journal } from './journal.js';

export type HeldCommand =
  | { readonly kind: 'submit'; readonly order: Readonly<Order> }
  | { readonly kind: 'cancel'; readonly clientOrderId: string }
  | { readonly kind: 'modify'; readonly clientOrderId: string; readonly changes: OrderModification };

function isMatching(v: ExecutionClient): v is MatchingVenue {
  return typeof (v as Partial<MatchingVenue>).onMarketData === 'function' && typeof (v as Partial<MatchingVenue>).flush === 'function';
}

export class WriteAheadExecutionClient implements MatchingVenue {
  /** A forwarded command threw: its fate at the venue is unknown. */
  onCommandError: (command: HeldCommand, error: unknown) => void = () => undefined;
  /** Every command as it is journaled (the recorder tracks pending amends with it). */
  onJournaled: (command: HeldCommand) => void = () => undefined;
  private readonly matching: MatchingVenue | undefined;
  private held: HeldCommand[] = [];
  private flushing = false;
  private flushScheduled = false;
  private forwarded = 0;

  constructor(
    readonly inner: ExecutionClient,
    private readonly journal: Journal,
    private readonly clock: Clock,
  ) {
    this.matching = isMatching(inner) ? inner : undefined;
  }

  get venue(): string {
    return this.inner.venue;
  }

  /** Commands journaled and not yet forwarded. */
  get heldCount(): number {
    return this.held.length;
  }

  /** Commands forwarded to the venue so far. */
  get forwardedCount(): number {
    return this.forwarded;
  }

  connect(report: (event: VenueEvent) => void): void {
    this.inner.connect(report);
  }

  submit(order: Readonly<Order>): void {
    this.hold({ kind: 'submit', order }, RecordKind.submit, orderRecord(order));
  }

  cancel(clientOrderId: string): void {
    this.hold({ kind: 'cancel', clientOrderId }, RecordKind.cancel, { clientOrderId });
  }

  modify(clientOrderId: string, changes: OrderModification): void {
    this.hold({ kind: 'modify', clientOrderId, changes }, RecordKind.modify, modifyRecord(clientOrderId, changes));
  }

  queryOrder(clientOrderId: string): VenueOrderStatus | undefined {
    return this.inner.queryOrder(clientOrderId);
  }

  queryFills(clientOrderId: string): readonly OrderFilled[] | undefined {
    return this.inner.queryFills?.(clientOrderId);
  }

  queryOrderTerms(clientOrderId: string): VenueOrderTerms | undefined {
    return this.inner.queryOrderTerms?.(clientOrderId);
  }

  queryAccount(): VenueAccount {
    if (!this.inner.queryAccount) throw new Error(`venue ${this.inner.venue} cannot report its account`);
    return this.inner.queryAccount();
  }

  onMarketData(record: MarketData): void {
    this.matching?.onMarketData(record);
  }

  /**
   * The end of an engine step: commits the held commands and forwards them once durable, then lets
   * the venue act; repeats while the venue's answers make the engine send more. With an
   * asynchronous journal the forwarding happens later, from the commit's completion.
   */
  flush(): void {
    if (this.flushing) return;
    this.flushing = true;
    try {
      for (;;) {
        if (this.held.length > 0) {
          const batch = this.held;
          this.held = [];
          this.journal.commit(() => this.forward(batch));
        }
        this.matching?.flush();
        if (this.held.length === 0) break;
      }
    } finally {
      this.flushing = false;
    }
  }

  /** Resolves once no command is held and everything journaled is durable (shutdown, recovery). */
  async drain(): Promise<void> {
    for (let i = 0; i < 10_000; i++) {
      if (this.held.length > 0) this.flush();
      await this.journal.flush();
      if (this.held.length === 0 && this.journal.lag === 0) return;
    }
  }

  private hold(command: HeldCommand, kind: string, data: unknown): void {
    this.journal.append(kind, this.clock.now(), data);
    this.held.push(command);
    this.onJournaled(command);
    // A command sent outside an engine step (a timer of some component) is not left waiting for
    // the next step: it is committed and forwarded at the end of the current task.
    if (!this.flushing && !this.flushScheduled) {
      this.flushScheduled = true;
      queueMicrotask(this.scheduledFlush);
    }
  }

  private readonly scheduledFlush = (): void => {
    this.flushScheduled = false;
    if (this.held.length > 0) this.flush();
  };

  private forward(batch: readonly HeldCommand[]): void {
    const inner = this.inner;
    for (const cmd of batch) {
      try {
        if (cmd.kind === 'submit') inner.submit(cmd.order);
        else if (cmd.kind === 'cancel') inner.cancel(cmd.clientOrderId);
        else inner.modify(cmd.clientOrderId, cmd.changes);
        this.forwarded++;
      } catch (error) {
        this.onCommandError(cmd, error);
      }
    }
    // From an asynchronous commit: let the venue act now (inside flush() it does so itself).
    if (!this.flushing) this.flush();
  }
}

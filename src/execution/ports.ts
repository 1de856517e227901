/**
 * ExecutionClient: the one port every venue implements, the simulated exchange included.
 * Commands go in (submit, cancel, modify); everything the venue decides comes back as order
 * events through the report sink given to connect(). Nothing else crosses the port.
 */
import type { Money } from '../core/money.js';
import type { Price } from '../core/price.js';
import type { Quantity } from '../core/quantity.js';
import type { OrderEvent, OrderFilled } from '../model/order-events.js';
import type { Order } from '../model/order.js';
import type { OrderStatus } from '../model/order-state.js';

export type VenueEvent = Exclude<OrderEvent, { type: 'OrderDenied' | 'OrderSubmitted' | 'OrderPendingCancel' | 'OrderPendingUpdate' }>;

export interface OrderModification {
  readonly quantity?: Quantity | undefined;
  readonly price?: Price | undefined;
  readonly triggerPrice?: Price | undefined;
}

/** What the venue knows about one order, used to resolve ambiguous submits and to reconcile. */
export interface VenueOrderStatus {
  readonly clientOrderId: string;
  readonly venueOrderId: string;
  readonly status: OrderStatus;
  readonly filledQty: Quantity;
}

/** An order's current terms at the venue (after amends and OCO reductions). */
export interface VenueOrderTerms {
  readonly quantity: Quantity;
  readonly price: Price | undefined;
  readonly triggerPrice: Price | undefined;
}

/** The venue's account, for reconciliation after a restart. */
export interface VenueAccount {
  readonly cash: Money;
  /** Signed raw net quantity per instrument (at the instrument's size precision); flat ones may be absent. */
  readonly netQtyRaw: ReadonlyMap<string, number>;
}

export interface ExecutionClient {
  readonly venue: string;
  /** Registers the sink for venue events. Called once before any command. */
  connect(report: (event: VenueEvent) => void): void;
  /**
   * Sends a new order. The venue answers with OrderAccepted or OrderRejected (and later events).
   * A command may throw when its delivery cannot be confirmed (a timeout after sending): the
   * ExecutionEngine then treats it as ambiguous and asks queryOrder before ever sending it again.
   */
  submit(order: Readonly<Order>): void;
  cancel(clientOrderId: string): void;
  modify(clientOrderId: string, changes: OrderModification): void;
  /** The venue's view of an order, or undefined if it never saw it. */
  queryOrder(clientOrderId: string): VenueOrderStatus | undefined;
  /**
   * Optional, for reconciliation: every fill the venue made for an order, oldest first (undefined
   * when the venue does not know the order). Missing fills are found by trade id.
   */
  queryFills?(clientOrderId: string): readonly OrderFilled[] | undefined;
  /** Optional, for reconciliation of amends: an order's current terms at the venue. */
  queryOrderTerms?(clientOrderId: string): VenueOrderTerms | undefined;
  /** Optional, for reconciliation: the venue's cash and net positions. */
  queryAccount?(): VenueAccount;
}

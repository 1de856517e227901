/**
 * ExecutionClient: the one port every venue implements, the simulated exchange included.
 * Commands go in (submit, cancel, modify); everything the venue decides comes back as order
 * events through the report sink given to connect(). Nothing else crosses the port.
 */
import type { Price } from '../core/price.js';
import type { Quantity } from '../core/quantity.js';
import type { OrderEvent } from '../model/order-events.js';
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

export interface ExecutionClient {
  readonly venue: string;
  /** Registers the sink for venue events. Called once before any command. */
  connect(report: (event: VenueEvent) => void): void;
  /** Sends a new order. The venue answers with OrderAccepted or OrderRejected (and later events). */
  submit(order: Readonly<Order>): void;
  cancel(clientOrderId: string): void;
  modify(clientOrderId: string, changes: OrderModification): void;
  /** The venue's view of an order, or undefined if it never saw it. */
  queryOrder(clientOrderId: string): VenueOrderStatus | undefined;
}

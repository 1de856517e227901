/**
 * Order events: everything that can happen to an order, as one discriminated union. Each event
 * names its order by client order id; the order state machine (order-state.ts) decides which
 * events are legal in which state.
 */
import type { Money } from '../core/money.js';
import type { Price } from '../core/price.js';
import type { Quantity } from '../core/quantity.js';
import type { LiquiditySide, OrderSide } from './enums.js';
import type { DenialReason, RejectReason } from './reasons.js';

interface OrderEventBase {
  readonly clientOrderId: string;
  readonly instrumentId: string;
  readonly strategyId: string;
  readonly ts: number;
}

export interface OrderDenied extends OrderEventBase {
  readonly type: 'OrderDenied';
  readonly reason: DenialReason;
  readonly message: string;
}
export interface OrderSubmitted extends OrderEventBase {
  readonly type: 'OrderSubmitted';
}
export interface OrderAccepted extends OrderEventBase {
  readonly type: 'OrderAccepted';
  readonly venueOrderId: string;
}
export interface OrderRejected extends OrderEventBase {
  readonly type: 'OrderRejected';
  readonly reason: RejectReason;
  readonly message: string;
}
export interface OrderPendingCancel extends OrderEventBase {
  readonly type: 'OrderPendingCancel';
}
export interface OrderCancelRejected extends OrderEventBase {
  readonly type: 'OrderCancelRejected';
  readonly message: string;
}
export interface OrderCanceled extends OrderEventBase {
  readonly type: 'OrderCanceled';
  readonly reason: string;
}
export interface OrderExpired extends OrderEventBase {
  readonly type: 'OrderExpired';
}
export interface OrderTriggered extends OrderEventBase {
  readonly type: 'OrderTriggered';
}
export interface OrderPendingUpdate extends OrderEventBase {
  readonly type: 'OrderPendingUpdate';
}
export interface OrderUpdated extends OrderEventBase {
  readonly type: 'OrderUpdated';
  readonly quantity: Quantity;
  readonly price?: Price | undefined;
  readonly triggerPrice?: Price | undefined;
}
export interface OrderModifyRejected extends OrderEventBase {
  readonly type: 'OrderModifyRejected';
  readonly message: string;
}
export interface OrderFilled extends OrderEventBase {
  readonly type: 'OrderFilled';
  readonly venueOrderId: string;
  /** Venue trade id: unique per fill, used to drop duplicate fill reports. */
  readonly tradeId: string;
  readonly side: OrderSide;
  readonly lastQty: Quantity;
  readonly lastPx: Price;
  readonly fee: Money;
  readonly liquidity: LiquiditySide;
}

export type OrderEvent =
  | OrderDenied
  | OrderSubmitted
  | OrderAccepted
  | OrderRejected
  | OrderPendingCancel
  | OrderCancelRejected
  | OrderCanceled
  | OrderExpired
  | OrderTriggered
  | OrderPendingUpdate
  | OrderUpdated
  | OrderModifyRejected
  | OrderFilled;

export type OrderEventType = OrderEvent['type'];

/** Distributes Omit over the union so each variant keeps its own fields. */
export type OrderEventBody<E = OrderEvent> = E extends OrderEvent ? Omit<E, 'clientOrderId' | 'instrumentId' | 'strategyId' | 'ts'> : never;

/**
 * The seam between strategies and execution: every order, from any source, is put to a
 * PreTradeGate before it may reach a venue. A denial is data (reason code + message naming the
 * limit and the value), which the execution engine turns into an OrderDenied event.
 */
import type { Order } from '../model/order.js';
import type { DenialReason } from '../model/reasons.js';

export interface Denial {
  readonly reason: DenialReason;
  readonly message: string;
}

export interface PreTradeGate {
  /** Returns a denial, or undefined to let the order through. Must not throw for bad orders. */
  check(order: Readonly<Order>): Denial | undefined;
}

/** Lets every order through: the gate used when no risk engine is configured. */
export const allowAll: PreTradeGate = { check: () => undefined };

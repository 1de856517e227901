/**
 * The journal's JSON forms and their inverses. Records hold values as the decimal strings their
 * toJSON writes (Price, Quantity: exactly `precision` decimals; Money: the amount in its currency's
 * minor-unit precision), so every value parses back exactly: a price's precision is the number of
 * decimals in its string, and an amount's currency is the instrument's quote currency. Parsing is
 * the boundary where journal text becomes domain types again; it throws JournalFormatError naming
 * the record for anything malformed.
 */
import { Money } from '../core/money.js';
import { Price } from '../core/price.js';
import { Quantity } from '../core/quantity.js';
import type { OrderModification } from '../execution/ports.js';
import type { Instrument } from '../model/instrument.js';
import type { OrderEvent } from '../model/order-events.js';
import { Order, type OrderTerms } from '../model/order.js';

/** A journal record could not be turned back into domain values. */
export class JournalFormatError extends Error {
  override readonly name = 'JournalFormatError';
}

const decimalsIn = (text: string): number => {
  const dot = text.indexOf('.');
  return dot < 0 ? 0 : text.length - dot - 1;
};

export function priceOf(text: string): Price {
  return Price.of(text, decimalsIn(text));
}

export function quantityOf(text: string): Quantity {
  return Quantity.of(text, decimalsIn(text));
}

/** The order as it was created (or sent): what `order.created` and `cmd.submit` records hold. */
export interface OrderRecord extends OrderTerms {
  /** The gateway's id counter after this order was created (order.created only). */
  readonly n?: number | undefined;
}

export function orderRecord(order: Readonly<Order>, n?: number): OrderRecord {
  return { ...order.terms(), n };
}

/** A new INITIALIZED order from its record. Throws JournalFormatError for a malformed record. */
export function orderFromRecord(r: OrderRecord): Order {
  try {
    return Order.fromTerms(r);
  } catch (error) {
    throw new JournalFormatError(`order record ${r.clientOrderId} is malformed: ${error instanceof Error ? error.message : String(error)}`, { cause: error });
  }
}

export interface ModifyRecord {
  readonly clientOrderId: string;
  readonly quantity?: string | undefined;
  readonly price?: string | undefined;
  readonly triggerPrice?: string | undefined;
}

export function modifyRecord(clientOrderId: string, changes: OrderModification): ModifyRecord {
  return { clientOrderId, quantity: changes.quantity?.toString(), price: changes.price?.toString(), triggerPrice: changes.triggerPrice?.toString() };
}

export function modificationOf(r: ModifyRecord): OrderModification {
  return {
    quantity: r.quantity === undefined ? undefined : quantityOf(r.quantity),
    price: r.price === undefined ? undefined : priceOf(r.price),
    triggerPrice: r.triggerPrice === undefined ? undefined : priceOf(r.triggerPrice),
  };
}

type Json = Record<string, unknown>;

const str = (o: Json, key: string, seq: number): string => {
  const v = o[key];
  if (typeof v !== 'string') throw new JournalFormatError(`record ${seq}: ${key} is not a string`);
  return v;
};
const optStr = (o: Json, key: string, seq: number): string | undefined => (o[key] === undefined || o[key] === null ? undefined : str(o, key, seq));

/**
 * An order event from its JSON form (as JSON.stringify wrote it). `instruments` gives the fee
 * currency of fills. Throws JournalFormatError for a malformed event or a fill of an unknown instrument.
 */
export function eventFromJson(o: Json, instruments: ReadonlyMap<string, Instrument>, seq: number): OrderEvent {
  const type = str(o, 'type', seq);
  try {
    switch (type) {
      case 'OrderFilled': {
        const inst = instruments.get(str(o, 'instrumentId', seq));
        if (!inst) throw new JournalFormatError(`record ${seq}: fill of unknown instrument ${String(o.instrumentId)}`);
        return { ...(o as unknown as OrderEvent & { type: 'OrderFilled' }), lastQty: quantityOf(str(o, 'lastQty', seq)), lastPx: priceOf(str(o, 'lastPx', seq)), fee: Money.of(str(o, 'fee', seq), inst.quoteCurrency) };
      }
      case 'OrderUpdated': {
        const price = optStr(o, 'price', seq);
        const trigger = optStr(o, 'triggerPrice', seq);
        return {
          ...(o as unknown as OrderEvent & { type: 'OrderUpdated' }),
          quantity: quantityOf(str(o, 'quantity', seq)),
          price: price === undefined ? undefined : priceOf(price),
          triggerPrice: trigger === undefined ? undefined : priceOf(trigger),
        };
      }
      default:
        return o as unknown as OrderEvent;
    }
  } catch (error) {
    if (error instanceof JournalFormatError) throw error;
    throw new JournalFormatError(`record ${seq}: ${type} is malformed: ${error instanceof Error ? error.message : String(error)}`, { cause: error });
  }
}

/**
 * The simulated exchange's own persisted state, in the journal's key-value area, so a paper
 * session resumes where it stopped. It models a remote venue: its state is written with each
 * journal batch but before (and apart from) the batch's records, after the venue has processed the
 * commands it was sent — so after a crash the venue may be ahead of the journal (fills the journal
 * never recorded) or behind it (commands journaled that the venue never received), exactly the two
 * cases reconciliation has to handle. Only what changed since the last batch is written: one key
 * per order that changed, one for the rest (account, books, counters, commands in flight).
 *
 * Keys: `venue/<name>/meta` and `venue/<name>/order/<clientOrderId>`.
 */
import type { SimExchangeState, SimMetaState, SimOrderState, SimulatedExchange } from '../execution/simulated-exchange.js';
import type { Journal, JournalStore, KvChange } from './journal.js';

const prefixOf = (venue: string): string => `venue/${venue}/`;

/** Writes the exchange's changes with every journal batch from now on. */
export function persistVenueState(exchange: SimulatedExchange, journal: Journal): void {
  exchange.trackChanges();
  const prefix = prefixOf(exchange.venue);
  journal.setKvSource(() => {
    const changes = exchange.takeChanges();
    if (!changes) return undefined;
    const out: KvChange[] = [[`${prefix}meta`, JSON.stringify(changes.meta)]];
    for (const o of changes.orders) out.push([`${prefix}order/${o.clientOrderId}`, JSON.stringify(o)]);
    for (const id of changes.removed) out.push([`${prefix}order/${id}`, null]);
    return out;
  });
}

/** The exchange state saved in a store, or undefined when there is none. */
export async function loadVenueState(store: JournalStore, venue: string): Promise<SimExchangeState | undefined> {
  const prefix = prefixOf(venue);
  const kv = await store.readKv(prefix);
  const meta = kv.get(`${prefix}meta`);
  if (meta === undefined) return undefined;
  const orders: SimOrderState[] = [];
  const orderPrefix = `${prefix}order/`;
  for (const [key, value] of kv) if (key.startsWith(orderPrefix)) orders.push(JSON.parse(value) as SimOrderState);
  return { meta: JSON.parse(meta) as SimMetaState, orders };
}

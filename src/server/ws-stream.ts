/**
 * The stream between the hub's feed (which follows the engine) and its fan-outs (which own the
 * client sockets), in the same process or in writer processes: what the feed sends (updates,
 * coalesced values, answers to requests, in one order) and what a fan-out asks of it. Everything
 * here is plain data that survives IPC: channel data is already JSON text.
 */
import type { Channel } from './protocol.js';

/** Who receives an addressed item: 0 for the in-process fan-out, 1..N for writer processes. */
export type FanOutId = number;

export type FeedItem =
  /** An update of a queued channel (signals, trades, orders, alerts, risk events and summaries): every subscriber gets it. */
  | { kind: 'update'; channel: Channel; ts: number; json: string }
  /** The latest value of one key of a coalesced channel (prices, positions, pnl, performance). */
  | { kind: 'set'; channel: Channel; key: string; ts: number; json: string }
  /** A snapshot asked for by one fan-out, taken at this point of the stream. */
  | { kind: 'snapshot'; to: FanOutId; requestId: number; channel: Channel; ts: number; json: string }
  /** The snapshot could not be built (the feed has logged why). */
  | { kind: 'snapshot-failed'; to: FanOutId; requestId: number; channel: Channel }
  /** The engine clock, asked for by one fan-out (a pong carries it). */
  | { kind: 'clock'; to: FanOutId; requestId: number; ts: number };

export type FeedRequest =
  /** A client subscribes: the fan-out wants the channel's snapshot, then every later update of it. */
  | { op: 'snapshot'; requestId: number; channel: Channel }
  | { op: 'clock'; requestId: number }
  /** The fan-out has no subscriber left on (and no snapshot pending for) a channel. */
  | { op: 'uninterested'; channel: Channel };

/** Whether an item is addressed to one fan-out (else every interested fan-out gets it). */
export function addressee(item: FeedItem): FanOutId | undefined {
  return item.kind === 'snapshot' || item.kind === 'snapshot-failed' || item.kind === 'clock' ? item.to : undefined;
}

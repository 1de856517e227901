/**
 * One WebSocket connection as the hub sees it: its subscriptions, its position in the hub's shared
 * update log, its own small queue (control replies and snapshots), and how long it has been
 * behind. Channel messages are shared between clients (a bus event is turned into JSON once, by
 * the feed, and numbered in its channel's stream by the hub); the envelope is put around it when
 * the message is written.
 */
import type { WebSocket } from 'ws';
import type { Channel } from './protocol.js';
import { numberText } from '../core/digits.js';

/** A channel message whose data is already JSON (serialized once in the feed, shared by every client it is written to). */
export interface ChannelItem {
  readonly channel: Channel;
  readonly type: 'snapshot' | 'update';
  /** Position in the channel's stream (the same for every client): a snapshot's is the state it shows. */
  readonly seq: number;
  readonly ts: number;
  readonly json: string;
}

/** A queued item: a snapshot, or a ready control message (subscribed, error, pong...). */
export type QueueItem = ChannelItem | string;

/** A FIFO with O(1) push and shift (an array with a moving head, compacted as it drains). */
export class Deque<T> {
  private items: T[] = [];
  private head = 0;

  get size(): number {
    return this.items.length - this.head;
  }

  push(item: T): void {
    this.items.push(item);
  }

  shift(): T | undefined {
    if (this.head >= this.items.length) return undefined;
    const item = this.items[this.head];
    this.items[this.head++] = undefined as T;
    if (this.head > 1024 && this.head * 2 > this.items.length) {
      this.items = this.items.slice(this.head);
      this.head = 0;
    }
    return item;
  }

  /** Keeps only the items `keep` accepts, in order. */
  retain(keep: (item: T) => boolean): void {
    this.items = this.items.slice(this.head).filter(keep);
    this.head = 0;
  }

  clear(): void {
    this.items = [];
    this.head = 0;
  }
}

export interface Subscription {
  /** Version of the channel's coalesced state this client has been sent. */
  seen: number;
  /** Position of the shared log when the snapshot was taken: only later updates follow it. */
  from: number;
}

export class WsClient {
  readonly subs = new Map<Channel, Subscription>();
  readonly queue = new Deque<QueueItem>();
  /** The last position of the hub's shared log this client has been through. */
  cursor: number;
  /** Monotonic ms since which the client has had messages it could not be sent; undefined when caught up. */
  behindSince: number | undefined;
  /** Set when the client must be dropped at the next flush. */
  dropReason: string | undefined;
  dropKind: 'overflow' | 'lag' | undefined;
  sent = 0;
  frames = 0;

  constructor(
    readonly id: string,
    readonly socket: WebSocket,
    readonly path: string,
    readonly remoteAddress: string,
    readonly connectedAt: number,
    cursor: number,
  ) {
    this.cursor = cursor;
  }

  /** Renders a queued item; undefined when its channel is no longer subscribed. */
  render(item: QueueItem): string | undefined {
    if (typeof item === 'string') return item;
    return this.subs.has(item.channel) ? envelope(item.type, item.channel, item.seq, item.ts, item.json) : undefined;
  }
}

/** A channel message; `prev` only on a coalesced update (the seq it follows when that is not seq − 1). */
export function envelope(type: 'snapshot' | 'update', channel: Channel, seq: number, ts: number, dataJson: string, prev?: number): string {
  // Digits without V8's number-string cache (see core/digits.ts): every message has a fresh seq and ts.
  const after = prev === undefined ? '' : `"prev":${numberText(prev)},`;
  return `{"type":"${type}","channel":"${channel}","seq":${numberText(seq)},${after}"ts":${numberText(ts)},"data":${dataJson}}`;
}

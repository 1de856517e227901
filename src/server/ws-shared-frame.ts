/**
 * SharedFrame: the last frame written to a caught-up client, reused for the next client in the same
 * state. Sequence numbers belong to the channels' streams, not to connections, so two clients at
 * the same position of the hub's shared log, following the same channels (in the same order) and
 * having seen the same coalesced versions, are owed the same bytes. In a flush round the clients
 * served in one slice are in that state: the frame is rendered and encoded once, and each of them
 * is written the same buffer. `SharedFrames` keeps the last few, one per state met (clients of
 * the multiplexed path and of per-channel paths mix in a round), and the hub forgets them whenever
 * it takes new items from the feed.
 */
import type { Channel } from './protocol.js';
import type { WsClient } from './ws-client.js';

export class SharedFrame {
  /** The encoded frame, or undefined when there is none to share. */
  bytes: Buffer | undefined;
  /** Messages in the frame. */
  messages = 0;
  /** The state a client must be in to be owed the frame: log cursor, channels, coalesced versions seen. */
  private cursor = -1;
  private readonly channels: Channel[] = [];
  private readonly seenBefore: number[] = [];
  /** The state the frame leaves a client in. */
  private cursorAfter = -1;
  private readonly seenAfter: number[] = [];

  /** Forgets the frame (the log or a coalesced channel has moved on). */
  clear(): void {
    this.bytes = undefined;
  }

  /** Whether the client is owed exactly this frame. */
  fits(client: WsClient): boolean {
    if (this.bytes === undefined || client.cursor !== this.cursor || client.subs.size !== this.channels.length) return false;
    let i = 0;
    for (const [channel, sub] of client.subs) {
      if (channel !== this.channels[i] || sub.seen !== this.seenBefore[i] || sub.from > client.cursor) return false;
      i++;
    }
    return true;
  }

  /** Moves a client the frame fits (and was written to) to the state the frame leaves it in. */
  advance(client: WsClient): void {
    client.cursor = this.cursorAfter;
    let i = 0;
    for (const sub of client.subs.values()) sub.seen = this.seenAfter[i++]!;
  }

  /**
   * Notes the state of a client whose frame is about to be built, replacing the frame kept so far.
   * False when its frame could not be shared: a subscription still skips log entries older than its snapshot.
   */
  begin(client: WsClient): boolean {
    this.bytes = undefined;
    this.cursor = client.cursor;
    this.channels.length = 0;
    this.seenBefore.length = 0;
    for (const [channel, sub] of client.subs) {
      if (sub.from > client.cursor) return false;
      this.channels.push(channel);
      this.seenBefore.push(sub.seen);
    }
    return true;
  }

  /** Keeps the frame just written to the client begun with, which is now in the state the frame leaves it in. */
  keep(client: WsClient, bytes: Buffer, messages: number): void {
    this.cursorAfter = client.cursor;
    this.seenAfter.length = 0;
    for (const sub of client.subs.values()) this.seenAfter.push(sub.seen);
    this.bytes = bytes;
    this.messages = messages;
  }
}

/** The frames of the last few client states met, so that clients of different states interleaved in a round each find theirs. */
export class SharedFrames {
  private readonly frames: SharedFrame[];
  private next = 0;

  constructor(size = 4) {
    this.frames = Array.from({ length: size }, () => new SharedFrame());
  }

  /** The frame the client is owed, if one was kept for its state. */
  find(client: WsClient): SharedFrame | undefined {
    for (const f of this.frames) if (f.fits(client)) return f;
    return undefined;
  }

  /** Begins a frame for the client's state in the least recently begun slot; undefined when its frame cannot be shared. */
  begin(client: WsClient): SharedFrame | undefined {
    const f = this.frames[this.next]!;
    this.next = (this.next + 1) % this.frames.length;
    return f.begin(client) ? f : undefined;
  }

  clear(): void {
    for (const f of this.frames) f.clear();
  }
}

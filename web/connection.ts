/**
 * The dashboard's WebSocket: one multiplexed connection to `/ws` subscribed to every channel.
 *
 * - Reconnects by itself with exponential backoff and jitter (attempts reset once the server
 *   speaks again); every (re)connection subscribes afresh, so each channel restarts from a
 *   snapshot and the page resynchronizes from it.
 * - Checks each channel's sequence numbers: each update must follow the last message seen (its
 *   `prev`, or seq − 1); anything else means a lost message, and the channel is resubscribed (a
 *   fresh snapshot resynchronizes).
 *   Updates arriving while a channel waits for its snapshot are dropped.
 * - Validates every frame and each channel's data with the protocol's schemas before handing it on.
 * - Status: connecting (first attempt), connected, reconnecting (lost, retrying), offline
 *   (retrying for longer than `offlineAfterMs`, the browser is offline, or the token is refused —
 *   then it stops, since retrying cannot help).
 * - A heartbeat pings the server; a connection silent for `staleAfterMs` is closed and reopened.
 */
import { CHANNELS, channelData, parseServerFrame, updateFollows, type Channel, type ChannelMessage, type ClientMessage } from '../src/server/protocol';

/** The seq of a channel waiting for its snapshot (stream seqs are never negative). */
const WAITING = -1;

export type ConnectionStatus = 'connecting' | 'connected' | 'reconnecting' | 'offline';

/** What a failed connection attempt was about, as found out by probing the REST API. */
export type ProbeResult = 'reachable' | 'unauthorized' | 'unreachable';

export interface ConnectionOptions {
  url: () => string;
  onMessage: (message: ChannelMessage) => void;
  onStatus: (status: ConnectionStatus, detail: string) => void;
  /** Told when a counter of `stats` moved (a gap, an invalid message). */
  onStats?: () => void;
  /** Asked after an attempt that never opened: a refused token stops the retries. */
  probe?: () => Promise<ProbeResult>;
  channels?: readonly Channel[];
  initialDelayMs?: number;
  maxDelayMs?: number;
  /** ±fraction of random spread on each delay (default 0.2). */
  jitter?: number;
  /** Status turns from reconnecting to offline after this long without a connection (default 15 s). */
  offlineAfterMs?: number;
  heartbeatMs?: number;
  staleAfterMs?: number;
}

/** Counters the page shows in its footer (and tests read). */
export interface ConnectionStats {
  connects: number;
  gaps: number;
  invalid: number;
  lastDisconnectReason: string;
}

export class Connection {
  readonly stats: ConnectionStats = { connects: 0, gaps: 0, invalid: 0, lastDisconnectReason: '' };
  private ws: WebSocket | undefined;
  private status: ConnectionStatus = 'connecting';
  /** Last seq seen per channel; WAITING = waiting for a snapshot. */
  private readonly seq = new Map<Channel, number>();
  private attempt = 0;
  private downSince: number | undefined;
  private retryTimer: number | undefined;
  private heartbeatTimer: number | undefined;
  private lastMessageAt = 0;
  /** Why the current socket is about to close, when we know better than its close event. */
  private closeReason: string | undefined;
  private stopped = true;
  private readonly channels: readonly Channel[];
  private readonly o: Required<Omit<ConnectionOptions, 'url' | 'onMessage' | 'onStatus' | 'onStats' | 'probe' | 'channels'>>;

  constructor(private readonly opts: ConnectionOptions) {
    this.channels = opts.channels ?? CHANNELS;
    this.o = {
      initialDelayMs: opts.initialDelayMs ?? 250,
      maxDelayMs: opts.maxDelayMs ?? 5000,
      jitter: opts.jitter ?? 0.2,
      offlineAfterMs: opts.offlineAfterMs ?? 15_000,
      heartbeatMs: opts.heartbeatMs ?? 10_000,
      staleAfterMs: opts.staleAfterMs ?? 30_000,
    };
  }

  get currentStatus(): ConnectionStatus {
    return this.status;
  }

  start(): void {
    if (!this.stopped) return;
    this.stopped = false;
    window.addEventListener('online', this.onOnline);
    window.addEventListener('offline', this.onOffline);
    this.heartbeatTimer = window.setInterval(() => this.heartbeat(), this.o.heartbeatMs);
    this.connect();
  }

  stop(): void {
    this.stopped = true;
    window.removeEventListener('online', this.onOnline);
    window.removeEventListener('offline', this.onOffline);
    window.clearInterval(this.heartbeatTimer);
    window.clearTimeout(this.retryTimer);
    this.ws?.close(1000, 'page closed');
    this.ws = undefined;
  }

  /** Subscribes a channel again: a fresh snapshot replaces what the page holds. */
  resubscribe(channel: Channel): void {
    this.seq.set(channel, WAITING);
    this.send({ op: 'subscribe', channels: [channel] });
  }

  private connect(): void {
    window.clearTimeout(this.retryTimer);
    this.retryTimer = undefined;
    if (this.stopped) return;
    let opened = false;
    let ws: WebSocket;
    try {
      ws = new WebSocket(this.opts.url());
    } catch (err) {
      this.scheduleRetry(`cannot open the WebSocket: ${(err as Error).message}`, false);
      return;
    }
    this.ws = ws;
    ws.onopen = () => {
      opened = true;
      this.closeReason = undefined;
      this.stats.connects++;
      this.lastMessageAt = Date.now();
      for (const c of this.channels) this.seq.set(c, WAITING);
      this.send({ op: 'subscribe', channels: [...this.channels] });
      this.downSince = undefined;
      this.setStatus('connected', '');
    };
    ws.onmessage = (ev: MessageEvent) => {
      if (this.ws !== ws) return;
      this.lastMessageAt = Date.now();
      // The server speaks: the backoff starts again from its first step next time.
      this.attempt = 0;
      if (typeof ev.data === 'string') this.onFrame(ev.data);
    };
    ws.onclose = (ev: CloseEvent) => {
      if (this.ws !== ws) return;
      this.ws = undefined;
      const why = this.closeReason ?? (ev.reason || (opened ? `connection closed (code ${ev.code})` : 'server unreachable'));
      this.closeReason = undefined;
      this.scheduleRetry(why, !opened);
    };
    // onerror is always followed by onclose, which does the work.
    ws.onerror = () => undefined;
  }

  private scheduleRetry(reason: string, neverOpened: boolean): void {
    if (this.stopped) return;
    this.stats.lastDisconnectReason = reason;
    this.downSince ??= Date.now();
    const delay = this.nextDelay();
    const offline = !navigator.onLine || Date.now() - this.downSince >= this.o.offlineAfterMs;
    this.setStatus(offline ? 'offline' : this.status === 'connecting' ? 'connecting' : 'reconnecting', `${reason}; retrying in ${(delay / 1000).toFixed(1)} s`);
    const retry = () => {
      this.retryTimer = window.setTimeout(() => this.connect(), delay);
    };
    if (neverOpened && this.opts.probe) {
      // A refused upgrade looks like any other failure to a browser: ask the REST API why.
      this.opts
        .probe()
        .then((result) => {
          if (this.stopped) return;
          if (result === 'unauthorized') {
            this.stats.lastDisconnectReason = 'the API token was refused';
            this.setStatus('offline', 'the API token was refused: open the dashboard address the server printed (it carries ?token=)');
            return;
          }
          retry();
        })
        .catch(() => retry());
    } else {
      retry();
    }
  }

  private nextDelay(): number {
    const base = Math.min(this.o.maxDelayMs, this.o.initialDelayMs * 2 ** this.attempt);
    this.attempt = Math.min(this.attempt + 1, 30);
    const spread = base * this.o.jitter;
    return Math.max(0, Math.round(base - spread + Math.random() * 2 * spread));
  }

  private setStatus(status: ConnectionStatus, detail: string): void {
    this.status = status;
    this.opts.onStatus(status, detail);
  }

  private send(message: ClientMessage): void {
    const ws = this.ws;
    if (ws && ws.readyState === WebSocket.OPEN) ws.send(JSON.stringify(message));
  }

  private heartbeat(): void {
    const ws = this.ws;
    if (!ws || ws.readyState !== WebSocket.OPEN) return;
    if (Date.now() - this.lastMessageAt > this.o.staleAfterMs) {
      this.closeReason = `no message from the server for ${Math.round(this.o.staleAfterMs / 1000)} s`;
      ws.close(4000, 'stale');
      return;
    }
    this.send({ op: 'ping' });
  }

  private readonly onOnline = (): void => {
    if (this.ws === undefined && !this.stopped) {
      this.attempt = 0;
      this.connect();
    }
  };

  private readonly onOffline = (): void => {
    if (this.status !== 'connected') this.setStatus('offline', 'the browser is offline');
  };

  private onFrame(text: string): void {
    let messages;
    try {
      messages = parseServerFrame(text);
    } catch (err) {
      this.stats.invalid++;
      this.opts.onStats?.();
      console.warn('bourse: ignored a malformed frame from the server', err);
      return;
    }
    for (const m of messages) {
      switch (m.type) {
        case 'snapshot':
        case 'update':
          this.onChannelMessage(m);
          break;
        case 'disconnect':
          // The server drops us (too slow); the close follows and we reconnect.
          this.closeReason = `dropped by the server: ${m.reason}`;
          break;
        case 'error':
          console.warn(`bourse: server error ${m.code}: ${m.message}`);
          break;
        case 'subscribed':
        case 'unsubscribed':
        case 'pong':
          break;
      }
    }
  }

  private onChannelMessage(m: { type: 'snapshot' | 'update'; channel: Channel; seq: number; prev?: number | undefined; ts: number; data: unknown }): void {
    const last = this.seq.get(m.channel);
    if (last === undefined) return; // not subscribed
    if (m.type === 'update') {
      if (last === WAITING) return; // waiting for the snapshot of a resubscription
      if (updateFollows(m) !== last) {
        this.stats.gaps++;
        this.opts.onStats?.();
        console.warn(`bourse: ${m.channel} jumped from seq ${last} to ${m.seq}; resubscribing`);
        this.resubscribe(m.channel);
        return;
      }
    }
    this.seq.set(m.channel, m.seq);
    const schema = m.type === 'snapshot' ? channelData[m.channel].snapshot : channelData[m.channel].update;
    const parsed = schema.safeParse(m.data);
    if (!parsed.success) {
      this.stats.invalid++;
      this.opts.onStats?.();
      console.warn(`bourse: ignored an invalid ${m.channel} ${m.type}`, parsed.error.issues);
      return;
    }
    this.opts.onMessage({ ...m, data: parsed.data } as ChannelMessage);
  }
}

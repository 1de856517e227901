/**
 * The fan-out's copy of a coalesced channel (prices, positions, pnl, performance): the latest JSON
 * per key with versions, and the update a client is owed since the version it last saw — built
 * once per version and `since`, shared by every client in that state.
 */
import { COALESCED_CHANNELS, type Channel } from './protocol.js';

/** How each coalesced channel wraps the values that changed into one update's data (JSON). */
const WRAP: Partial<Record<Channel, (jsons: string[]) => string>> = {
  portfolio: (v) => `{"positions":[${v.join(',')}]}`,
  pnl: (v) => v[v.length - 1]!,
  prices: (v) => `{"ticks":[${v.join(',')}]}`,
  performance: (v) => `{"snapshot":${v[v.length - 1]!}}`,
};

export function isCoalescedChannel(channel: Channel): boolean {
  return COALESCED_CHANNELS.includes(channel);
}

export class CoalescedJson {
  version = 0;
  private readonly entries = new Map<string, { json: string; ts: number; version: number }>();
  /** Update data and time of what changed since a version, valid until the next set(). */
  private readonly cache = new Map<number, { json: string; ts: number }>();
  private readonly wrap: (jsons: string[]) => string;

  /** Throws RangeError for a channel that is not coalesced. */
  constructor(readonly channel: Channel) {
    const wrap = WRAP[channel];
    if (!wrap) throw new RangeError(`channel ${channel} is not coalesced`);
    this.wrap = wrap;
  }

  set(key: string, json: string, ts: number): void {
    this.version++;
    if (this.cache.size > 0) this.cache.clear();
    const e = this.entries.get(key);
    if (e) {
      e.json = json;
      e.ts = ts;
      e.version = this.version;
    } else {
      this.entries.set(key, { json, ts, version: this.version });
    }
  }

  /** Data (JSON) and time of what changed after version `since`. */
  since(since: number): { json: string; ts: number } {
    let hit = this.cache.get(since);
    if (!hit) {
      const values: string[] = [];
      let ts = 0;
      for (const e of this.entries.values()) {
        if (e.version <= since) continue;
        values.push(e.json);
        if (e.ts > ts) ts = e.ts;
      }
      hit = { json: this.wrap(values), ts };
      this.cache.set(since, hit);
    }
    return hit;
  }
}

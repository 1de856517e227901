/**
 * Bounded, append-only logs of recent items (fills, signals, P&L points, alerts...) that the API
 * pages through, and the one pagination rule every list endpoint follows: newest first, a cursor
 * that is the sequence number of the last item returned (stable while new items arrive), and
 * optional filters by symbol and by an inclusive time range.
 */

export interface PageQuery {
  limit: number;
  /** Return only items older than this sequence number (a previous page's nextCursor). */
  cursor?: number | undefined;
  symbol?: string | undefined;
  from?: number | undefined;
  to?: number | undefined;
}

export interface Page<T> {
  items: T[];
  nextCursor: string | null;
}

export interface ItemFields<T> {
  ts(item: T): number;
  symbol(item: T): string | undefined;
}

/**
 * Pages through items numbered 1..lastSeq (oldest to newest; `get` returns undefined for a
 * number no longer kept). Items are assumed to be in time order, so the scan stops at the first
 * item older than `from`.
 */
export function paginate<T>(firstSeq: number, lastSeq: number, get: (seq: number) => T | undefined, fields: ItemFields<T>, q: PageQuery, keep?: (item: T) => boolean): Page<T> {
  const items: T[] = [];
  const start = q.cursor === undefined ? lastSeq : Math.min(lastSeq, q.cursor - 1);
  let lastTaken = -1;
  for (let seq = start; seq >= firstSeq; seq--) {
    const item = get(seq);
    if (item === undefined) continue;
    const t = fields.ts(item);
    if (q.from !== undefined && t < q.from) break;
    if (q.to !== undefined && t > q.to) continue;
    if (q.symbol !== undefined && fields.symbol(item) !== q.symbol) continue;
    if (keep && !keep(item)) continue;
    if (items.length === q.limit) return { items, nextCursor: String(lastTaken) };
    items.push(item);
    lastTaken = seq;
  }
  return { items, nextCursor: null };
}

/** The last `capacity` items appended, numbered from 1 in append order. */
export class RecentLog<T> {
  /** Grows to `capacity`, then wraps: `head` is the oldest item's index. */
  private readonly ring: T[] = [];
  private head = 0;
  private appended = 0;

  constructor(
    readonly capacity: number,
    private readonly fields: ItemFields<T>,
  ) {
    if (!Number.isInteger(capacity) || capacity < 1) throw new RangeError(`log capacity ${capacity} must be a positive integer`);
  }

  get size(): number {
    return this.ring.length;
  }

  /** Sequence number of the newest item (0 when empty). */
  get lastSeq(): number {
    return this.appended;
  }

  push(item: T): void {
    if (this.ring.length < this.capacity) {
      this.ring.push(item);
    } else {
      this.ring[this.head] = item;
      this.head = (this.head + 1) % this.capacity;
    }
    this.appended++;
  }

  /** The item with sequence number `seq`, if still kept. */
  at(seq: number): T | undefined {
    const first = this.appended - this.ring.length + 1;
    if (seq < first || seq > this.appended) return undefined;
    return this.ring[(this.head + (seq - first)) % this.ring.length];
  }

  /** The newest `n` items, oldest first. */
  latest(n: number): T[] {
    const out: T[] = [];
    const first = Math.max(this.appended - this.ring.length + 1, this.appended - n + 1);
    for (let seq = first; seq <= this.appended; seq++) out.push(this.at(seq)!);
    return out;
  }

  page(q: PageQuery, keep?: (item: T) => boolean): Page<T> {
    return paginate(this.appended - this.ring.length + 1, this.appended, (s) => this.at(s), this.fields, q, keep);
  }
}

/** Pages a fixed list (e.g. positions sorted by instrument), numbering it 1..n in the given order. */
export function pageArray<T>(list: readonly T[], fields: ItemFields<T>, q: PageQuery): Page<T> {
  return paginate(1, list.length, (s) => list[s - 1], fields, { ...q, from: undefined }, q.from === undefined ? undefined : (item) => fields.ts(item) >= q.from!);
}

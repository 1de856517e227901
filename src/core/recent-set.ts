/**
 * A set that remembers the most recent `capacity` keys (FIFO eviction). Used to drop duplicate
 * reports (fills delivered twice, replays) without remembering every id a long run has seen:
 * duplicates arrive close to the original, so a bounded window is enough.
 */

export class RecentSet<K> {
  private readonly keys = new Set<K>();
  private readonly ring: (K | undefined)[];
  private next = 0;

  constructor(readonly capacity: number) {
    if (!Number.isInteger(capacity) || capacity < 1) throw new RangeError(`capacity ${capacity} must be a positive integer`);
    this.ring = new Array<K | undefined>(capacity);
  }

  has(key: K): boolean {
    return this.keys.has(key);
  }

  /** Adds a key; returns false if it was already present. */
  add(key: K): boolean {
    if (this.keys.has(key)) return false;
    const evicted = this.ring[this.next];
    if (evicted !== undefined) this.keys.delete(evicted);
    this.ring[this.next] = key;
    this.next = (this.next + 1) % this.capacity;
    this.keys.add(key);
    return true;
  }

  get size(): number {
    return this.keys.size;
  }
}

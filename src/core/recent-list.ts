/**
 * A bounded list of the most recent items (a ring buffer): O(1) push, oldest evicted first.
 * Long runs keep recent fills and closed positions for queries without growing without bound.
 */

export class RecentList<T> {
  private readonly items: (T | undefined)[];
  private start = 0;
  private length = 0;

  constructor(readonly capacity: number) {
    if (!(capacity >= 1)) throw new RangeError(`capacity ${capacity} must be at least 1`);
    this.items = Number.isFinite(capacity) ? new Array<T | undefined>(capacity) : [];
  }

  push(item: T): void {
    if (!Number.isFinite(this.capacity)) {
      this.items.push(item);
      this.length++;
      return;
    }
    const end = (this.start + this.length) % this.capacity;
    this.items[end] = item;
    if (this.length < this.capacity) this.length++;
    else this.start = (this.start + 1) % this.capacity;
  }

  get size(): number {
    return this.length;
  }

  /** The items, oldest first. */
  toArray(): T[] {
    const out: T[] = new Array<T>(this.length);
    for (let i = 0; i < this.length; i++) out[i] = this.items[(this.start + i) % this.items.length] as T;
    return out;
  }

  /** The newest item, or undefined. */
  last(): T | undefined {
    return this.length === 0 ? undefined : this.items[(this.start + this.length - 1) % this.items.length];
  }
}

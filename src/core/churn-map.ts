/**
 * ChurnMap: a Map for keys that come and go at a high rate (orders by client order id), rebuilt
 * from time to time so that its entries can die young.
 *
 * Why: when V8 grows or compacts a Map it copies the entries into a new table and leaves a
 * pointer from the old table to the new one (for iterators still on the old table). A new table
 * is allocated in the generation of the one it replaces, and a full GC promotes the live table to
 * the old generation. From then on every table is an old object, and each dead one keeps the next
 * one — with every entry it held — alive for the young-generation collector until the next full
 * GC. With orders that meant every order, its events and fills were copied twice and promoted:
 * the dense backtest with the risk engine ran at about 140k quotes/s instead of about 250k, and in
 * four runs out of five, depending on when the first full GC came. A Map built afresh is young
 * again and breaks that chain; rebuilding it after as many insertions as it holds (at least
 * `minRebuildInterval`) costs at most one copied entry per insertion.
 *
 * The first rebuilds come early, after 1, 2, 4, … insertions up to the interval (about a dozen
 * copies of a small map). The rebuild path then runs while V8 still collects type feedback for
 * `set`. Without that, its first run — thousands of orders in, after the order path and its
 * listeners were optimized with `set` inlined — deoptimized each of them (in a 1 M-quote sparse
 * backtest: the venue's and the execution engine's order intake and the monitor's order handler),
 * and each was compiled again. (The first insertion rebuilds at once, which also tells V8 that
 * the table field is not a constant before anything inlines a lookup.)
 */
export class ChurnMap<K, V> {
  private map = new Map<K, V>();
  private insertionsSinceRebuild = 0;
  /** Insertions that allow the next rebuild: doubles from 1 up to minRebuildInterval. */
  private rebuildAfter = 1;

  constructor(private readonly minRebuildInterval = 4096) {}

  get size(): number {
    return this.map.size;
  }

  get(key: K): V | undefined {
    return this.map.get(key);
  }

  has(key: K): boolean {
    return this.map.has(key);
  }

  set(key: K, value: V): this {
    this.map.set(key, value);
    if (++this.insertionsSinceRebuild >= this.rebuildAfter && this.insertionsSinceRebuild >= this.map.size) {
      this.map = new Map(this.map);
      this.insertionsSinceRebuild = 0;
      this.rebuildAfter = Math.min(2 * this.rebuildAfter, this.minRebuildInterval);
    }
    return this;
  }

  delete(key: K): boolean {
    return this.map.delete(key);
  }

  clear(): void {
    this.map.clear();
  }

  /** The keys in insertion order (an iteration that inserts may run on the map as it was before a rebuild). */
  keys(): IterableIterator<K> {
    return this.map.keys();
  }

  /** The values in insertion order (as keys()). */
  values(): IterableIterator<V> {
    return this.map.values();
  }
}

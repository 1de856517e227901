/**
 * MarketValueSums: a portfolio's Σ market value (net), Σ |market value| (gross) and number of open
 * positions, kept incrementally. A position queues itself when its mark, quantity or cost changes
 * (once until the next refresh), and a refresh re-values only the queued positions: equity and
 * exposure, read on every order (risk checks), every fill (equity limits) and every instant with
 * fills (the equity curve), cost O(changed positions) instead of O(positions).
 *
 * The sums are numbers, exact because every value added is a safe integer and every partial gross
 * is checked to stay one (|partial net| ≤ partial gross). A market value that is not a safe
 * integer, or a gross that leaves the safe range, makes refresh() report false, so the caller
 * takes its bigint path, and makes the next refresh re-sum every position.
 *
 * Listeners hear of each position a refresh re-values (every position on a full re-sum), so a
 * component keeping its own per-position figures (the risk engine's heat) updates only those.
 */

/** What the sums read of a position, and the fields they keep on it. */
export interface SummedPosition {
  readonly qtyRaw: number;
  /** Market value as a safe integer (0 when flat), or undefined when it is not one. */
  marketValueNum(): number | undefined;
  /** Queued for the next refresh (owned by MarketValueSums). */
  sumQueued: boolean;
  /** The market value and openness this position contributes to the sums (owned by MarketValueSums). */
  summedMv: number;
  summedOpen: boolean;
}

export class MarketValueSums<P extends SummedPosition = SummedPosition> {
  net = 0;
  gross = 0;
  open = 0;
  /** The queued positions are queue[0..queued); slots past it are stale (a position is queued once, so the array never outgrows the positions). */
  private readonly queue: P[] = [];
  private queued = 0;
  private readonly listeners: Array<(p: P) => void> = [];
  /** False until the first full sum, and after a value left the safe range. */
  private exact = false;

  /** Queues a position whose market value may have changed. */
  note(p: P): void {
    if (p.sumQueued) return;
    p.sumQueued = true;
    this.queue[this.queued++] = p;
  }

  /** Adds a listener for re-valued positions (for the portfolio's life). */
  listen(listener: (p: P) => void): void {
    this.listeners.push(listener);
  }

  /** Forgets the incremental state: the next refresh re-sums every position (state import). */
  invalidate(): void {
    this.exact = false;
  }

  /**
   * The net sum as refresh() would make it, without refreshing: the queue stays for the next
   * refresh and no listener hears of anything. Undefined when refresh() would report false. For
   * readers that only need the net now (the monitor's sample after fills), so that the listeners'
   * work is done once, by the next reader that needs it.
   */
  peekNet(): number | undefined {
    if (!this.exact) return undefined;
    const queue = this.queue;
    let net = this.net;
    let gross = this.gross;
    for (let i = 0; i < this.queued; i++) {
      const p = queue[i]!;
      const mv = p.marketValueNum();
      const old = p.summedMv;
      gross = gross - Math.abs(old) + (mv === undefined ? 0 : Math.abs(mv));
      if (mv === undefined || gross > Number.MAX_SAFE_INTEGER) return undefined;
      net = net - old + mv;
    }
    return net;
  }

  /** Brings the sums up to date; false when net and gross are not exact (use bigints). The open count is right either way. */
  refresh(positions: ReadonlyMap<string, P>): boolean {
    if (!this.exact) return this.resum(positions);
    const queue = this.queue;
    let net = this.net;
    let gross = this.gross;
    let open = this.open;
    const listeners = this.listeners;
    for (let i = 0; i < this.queued; i++) {
      const p = queue[i]!;
      p.sumQueued = false;
      for (let k = 0; k < listeners.length; k++) listeners[k]!(p);
      const mv = p.marketValueNum();
      const old = p.summedMv;
      gross = gross - Math.abs(old) + (mv === undefined ? 0 : Math.abs(mv));
      if (mv === undefined || gross > Number.MAX_SAFE_INTEGER) return this.resum(positions);
      net = net - old + mv;
      p.summedMv = mv;
      const isOpen = p.qtyRaw !== 0;
      if (isOpen !== p.summedOpen) {
        open += isOpen ? 1 : -1;
        p.summedOpen = isOpen;
      }
    }
    this.queued = 0;
    this.net = net;
    this.gross = gross;
    this.open = open;
    return true;
  }

  /** Sums every position afresh; every partial sum is bounded by the final gross, so a safe gross means every addition was exact. */
  private resum(positions: ReadonlyMap<string, P>): boolean {
    for (let i = 0; i < this.queued; i++) this.queue[i]!.sumQueued = false;
    this.queued = 0;
    let net = 0;
    let gross = 0;
    let open = 0;
    let safe = true;
    for (const p of positions.values()) {
      for (let k = 0; k < this.listeners.length; k++) this.listeners[k]!(p);
      const mv = p.marketValueNum();
      p.summedMv = mv ?? 0;
      p.summedOpen = p.qtyRaw !== 0;
      if (p.summedOpen) open++;
      if (mv === undefined) safe = false;
      else {
        net += mv;
        gross += Math.abs(mv);
      }
    }
    this.open = open;
    this.exact = safe && Number.isSafeInteger(gross);
    this.net = net;
    this.gross = gross;
    return this.exact;
  }
}

/**
 * ClientOrderIds: the client order id space of one run. Every id is used at most once.
 *
 * Generated ids are `<strategyId>-<n>` from one counter that never goes back, so they need no
 * record: a run of a million orders keeps no million strings. Only ids given by callers (and ids
 * restored from a journal) are remembered. A given id shaped like a generated one — a strategy
 * that has generated ids, a dash, a number below the counter, optionally `-SL`/`-TP` (a
 * bracket's exits) — may have been used and is refused as such; generation skips any number
 * whose id (or bracket exit id) a caller has taken.
 */

import { decimalDigits } from '../core/digits.js';

const EXIT_SUFFIXES = ['-SL', '-TP'] as const;

export class ClientOrderIds {
  /** Ids given by callers or restored: the only ids remembered one by one. */
  private readonly given = new Set<string>();
  /** Strategies ids were generated for (in this run or a restored one). */
  private readonly generating = new Set<string>();
  private nextNo = 1;

  /** The counter behind generated ids (journaled so a restart never reuses one). */
  get counter(): number {
    return this.nextNo;
  }

  /** True when `id` was used, or may have been as a generated id (or a generated entry's exit). */
  isUsed(id: string): boolean {
    if (this.given.has(id)) return true;
    for (const suffix of EXIT_SUFFIXES) if (id.endsWith(suffix)) return this.mayBeGenerated(id.slice(0, -suffix.length));
    return this.mayBeGenerated(id);
  }

  /** Records an id a caller gave (check isUsed first). */
  take(id: string): void {
    this.given.add(id);
  }

  /** A fresh id for `strategyId`, with its bracket exit ids free too. */
  generate(strategyId: string): string {
    this.generating.add(strategyId);
    for (;;) {
      const id = `${strategyId}-${decimalDigits(this.nextNo++)}`;
      if (this.given.size === 0 || !(this.given.has(id) || this.given.has(`${id}-SL`) || this.given.has(`${id}-TP`))) return id;
    }
  }

  /** Adopts ids restored from a journal, and the counter to continue from. */
  restore(ids: Iterable<{ clientOrderId: string; strategyId: string }>, nextNo?: number): void {
    for (const { clientOrderId, strategyId } of ids) {
      this.given.add(clientOrderId);
      this.generating.add(strategyId);
    }
    if (nextNo !== undefined && nextNo > this.nextNo) this.nextNo = nextNo;
  }

  private mayBeGenerated(id: string): boolean {
    const dash = id.lastIndexOf('-');
    if (dash <= 0) return false;
    const digits = id.slice(dash + 1);
    const n = Number(digits);
    return Number.isSafeInteger(n) && n >= 1 && n < this.nextNo && String(n) === digits && this.generating.has(id.slice(0, dash));
  }
}
